#include "ops/layer_norm.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace hubwasm {
namespace {

// Every row of x (plus the same row of `residual` when given, kept in x)
// normalised into out, which may be x; rows are split across the thread pool
// (each row is computed alike whatever the split). Adding row by row
// normalises the sum while it is still in cache.
void normalize_rows(Tensor& x, const Tensor* residual, const LayerNorm& norm, Tensor& out, const char* op) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (norm.weight.numel() != hidden || norm.bias.numel() != hidden) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": hidden size mismatch");
  }
  if (out.numel() != x.numel() || (residual && residual->numel() != x.numel())) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": shape mismatch");
  }
  float* data = x.f32();
  float* result = out.f32();
  const float* add = residual ? residual->f32() : nullptr;
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(5 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      kernels::layer_norm_row_f32(hidden, data + r * hidden, add ? add + r * hidden : nullptr, norm.weight.f32(),
                                  norm.bias.f32(), norm.eps, result + r * hidden);
    }
  });
}

}  // namespace

void layer_norm_inplace(Tensor& x, const LayerNorm& norm) { normalize_rows(x, nullptr, norm, x, "layer_norm"); }

void layer_norm_into(Tensor& x, const LayerNorm& norm, Tensor& out) { normalize_rows(x, nullptr, norm, out, "layer_norm"); }

void add_layer_norm_inplace(Tensor& x, const Tensor& residual, const LayerNorm& norm) {
  normalize_rows(x, &residual, norm, x, "add_layer_norm");
}

void add_layer_norm_into(Tensor& x, const Tensor& residual, const LayerNorm& norm, Tensor& out) {
  normalize_rows(x, &residual, norm, out, "add_layer_norm");
}

}  // namespace hubwasm
