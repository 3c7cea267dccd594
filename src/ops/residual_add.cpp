#include "ops/residual_add.h"

#include "core/error.h"

namespace hubwasm {

void residual_add_inplace(Tensor& x, const Tensor& y) {
  if (x.dtype() != DType::F32 || y.dtype() != DType::F32 || x.numel() != y.numel()) {
    throw Error(ErrorCode::InvalidArgument, "residual_add: " + shape_to_string(x.shape()) + " and " +
                                                shape_to_string(y.shape()) + " are not float32 of one size");
  }
  float* a = x.f32();
  const float* b = y.f32();
  for (int64_t i = 0, n = x.numel(); i < n; ++i) a[i] += b[i];
}

}  // namespace hubwasm
