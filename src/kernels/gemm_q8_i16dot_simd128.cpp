// int8-weight GEMV / GEMM with int16 activations and i32x4.dot_i16x8_s, over
// the 4-row interleaved layout of Q8Weights (kernels.h).
//
// Each activation row is quantized once per call to int16 with one scale
// (max|x| / 32767: 15 bits, far below the weights' 8-bit error) and padded
// with zeros to whole blocks. Per 16 weight bytes (4 inputs of 4 rows): one
// load widened to two int16 vectors, two dot products with splatted input
// pairs, and the 4 rows' sums land in the 4 lanes of one vector; each block's
// int32 sums are converted and scaled by a vector of the 4 rows' scales. That
// is about 10 instructions per 16 weights against 12 for one row at a time
// (wasm in Node on 226 MB of weights: 24.5 vs 18.9 GOPS). Overflow: a lane
// sums block/2 products of at most 32767 * 127, so blocks up to 2048 fit.
// GEMV (m == 1) reads 4 groups a quarter of the matrix apart side by side,
// each splatted input pair serving all 4 (wasm, 3072 x 768 in cache:
// 40.5-43.5 GOPS against 33 one group at a time). GEMM (m > 1) runs R = 4 activation
// rows per weight group so each widened weight vector is used 4 times, over
// 64-row weight blocks kept in cache.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/far_rows.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

constexpr int64_t kGroupBlock = 16;  // weight groups (of 4 rows) per cache block in the GEMM

// Rows of x (k floats, stride ldx) -> int16 rows of kp values (zero past k) and their scales.
void quantize_rows(int64_t m, int64_t k, int64_t kp, const float* x, int64_t ldx, int16_t* xq, float* sx) {
  for (int64_t r = 0; r < m; ++r) {
    const float* row = x + r * ldx;
    float amax = 0;
    for (int64_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(row[i]));
    const float s = amax / 32767.0f;
    const float inv = s > 0 ? 1.0f / s : 0.0f;
    int16_t* q = xq + r * kp;
    for (int64_t i = 0; i < k; ++i) q[i] = static_cast<int16_t>(std::lrintf(row[i] * inv));
    std::fill(q + k, q + kp, int16_t{0});
    sx[r] = s;
  }
}

// out[r] (lanes = the group's 4 rows) = group g's weights . xq[r], block scales applied, r < R.
template <int R>
inline void group_dot(const Q8Weights& w, int64_t g, const int16_t* const* xq, f32x4* out) {
  const int8_t* q = w.q + g * 4 * w.k_padded();
  const float* scales = w.scales + g * w.blocks() * 4;
  f32x4 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = f32_zero();
  for (int64_t b = 0, blocks = w.blocks(); b < blocks; ++b) {
    i32x4 sums[R];
    for (int r = 0; r < R; ++r) sums[r] = i32_zero();
    for (int64_t i = b * w.block, end = i + w.block; i < end; i += 4) {
      i16x8 lo, hi;
      i16_load_i8x16(q + i * 4, lo, hi);
      for (int r = 0; r < R; ++r) {
        sums[r] = i32_add(sums[r], i32_add(i32_dot_i16(lo, i16_splat_pair(xq[r] + i)),
                                           i32_dot_i16(hi, i16_splat_pair(xq[r] + i + 2))));
      }
    }
    const f32x4 sv = f32_load(scales + b * 4);
    for (int r = 0; r < R; ++r) acc[r] = f32_add(acc[r], f32_mul(i32_to_f32(sums[r]), sv));
  }
  for (int r = 0; r < R; ++r) out[r] = acc[r];
}

// One activation row against G weight groups at once (decode): the groups'
// weights are G streams read side by side, and each splatted input pair
// serves all G. out[i] (lanes = group gs[i]'s 4 rows) as group_dot<1> gives it.
template <int G>
inline void groups_dot(const Q8Weights& w, const int64_t* gs, const int16_t* xq, f32x4* out) {
  const int8_t* weights[G];
  const float* scales[G];
  f32x4 acc[G];
  for (int i = 0; i < G; ++i) {
    weights[i] = w.q + gs[i] * 4 * w.k_padded();
    scales[i] = w.scales + gs[i] * w.blocks() * 4;
    acc[i] = f32_zero();
  }
  for (int64_t b = 0, blocks = w.blocks(); b < blocks; ++b) {
    i32x4 sums[G];
    for (int i = 0; i < G; ++i) sums[i] = i32_zero();
    for (int64_t p = b * w.block, end = p + w.block; p < end; p += 4) {
      const i16x8 x01 = i16_splat_pair(xq + p), x23 = i16_splat_pair(xq + p + 2);
      for (int i = 0; i < G; ++i) {
        i16x8 lo, hi;
        i16_load_i8x16(weights[i] + p * 4, lo, hi);
        sums[i] = i32_add(sums[i], i32_add(i32_dot_i16(lo, x01), i32_dot_i16(hi, x23)));
      }
    }
    for (int i = 0; i < G; ++i) acc[i] = f32_add(acc[i], f32_mul(i32_to_f32(sums[i]), f32_load(scales[i] + b * 4)));
  }
  for (int i = 0; i < G; ++i) out[i] = acc[i];
}

// y = x . W^T (+ bias) for one activation row, reading four groups a quarter
// of the matrix apart (far_rows.h, the streams gemv_f32 reads).
void gemv_rows(const Q8Weights& w, const int16_t* xq, float sx, const float* bias, float* y) {
  const auto store = [&](int64_t g, f32x4 v) {
    float lanes[4];
    f32_store(lanes, v);
    for (int64_t j = 0, o = 4 * g; j < 4 && o < w.n; ++j, ++o) y[o] = lanes[j] * sx + (bias ? bias[o] : 0.0f);
  };
  for_rows_a_quarter_apart(0, w.groups(), [&](const int64_t* gs, auto R) {
    constexpr int G = decltype(R)::value;
    f32x4 out[G];
    groups_dot<G>(w, gs, xq, out);
    for (int i = 0; i < G; ++i) store(gs[i], out[i]);
  });
}

// Output rows of groups [g0, g1) for activation rows r0..r0+R.
template <int R>
void rows_block(int64_t r0, int64_t g0, int64_t g1, const Q8Weights& w, const int16_t* xq, const float* sx,
                const float* bias, float* y, int64_t ldy) {
  const int16_t* xr[R];
  for (int r = 0; r < R; ++r) xr[r] = xq + (r0 + r) * w.k_padded();
  f32x4 out[R];
  for (int64_t g = g0; g < g1; ++g) {
    group_dot<R>(w, g, xr, out);
    float lanes[4];
    for (int r = 0; r < R; ++r) {
      f32_store(lanes, out[r]);
      for (int64_t j = 0, o = 4 * g; j < 4 && o < w.n; ++j, ++o) {
        y[(r0 + r) * ldy + o] = lanes[j] * sx[r0 + r] + (bias ? bias[o] : 0.0f);
      }
    }
  }
}

}  // namespace

void gemm_q8(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y, int64_t ldy) {
  if (m <= 0 || w.n <= 0) return;
  const int64_t kp = w.k_padded();
  thread_local std::vector<int16_t> xq;
  thread_local std::vector<float> sx;
  if (static_cast<int64_t>(xq.size()) < m * kp) xq.resize(static_cast<size_t>(m * kp));
  if (static_cast<int64_t>(sx.size()) < m) sx.resize(static_cast<size_t>(m));
  quantize_rows(m, w.k, kp, x, ldx, xq.data(), sx.data());
  const int64_t groups = w.groups();
  if (m == 1) {
    gemv_rows(w, xq.data(), sx[0], bias, y);
    return;
  }
  for (int64_t g0 = 0; g0 < groups; g0 += kGroupBlock) {
    const int64_t g1 = std::min(groups, g0 + kGroupBlock);
    int64_t r = 0;
    for (; r + 4 <= m; r += 4) rows_block<4>(r, g0, g1, w, xq.data(), sx.data(), bias, y, ldy);
    switch (m - r) {
      case 3: rows_block<3>(r, g0, g1, w, xq.data(), sx.data(), bias, y, ldy); break;
      case 2: rows_block<2>(r, g0, g1, w, xq.data(), sx.data(), bias, y, ldy); break;
      case 1: rows_block<1>(r, g0, g1, w, xq.data(), sx.data(), bias, y, ldy); break;
      default: break;
    }
  }
}

}  // namespace hubwasm::kernels
