// DeBERTa-v2/v3's disentangled self-attention (DisentangledSelfAttention in
// transformers' modeling_deberta_v2.py): content-to-content scores plus
// content-to-position (c2p) and position-to-content (p2c) terms read from a
// table of 2 * span relative positions, over a padded batch.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace hubwasm {

struct DisentangledAttentionShape {
  int64_t batch = 0, seq = 0, heads = 0, head_dim = 0;
  int64_t positions = 0;  // rows of pos_key / pos_query: 2 * the attention span
  float scale = 1.0f;     // scores are divided by it: sqrt(head_dim * (1 + terms used))
};

// q, k, v: (batch*seq, heads*head_dim). pos_key (for c2p) and pos_query (for
// p2c): (positions, heads*head_dim), each empty when its term is off.
// c2p_index / p2c_index: seq*seq indices into the positions (row i, column
// j): score(i, j) += q_i . pos_key[c2p_index(i, j)] + k_j . pos_query[p2c_index(i, j)].
// key_mask: batch*seq entries, 0 = padding (the key is ignored). Returns
// the context (batch*seq, heads*head_dim).
Tensor disentangled_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& pos_key,
                              const Tensor& pos_query, const std::vector<int32_t>& c2p_index,
                              const std::vector<int32_t>& p2c_index, const std::vector<int32_t>& key_mask,
                              const DisentangledAttentionShape& shape);

}  // namespace hubwasm
