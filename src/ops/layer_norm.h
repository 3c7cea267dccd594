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
// out = LayerNorm(x), x unchanged: a pre-norm block's input (GPT-2).
void layer_norm_into(Tensor& x, const LayerNorm& norm, Tensor& out);
// x += residual, then out = LayerNorm(x), in one pass over the rows: a pre-norm
// block's residual step fused with the next norm.
void add_layer_norm_into(Tensor& x, const Tensor& residual, const LayerNorm& norm, Tensor& out);

}  // namespace hubwasm
