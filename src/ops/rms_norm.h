// RMSNorm over the last dimension, as transformers' LlamaRMSNorm (and
// GemmaRMSNorm, whose weight is stored as an offset from 1).
#pragma once

#include "core/tensor.h"

namespace hubwasm {

struct RMSNorm {
  Tensor weight;                 // (hidden) f32
  float eps = 1e-6f;
  bool add_unit_offset = false;  // Gemma: x * (1 + weight)
};

// x: (rows, hidden), normalised in place: x / sqrt(mean(x^2) + eps) * weight.
void rms_norm_inplace(Tensor& x, const RMSNorm& norm);
// out = RMSNorm(x), x unchanged: a pre-norm block's input.
void rms_norm_into(Tensor& x, const RMSNorm& norm, Tensor& out);
// x += residual, then out = RMSNorm(x), in one pass over the rows: a pre-norm
// block's residual step fused with the next norm.
void add_rms_norm_into(Tensor& x, const Tensor& residual, const RMSNorm& norm, Tensor& out);

}  // namespace hubwasm
