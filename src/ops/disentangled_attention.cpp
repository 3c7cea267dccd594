#include "ops/disentangled_attention.h"

#include <algorithm>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "ops/attention.h"

namespace hubwasm {

Tensor disentangled_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& pos_key,
                              const Tensor& pos_query, const std::vector<int32_t>& c2p_index,
                              const std::vector<int32_t>& p2c_index, const std::vector<int32_t>& key_mask,
                              const DisentangledAttentionShape& s) {
  const int64_t width = s.heads * s.head_dim, S = s.seq, P = s.positions;
  const auto positions_ok = [&](const Tensor& table, const std::vector<int32_t>& index) {
    return table.empty() || (table.rank() == 2 && table.dim(0) == P && table.dim(1) == width &&
                             static_cast<int64_t>(index.size()) == S * S &&
                             std::all_of(index.begin(), index.end(), [&](int32_t x) { return x >= 0 && x < P; }));
  };
  if (q.rank() != 2 || q.dim(0) != s.batch * S || q.dim(1) != width || k.shape() != q.shape() ||
      v.shape() != q.shape() || static_cast<int64_t>(key_mask.size()) != s.batch * S ||
      !positions_ok(pos_key, c2p_index) || !positions_ok(pos_query, p2c_index)) {
    throw Error(ErrorCode::InvalidArgument, "disentangled_attention: inconsistent shapes");
  }
  Tensor out = Tensor::zeros(DType::F32, {s.batch * S, width});
  // Scores and weighted sum (S x S each), c2p and p2c (S x P each).
  const int64_t head_macs = (2 * S + (pos_key.empty() ? 0 : P) + (pos_query.empty() ? 0 : P)) * S * s.head_dim;
  // One (sequence, head) pair per task; each task has its own buffers.
  parallel::parallel_for(s.batch * s.heads, parallel::grain_for(head_macs), [&](int64_t p0, int64_t p1) {
    const int64_t block = std::min(kAttentionRowBlock, S);
    std::vector<float> scores(block * S), c2p(pos_key.empty() ? 0 : block * P), p2c(pos_query.empty() ? 0 : S * P);
    for (int64_t pair = p0; pair < p1; ++pair) {
      const int64_t b = pair / s.heads, h = pair % s.heads;
      const int64_t row0 = b * S, col0 = h * s.head_dim;
      const int32_t* mask = key_mask.data() + row0;
      const float* K = k.f32() + row0 * width + col0;
      // p2c(j, r) = k_j . pos_query_r for every key j: the block's rows all read it.
      if (!pos_query.empty()) {
        kernels::gemm_f32(S, P, s.head_dim, K, width, pos_query.f32() + col0, width, kernels::BLayout::NK, nullptr,
                          p2c.data(), P);
      }
      for (int64_t i0 = 0; i0 < S; i0 += kAttentionRowBlock) {
        const int64_t rows = std::min(kAttentionRowBlock, S - i0);
        const float* Q = q.f32() + (row0 + i0) * width + col0;
        // Rows of K and of the position tables are the "NK" weight layout.
        kernels::gemm_f32(rows, S, s.head_dim, Q, width, K, width, kernels::BLayout::NK, nullptr, scores.data(), S);
        if (!pos_key.empty()) {
          kernels::gemm_f32(rows, P, s.head_dim, Q, width, pos_key.f32() + col0, width, kernels::BLayout::NK, nullptr,
                            c2p.data(), P);
        }
        for (int64_t i = 0; i < rows; ++i) {
          float* row = scores.data() + i * S;
          const int64_t at = (i0 + i) * S;
          if (!pos_key.empty()) {
            const float* c2p_row = c2p.data() + i * P;
            for (int64_t j = 0; j < S; ++j) row[j] += c2p_row[c2p_index[at + j]];
          }
          if (!pos_query.empty()) {
            for (int64_t j = 0; j < S; ++j) row[j] += p2c[j * P + p2c_index[at + j]];
          }
          for (int64_t j = 0; j < S; ++j) row[j] = mask[j] ? row[j] / s.scale : kMaskedScore;
        }
        kernels::softmax_rows_f32(rows, S, scores.data(), S);
        // context rows = P V: V's rows are the "KN" layout.
        kernels::gemm_f32(rows, s.head_dim, S, scores.data(), S, v.f32() + row0 * width + col0, width,
                          kernels::BLayout::KN, nullptr, out.f32() + (row0 + i0) * width + col0, width);
      }
    }
  });
  return out;
}

}  // namespace hubwasm
