// The post-norm transformer block of BERT-style encoders (BERT, RoBERTa,
// ELECTRA, DistilBERT, ALBERT, MPNet): self-attention, add & LayerNorm, then a
// feed-forward network, add & LayerNorm.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

struct PostNormBlock {
  Linear query, key, value, attention_output;  // (hidden, hidden)
  LayerNorm attention_norm;
  Linear intermediate;  // (intermediate, hidden)
  Linear output;        // (hidden, intermediate)
  LayerNorm output_norm;
};

// x: (batch*seq, hidden) -> the block's output, same shape. `attention_bias`
// is passed to self_attention (MPNet's relative position bias).
Tensor post_norm_block(const Tensor& x, const PostNormBlock& block, const std::vector<int32_t>& key_mask,
                       const AttentionShape& shape, Activation act, const Tensor* attention_bias = nullptr);

}  // namespace hubwasm
