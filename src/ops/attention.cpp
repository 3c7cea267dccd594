#include "ops/attention.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace hubwasm {

Tensor self_attention(const Tensor& q, const Tensor& k, const Tensor& v, const std::vector<int32_t>& key_mask,
                      const AttentionShape& s, const Tensor* bias) {
  const int64_t width = s.heads * s.head_dim;
  if (q.dim(0) != s.batch * s.seq || q.dim(1) != width || k.shape() != q.shape() || v.shape() != q.shape() ||
      static_cast<int64_t>(key_mask.size()) != s.batch * s.seq) {
    throw Error(ErrorCode::InvalidArgument, "self_attention: inconsistent shapes");
  }
  if (bias && bias->shape() != Shape{s.heads, s.seq, s.seq}) {
    throw Error(ErrorCode::InvalidArgument, "self_attention: bias must be (heads, seq, seq)");
  }
  Tensor out = Tensor::zeros(DType::F32, {s.batch * s.seq, width});
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
  // One (sequence, head) pair per task; each task has its own scores block.
  const int64_t head_macs = 2 * s.seq * s.seq * s.head_dim;
  parallel::parallel_for(s.batch * s.heads, parallel::grain_for(head_macs), [&](int64_t p0, int64_t p1) {
    std::vector<float> scores(std::min(kAttentionRowBlock, s.seq) * s.seq);
    for (int64_t pair = p0; pair < p1; ++pair) {
      const int64_t b = pair / s.heads, h = pair % s.heads;
      const int64_t row0 = b * s.seq, col0 = h * s.head_dim;
      const int32_t* mask = key_mask.data() + row0;
      const float* K = k.f32() + row0 * width + col0;
      const float* V = v.f32() + row0 * width + col0;
      for (int64_t i0 = 0; i0 < s.seq; i0 += kAttentionRowBlock) {
        const int64_t rows = std::min(kAttentionRowBlock, s.seq - i0);
        // scores = Q_block K^T: K's rows are the "NK" weight layout.
        kernels::gemm_f32(rows, s.seq, s.head_dim, q.f32() + (row0 + i0) * width + col0, width, K, width,
                          kernels::BLayout::NK, nullptr, scores.data(), s.seq);
        for (int64_t i = 0; i < rows; ++i) {
          float* row = scores.data() + i * s.seq;
          const float* bias_row = bias ? bias->f32() + (h * s.seq + i0 + i) * s.seq : nullptr;
          for (int64_t j = 0; j < s.seq; ++j) {
            row[j] = mask[j] ? row[j] * scale + (bias_row ? bias_row[j] : 0.0f) : kMaskedScore;
          }
        }
        kernels::softmax_rows_f32(rows, s.seq, scores.data(), s.seq);
        // context rows = P V: V's rows are the "KN" layout.
        kernels::gemm_f32(rows, s.head_dim, s.seq, scores.data(), s.seq, V, width, kernels::BLayout::KN, nullptr,
                          out.f32() + (row0 + i0) * width + col0, width);
      }
    }
  });
  return out;
}

}  // namespace hubwasm
