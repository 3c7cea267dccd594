// LayerNorm over the last dimension, as torch.nn.LayerNorm.
#pragma once

#include "core/tensor.h"

namespace hubwasm {

struct LayerNorm {
  Tensor weight;  // (hidden) f32
  Tensor bias;    // (hidden) f32
  float eps;
};

// x: (rows, hidden), normalised in place.
void layer_norm_inplace(Tensor& x, const LayerNorm& norm);
// x = LayerNorm(x + residual), the post-norm residual step of BERT-style blocks.
void add_layer_norm_inplace(Tensor& x, const Tensor& residual, const LayerNorm& norm);

}  // namespace hubwasm
