// 128-bit SIMD shim shared by the kernels: WebAssembly SIMD128 intrinsics in
// wasm builds, GCC/Clang vector extensions (+ SSE2 pmaddwd for the int16 dot)
// natively. The kernels are written once against these functions, so a native
// and a wasm build run the same 4-lane algorithm and their ratio is meaningful.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define HUBWASM_SIMD_ISA "wasm-simd128"
#elif defined(__SSE2__)
#include <immintrin.h>
#define HUBWASM_SIMD_ISA "gcc-vector-128 (sse)"
#else
#define HUBWASM_SIMD_ISA "gcc-vector-128 (generic)"
#endif

namespace hubwasm::simd {

#if defined(__wasm_simd128__)

using f32x4 = v128_t;
using i16x8 = v128_t;
using i32x4 = v128_t;

inline f32x4 f32_zero() { return wasm_f32x4_splat(0.0f); }
inline f32x4 f32_load(const float* p) { return wasm_v128_load(p); }
inline void f32_store(float* p, f32x4 v) { wasm_v128_store(p, v); }
inline f32x4 f32_splat(float x) { return wasm_f32x4_splat(x); }
inline f32x4 f32_splat_load(const float* p) { return wasm_v128_load32_splat(p); }
inline f32x4 f32_add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 f32_mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline float f32_hsum(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
// Double-precision sums of float lanes (the norms accumulate in double).
using f64x2 = v128_t;
inline f64x2 f64_zero() { return wasm_f64x2_splat(0.0); }
inline f64x2 f64_add(f64x2 a, f64x2 b) { return wasm_f64x2_add(a, b); }
inline f64x2 f64_mul(f64x2 a, f64x2 b) { return wasm_f64x2_mul(a, b); }
inline f64x2 f64_sub(f64x2 a, f64x2 b) { return wasm_f64x2_sub(a, b); }
inline f64x2 f64_splat(double x) { return wasm_f64x2_splat(x); }
inline f64x2 f64_from_low(f32x4 v) { return wasm_f64x2_promote_low_f32x4(v); }
inline f64x2 f64_from_high(f32x4 v) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)); }
inline double f64_hsum(f64x2 v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

inline i16x8 i16_load(const int16_t* p) { return wasm_v128_load(p); }
// 8 int8 values widened to int16.
inline i16x8 i16_load_i8x8(const int8_t* p) { return wasm_i16x8_load8x8(p); }
// 16 int8 values widened to two int16 vectors.
inline void i16_load_i8x16(const int8_t* p, i16x8& lo, i16x8& hi) {
  const v128_t v = wasm_v128_load(p);
  lo = wasm_i16x8_extend_low_i8x16(v);
  hi = wasm_i16x8_extend_high_i8x16(v);
}
// Two consecutive int16 values repeated in all four 32-bit lanes.
inline i16x8 i16_splat_pair(const int16_t* p) { return wasm_v128_load32_splat(p); }
inline i32x4 i32_zero() { return wasm_i32x4_splat(0); }
inline i32x4 i32_add(i32x4 a, i32x4 b) { return wasm_i32x4_add(a, b); }
// i32x4.dot_i16x8_s: lane i = a[2i]*b[2i] + a[2i+1]*b[2i+1].
inline i32x4 i32_dot_i16(i16x8 a, i16x8 b) { return wasm_i32x4_dot_i16x8(a, b); }
inline f32x4 i32_to_f32(i32x4 v) { return wasm_f32x4_convert_i32x4(v); }

// For exp / softmax.
inline f32x4 f32_sub(f32x4 a, f32x4 b) { return wasm_f32x4_sub(a, b); }
inline f32x4 f32_max(f32x4 a, f32x4 b) { return wasm_f32x4_pmax(a, b); }
inline f32x4 f32_min(f32x4 a, f32x4 b) { return wasm_f32x4_pmin(a, b); }
inline f32x4 f32_div(f32x4 a, f32x4 b) { return wasm_f32x4_div(a, b); }
inline f32x4 f32_abs(f32x4 a) { return wasm_f32x4_abs(a); }
// a where x >= 0, else b.
inline f32x4 f32_select_nonneg(f32x4 x, f32x4 a, f32x4 b) {
  return wasm_v128_bitselect(a, b, wasm_f32x4_ge(x, wasm_f32x4_splat(0.0f)));
}
inline float f32_hmax(f32x4 v) {
  return std::max(std::max(wasm_f32x4_extract_lane(v, 0), wasm_f32x4_extract_lane(v, 1)),
                  std::max(wasm_f32x4_extract_lane(v, 2), wasm_f32x4_extract_lane(v, 3)));
}
// 2^n for integral n in [-126, 127], given as floats.
inline f32x4 f32_pow2(f32x4 n) {
  return wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
}
// v where x >= lo, else 0.
inline f32x4 f32_keep_ge(f32x4 v, f32x4 x, f32x4 lo) { return wasm_v128_and(v, wasm_f32x4_ge(x, lo)); }
// For the q8 quantizer.
inline f32x4 f32_round_even(f32x4 v) { return wasm_f32x4_nearest(v); }
inline f32x4 f32_div_or_zero(f32x4 num, f32x4 den) {
  return wasm_v128_and(wasm_f32x4_div(num, den), wasm_f32x4_gt(den, wasm_f32x4_splat(0.0f)));
}
// Rows a..d become columns: lane j of the result r holds lane r of input j.
inline void f32_transpose4(f32x4& a, f32x4& b, f32x4& c, f32x4& d) {
  const v128_t ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  const v128_t cd_lo = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd_hi = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
  a = wasm_i32x4_shuffle(ab_lo, cd_lo, 0, 1, 4, 5);
  b = wasm_i32x4_shuffle(ab_lo, cd_lo, 2, 3, 6, 7);
  c = wasm_i32x4_shuffle(ab_hi, cd_hi, 0, 1, 4, 5);
  d = wasm_i32x4_shuffle(ab_hi, cd_hi, 2, 3, 6, 7);
}
// Four rows of four integral floats in [-128, 127] as the 16 int8 of one q8
// chunk (kernels::Q8Weights): [a0 a1 b0 b1 c0 c1 d0 d1 a2 a3 b2 b3 c2 c3 d2 d3].
inline void store_q8_chunk(int8_t* dst, f32x4 a, f32x4 b, f32x4 c, f32x4 d) {
  const v128_t ab = wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(a), wasm_i32x4_trunc_sat_f32x4(b));
  const v128_t cd = wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(c), wasm_i32x4_trunc_sat_f32x4(d));
  const v128_t bytes = wasm_i8x16_narrow_i16x8(ab, cd);
  wasm_v128_store(dst, wasm_i8x16_shuffle(bytes, bytes, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
}

#else

typedef float f32x4 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef int8_t i8x8_ __attribute__((vector_size(8)));
typedef int8_t i8x16_ __attribute__((vector_size(16)));

template <typename V, typename T>
inline V load_unaligned(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline f32x4 f32_zero() { return f32x4{0, 0, 0, 0}; }
inline f32x4 f32_load(const float* p) { return load_unaligned<f32x4>(p); }
inline void f32_store(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }
inline f32x4 f32_splat(float x) { return f32x4{x, x, x, x}; }
inline f32x4 f32_splat_load(const float* p) { return f32_splat(*p); }
inline f32x4 f32_add(f32x4 a, f32x4 b) { return a + b; }
inline f32x4 f32_mul(f32x4 a, f32x4 b) { return a * b; }
inline float f32_hsum(f32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

typedef double f64x2 __attribute__((vector_size(16)));
inline f64x2 f64_zero() { return f64x2{0, 0}; }
inline f64x2 f64_add(f64x2 a, f64x2 b) { return a + b; }
inline f64x2 f64_mul(f64x2 a, f64x2 b) { return a * b; }
inline f64x2 f64_sub(f64x2 a, f64x2 b) { return a - b; }
inline f64x2 f64_splat(double x) { return f64x2{x, x}; }
inline f64x2 f64_from_low(f32x4 v) { return f64x2{v[0], v[1]}; }
inline f64x2 f64_from_high(f32x4 v) { return f64x2{v[2], v[3]}; }
inline double f64_hsum(f64x2 v) { return v[0] + v[1]; }

inline i16x8 i16_load(const int16_t* p) { return load_unaligned<i16x8>(p); }
#if defined(__SSE4_1__)
inline i16x8 i16_load_i8x8(const int8_t* p) {
  return (i16x8)_mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
inline void i16_load_i8x16(const int8_t* p, i16x8& lo, i16x8& hi) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  lo = (i16x8)_mm_cvtepi8_epi16(v);
  hi = (i16x8)_mm_cvtepi8_epi16(_mm_srli_si128(v, 8));
}
#else
inline i16x8 i16_load_i8x8(const int8_t* p) { return __builtin_convertvector(load_unaligned<i8x8_>(p), i16x8); }
inline void i16_load_i8x16(const int8_t* p, i16x8& lo, i16x8& hi) {
  lo = i16_load_i8x8(p);
  hi = i16_load_i8x8(p + 8);
}
#endif
inline i16x8 i16_splat_pair(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof pair);
  return (i16x8)(i32x4{pair, pair, pair, pair});
}
inline i32x4 i32_zero() { return i32x4{0, 0, 0, 0}; }
inline i32x4 i32_add(i32x4 a, i32x4 b) { return a + b; }
inline i32x4 i32_dot_i16(i16x8 a, i16x8 b) {
#if defined(__SSE2__)
  return (i32x4)_mm_madd_epi16((__m128i)a, (__m128i)b);
#else
  i32x4 r;
  for (int i = 0; i < 4; ++i) r[i] = int32_t(a[2 * i]) * b[2 * i] + int32_t(a[2 * i + 1]) * b[2 * i + 1];
  return r;
#endif
}
inline f32x4 i32_to_f32(i32x4 v) { return __builtin_convertvector(v, f32x4); }

// For exp / softmax.
inline f32x4 f32_sub(f32x4 a, f32x4 b) { return a - b; }
// As wasm's f32x4.pmax / pmin: b only where it is strictly greater / less,
// so a NaN in b is ignored and a NaN in a kept, in both builds alike.
inline f32x4 f32_max(f32x4 a, f32x4 b) { return a < b ? b : a; }
inline f32x4 f32_min(f32x4 a, f32x4 b) { return b < a ? b : a; }
inline f32x4 f32_div(f32x4 a, f32x4 b) { return a / b; }
inline f32x4 f32_abs(f32x4 a) { return a < 0 ? -a : a; }
inline f32x4 f32_select_nonneg(f32x4 x, f32x4 a, f32x4 b) { return x >= 0 ? a : b; }
inline float f32_hmax(f32x4 v) { return std::max(std::max(v[0], v[1]), std::max(v[2], v[3])); }
inline f32x4 f32_pow2(f32x4 n) {
  return reinterpret_cast<f32x4>((__builtin_convertvector(n, i32x4) + 127) << 23);
}
inline f32x4 f32_keep_ge(f32x4 v, f32x4 x, f32x4 lo) {
  return reinterpret_cast<f32x4>(reinterpret_cast<i32x4>(v) & (x >= lo));
}

// For the q8 quantizer.
inline f32x4 f32_round_even(f32x4 v) {
#if defined(__SSE4_1__)
  return (f32x4)_mm_round_ps((__m128)v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#else
  for (int i = 0; i < 4; ++i) v[i] = std::nearbyint(v[i]);  // the default rounding mode: to nearest even
  return v;
#endif
}
// Four integral floats in [-128, 127] as int8, lane 0 in the lowest byte.
inline uint32_t f32_to_i8x4(f32x4 v) {
#if defined(__SSE2__)
  const __m128i i32 = _mm_cvttps_epi32((__m128)v);
  const __m128i i16 = _mm_packs_epi32(i32, i32);
  return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_packs_epi16(i16, i16)));
#else
  typedef int8_t i8x4_ __attribute__((vector_size(4)));
  const i8x4_ b = __builtin_convertvector(v, i8x4_);
  uint32_t out;
  std::memcpy(&out, &b, sizeof out);
  return out;
#endif
}
inline f32x4 f32_div_or_zero(f32x4 num, f32x4 den) {
  const f32x4 q = num / den;
  return reinterpret_cast<f32x4>(reinterpret_cast<i32x4>(q) & (den > 0));
}
inline void f32_transpose4(f32x4& a, f32x4& b, f32x4& c, f32x4& d) {
  float m[4][4];
  std::memcpy(m[0], &a, 16);
  std::memcpy(m[1], &b, 16);
  std::memcpy(m[2], &c, 16);
  std::memcpy(m[3], &d, 16);
  a = f32x4{m[0][0], m[1][0], m[2][0], m[3][0]};
  b = f32x4{m[0][1], m[1][1], m[2][1], m[3][1]};
  c = f32x4{m[0][2], m[1][2], m[2][2], m[3][2]};
  d = f32x4{m[0][3], m[1][3], m[2][3], m[3][3]};
}
inline void store_q8_chunk(int8_t* dst, f32x4 a, f32x4 b, f32x4 c, f32x4 d) {
  const uint32_t rows[4] = {f32_to_i8x4(a), f32_to_i8x4(b), f32_to_i8x4(c), f32_to_i8x4(d)};
  for (int r = 0; r < 4; ++r) {
    std::memcpy(dst + 2 * r, &rows[r], 2);
    std::memcpy(dst + 8 + 2 * r, reinterpret_cast<const uint8_t*>(&rows[r]) + 2, 2);
  }
}

#endif

}  // namespace hubwasm::simd
