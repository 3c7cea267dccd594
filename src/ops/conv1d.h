// GPT-2's Conv1D: a linear layer whose weight is stored transposed, [in, out].
#pragma once

#include "core/tensor.h"

namespace hubwasm {

struct Conv1D {
  Tensor weight;  // (in, out) f32
  Tensor bias;    // (out) f32, or empty
  int64_t in_features() const { return weight.dim(0); }
  int64_t out_features() const { return weight.dim(1); }
};

// x: (rows, in) -> x W + b into `out` (rows * out floats, see check_output).
void conv1d_into(const Tensor& x, const Conv1D& layer, Tensor& out);

}  // namespace hubwasm
