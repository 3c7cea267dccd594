// f32 GEMV for decode (one row of activations), 128-bit SIMD. Decode reads
// every weight once per token, so these kernels are memory-bound; what
// matters is that the weights arrive as few, long sequential streams, which
// the hardware prefetcher serves at full bandwidth. Measured on 226 MB of
// weights (wasm in Node, 2-vCPU EPYC; a plain SIMD sum reads 15.5-17.6 GB/s):
//   NK one row at a time, 8 accumulators: 19.1 GB/s (8 rows at a time,
//   i.e. 8 interleaved streams: 12.6); KN 8 rows per pass: 16.7-17.5 GB/s
//   (4 rows: 13-14; 16 rows: 10.5; a 16-column strip down all rows: 3.9).
// NK ([n, k] weights): each output is one dot product along contiguous k.
// KN ([k, n] weights, GPT-2 Conv1D): y (in L1) += 8 rows of W per pass.
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

float dot_f32(int64_t k, const float* x, const float* w) {
  // Eight independent accumulators hide the add latency; 32 floats per step.
  f32x4 s0 = f32_zero(), s1 = f32_zero(), s2 = f32_zero(), s3 = f32_zero();
  f32x4 s4 = f32_zero(), s5 = f32_zero(), s6 = f32_zero(), s7 = f32_zero();
  int64_t p = 0;
  for (; p + 32 <= k; p += 32) {
    s0 = f32_add(s0, f32_mul(f32_load(x + p), f32_load(w + p)));
    s1 = f32_add(s1, f32_mul(f32_load(x + p + 4), f32_load(w + p + 4)));
    s2 = f32_add(s2, f32_mul(f32_load(x + p + 8), f32_load(w + p + 8)));
    s3 = f32_add(s3, f32_mul(f32_load(x + p + 12), f32_load(w + p + 12)));
    s4 = f32_add(s4, f32_mul(f32_load(x + p + 16), f32_load(w + p + 16)));
    s5 = f32_add(s5, f32_mul(f32_load(x + p + 20), f32_load(w + p + 20)));
    s6 = f32_add(s6, f32_mul(f32_load(x + p + 24), f32_load(w + p + 24)));
    s7 = f32_add(s7, f32_mul(f32_load(x + p + 28), f32_load(w + p + 28)));
  }
  for (; p + 4 <= k; p += 4) s0 = f32_add(s0, f32_mul(f32_load(x + p), f32_load(w + p)));
  float r = f32_hsum(f32_add(f32_add(f32_add(s0, s1), f32_add(s2, s3)), f32_add(f32_add(s4, s5), f32_add(s6, s7))));
  for (; p < k; ++p) r += x[p] * w[p];
  return r;
}

void gemv_nk(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias, float* y) {
  for (int64_t j = 0; j < n; ++j) {
    const float r = dot_f32(k, x, w + j * ldw);
    y[j] = bias ? r + bias[j] : r;
  }
}

// y[0, n) += sum over R rows of W (row stride ldw) times x[0, R).
template <int R>
void add_rows(int64_t n, const float* x, const float* w, int64_t ldw, float* y) {
  f32x4 xs[R];
  for (int r = 0; r < R; ++r) xs[r] = f32_splat(x[r]);
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    f32x4 acc = f32_load(y + j);
    for (int r = 0; r < R; ++r) acc = f32_add(acc, f32_mul(xs[r], f32_load(w + r * ldw + j)));
    f32_store(y + j, acc);
  }
  for (; j < n; ++j) {
    float acc = y[j];
    for (int r = 0; r < R; ++r) acc += x[r] * w[r * ldw + j];
    y[j] = acc;
  }
}

void gemv_kn(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias, float* y) {
  for (int64_t j = 0; j < n; ++j) y[j] = bias ? bias[j] : 0.0f;
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) add_rows<8>(n, x + p, w + p * ldw, ldw, y);
  for (; p < k; ++p) add_rows<1>(n, x + p, w + p * ldw, ldw, y);
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
