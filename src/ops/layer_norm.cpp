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

}  // namespace

void layer_norm_inplace(Tensor& x, const LayerNorm& norm) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (norm.weight.numel() != hidden) throw Error(ErrorCode::InvalidArgument, "layer_norm: hidden size mismatch");
  float* data = x.f32();
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(4 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) normalize_row(data + r * hidden, hidden, norm.weight.f32(), norm.bias.f32(), norm.eps);
  });
}

void add_layer_norm_inplace(Tensor& x, const Tensor& residual, const LayerNorm& norm) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (residual.numel() != x.numel()) throw Error(ErrorCode::InvalidArgument, "add_layer_norm: shape mismatch");
  if (norm.weight.numel() != hidden) throw Error(ErrorCode::InvalidArgument, "layer_norm: hidden size mismatch");
  float* data = x.f32();
  const float* res = residual.f32();
  // Row by row: the sum is normalised while it is still in cache.
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(5 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = data + r * hidden;
      const float* add = res + r * hidden;
      for (int64_t i = 0; i < hidden; ++i) row[i] += add[i];
      normalize_row(row, hidden, norm.weight.f32(), norm.bias.f32(), norm.eps);
    }
  });
}

}  // namespace hubwasm
