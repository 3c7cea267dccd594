#include "ops/linear_f16.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/kernels_f16.h"

namespace hubwasm {
namespace {

const uint16_t* halves(const Tensor& t) { return static_cast<const uint16_t*>(t.data()); }

// Element i of an f16 / bf16 tensor as f16 bits (file data may be unaligned).
uint16_t half_at(const uint8_t* src, DType dtype, int64_t i) {
  uint16_t v;
  std::memcpy(&v, src + 2 * i, 2);
  return dtype == DType::F16 ? v : f32_to_f16(bf16_to_f32(v));
}

}  // namespace

LinearF16 to_linear_f16(const Tensor& weight, bool transposed, const std::string& what) {
  const DType dtype = weight.dtype();
  if (weight.rank() != 2) throw Error(ErrorCode::InvalidArgument, what + ": fp16 storage expects a matrix");
  if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16) {
    throw Error(ErrorCode::UnsupportedFeature,
                what + ": dtype " + dtype_name(dtype) + " cannot be used as floating point weights");
  }
  const int64_t out = transposed ? weight.dim(1) : weight.dim(0);
  const int64_t in = transposed ? weight.dim(0) : weight.dim(1);
  LinearF16 w{Tensor::zeros(DType::F16, {out, in})};
  auto* dst = static_cast<uint16_t*>(w.weight.mutable_data());
  const auto* src = static_cast<const uint8_t*>(weight.data());
  if (dtype == DType::F32 && !transposed) {
    kernels::narrow_f16(weight.f32(), out * in, dst);
  } else if (dtype == DType::F16 && !transposed) {
    std::memcpy(dst, src, static_cast<size_t>(out * in) * sizeof(uint16_t));  // kept bit for bit
  } else if (dtype == DType::F32) {
    // [in, out] (Conv1D): kTile columns gathered at once.
    constexpr int64_t kTile = 16;
    std::vector<float> columns(static_cast<size_t>(kTile * in));
    for (int64_t o0 = 0; o0 < out; o0 += kTile) {
      const int64_t rows = std::min(kTile, out - o0);
      read_columns_f32(weight, o0, rows, columns.data(), in, what);
      for (int64_t t = 0; t < rows; ++t) kernels::narrow_f16(columns.data() + t * in, in, dst + (o0 + t) * in);
    }
  } else {
    for (int64_t o = 0; o < out; ++o) {
      for (int64_t i = 0; i < in; ++i) dst[o * in + i] = half_at(src, dtype, transposed ? i * out + o : o * in + i);
    }
  }
  w.finite = kernels::f16_all_finite(dst, out * in);
  return w;
}

void linear_f16_into(const Tensor& x, const LinearF16& w, const Tensor& bias, Tensor& y) {
  const int64_t in = w.in_features(), out = w.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear_f16: input " + shape_to_string(x.shape()) +
                                                " does not match weight " + shape_to_string(w.weight.shape()));
  }
  check_output(y, x.dim(0), out, "linear_f16");
  kernels::gemm_f16(x.dim(0), out, in, x.f32(), in, halves(w.weight), w.finite, bias.empty() ? nullptr : bias.f32(),
                    y.f32(), out);
}

void widen_row_f16(const LinearF16& w, int64_t row, float* dst) {
  kernels::widen_f16(halves(w.weight) + row * w.in_features(), w.in_features(), dst);
}

}  // namespace hubwasm
