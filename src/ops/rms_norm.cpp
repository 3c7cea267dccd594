#include "ops/rms_norm.h"

#include "kernels/kernels.h"
#include "ops/norm_rows.h"

namespace hubwasm {
namespace {

void normalize(Tensor& x, const Tensor* residual, const RMSNorm& norm, Tensor& out, const char* op) {
  const int64_t hidden = x.dim(x.rank() - 1);
  normalize_rows(x, residual, out, norm.weight, nullptr, 4, op, [&](float* row, const float* add, float* result) {
    kernels::rms_norm_row_f32(hidden, row, add, norm.weight.f32(), norm.add_unit_offset, norm.eps, result);
  });
}

}  // namespace

void rms_norm_inplace(Tensor& x, const RMSNorm& norm) { normalize(x, nullptr, norm, x, "rms_norm"); }

void rms_norm_into(Tensor& x, const RMSNorm& norm, Tensor& out) { normalize(x, nullptr, norm, out, "rms_norm"); }

void add_rms_norm_into(Tensor& x, const Tensor& residual, const RMSNorm& norm, Tensor& out) {
  normalize(x, &residual, norm, out, "add_rms_norm");
}

}  // namespace hubwasm
