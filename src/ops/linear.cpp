#include "ops/linear.h"

#include "core/error.h"
#include "kernels/kernels.h"

namespace hubwasm {

Tensor linear(const Tensor& x, const Linear& layer) {
  Tensor y = Tensor::zeros(DType::F32, {x.rank() == 2 ? x.dim(0) : 0, layer.out_features()});
  linear_into(x, layer, y);
  return y;
}

void linear_into(const Tensor& x, const Linear& layer, Tensor& out) {
  const int64_t in = layer.in_features(), n = layer.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(layer.weight.shape()));
  }
  const int64_t rows = x.dim(0);
  check_output(out, rows, n, "linear");
  kernels::gemm_f32(rows, n, in, x.f32(), in, layer.weight.f32(), in, kernels::BLayout::NK,
                    layer.bias.empty() ? nullptr : layer.bias.f32(), out.f32(), n);
}

}  // namespace hubwasm
