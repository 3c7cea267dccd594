#include "ops/attention.h"

#include <Eigen/Core>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/thread_pool.h"

namespace hubwasm {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Strided = Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>>;

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
  // transformers adds finfo(float32).min for masked keys; setting the score to it matches.
  const float masked = std::numeric_limits<float>::lowest();
  // One (sequence, head) pair per task; each thread has its own scores block.
  const int64_t head_macs = 2 * s.seq * s.seq * s.head_dim;
  parallel::parallel_for(s.batch * s.heads, parallel::grain_for(head_macs), [&](int64_t p0, int64_t p1) {
    RowMajor scores(s.seq, s.seq);
    for (int64_t pair = p0; pair < p1; ++pair) {
      const int64_t b = pair / s.heads, h = pair % s.heads;
      const int64_t row0 = b * s.seq;
      const int32_t* mask = key_mask.data() + row0;
      const int64_t col0 = h * s.head_dim;
      Strided Q(q.f32() + row0 * width + col0, s.seq, s.head_dim, Eigen::OuterStride<>(width));
      Strided K(k.f32() + row0 * width + col0, s.seq, s.head_dim, Eigen::OuterStride<>(width));
      Strided V(v.f32() + row0 * width + col0, s.seq, s.head_dim, Eigen::OuterStride<>(width));
      scores.noalias() = (Q * K.transpose()) * scale;
      if (bias) scores += Eigen::Map<const RowMajor>(bias->f32() + h * s.seq * s.seq, s.seq, s.seq);
      for (int64_t i = 0; i < s.seq; ++i) {
        float* row = scores.data() + i * s.seq;
        float max = masked;
        for (int64_t j = 0; j < s.seq; ++j) {
          if (!mask[j]) row[j] = masked;
          max = std::max(max, row[j]);
        }
        float sum = 0;
        for (int64_t j = 0; j < s.seq; ++j) {
          row[j] = std::exp(row[j] - max);
          sum += row[j];
        }
        for (int64_t j = 0; j < s.seq; ++j) row[j] /= sum;
      }
      Eigen::Map<RowMajor, 0, Eigen::OuterStride<>> O(out.f32() + row0 * width + col0, s.seq, s.head_dim,
                                                       Eigen::OuterStride<>(width));
      O.noalias() = scores * V;
    }
  });
  return out;
}

}  // namespace hubwasm
