// f16-weight GEMV / GEMM, 128-bit SIMD (wasm SIMD128 / native vectors).
//
// Widening 4 halves to floats with integer lanes (u32 = zero-extended half):
//   magnitude bits (u & 0x7fff) << 13 put the f16 exponent and mantissa into
//   the f32 fields; reinterpreted and multiplied by 2^112 this rebases the
//   exponent (15 -> 127) and also renormalises subnormals exactly. Inf / NaN
//   (exponent 31) get the f32 exponent 255 first (unchanged by the multiply),
//   then the sign bit is put back with an OR.
// Weights known to hold no Inf / NaN (checked once at load) take a shorter
// path in the GEMV: halves sign-extended to i32 and shifted left by 13 have
// the sign in bits 28-31; clearing bits 28-30 leaves the f32 sign bit, and
// the same multiply by 2^112 finishes (shift, and, multiply per 4 lanes).
// Narrowing floats to halves (fp16 loading) rounds to nearest even per lane:
//   normal results rebias the exponent and add 0xfff plus the kept lowest bit
//   before dropping 13 bits; below 2^-14 (subnormal halves) |f| + 0.5f makes
//   the float adder round |f| to a multiple of 2^-24, read from its low bits;
//   from 65536 up (|f| bits >= 0x47800000; 65520 up already carries into
//   exponent 31) inf, NaN stays a quiet NaN (0x7e00), then the sign.
// Decode (m == 1) streams each weight row once, 4 rows a quarter of the
// matrix apart at a time, 8 halves per load. Prefill (m > 1) widens a panel of weight rows into a thread-local
// float buffer and runs the packed 4x8 f32 GEMM on it: the widening costs
// O(n k) against the GEMM's O(m n k).
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/tensor.h"
#include "kernels/far_rows.h"
#include "kernels/kernels.h"
#include "kernels/kernels_f16.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

#if defined(__wasm_simd128__)

inline f32x4 halves_to_f32(v128_t u) {
  const v128_t em = wasm_i32x4_shl(wasm_v128_and(u, wasm_i32x4_splat(0x7fff)), 13);
  const v128_t exp_bits = wasm_v128_and(u, wasm_i32x4_splat(0x7c00));
  const v128_t inf_nan = wasm_v128_and(wasm_i32x4_eq(exp_bits, wasm_i32x4_splat(0x7c00)), wasm_i32x4_splat(0x7f800000));
  const v128_t magnitude = wasm_f32x4_mul(wasm_v128_or(em, inf_nan), wasm_f32x4_splat(0x1p112f));
  const v128_t sign = wasm_i32x4_shl(wasm_v128_and(u, wasm_i32x4_splat(0x8000)), 16);
  return wasm_v128_or(magnitude, sign);
}

// 8 halves at p -> two f32x4.
inline void load_f16x8(const uint16_t* p, f32x4& lo, f32x4& hi) {
  const v128_t v = wasm_v128_load(p);
  lo = halves_to_f32(wasm_u32x4_extend_low_u16x8(v));
  hi = halves_to_f32(wasm_u32x4_extend_high_u16x8(v));
}

inline f32x4 finite_halves_to_f32(v128_t s) {
  return wasm_f32x4_mul(wasm_v128_and(wasm_i32x4_shl(s, 13), wasm_i32x4_splat(static_cast<int32_t>(0x8fffffffu))),
                        wasm_f32x4_splat(0x1p112f));
}

inline void load_finite_f16x8(const uint16_t* p, f32x4& lo, f32x4& hi) {
  const v128_t v = wasm_v128_load(p);
  lo = finite_halves_to_f32(wasm_i32x4_extend_low_i16x8(v));
  hi = finite_halves_to_f32(wasm_i32x4_extend_high_i16x8(v));
}

// 4 floats -> 4 halves, one in the low 16 bits of each 32-bit lane.
inline v128_t f32_to_halves(f32x4 f) {
  const auto splat = [](uint32_t v) { return wasm_i32x4_splat(static_cast<int32_t>(v)); };
  const v128_t sign = wasm_v128_and(f, splat(0x80000000u));
  const v128_t a = wasm_v128_xor(f, sign);
  const v128_t odd = wasm_v128_and(wasm_u32x4_shr(a, 13), splat(1));
  const v128_t normal = wasm_u32x4_shr(wasm_i32x4_add(wasm_i32x4_add(a, splat(0xc8000fffu)), odd), 13);
  const v128_t subnormal = wasm_i32x4_sub(wasm_f32x4_add(a, wasm_f32x4_splat(0.5f)), splat(0x3f000000u));
  const v128_t huge = wasm_v128_bitselect(splat(0x7e00), splat(0x7c00), wasm_i32x4_gt(a, splat(0x7f800000u)));
  v128_t h = wasm_v128_bitselect(subnormal, normal, wasm_i32x4_lt(a, splat(0x38800000u)));
  h = wasm_v128_bitselect(huge, h, wasm_i32x4_ge(a, splat(0x47800000u)));
  return wasm_v128_or(h, wasm_u32x4_shr(sign, 16));
}

// 8 floats at p -> 8 halves at dst.
inline void store_halves8(const float* p, uint16_t* dst) {
  wasm_v128_store(dst, wasm_u16x8_narrow_i32x4(f32_to_halves(f32_load(p)), f32_to_halves(f32_load(p + 4))));
}

#else

typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint16_t u16x4 __attribute__((vector_size(8)));

inline u32x4 f32_to_halves(f32x4 f) {
  const u32x4 u = (u32x4)f;
  const u32x4 sign = u & 0x80000000u;
  const u32x4 a = u ^ sign;
  const u32x4 normal = (a + 0xc8000fffu + ((a >> 13) & 1u)) >> 13;
  const u32x4 subnormal = (u32x4)((f32x4)a + f32_splat(0.5f)) - 0x3f000000u;
  const u32x4 nan = (u32x4)(a > 0x7f800000u);
  const u32x4 huge = (nan & 0x7e00u) | (~nan & 0x7c00u);
  const u32x4 small = (u32x4)(a < 0x38800000u), big = (u32x4)(a >= 0x47800000u);
  const u32x4 h = (big & huge) | (~big & ((small & subnormal) | (~small & normal)));
  return h | (sign >> 16);
}

inline void store_halves8(const float* p, uint16_t* dst) {
  const u16x4 lo = __builtin_convertvector(f32_to_halves(f32_load(p)), u16x4);
  const u16x4 hi = __builtin_convertvector(f32_to_halves(f32_load(p + 4)), u16x4);
  std::memcpy(dst, &lo, sizeof lo);
  std::memcpy(dst + 4, &hi, sizeof hi);
}

inline f32x4 halves_to_f32(u32x4 u) {
  const u32x4 em = (u & 0x7fffu) << 13;
  const u32x4 inf_nan = (u32x4)((u & 0x7c00u) == 0x7c00u) & 0x7f800000u;
  const f32x4 magnitude = (f32x4)(em | inf_nan) * f32_splat(0x1p112f);
  return (f32x4)((u32x4)magnitude | ((u & 0x8000u) << 16));
}

inline void load_f16x8(const uint16_t* p, f32x4& lo, f32x4& hi) {
  lo = halves_to_f32(__builtin_convertvector(load_unaligned<u16x4>(p), u32x4));
  hi = halves_to_f32(__builtin_convertvector(load_unaligned<u16x4>(p + 4), u32x4));
}

typedef int16_t s16x4 __attribute__((vector_size(8)));

inline f32x4 finite_halves_to_f32(i32x4 s) {
  return (f32x4)((s << 13) & static_cast<int32_t>(0x8fffffffu)) * f32_splat(0x1p112f);
}

inline void load_finite_f16x8(const uint16_t* p, f32x4& lo, f32x4& hi) {
  lo = finite_halves_to_f32(__builtin_convertvector(load_unaligned<s16x4>(p), i32x4));
  hi = finite_halves_to_f32(__builtin_convertvector(load_unaligned<s16x4>(p + 4), i32x4));
}

#endif

inline float dot_tail(const float* x, const uint16_t* w, int64_t p, int64_t k) {
  float r = 0;
  for (; p < k; ++p) r += x[p] * f16_to_f32(w[p]);
  return r;
}

// y[j] = x . W[j] (+ bias[j]) for the R rows j in js; Load widens 8 halves.
// Every row is summed the same way, whichever R it is computed with.
template <void (*Load)(const uint16_t*, f32x4&, f32x4&), int R>
void dot_rows_f16(int64_t k, const float* x, const uint16_t* w, const int64_t* js, const float* bias, float* y) {
  const int64_t k8 = k - k % 8;
  const uint16_t* rows[R];
  f32x4 s[R], t[R];
  for (int r = 0; r < R; ++r) {
    rows[r] = w + js[r] * k;
    s[r] = t[r] = f32_zero();
  }
  for (int64_t p = 0; p < k8; p += 8) {
    const f32x4 xa = f32_load(x + p), xb = f32_load(x + p + 4);
    for (int r = 0; r < R; ++r) {
      f32x4 lo, hi;
      Load(rows[r] + p, lo, hi);
      s[r] = f32_add(s[r], f32_mul(xa, lo));
      t[r] = f32_add(t[r], f32_mul(xb, hi));
    }
  }
  for (int r = 0; r < R; ++r) {
    const float v = f32_hsum(f32_add(s[r], t[r])) + dot_tail(x, rows[r], k8, k);
    y[js[r]] = bias ? v + bias[js[r]] : v;
  }
}

// y[j] = x . W[j] (+ bias[j]) for one activation row, 4 rows a quarter of the
// matrix apart at a time (far_rows.h), as gemv_f32 reads them.
template <void (*Load)(const uint16_t*, f32x4&, f32x4&)>
void gemv_f16(int64_t n, int64_t k, const float* x, const uint16_t* w, const float* bias, float* y) {
  for_rows_a_quarter_apart(0, n, [&](const int64_t* js, auto R) {
    dot_rows_f16<Load, decltype(R)::value>(k, x, w, js, bias, y);
  });
}

constexpr int64_t kPanelFloats = 1 << 16;  // 256 KB of widened weights per panel
constexpr int64_t kMinPanelRows = 16;

}  // namespace

void widen_f16(const uint16_t* src, int64_t n, float* dst) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    f32x4 lo, hi;
    load_f16x8(src + i, lo, hi);
    f32_store(dst + i, lo);
    f32_store(dst + i + 4, hi);
  }
  for (; i < n; ++i) dst[i] = f16_to_f32(src[i]);
}

void narrow_f16(const float* src, int64_t n, uint16_t* dst) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) store_halves8(src + i, dst + i);
  for (; i < n; ++i) dst[i] = f32_to_f16(src[i]);
}

bool f16_all_finite(const uint16_t* h, int64_t n) {
  // A branch-free pass per chunk (the compiler vectorizes it), a test per chunk.
  constexpr int64_t kChunk = 4096;
  for (int64_t begin = 0; begin < n; begin += kChunk) {
    const int64_t end = std::min(n, begin + kChunk);
    int inf_nan = 0;
    for (int64_t i = begin; i < end; ++i) inf_nan |= (h[i] & 0x7c00) == 0x7c00;
    if (inf_nan) return false;
  }
  return true;
}

void gemm_f16(int64_t m, int64_t n, int64_t k, const float* x, int64_t ldx, const uint16_t* w, bool finite,
              const float* bias, float* y, int64_t ldy) {
  if (m <= 0 || n <= 0) return;
  if (m == 1) {
    if (finite) {
      gemv_f16<load_finite_f16x8>(n, k, x, w, bias, y);
    } else {
      gemv_f16<load_f16x8>(n, k, x, w, bias, y);
    }
    return;
  }
  const int64_t rows = std::min(n, std::max(kMinPanelRows, kPanelFloats / std::max<int64_t>(k, 1)));
  thread_local std::vector<float> panel;
  if (static_cast<int64_t>(panel.size()) < rows * k) panel.resize(static_cast<size_t>(rows * k));
  for (int64_t n0 = 0; n0 < n; n0 += rows) {
    const int64_t nb = std::min(rows, n - n0);
    widen_f16(w + n0 * k, nb * k, panel.data());
    gemm_f32_4x8(m, nb, k, x, ldx, panel.data(), k, BLayout::NK, bias ? bias + n0 : nullptr, y + n0, ldy);
  }
}

}  // namespace hubwasm::kernels
