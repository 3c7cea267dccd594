#include "ops/pooling.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace hubwasm {

Tensor mean_pool(const Tensor& hidden, const std::vector<int32_t>& mask) {
  const int64_t batch = hidden.dim(0), seq = hidden.dim(1), dim = hidden.dim(2);
  if (static_cast<int64_t>(mask.size()) != batch * seq) throw Error(ErrorCode::InvalidArgument, "mean_pool: mask size");
  Tensor out = Tensor::zeros(DType::F32, {batch, dim});
  for (int64_t b = 0; b < batch; ++b) {
    float* o = out.f32() + b * dim;
    double count = 0;
    for (int64_t t = 0; t < seq; ++t) {
      if (!mask[b * seq + t]) continue;
      const float* h = hidden.f32() + (b * seq + t) * dim;
      for (int64_t j = 0; j < dim; ++j) o[j] += h[j];
      count += 1;
    }
    // sentence-transformers clamps the count at 1e-9; an all-padding row stays zero.
    const float inv = static_cast<float>(1.0 / std::max(count, 1e-9));
    for (int64_t j = 0; j < dim; ++j) o[j] *= inv;
  }
  return out;
}

Tensor cls_pool(const Tensor& hidden) {
  const int64_t batch = hidden.dim(0), seq = hidden.dim(1), dim = hidden.dim(2);
  Tensor out = Tensor::zeros(DType::F32, {batch, dim});
  for (int64_t b = 0; b < batch; ++b) {
    std::memcpy(out.f32() + b * dim, hidden.f32() + b * seq * dim, sizeof(float) * dim);
  }
  return out;
}

void l2_normalize_rows_inplace(Tensor& x) {
  const int64_t dim = x.dim(x.rank() - 1);
  float* v = x.f32();
  for (int64_t r = 0, rows = x.numel() / dim; r < rows; ++r) {
    float* row = v + r * dim;
    double sq = 0;
    for (int64_t j = 0; j < dim; ++j) sq += static_cast<double>(row[j]) * row[j];
    const float inv = static_cast<float>(1.0 / std::max(std::sqrt(sq), 1e-12));
    for (int64_t j = 0; j < dim; ++j) row[j] *= inv;
  }
}

}  // namespace hubwasm
