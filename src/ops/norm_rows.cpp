#include "ops/norm_rows.h"

#include <string>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hubwasm {

void normalize_rows(Tensor& x, const Tensor* residual, Tensor& out, const Tensor& weight, const Tensor* bias,
                    int64_t work_per_value, const char* op,
                    FunctionRef<void(float* x, const float* residual, float* out)> normalize) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (weight.numel() != hidden || (bias && bias->numel() != hidden)) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": hidden size mismatch");
  }
  if (out.numel() != x.numel() || (residual && residual->numel() != x.numel())) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": shape mismatch");
  }
  float* data = x.f32();
  float* result = out.f32();
  const float* add = residual ? residual->f32() : nullptr;
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(work_per_value * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      normalize(data + r * hidden, add ? add + r * hidden : nullptr, result + r * hidden);
    }
  });
}

}  // namespace hubwasm
