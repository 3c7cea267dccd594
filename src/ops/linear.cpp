#include "ops/linear.h"

#include <Eigen/Core>

#include "core/error.h"

namespace hubwasm {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Tensor linear(const Tensor& x, const Linear& layer) {
  const int64_t rows = x.dim(0), in = layer.in_features(), out = layer.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(layer.weight.shape()));
  }
  Tensor y = Tensor::zeros(DType::F32, {rows, out});
  Eigen::Map<const RowMajor> X(x.f32(), rows, in);
  Eigen::Map<const RowMajor> W(layer.weight.f32(), out, in);
  Eigen::Map<RowMajor> Y(y.f32(), rows, out);
  Y.noalias() = X * W.transpose();
  if (!layer.bias.empty()) {
    Y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(layer.bias.f32(), out);
  }
  return y;
}

}  // namespace hubwasm
