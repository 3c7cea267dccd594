// f32 GEMV for decode (one row of activations), 128-bit SIMD. Decode reads
// every weight once per token, so these kernels are memory-bound; what
// matters is how the weights stream in. One core here keeps more loads in
// flight when it reads four streams a quarter of the matrix apart than when
// it reads one stream, or rows next to each other. Measured in wasm in Node
// on 480 MB of GPT-2-shaped matrices (2-vCPU EPYC; a plain SIMD sum of one
// stream reads 17-18 GB/s, of four such streams 24-26):
//   NK 50304 x 768 (lm_head): one row at a time 18-21 GB/s, four rows a
//   quarter apart 22-26; KN 768 -> 3072: 8 adjacent rows per pass 19-20,
//   four rows a quarter apart 23; KN 3072 -> 768: 14 vs 27.
// NK ([n, k] weights): each output is one dot product along contiguous k.
// KN ([k, n] weights, GPT-2 Conv1D): the rows are cut into kKnSegments
// segments; each sums into its own partial y (in L1) 4 rows of W per pass,
// and the partials are added in order. Threads take whole segments (a split
// over the outputs would read every row in pieces, at 19 instead of 27 GB/s
// on 2 threads natively). Each output is summed in the same order however
// the work is split, so the result does not depend on the thread count.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

// y[i] = x . rows[i] (+ bias[i]) for R rows; two accumulators per row.
template <int R>
void dot_rows(int64_t k, const float* x, const float* const* rows, const float* const* bias, float* const* y) {
  f32x4 even[R], odd[R];
  for (int r = 0; r < R; ++r) even[r] = odd[r] = f32_zero();
  const int64_t k8 = k - k % 8;
  for (int64_t p = 0; p < k8; p += 8) {
    const f32x4 x0 = f32_load(x + p), x1 = f32_load(x + p + 4);
    for (int r = 0; r < R; ++r) {
      even[r] = f32_add(even[r], f32_mul(x0, f32_load(rows[r] + p)));
      odd[r] = f32_add(odd[r], f32_mul(x1, f32_load(rows[r] + p + 4)));
    }
  }
  for (int r = 0; r < R; ++r) {
    float s = f32_hsum(f32_add(even[r], odd[r]));
    for (int64_t p = k8; p < k; ++p) s += x[p] * rows[r][p];
    *y[r] = bias[r] ? s + *bias[r] : s;
  }
}

void gemv_nk(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, const float* bias, float* y) {
  const int64_t q = n / 4;
  const auto row = [&](int64_t j) { return w + j * ldw; };
  const auto bias_at = [&](int64_t j) { return bias ? bias + j : nullptr; };
  for (int64_t j = 0; j < q; ++j) {
    const float* rows[4] = {row(j), row(j + q), row(j + 2 * q), row(j + 3 * q)};
    const float* b[4] = {bias_at(j), bias_at(j + q), bias_at(j + 2 * q), bias_at(j + 3 * q)};
    float* out[4] = {y + j, y + j + q, y + j + 2 * q, y + j + 3 * q};
    dot_rows<4>(k, x, rows, b, out);
  }
  for (int64_t j = 4 * q; j < n; ++j) {
    const float* rows[1] = {row(j)};
    const float* b[1] = {bias_at(j)};
    float* out[1] = {y + j};
    dot_rows<1>(k, x, rows, b, out);
  }
}

// y[0, n) += sum over R rows of W times their x, the rows added in order.
template <int R>
void add_rows(int64_t n, const float* const* rows, const float* xs, float* y) {
  f32x4 xv[R];
  for (int r = 0; r < R; ++r) xv[r] = f32_splat(xs[r]);
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    f32x4 acc = f32_load(y + j);
    for (int r = 0; r < R; ++r) acc = f32_add(acc, f32_mul(xv[r], f32_load(rows[r] + j)));
    f32_store(y + j, acc);
  }
  for (; j < n; ++j) {
    float acc = y[j];
    for (int r = 0; r < R; ++r) acc += xs[r] * rows[r][j];
    y[j] = acc;
  }
}

}  // namespace

void gemv_f32_kn_segment(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, int64_t segment,
                         float* partial) {
  const int64_t begin = k * segment / kKnSegments, end = k * (segment + 1) / kKnSegments, q = (end - begin) / 4;
  std::fill(partial, partial + n, 0.0f);
  const auto row = [&](int64_t p) { return w + p * ldw; };
  for (int64_t p = begin; p < begin + q; ++p) {
    const float* rows[4] = {row(p), row(p + q), row(p + 2 * q), row(p + 3 * q)};
    const float xs[4] = {x[p], x[p + q], x[p + 2 * q], x[p + 3 * q]};
    add_rows<4>(n, rows, xs, partial);
  }
  for (int64_t p = begin + 4 * q; p < end; ++p) {
    const float* rows[1] = {row(p)};
    add_rows<1>(n, rows, x + p, partial);
  }
}

void gemv_f32_kn_sum(int64_t n, const float* partials, const float* bias, float* y) {
  for (int64_t j = 0; j < n; ++j) {
    float r = partials[j];
    for (int64_t s = 1; s < kKnSegments; ++s) r += partials[s * n + j];
    y[j] = bias ? r + bias[j] : r;
  }
}

void gemv_f32(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, BLayout layout, const float* bias,
              float* y) {
  if (n <= 0) return;
  if (layout == BLayout::NK) {
    gemv_nk(n, k, x, w, ldw, bias, y);
    return;
  }
  thread_local std::vector<float> partials;
  if (static_cast<int64_t>(partials.size()) < kKnSegments * n) partials.resize(static_cast<size_t>(kKnSegments * n));
  for (int64_t s = 0; s < kKnSegments; ++s) gemv_f32_kn_segment(n, k, x, w, ldw, s, partials.data() + s * n);
  gemv_f32_kn_sum(n, partials.data(), bias, y);
}

}  // namespace hubwasm::kernels
