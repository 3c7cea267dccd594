#include "ops/causal_attention.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "ops/attention.h"

namespace hubwasm {

// A block's rows fit the dead-row bit mask below.
static_assert(kAttentionRowBlock <= 64);

void causal_attention(const Tensor& q, const float* key_cache, const float* value_cache,
                      const std::vector<int32_t>& mask, const CausalAttentionShape& s, Tensor& out) {
  const int64_t width = s.heads * s.head_dim, total = s.past + s.seq;
  if (s.heads <= 0 || s.kv_heads <= 0 || s.heads % s.kv_heads != 0 || q.rank() != 2 ||
      q.dim(0) != s.batch * s.seq || q.dim(1) != width || total > s.capacity ||
      (!mask.empty() && static_cast<int64_t>(mask.size()) != s.batch * total)) {
    throw Error(ErrorCode::InvalidArgument, "causal_attention: inconsistent shapes");
  }
  check_output(out, s.batch * s.seq, width, "causal_attention");
  const int64_t group = s.heads / s.kv_heads;
  // One (sequence, head) pair per task; each thread has its own scores block.
  const int64_t head_macs = 2 * s.seq * total * s.head_dim;
  parallel::parallel_for(s.batch * s.heads, parallel::grain_for(head_macs), [&](int64_t p0, int64_t p1) {
    // Decode keeps one row per cache slot per thread (constant between cache
    // growths, so no allocation per token); a prompt's block lives only for
    // this call.
    thread_local std::vector<float> decode_scores;
    std::vector<float> prompt_scores;
    std::vector<float>& scores = s.seq == 1 ? decode_scores : prompt_scores;
    const size_t needed =
        static_cast<size_t>(s.seq == 1 ? s.capacity : std::min(kAttentionRowBlock, s.seq) * total);
    if (scores.size() < needed) scores.resize(needed);
    for (int64_t pair = p0; pair < p1; ++pair) {
      const int64_t b = pair / s.heads, h = pair % s.heads;
      const int32_t* row_mask = mask.empty() ? nullptr : mask.data() + b * total;
      const int64_t cache_off = ((b * s.kv_heads + h / group) * s.capacity) * s.head_dim;
      const float* keys_of_head = key_cache + cache_off;      // [slots, head_dim]: the NK layout
      const float* values_of_head = value_cache + cache_off;  // [slots, head_dim]: the KN layout
      const float* queries = q.f32() + b * s.seq * width + h * s.head_dim;
      float* context = out.f32() + b * s.seq * width + h * s.head_dim;
      for (int64_t i0 = 0; i0 < s.seq; i0 += kAttentionRowBlock) {
        const int64_t rows = std::min(kAttentionRowBlock, s.seq - i0);
        const int64_t keys = s.past + i0 + rows;  // no query of the block sees a later slot
        kernels::gemm_f32(rows, keys, s.head_dim, queries + i0 * width, width, keys_of_head, s.head_dim,
                          kernels::BLayout::NK, nullptr, scores.data(), keys);
        uint64_t dead = 0;  // rows that see no key: padding queries, whose context is 0
        for (int64_t i = 0; i < rows; ++i) {
          float* row = scores.data() + i * keys;
          const int64_t qpos = s.past + i0 + i;
          const int64_t first = s.sliding_window > 0 ? std::max<int64_t>(0, qpos - s.sliding_window + 1) : 0;
          bool sees = false;
          for (int64_t j = 0; j < keys; ++j) {
            const bool visible = j >= first && j <= qpos && (!row_mask || row_mask[j]);
            row[j] = visible ? row[j] * s.scale : kMaskedScore;
            sees |= visible;
          }
          if (!sees) dead |= uint64_t{1} << i;
        }
        kernels::softmax_rows_f32(rows, keys, scores.data(), keys);
        for (int64_t i = 0; i < rows; ++i) {
          if (dead >> i & 1) std::fill_n(scores.data() + i * keys, keys, 0.0f);
        }
        kernels::gemm_f32(rows, s.head_dim, keys, scores.data(), keys, values_of_head, s.head_dim,
                          kernels::BLayout::KN, nullptr, context + i0 * width, width);
      }
    }
  });
}

}  // namespace hubwasm
