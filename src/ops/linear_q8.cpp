#include "ops/linear_q8.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace hubwasm {
namespace {

const int8_t* q_data(const LinearQ8& w) { return static_cast<const int8_t*>(w.qweight.data()); }

// sum x[i] * q[i] over n values. Eight independent partial sums let the
// compiler vectorize without reassociating a single float accumulator.
inline float dot_f32_i8(const float* x, const int8_t* q, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += x[i + k] * static_cast<float>(q[i + k]);
  }
  float tail = 0;
  for (; i < n; ++i) tail += x[i] * static_cast<float>(q[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
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
  const int64_t rows = x.dim(0), blocks = w.scales.dim(1);
  Tensor y = Tensor::zeros(DType::F32, {rows, out});
  const float* xs = x.f32();
  const int8_t* qw = q_data(w);
  const float* scales = w.scales.f32();
  const float* b = bias.empty() ? nullptr : bias.f32();
  float* ys = y.f32();
  // Hot loop: each weight row is read once and reused for every input row.
  for (int64_t o = 0; o < out; ++o) {
    const int8_t* wrow = qw + o * in;
    const float* srow = scales + o * blocks;
    for (int64_t r = 0; r < rows; ++r) {
      const float* xrow = xs + r * in;
      float acc = 0;
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const int64_t begin = blk * w.block, n = std::min(w.block, in - begin);
        acc += srow[blk] * dot_f32_i8(xrow + begin, wrow + begin, n);
      }
      ys[r * out + o] = b ? acc + b[o] : acc;
    }
  }
  return y;
}

void dequantize_row_q8(const LinearQ8& w, int64_t row, float* dst) {
  const int64_t in = w.in_features(), blocks = w.scales.dim(1);
  const int8_t* q = q_data(w) + row * in;
  const float* s = w.scales.f32() + row * blocks;
  for (int64_t i = 0; i < in; ++i) dst[i] = static_cast<float>(q[i]) * s[i / w.block];
}

}  // namespace hubwasm
