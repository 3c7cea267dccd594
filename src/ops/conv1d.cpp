#include "ops/conv1d.h"

#include "core/error.h"
#include "kernels/kernels.h"

namespace hubwasm {

void conv1d_into(const Tensor& x, const Conv1D& layer, Tensor& y) {
  const int64_t in = layer.in_features(), out = layer.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "conv1d: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(layer.weight.shape()));
  }
  const int64_t rows = x.dim(0);
  check_output(y, rows, out, "conv1d");
  kernels::gemm_f32(rows, out, in, x.f32(), in, layer.weight.f32(), out, kernels::BLayout::KN,
                    layer.bias.empty() ? nullptr : layer.bias.f32(), y.f32(), out);
}

}  // namespace hubwasm
