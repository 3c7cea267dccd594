// y = x W^T + b with W stored as transformers stores nn.Linear: [out, in].
#pragma once

#include "core/tensor.h"

namespace hubwasm {

struct Linear {
  Tensor weight;  // (out, in) f32
  Tensor bias;    // (out) f32, or empty
  int64_t in_features() const { return weight.dim(1); }
  int64_t out_features() const { return weight.dim(0); }
};

// x: (rows, in) -> (rows, out).
Tensor linear(const Tensor& x, const Linear& layer);
// The same into `out` (rows * out floats, see check_output), allocating nothing.
void linear_into(const Tensor& x, const Linear& layer, Tensor& out);

}  // namespace hubwasm
