// 8-bit weights for linear layers: symmetric int8 per block of `block`
// consecutive input features, one float scale per (output row, block):
// w ~= q * scale, scale = max|w_block| / 127. Activations stay float32.
#pragma once

#include "core/tensor.h"

namespace hubwasm {

constexpr int64_t kQ8DefaultBlock = 16;

struct LinearQ8 {
  Tensor qweight;  // (out, in) I8
  Tensor scales;   // (out, ceil(in / block)) F32; the last block may be short
  int64_t block = kQ8DefaultBlock;
  int64_t in_features() const { return qweight.dim(1); }
  int64_t out_features() const { return qweight.dim(0); }
  bool empty() const { return qweight.empty(); }
};

// Quantizes an f32, f16 or bf16 weight stored (out, in), or (in, out) when
// `transposed` (GPT-2 Conv1D); the result is always (out, in). 16-bit values
// are widened a row at a time (no float32 copy of the whole matrix).
LinearQ8 quantize_q8(const Tensor& weight, bool transposed, int64_t block = kQ8DefaultBlock);

// x: (rows, in) -> x W^T + b: (rows, out). Plain loops the compiler vectorizes.
Tensor linear_q8(const Tensor& x, const LinearQ8& w, const Tensor& bias);

// Row `row` of W (in floats), e.g. an embedding row of a quantized table.
void dequantize_row_q8(const LinearQ8& w, int64_t row, float* dst);

}  // namespace hubwasm
