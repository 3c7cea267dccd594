// A decoder's linear layer in whichever storage it was loaded with: float32
// nn.Linear [out, in], float32 GPT-2 Conv1D [in, out], f16 [out, in] (fp16)
// or int8 blocks (q8).
// Embedding tables are projections too ([vocab, hidden] = an LM head's
// layout), so a tied table is stored once and gathered row by row.
#pragma once

#include "core/tensor.h"
#include "ops/conv1d.h"
#include "ops/linear.h"
#include "ops/linear_f16.h"
#include "ops/linear_q8.h"

namespace hubwasm {

class Projection {
 public:
  Projection() = default;
  static Projection from_linear(Linear layer);
  static Projection from_conv1d(Conv1D layer);
  static Projection from_q8(LinearQ8 weight, Tensor bias);
  static Projection from_f16(LinearF16 weight, Tensor bias);

  bool empty() const { return kind_ == Kind::None; }
  bool quantized() const { return kind_ == Kind::Q8; }
  int64_t in_features() const;
  int64_t out_features() const;
  size_t weight_bytes() const;

  // x: (rows, in) -> (rows, out) into `out`, which the caller owns (rows *
  // out floats, see check_output): a forward allocates nothing.
  void forward_into(const Tensor& x, Tensor& out) const;
  // Row `row` of the [out, in] weight into dst (in floats). Not for Conv1D.
  void copy_row(int64_t row, float* dst) const;

 private:
  enum class Kind { None, Linear, Conv1D, Q8, F16 };
  Kind kind_ = Kind::None;
  Linear linear_;
  Conv1D conv_;
  LinearQ8 q8_;
  LinearF16 f16_;
  Tensor bias_;  // of the q8 / f16 kinds (Linear and Conv1D hold their own)
};

}  // namespace hubwasm
