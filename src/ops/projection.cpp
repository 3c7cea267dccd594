#include "ops/projection.h"

#include <algorithm>

#include "core/error.h"

namespace hubwasm {

Projection Projection::from_linear(Linear layer) {
  Projection p;
  p.kind_ = Kind::Linear;
  p.linear_ = std::move(layer);
  return p;
}

Projection Projection::from_conv1d(Conv1D layer) {
  Projection p;
  p.kind_ = Kind::Conv1D;
  p.conv_ = std::move(layer);
  return p;
}

Projection Projection::from_q8(LinearQ8 weight, Tensor bias) {
  Projection p;
  p.kind_ = Kind::Q8;
  p.q8_ = std::move(weight);
  p.bias_ = std::move(bias);
  return p;
}

Projection Projection::from_f16(LinearF16 weight, Tensor bias) {
  Projection p;
  p.kind_ = Kind::F16;
  p.f16_ = std::move(weight);
  p.bias_ = std::move(bias);
  return p;
}

int64_t Projection::in_features() const {
  switch (kind_) {
    case Kind::Linear: return linear_.in_features();
    case Kind::Conv1D: return conv_.in_features();
    case Kind::Q8: return q8_.in_features();
    case Kind::F16: return f16_.in_features();
    case Kind::None: break;
  }
  return 0;
}

int64_t Projection::out_features() const {
  switch (kind_) {
    case Kind::Linear: return linear_.out_features();
    case Kind::Conv1D: return conv_.out_features();
    case Kind::Q8: return q8_.out_features();
    case Kind::F16: return f16_.out_features();
    case Kind::None: break;
  }
  return 0;
}

size_t Projection::weight_bytes() const {
  switch (kind_) {
    case Kind::Linear: return linear_.weight.nbytes();
    case Kind::Conv1D: return conv_.weight.nbytes();
    case Kind::Q8: return q8_.qweight.nbytes() + q8_.scales.nbytes();
    case Kind::F16: return f16_.weight.nbytes();
    case Kind::None: break;
  }
  return 0;
}

void Projection::forward_into(const Tensor& x, Tensor& out) const {
  switch (kind_) {
    case Kind::Linear: linear_into(x, linear_, out); return;
    case Kind::Conv1D: conv1d_into(x, conv_, out); return;
    case Kind::Q8: linear_q8_into(x, q8_, bias_, out); return;
    case Kind::F16: linear_f16_into(x, f16_, bias_, out); return;
    case Kind::None: break;
  }
  throw Error(ErrorCode::InvalidArgument, "projection: empty layer");
}

void Projection::copy_row(int64_t row, float* dst) const {
  if (row < 0 || row >= out_features()) throw Error(ErrorCode::InvalidArgument, "projection: row out of range");
  switch (kind_) {
    case Kind::Linear: {
      const int64_t in = linear_.in_features();
      std::copy_n(linear_.weight.f32() + row * in, in, dst);
      return;
    }
    case Kind::Q8: dequantize_row_q8(q8_, row, dst); return;
    case Kind::F16: widen_row_f16(f16_, row, dst); return;
    case Kind::Conv1D:
    case Kind::None: break;
  }
  throw Error(ErrorCode::InvalidArgument, "projection: rows are only available for [out, in] weights");
}

}  // namespace hubwasm
