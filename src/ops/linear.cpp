#include "ops/linear.h"

#include "core/error.h"
#include "kernels/kernels.h"

namespace hubwasm {

Tensor linear(const Tensor& x, const Linear& layer) {
  const int64_t rows = x.dim(0), in = layer.in_features(), out = layer.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(layer.weight.shape()));
  }
  Tensor y = Tensor::zeros(DType::F32, {rows, out});
  kernels::gemm_f32(rows, out, in, x.f32(), in, layer.weight.f32(), in, kernels::BLayout::NK,
                    layer.bias.empty() ? nullptr : layer.bias.f32(), y.f32(), out);
  return y;
}

}  // namespace hubwasm
