// 8-bit weights for linear layers: symmetric int8 per block of `block`
// consecutive input features, one float scale per (output row, block):
// w ~= q * scale, scale = max|w_block| / 127. Activations stay float32.
// Stored in the kernel's interleaved layout (kernels::Q8Weights).
#pragma once

#include "core/tensor.h"
#include "kernels/kernels.h"
#include "ops/weight_rows.h"

namespace hubwasm {

constexpr int64_t kQ8DefaultBlock = 16;

struct LinearQ8 {
  Tensor qweight;  // I8, the kernels::Q8Weights layout (rows padded to groups of 4, inputs to whole blocks)
  Tensor scales;   // F32, [group][block][row in group]
  int64_t out = 0, in = 0;
  int64_t block = kQ8DefaultBlock;
  int64_t in_features() const { return in; }
  int64_t out_features() const { return out; }
  bool empty() const { return qweight.empty(); }
  kernels::Q8Weights view() const;
};

// Quantizes an f32, f16 or bf16 weight stored (out, in), or (in, out) when
// `transposed` (GPT-2 Conv1D). 16-bit values are widened a row at a time (no
// float32 copy of the whole matrix). `block` must be a multiple of 4 up to
// 2048 (InvalidArgument otherwise); another dtype is UnsupportedFeature
// naming `what`.
LinearQ8 quantize_q8(const Tensor& weight, bool transposed, int64_t block = kQ8DefaultBlock,
                     const std::string& what = "quantize_q8");
// The same for an (out, in) weight read a band of rows at a time (rows are
// quantized independently, so the result is identical); `what` names the
// weight in errors.
LinearQ8 quantize_q8_rows(int64_t out, int64_t in, ReadRows read, int64_t block, const std::string& what);

// x: (rows, in) -> x W^T + b into `out` (rows * out floats, see check_output).
void linear_q8_into(const Tensor& x, const LinearQ8& w, const Tensor& bias, Tensor& out);

// Row `row` of W (in floats), e.g. an embedding row of a quantized table.
void dequantize_row_q8(const LinearQ8& w, int64_t row, float* dst);

}  // namespace hubwasm
