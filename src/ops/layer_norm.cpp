#include "ops/layer_norm.h"

#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hubwasm {
namespace {

void normalize_row(float* row, int64_t n, const float* gamma, const float* beta, float eps) {
  // Two passes in double: keeps the result within float rounding of torch's.
  double mean = 0;
  for (int64_t i = 0; i < n; ++i) mean += row[i];
  mean /= static_cast<double>(n);
  double var = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = row[i] - mean;
    var += d * d;
  }
  var /= static_cast<double>(n);
  const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
  const float m = static_cast<float>(mean);
  for (int64_t i = 0; i < n; ++i) row[i] = (row[i] - m) * inv * gamma[i] + beta[i];
}

// Every row of x, plus the same row of `residual` when given, normalised in
// place; rows are split across the thread pool (each row is computed alike
// whatever the split). Adding row by row normalises the sum while it is
// still in cache.
void normalize_rows(Tensor& x, const float* residual, const LayerNorm& norm) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (norm.weight.numel() != hidden) throw Error(ErrorCode::InvalidArgument, "layer_norm: hidden size mismatch");
  float* data = x.f32();
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(5 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = data + r * hidden;
      if (residual) {
        const float* add = residual + r * hidden;
        for (int64_t i = 0; i < hidden; ++i) row[i] += add[i];
      }
      normalize_row(row, hidden, norm.weight.f32(), norm.bias.f32(), norm.eps);
    }
  });
}

}  // namespace

void layer_norm_inplace(Tensor& x, const LayerNorm& norm) { normalize_rows(x, nullptr, norm); }

void add_layer_norm_inplace(Tensor& x, const Tensor& residual, const LayerNorm& norm) {
  if (residual.numel() != x.numel()) throw Error(ErrorCode::InvalidArgument, "add_layer_norm: shape mismatch");
  normalize_rows(x, residual.f32(), norm);
}

}  // namespace hubwasm
