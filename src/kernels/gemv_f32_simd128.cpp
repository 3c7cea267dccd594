// f32 GEMV for decode (one row of activations), 128-bit SIMD. Decode reads
// every weight once per token, so these kernels are memory-bound; what
// matters is how the weights stream in. They read four rows a quarter of the
// matrix apart at a time (far_rows.h): four long sequential streams, where
// the previous kernels read one row at a time (NK) or 8 adjacent rows per
// pass (KN). `make bench-kernels`, wasm in Node: a plain sum reads 25.7 GB/s
// from one stream and 28.3 from four a quarter apart; one GPT-2 decode
// step's GEMVs stream at 22.1 GB/s. GPT-2 f32 decode on one thread went from
// 34.8 to 41.6-43.0 tokens/s (bench/decode_bench.mjs).
// NK ([n, k] weights): each output is one dot product along contiguous k.
// KN ([k, n] weights, GPT-2 Conv1D): the rows are cut into kKnSegments
// segments; each sums into its own partial y (in L1) 4 rows of W per pass,
// and the partials are added in order. Threads take whole segments: a split
// over the outputs reads every row in pieces (GPT-2 f32 decode on 2 threads:
// 36 tokens/s that way, 59 with segments). Each output is summed in the same
// order however the work is split, so the result does not depend on the
// thread count.
#include <algorithm>
#include <vector>

#include "kernels/far_rows.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

// y[j] = x . W[j] (+ bias[j]) for the R rows j in js; two accumulators per
// row (the low and high halves of each 8 inputs).
template <int R>
void dot_rows(int64_t k, const float* x, const float* w, int64_t ldw, const int64_t* js, const float* bias,
              float* y) {
  const float* rows[R];
  f32x4 lo[R], hi[R];
  for (int r = 0; r < R; ++r) {
    rows[r] = w + js[r] * ldw;
    lo[r] = hi[r] = f32_zero();
  }
  const int64_t k8 = k - k % 8;
  for (int64_t p = 0; p < k8; p += 8) {
    const f32x4 x0 = f32_load(x + p), x1 = f32_load(x + p + 4);
    for (int r = 0; r < R; ++r) {
      lo[r] = f32_add(lo[r], f32_mul(x0, f32_load(rows[r] + p)));
      hi[r] = f32_add(hi[r], f32_mul(x1, f32_load(rows[r] + p + 4)));
    }
  }
  for (int r = 0; r < R; ++r) {
    float s = f32_hsum(f32_add(lo[r], hi[r]));
    for (int64_t p = k8; p < k; ++p) s += x[p] * rows[r][p];
    y[js[r]] = bias ? s + bias[js[r]] : s;
  }
}

// y[0, n) += sum over the R rows ps of W times x[p], the rows added in order.
template <int R>
void add_rows(int64_t n, const float* x, const float* w, int64_t ldw, const int64_t* ps, float* y) {
  const float* rows[R];
  f32x4 xv[R];
  for (int r = 0; r < R; ++r) {
    rows[r] = w + ps[r] * ldw;
    xv[r] = f32_splat(x[ps[r]]);
  }
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    f32x4 acc = f32_load(y + j);
    for (int r = 0; r < R; ++r) acc = f32_add(acc, f32_mul(xv[r], f32_load(rows[r] + j)));
    f32_store(y + j, acc);
  }
  for (; j < n; ++j) {
    float acc = y[j];
    for (int r = 0; r < R; ++r) acc += x[ps[r]] * rows[r][j];
    y[j] = acc;
  }
}

}  // namespace

void gemv_f32(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, BLayout layout, const float* bias,
              float* y) {
  if (n <= 0) return;
  if (layout == BLayout::NK) {
    for_rows_a_quarter_apart(0, n, [&](const int64_t* js, auto R) {
      dot_rows<decltype(R)::value>(k, x, w, ldw, js, bias, y);
    });
    return;
  }
  float* partials = gemv_f32_kn_partials(n);
  for (int64_t s = 0; s < kKnSegments; ++s) gemv_f32_kn_segment(n, k, x, w, ldw, s, partials + s * n);
  gemv_f32_kn_sum(n, partials, bias, y);
}

float* gemv_f32_kn_partials(int64_t n) {
  thread_local std::vector<float> partials;  // grows once, then decode allocates nothing
  if (static_cast<int64_t>(partials.size()) < kKnSegments * n) partials.resize(static_cast<size_t>(kKnSegments * n));
  return partials.data();
}

void gemv_f32_kn_segment(int64_t n, int64_t k, const float* x, const float* w, int64_t ldw, int64_t segment,
                         float* partial) {
  const int64_t begin = k * segment / kKnSegments, end = k * (segment + 1) / kKnSegments;
  std::fill(partial, partial + n, 0.0f);
  for_rows_a_quarter_apart(begin, end - begin, [&](const int64_t* ps, auto R) {
    add_rows<decltype(R)::value>(n, x, w, ldw, ps, partial);
  });
}

void gemv_f32_kn_sum(int64_t n, const float* partials, const float* bias, float* y) {
  for (int64_t j = 0; j < n; ++j) {
    float r = partials[j];
    for (int64_t s = 1; s < kKnSegments; ++s) r += partials[s * n + j];
    y[j] = bias ? r + bias[j] : r;
  }
}

}  // namespace hubwasm::kernels
