// Causal grouped-query attention of new tokens over a KV cache, as the
// decoders of transformers compute it: query i of a row sees the cached keys
// up to and including its own slot, minus padding (attention_mask 0) and,
// with a sliding window W, keys W or more slots back.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace hubwasm {

struct CausalAttentionShape {
  int64_t batch = 0, seq = 0;   // new tokens per row
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  int64_t past = 0;             // cached tokens before the new ones
  int64_t capacity = 0;         // cache slots per (row, kv head)
  int64_t sliding_window = 0;   // 0 = unlimited
  float scale = 1.0f;           // usually 1/sqrt(head_dim)
};

// q: (batch*seq, heads*head_dim). key_cache / value_cache:
// [batch, kv_heads, capacity, head_dim] with past+seq slots filled. query
// head h reads kv head h / (heads / kv_heads), as repeat_kv does.
// mask: batch*(past+seq) entries, 0 = padding; empty = no padding. Queries
// that see no key (padding rows) get zeros. Writes the context (batch*seq,
// heads*head_dim) into `out` (see check_output). A decode step's scores
// (seq 1) live in a per-thread row of `capacity` floats kept across calls,
// so decode steps allocate nothing once it has grown; a prompt's scores
// block is allocated per call.
void causal_attention(const Tensor& q, const float* key_cache, const float* value_cache,
                      const std::vector<int32_t>& mask, const CausalAttentionShape& shape, Tensor& out);

}  // namespace hubwasm
