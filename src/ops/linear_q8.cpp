#include "ops/linear_q8.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/kernels.h"

namespace hubwasm {
namespace {

const int8_t* q_data(const LinearQ8& w) { return static_cast<const int8_t*>(w.qweight.data()); }

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
  const float* w = weight.f32();
  auto* qw = static_cast<int8_t*>(q.qweight.mutable_data());
  float* scales = q.scales.f32();
  std::vector<float> row(static_cast<size_t>(in));
  for (int64_t o = 0; o < out; ++o) {
    if (transposed) {
      for (int64_t i = 0; i < in; ++i) row[i] = w[i * out + o];
    } else {
      std::copy_n(w + o * in, in, row.data());
    }
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t begin = b * block, end = std::min(in, begin + block);
      float amax = 0;
      for (int64_t i = begin; i < end; ++i) amax = std::max(amax, std::fabs(row[i]));
      const float scale = amax / 127.0f;
      scales[o * blocks + b] = scale;
      const float inv = scale > 0 ? 1.0f / scale : 0.0f;
      for (int64_t i = begin; i < end; ++i) {
        const float v = std::nearbyint(row[i] * inv);
        qw[o * in + i] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, v)));
      }
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
