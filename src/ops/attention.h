// Scaled dot-product self-attention over a padded batch.
#pragma once

#include <limits>
#include <vector>

#include "core/tensor.h"

namespace hubwasm {

// Query rows per block in the attention ops (self, causal, disentangled): one
// block's scores (kAttentionRowBlock x keys floats) stay in cache between the
// two products, however long the sequence or the cache.
constexpr int64_t kAttentionRowBlock = 64;

// The score of a key a query must not see: float's lowest, as transformers
// adds finfo(float32).min; the softmax kernel turns it into exactly 0.
constexpr float kMaskedScore = std::numeric_limits<float>::lowest();

struct AttentionShape {
  int64_t batch, seq, heads, head_dim;
};

// q, k, v: (batch*seq, heads*head_dim), the heads side by side as the
// projections produce them. key_mask: batch*seq entries, 0 = padding (the key
// is ignored). Returns the context (batch*seq, heads*head_dim).
// `bias`, when given, is added to the scaled scores before masking: (heads,
// seq, seq), shared by the batch (MPNet's relative position bias).
Tensor self_attention(const Tensor& q, const Tensor& k, const Tensor& v, const std::vector<int32_t>& key_mask,
                      const AttentionShape& shape, const Tensor* bias = nullptr);

}  // namespace hubwasm
