// f32 GEMV for decode (one row of activations), 128-bit SIMD.
// NK ([n, k] weights): 8 output rows at a time (then 4, then 1), each a dot
// product along the contiguous k axis.
// KN ([k, n] weights, GPT-2 Conv1D): y (in L1) += 4 rows of W per pass.
#include <algorithm>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

// 8 output rows at a time, one accumulator each: eight weight streams in
// flight keep more of the memory bandwidth busy than four (wasm in Node:
// 12.4 vs 7.8 GB/s on a 50257 x 768 matrix; native 17 vs 13).
int64_t gemv_nk_8rows(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias,
                      float* y) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const float* r = w + j * ldw;
    f32x4 s0 = f32_zero(), s1 = f32_zero(), s2 = f32_zero(), s3 = f32_zero();
    f32x4 s4 = f32_zero(), s5 = f32_zero(), s6 = f32_zero(), s7 = f32_zero();
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
      const f32x4 xv = f32_load(x + p);
      s0 = f32_add(s0, f32_mul(xv, f32_load(r + p)));
      s1 = f32_add(s1, f32_mul(xv, f32_load(r + ldw + p)));
      s2 = f32_add(s2, f32_mul(xv, f32_load(r + 2 * ldw + p)));
      s3 = f32_add(s3, f32_mul(xv, f32_load(r + 3 * ldw + p)));
      s4 = f32_add(s4, f32_mul(xv, f32_load(r + 4 * ldw + p)));
      s5 = f32_add(s5, f32_mul(xv, f32_load(r + 5 * ldw + p)));
      s6 = f32_add(s6, f32_mul(xv, f32_load(r + 6 * ldw + p)));
      s7 = f32_add(s7, f32_mul(xv, f32_load(r + 7 * ldw + p)));
    }
    float out[8] = {f32_hsum(s0), f32_hsum(s1), f32_hsum(s2), f32_hsum(s3),
                    f32_hsum(s4), f32_hsum(s5), f32_hsum(s6), f32_hsum(s7)};
    for (int64_t i = 0; i < 8; ++i) {
      const float* row = r + i * ldw;
      for (int64_t q = p; q < k; ++q) out[i] += x[q] * row[q];
      y[j + i] = bias ? out[i] + bias[j + i] : out[i];
    }
  }
  return j;
}

void gemv_nk(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias, float* y) {
  int64_t j = gemv_nk_8rows(n, k, x, w, ldw, bias, y);
  for (; j + 4 <= n; j += 4) {
    const float* w0 = w + j * ldw;
    const float* w1 = w0 + ldw;
    const float* w2 = w1 + ldw;
    const float* w3 = w2 + ldw;
    f32x4 s0 = f32_zero(), s1 = f32_zero(), s2 = f32_zero(), s3 = f32_zero();
    f32x4 t0 = f32_zero(), t1 = f32_zero(), t2 = f32_zero(), t3 = f32_zero();
    int64_t p = 0;
    for (; p + 8 <= k; p += 8) {
      const f32x4 xa = f32_load(x + p), xb = f32_load(x + p + 4);
      s0 = f32_add(s0, f32_mul(xa, f32_load(w0 + p)));
      t0 = f32_add(t0, f32_mul(xb, f32_load(w0 + p + 4)));
      s1 = f32_add(s1, f32_mul(xa, f32_load(w1 + p)));
      t1 = f32_add(t1, f32_mul(xb, f32_load(w1 + p + 4)));
      s2 = f32_add(s2, f32_mul(xa, f32_load(w2 + p)));
      t2 = f32_add(t2, f32_mul(xb, f32_load(w2 + p + 4)));
      s3 = f32_add(s3, f32_mul(xa, f32_load(w3 + p)));
      t3 = f32_add(t3, f32_mul(xb, f32_load(w3 + p + 4)));
    }
    float r0 = f32_hsum(f32_add(s0, t0)), r1 = f32_hsum(f32_add(s1, t1));
    float r2 = f32_hsum(f32_add(s2, t2)), r3 = f32_hsum(f32_add(s3, t3));
    for (; p < k; ++p) {
      r0 += x[p] * w0[p];
      r1 += x[p] * w1[p];
      r2 += x[p] * w2[p];
      r3 += x[p] * w3[p];
    }
    if (bias) {
      r0 += bias[j];
      r1 += bias[j + 1];
      r2 += bias[j + 2];
      r3 += bias[j + 3];
    }
    y[j] = r0;
    y[j + 1] = r1;
    y[j + 2] = r2;
    y[j + 3] = r3;
  }
  for (; j < n; ++j) {
    const float* wr = w + j * ldw;
    f32x4 s = f32_zero();
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) s = f32_add(s, f32_mul(f32_load(x + p), f32_load(wr + p)));
    float r = f32_hsum(s);
    for (; p < k; ++p) r += x[p] * wr[p];
    y[j] = bias ? r + bias[j] : r;
  }
}

void gemv_kn(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias, float* y) {
  // y stays in L1 (n floats); W is streamed row by row, 4 rows per pass, so
  // every access is sequential (walking columns would stride a page per k).
  for (int64_t j = 0; j < n; ++j) y[j] = bias ? bias[j] : 0.0f;
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const float* w0 = w + p * ldw;
    const float* w1 = w0 + ldw;
    const float* w2 = w1 + ldw;
    const float* w3 = w2 + ldw;
    const f32x4 x0 = f32_splat(x[p]), x1 = f32_splat(x[p + 1]), x2 = f32_splat(x[p + 2]), x3 = f32_splat(x[p + 3]);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      f32x4 acc = f32_load(y + j);
      acc = f32_add(acc, f32_add(f32_mul(x0, f32_load(w0 + j)), f32_mul(x1, f32_load(w1 + j))));
      acc = f32_add(acc, f32_add(f32_mul(x2, f32_load(w2 + j)), f32_mul(x3, f32_load(w3 + j))));
      f32_store(y + j, acc);
    }
    for (; j < n; ++j) y[j] += (x[p] * w0[j] + x[p + 1] * w1[j]) + (x[p + 2] * w2[j] + x[p + 3] * w3[j]);
  }
  for (; p < k; ++p) {
    const float* wr = w + p * ldw;
    const f32x4 xs = f32_splat(x[p]);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) f32_store(y + j, f32_add(f32_load(y + j), f32_mul(xs, f32_load(wr + j))));
    for (; j < n; ++j) y[j] += x[p] * wr[j];
  }
}

}  // namespace

void gemv_f32(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, BLayout layout, const float* bias,
              float* y) {
  if (n <= 0) return;
  if (layout == BLayout::NK) {
    gemv_nk(n, k, x, w, ldw, bias, y);
  } else {
    gemv_kn(n, k, x, w, ldw, bias, y);
  }
}

}  // namespace hubwasm::kernels
