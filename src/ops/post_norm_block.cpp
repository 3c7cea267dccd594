#include "ops/post_norm_block.h"

namespace hubwasm {

Tensor post_norm_block(const Tensor& x, const PostNormBlock& block, const std::vector<int32_t>& key_mask,
                       const AttentionShape& shape, Activation act, const Tensor* attention_bias) {
  Tensor context = self_attention(linear(x, block.query), linear(x, block.key), linear(x, block.value), key_mask,
                                  shape, attention_bias);
  Tensor attended = linear(context, block.attention_output);
  add_layer_norm_inplace(attended, x, block.attention_norm);
  Tensor inner = linear(attended, block.intermediate);
  activation_inplace(inner, act);
  Tensor out = linear(inner, block.output);
  add_layer_norm_inplace(out, attended, block.output_norm);
  return out;
}

}  // namespace hubwasm
