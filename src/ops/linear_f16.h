// Half-precision weights for linear layers (dtype fp16): the [out, in]
// weight is stored as IEEE f16 and widened to float32 inside the kernels;
// activations, biases and sums stay float32.
#pragma once

#include "core/tensor.h"
#include "ops/weight_rows.h"

namespace hubwasm {

struct LinearF16 {
  Tensor weight;  // (out, in) F16
  bool finite = true;  // no Inf / NaN half: the kernels' shorter widening path
  int64_t in_features() const { return weight.dim(1); }
  int64_t out_features() const { return weight.dim(0); }
};

// A floating point weight (F32, F16 or BF16) stored (out, in), or (in, out)
// when `transposed` (GPT-2 Conv1D), as a new (out, in) F16 tensor; f16 input
// is copied as is, f32 / bf16 are rounded to nearest even.
LinearF16 to_linear_f16(const Tensor& weight, bool transposed, const std::string& what);
// The same for an (out, in) weight of `dtype` read a band of rows at a time.
LinearF16 to_linear_f16_rows(int64_t out, int64_t in, DType dtype, ReadRows read, const std::string& what);

// x: (rows, in) -> x W^T + b into `out` (rows * out floats, see check_output).
void linear_f16_into(const Tensor& x, const LinearF16& w, const Tensor& bias, Tensor& out);

// Row `row` of W as floats, e.g. an embedding row of an f16 table.
void widen_row_f16(const LinearF16& w, int64_t row, float* dst);

}  // namespace hubwasm
