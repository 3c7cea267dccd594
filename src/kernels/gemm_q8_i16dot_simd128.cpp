// int8-weight GEMV / GEMM with int16 activations and i32x4.dot_i16x8_s.
//
// Each activation row is quantized once per call to int16 with one scale
// (max|x| / 32767: 15 bits, far below the weights' 8-bit error). Weight
// bytes are widened to int16 (i16x8.extend / load8x8) and multiplied with
// i32x4.dot_i16x8_s (natively SSE2 pmaddwd); the int32 lane sums of one
// block are converted and scaled by the block's float scale. Overflow: a lane
// sums block/4 products of at most 32767 * 127, so blocks up to 2048 fit.
// GEMM (m > 1) runs R = 4 activation rows per weight row so each widened
// weight vector is used 4 times, over 64-row weight blocks kept in cache.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

constexpr int64_t kMaxBlock = 2048;
constexpr int64_t kRowBlock = 64;  // weight rows per cache block in the GEMM

void quantize_rows(int64_t m, int64_t k, const float* x, int64_t ldx, int16_t* xq, float* sx) {
  for (int64_t r = 0; r < m; ++r) {
    const float* row = x + r * ldx;
    float amax = 0;
    for (int64_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(row[i]));
    const float s = amax / 32767.0f;
    const float inv = s > 0 ? 1.0f / s : 0.0f;
    int16_t* q = xq + r * k;
    for (int64_t i = 0; i < k; ++i) q[i] = static_cast<int16_t>(std::lrintf(row[i] * inv));
    sx[r] = s;
  }
}

// out[r] = sum_i W[i] * xq[r][i] in float (block scales applied), r < R.
template <int R>
inline void dot_row(const int8_t* w, const float* ws, int64_t k, int64_t block, const int16_t* const* xq,
                    float* out) {
  f32x4 facc[R];
  float ftail[R];
  for (int r = 0; r < R; ++r) {
    facc[r] = f32_zero();
    ftail[r] = 0;
  }
  for (int64_t b0 = 0, blk = 0; b0 < k; b0 += block, ++blk) {
    const int64_t b1 = std::min(k, b0 + block);
    i32x4 iacc[R];
    int32_t itail[R];
    for (int r = 0; r < R; ++r) {
      iacc[r] = i32_zero();
      itail[r] = 0;
    }
    int64_t i = b0;
    for (; i + 16 <= b1; i += 16) {
      i16x8 lo, hi;
      i16_load_i8x16(w + i, lo, hi);
      for (int r = 0; r < R; ++r) {
        iacc[r] = i32_add(iacc[r], i32_add(i32_dot_i16(lo, i16_load(xq[r] + i)), i32_dot_i16(hi, i16_load(xq[r] + i + 8))));
      }
    }
    if (i + 8 <= b1) {
      const i16x8 lo = i16_load_i8x8(w + i);
      for (int r = 0; r < R; ++r) iacc[r] = i32_add(iacc[r], i32_dot_i16(lo, i16_load(xq[r] + i)));
      i += 8;
    }
    for (; i < b1; ++i) {
      for (int r = 0; r < R; ++r) itail[r] += int32_t(w[i]) * xq[r][i];
    }
    const float s = ws[blk];
    const f32x4 sv = f32_splat(s);
    for (int r = 0; r < R; ++r) {
      facc[r] = f32_add(facc[r], f32_mul(i32_to_f32(iacc[r]), sv));
      ftail[r] += static_cast<float>(itail[r]) * s;
    }
  }
  for (int r = 0; r < R; ++r) out[r] = f32_hsum(facc[r]) + ftail[r];
}

// The common case, every block a whole number of 16-weight steps: no tails,
// and two float accumulators so that consecutive blocks do not wait on one
// another's add (one row of the GPT-2 LM head: 48 blocks of 16).
template <int R>
inline void dot_row_blocks16(const int8_t* w, const float* ws, int64_t k, int64_t block, const int16_t* const* xq,
                             float* out) {
  f32x4 facc[2][R];
  for (int r = 0; r < R; ++r) facc[0][r] = facc[1][r] = f32_zero();
  const int64_t blocks = k / block;
  for (int64_t blk = 0; blk < blocks; ++blk) {
    i32x4 iacc[R];
    for (int r = 0; r < R; ++r) iacc[r] = i32_zero();
    for (int64_t i = blk * block, end = i + block; i < end; i += 16) {
      i16x8 lo, hi;
      i16_load_i8x16(w + i, lo, hi);
      for (int r = 0; r < R; ++r) {
        iacc[r] = i32_add(iacc[r], i32_add(i32_dot_i16(lo, i16_load(xq[r] + i)), i32_dot_i16(hi, i16_load(xq[r] + i + 8))));
      }
    }
    const f32x4 sv = f32_splat_load(ws + blk);
    for (int r = 0; r < R; ++r) facc[blk & 1][r] = f32_add(facc[blk & 1][r], f32_mul(i32_to_f32(iacc[r]), sv));
  }
  for (int r = 0; r < R; ++r) out[r] = f32_hsum(f32_add(facc[0][r], facc[1][r]));
}

template <int R>
void rows_block(int64_t r0, int64_t n0, int64_t n1, const Q8Weights& w, const int16_t* xq, const float* sx,
                const float* bias, float* y, int64_t ldy) {
  const int16_t* xr[R];
  for (int r = 0; r < R; ++r) xr[r] = xq + (r0 + r) * w.k;
  const int64_t blocks = w.blocks();
  float out[R];
  const bool whole_steps = w.block % 16 == 0 && w.k % w.block == 0;
  for (int64_t o = n0; o < n1; ++o) {
    if (whole_steps) {
      dot_row_blocks16<R>(w.q + o * w.k, w.scales + o * blocks, w.k, w.block, xr, out);
    } else {
      dot_row<R>(w.q + o * w.k, w.scales + o * blocks, w.k, w.block, xr, out);
    }
    const float b = bias ? bias[o] : 0.0f;
    for (int r = 0; r < R; ++r) y[(r0 + r) * ldy + o] = out[r] * sx[r0 + r] + b;
  }
}

// Reference path for blocks too long for int32 lane sums.
void gemm_q8_scalar(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y,
                    int64_t ldy) {
  const int64_t blocks = w.blocks();
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t o = 0; o < w.n; ++o) {
      const int8_t* q = w.q + o * w.k;
      double acc = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t b0 = b * w.block, b1 = std::min(w.k, b0 + w.block);
        double s = 0;
        for (int64_t i = b0; i < b1; ++i) s += double(x[r * ldx + i]) * q[i];
        acc += s * w.scales[o * blocks + b];
      }
      y[r * ldy + o] = static_cast<float>(acc) + (bias ? bias[o] : 0.0f);
    }
  }
}

}  // namespace

void gemm_q8(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y, int64_t ldy) {
  if (m <= 0 || w.n <= 0) return;
  if (w.block <= 0 || w.block > kMaxBlock) {
    gemm_q8_scalar(m, x, ldx, w, bias, y, ldy);
    return;
  }
  thread_local std::vector<int16_t> xq;
  thread_local std::vector<float> sx;
  if (static_cast<int64_t>(xq.size()) < m * w.k) xq.resize(static_cast<size_t>(m * w.k));
  if (static_cast<int64_t>(sx.size()) < m) sx.resize(static_cast<size_t>(m));
  quantize_rows(m, w.k, x, ldx, xq.data(), sx.data());
  if (m == 1) {
    rows_block<1>(0, 0, w.n, w, xq.data(), sx.data(), bias, y, ldy);
    return;
  }
  for (int64_t n0 = 0; n0 < w.n; n0 += kRowBlock) {
    const int64_t n1 = std::min(w.n, n0 + kRowBlock);
    int64_t r = 0;
    for (; r + 4 <= m; r += 4) rows_block<4>(r, n0, n1, w, xq.data(), sx.data(), bias, y, ldy);
    switch (m - r) {
      case 3: rows_block<3>(r, n0, n1, w, xq.data(), sx.data(), bias, y, ldy); break;
      case 2: rows_block<2>(r, n0, n1, w, xq.data(), sx.data(), bias, y, ldy); break;
      case 1: rows_block<1>(r, n0, n1, w, xq.data(), sx.data(), bias, y, ldy); break;
      default: break;
    }
  }
}

}  // namespace hubwasm::kernels
