// The row loop the norm ops share (layer_norm.cpp, rms_norm.cpp).
#pragma once

#include "core/function_ref.h"
#include "core/tensor.h"

namespace hubwasm {

// normalize(x_row, residual_row or nullptr, out_row) on every row of x, rows
// split across the thread pool (each row is computed alike whatever the
// split); a row's residual is added to it while it is in cache. First checks
// that `weight` (and `bias`, when given) span x's last dimension and that
// `out` and `residual` match x: InvalidArgument naming `op` otherwise.
// `work_per_value`: the row kernel's operations per value, for the split.
void normalize_rows(Tensor& x, const Tensor* residual, Tensor& out, const Tensor& weight, const Tensor* bias,
                    int64_t work_per_value, const char* op,
                    FunctionRef<void(float* x, const float* residual, float* out)> normalize);

}  // namespace hubwasm
