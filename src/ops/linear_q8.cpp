#include "ops/linear_q8.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/kernels.h"

namespace hubwasm {
namespace {

const int8_t* q_data(const LinearQ8& w) { return static_cast<const int8_t*>(w.qweight.data()); }

// weights[begin, begin + count) as float32, widening f16 / bf16.
void load_floats(const Tensor& weights, int64_t begin, int64_t count, float* dst) {
  switch (weights.dtype()) {
    case DType::F32: std::copy_n(weights.f32() + begin, count, dst); return;
    case DType::F16: {
      const auto* h = static_cast<const uint16_t*>(weights.data()) + begin;
      for (int64_t i = 0; i < count; ++i) dst[i] = f16_to_f32(h[i]);
      return;
    }
    case DType::BF16: {
      const auto* b = static_cast<const uint16_t*>(weights.data()) + begin;
      for (int64_t i = 0; i < count; ++i) dst[i] = bf16_to_f32(b[i]);
      return;
    }
    default: throw Error(ErrorCode::InvalidArgument, "quantize_q8: expects f32, f16 or bf16 weights");
  }
}

// One row of `in` weights into int8 blocks with a float scale each (amax / 127).
void quantize_row(const float* row, int64_t in, int64_t block, int8_t* q, float* scales) {
  for (int64_t begin = 0, b = 0; begin < in; begin += block, ++b) {
    const int64_t end = std::min(in, begin + block);
    float amax = 0;
    for (int64_t i = begin; i < end; ++i) amax = std::max(amax, std::fabs(row[i]));
    const float scale = amax / 127.0f;
    scales[b] = scale;
    const float inv = scale > 0 ? 1.0f / scale : 0.0f;
    for (int64_t i = begin; i < end; ++i) {
      const float v = std::nearbyint(row[i] * inv);
      q[i] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, v)));
    }
  }
}

}  // namespace

LinearQ8 quantize_q8(const Tensor& weight, bool transposed, int64_t block) {
  if (weight.rank() != 2 || block <= 0) throw Error(ErrorCode::InvalidArgument, "quantize_q8: expects a matrix");
  const int64_t out = transposed ? weight.dim(1) : weight.dim(0);
  const int64_t in = transposed ? weight.dim(0) : weight.dim(1);
  const int64_t blocks = (in + block - 1) / block;
  LinearQ8 q;
  q.block = block;
  q.qweight = Tensor::zeros(DType::I8, {out, in});
  q.scales = Tensor::zeros(DType::F32, {out, blocks});
  auto* qw = static_cast<int8_t*>(q.qweight.mutable_data());
  float* scales = q.scales.f32();
  if (!transposed) {
    std::vector<float> row(static_cast<size_t>(in));
    for (int64_t o = 0; o < out; ++o) {
      load_floats(weight, o * in, in, row.data());
      quantize_row(row.data(), in, block, qw + o * in, scales + o * blocks);
    }
    return q;
  }
  // [in, out] (Conv1D): gather kTile output rows at once, so every read is a
  // run of kTile contiguous values rather than one value a row apart.
  constexpr int64_t kTile = 16;
  std::vector<float> tile(static_cast<size_t>(kTile * in));
  float run[kTile];
  for (int64_t o0 = 0; o0 < out; o0 += kTile) {
    const int64_t rows = std::min(kTile, out - o0);
    for (int64_t i = 0; i < in; ++i) {
      load_floats(weight, i * out + o0, rows, run);
      for (int64_t t = 0; t < rows; ++t) tile[t * in + i] = run[t];
    }
    for (int64_t t = 0; t < rows; ++t) {
      quantize_row(tile.data() + t * in, in, block, qw + (o0 + t) * in, scales + (o0 + t) * blocks);
    }
  }
  return q;
}

Tensor linear_q8(const Tensor& x, const LinearQ8& w, const Tensor& bias) {
  const int64_t in = w.in_features(), out = w.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear_q8: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(w.qweight.shape()));
  }
  const int64_t rows = x.dim(0);
  Tensor y = Tensor::zeros(DType::F32, {rows, out});
  kernels::Q8Weights q;
  q.q = q_data(w);
  q.scales = w.scales.f32();
  q.n = out;
  q.k = in;
  q.block = w.block;
  kernels::gemm_q8_parallel(rows, x.f32(), in, q, bias.empty() ? nullptr : bias.f32(), y.f32(), out);
  return y;
}

void dequantize_row_q8(const LinearQ8& w, int64_t row, float* dst) {
  const int64_t in = w.in_features(), blocks = w.scales.dim(1);
  const int8_t* q = q_data(w) + row * in;
  const float* s = w.scales.f32() + row * blocks;
  for (int64_t i = 0; i < in; ++i) dst[i] = static_cast<float>(q[i]) * s[i / w.block];
}

}  // namespace hubwasm
