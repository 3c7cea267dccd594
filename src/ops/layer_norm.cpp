#include "ops/layer_norm.h"

#include "kernels/kernels.h"
#include "ops/norm_rows.h"

namespace hubwasm {
namespace {

void normalize(Tensor& x, const Tensor* residual, const LayerNorm& norm, Tensor& out, const char* op) {
  const int64_t hidden = x.dim(x.rank() - 1);
  normalize_rows(x, residual, out, norm.weight, &norm.bias, 5, op, [&](float* row, const float* add, float* result) {
    kernels::layer_norm_row_f32(hidden, row, add, norm.weight.f32(), norm.bias.f32(), norm.eps, result);
  });
}

}  // namespace

void layer_norm_inplace(Tensor& x, const LayerNorm& norm) { normalize(x, nullptr, norm, x, "layer_norm"); }

void layer_norm_into(Tensor& x, const LayerNorm& norm, Tensor& out) { normalize(x, nullptr, norm, out, "layer_norm"); }

void add_layer_norm_inplace(Tensor& x, const Tensor& residual, const LayerNorm& norm) {
  normalize(x, &residual, norm, x, "add_layer_norm");
}

void add_layer_norm_into(Tensor& x, const Tensor& residual, const LayerNorm& norm, Tensor& out) {
  normalize(x, &residual, norm, out, "add_layer_norm");
}

}  // namespace hubwasm
