#include "ops/conv1d.h"

#include <Eigen/Core>

#include "core/error.h"

namespace hubwasm {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Tensor conv1d(const Tensor& x, const Conv1D& layer) {
  const int64_t in = layer.in_features(), out = layer.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "conv1d: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(layer.weight.shape()));
  }
  const int64_t rows = x.dim(0);
  Tensor y = Tensor::zeros(DType::F32, {rows, out});
  Eigen::Map<const RowMajor> X(x.f32(), rows, in);
  Eigen::Map<const RowMajor> W(layer.weight.f32(), in, out);
  Eigen::Map<RowMajor> Y(y.f32(), rows, out);
  Y.noalias() = X * W;
  if (!layer.bias.empty()) Y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(layer.bias.f32(), out);
  return y;
}

}  // namespace hubwasm
