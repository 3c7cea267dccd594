#include "ops/rms_norm.h"

#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hubwasm {

void rms_norm_inplace(Tensor& x, const RMSNorm& norm) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (norm.weight.numel() != hidden) throw Error(ErrorCode::InvalidArgument, "rms_norm: hidden size mismatch");
  const float* w = norm.weight.f32();
  float* data = x.f32();
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(4 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* row = data + r * hidden;
      double sum_sq = 0;  // double: stays within float rounding of torch's float32 mean
      for (int64_t i = 0; i < hidden; ++i) sum_sq += static_cast<double>(row[i]) * row[i];
      const auto inv = static_cast<float>(1.0 / std::sqrt(sum_sq / static_cast<double>(hidden) + norm.eps));
      if (norm.add_unit_offset) {
        for (int64_t i = 0; i < hidden; ++i) row[i] = (row[i] * inv) * (1.0f + w[i]);
      } else {
        // transformers multiplies the normalised value by the weight in that order.
        for (int64_t i = 0; i < hidden; ++i) row[i] = w[i] * (row[i] * inv);
      }
    }
  });
}

}  // namespace hubwasm
