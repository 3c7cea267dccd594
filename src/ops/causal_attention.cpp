#include "ops/causal_attention.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hubwasm {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstStrided = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<RowMajor, 0, Eigen::OuterStride<>>;

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
    // growths, so no allocation per token); a prompt's block, which can be
    // large, lives only for this call.
    thread_local std::vector<float> decode_scores;
    std::vector<float> prompt_scores;
    std::vector<float>& buffer = s.seq == 1 ? decode_scores : prompt_scores;
    const size_t needed = static_cast<size_t>(s.seq == 1 ? s.capacity : s.seq * total);
    if (buffer.size() < needed) buffer.resize(needed);
    Eigen::Map<RowMajor> scores(buffer.data(), s.seq, total);
    for (int64_t pair = p0; pair < p1; ++pair) {
      const int64_t b = pair / s.heads, h = pair % s.heads;
      const int32_t* row_mask = mask.empty() ? nullptr : mask.data() + b * total;
      const int64_t kvh = h / group;
      const int64_t cache_off = ((b * s.kv_heads + kvh) * s.capacity) * s.head_dim;
      ConstStrided Q(q.f32() + b * s.seq * width + h * s.head_dim, s.seq, s.head_dim, Eigen::OuterStride<>(width));
      Eigen::Map<const RowMajor> K(key_cache + cache_off, total, s.head_dim);
      Eigen::Map<const RowMajor> V(value_cache + cache_off, total, s.head_dim);
      scores.noalias() = Q * K.transpose();
      scores *= s.scale;  // separately: Eigen evaluates (Q * K^T) * scale into a heap temporary
      for (int64_t i = 0; i < s.seq; ++i) {
        float* row = scores.data() + i * total;
        const int64_t qpos = s.past + i;
        const int64_t first = s.sliding_window > 0 ? std::max<int64_t>(0, qpos - s.sliding_window + 1) : 0;
        // Softmax over the visible keys; the rest get probability exactly 0,
        // so padded slots never leak into the context.
        float max = -INFINITY;
        for (int64_t j = first; j <= qpos; ++j) {
          if (!row_mask || row_mask[j]) max = std::max(max, row[j]);
        }
        if (max == -INFINITY) {  // no visible key: a padding query, don't-care
          std::fill(row, row + total, 0.0f);
          continue;
        }
        float sum = 0;
        for (int64_t j = 0; j < total; ++j) {
          const bool visible = j >= first && j <= qpos && (!row_mask || row_mask[j]);
          row[j] = visible ? std::exp(row[j] - max) : 0.0f;
          sum += row[j];
        }
        for (int64_t j = 0; j < total; ++j) row[j] /= sum;
      }
      Strided O(out.f32() + b * s.seq * width + h * s.head_dim, s.seq, s.head_dim, Eigen::OuterStride<>(width));
      O.noalias() = scores * V;
    }
  });
}

}  // namespace hubwasm
