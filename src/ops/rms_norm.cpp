#include "ops/rms_norm.h"

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace hubwasm {
namespace {

// As layer_norm.cpp's normalize_rows, with RMSNorm.
void normalize_rows(Tensor& x, const Tensor* residual, const RMSNorm& norm, Tensor& out, const char* op) {
  const int64_t hidden = x.dim(x.rank() - 1);
  if (norm.weight.numel() != hidden) throw Error(ErrorCode::InvalidArgument, std::string(op) + ": hidden size mismatch");
  if (out.numel() != x.numel() || (residual && residual->numel() != x.numel())) {
    throw Error(ErrorCode::InvalidArgument, std::string(op) + ": shape mismatch");
  }
  float* data = x.f32();
  float* result = out.f32();
  const float* add = residual ? residual->f32() : nullptr;
  parallel::parallel_for(x.numel() / hidden, parallel::grain_for(4 * hidden), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      kernels::rms_norm_row_f32(hidden, data + r * hidden, add ? add + r * hidden : nullptr, norm.weight.f32(),
                                norm.add_unit_offset, norm.eps, result + r * hidden);
    }
  });
}

}  // namespace

void rms_norm_inplace(Tensor& x, const RMSNorm& norm) { normalize_rows(x, nullptr, norm, x, "rms_norm"); }

void rms_norm_into(Tensor& x, const RMSNorm& norm, Tensor& out) { normalize_rows(x, nullptr, norm, out, "rms_norm"); }

void add_rms_norm_into(Tensor& x, const Tensor& residual, const RMSNorm& norm, Tensor& out) {
  normalize_rows(x, &residual, norm, out, "add_rms_norm");
}

}  // namespace hubwasm
