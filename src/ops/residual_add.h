// x += y element-wise: a decoder block's residual connection.
#pragma once

#include "core/tensor.h"

namespace hubwasm {

// Both float32 with the same element count (InvalidArgument otherwise).
void residual_add_inplace(Tensor& x, const Tensor& y);

}  // namespace hubwasm
