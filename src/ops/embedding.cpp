#include "ops/embedding.h"

#include "core/error.h"

namespace hubwasm {

void add_embedding(Tensor& out, const Tensor& table, const std::vector<int32_t>& ids, const std::string& what) {
  const int64_t rows = table.dim(0), hidden = table.dim(1);
  if (out.dim(0) != static_cast<int64_t>(ids.size()) || out.dim(1) != hidden) {
    throw Error(ErrorCode::InvalidArgument, "embedding: output shape mismatch for " + what);
  }
  const float* t = table.f32();
  float* o = out.f32();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= rows) {
      throw Error(ErrorCode::InvalidArgument, what + " contains " + std::to_string(ids[i]) +
                                                  ", outside the embedding table of " + std::to_string(rows) + " rows");
    }
    const float* src = t + static_cast<int64_t>(ids[i]) * hidden;
    float* dst = o + static_cast<int64_t>(i) * hidden;
    for (int64_t j = 0; j < hidden; ++j) dst[j] += src[j];
  }
}

}  // namespace hubwasm
