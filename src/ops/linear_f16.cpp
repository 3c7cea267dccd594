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

void check_float_dtype(DType dtype, const std::string& what) {
  if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16) {
    throw Error(ErrorCode::UnsupportedFeature,
                what + ": dtype " + dtype_name(dtype) + " cannot be used as floating point weights");
  }
}

}  // namespace

LinearF16 to_linear_f16_rows(int64_t out, int64_t in, DType dtype, ReadRows read, const std::string& what) {
  check_float_dtype(dtype, what);
  LinearF16 w{Tensor::uninitialized(DType::F16, {out, in})};  // every element written below
  auto* dst = static_cast<uint16_t*>(w.weight.mutable_data());
  const int64_t band = weight_band_rows(in);
  for (int64_t first = 0; first < out; first += band) {
    const int64_t last = std::min(out, first + band), n = (last - first) * in;
    const Tensor rows = read(first, last);
    if (rows.dtype() != dtype || rows.numel() != n) {
      throw Error(ErrorCode::InvalidArgument, what + ": a band of rows has the wrong size or dtype");
    }
    uint16_t* band_dst = dst + first * in;
    if (dtype == DType::F32) {
      kernels::narrow_f16(rows.f32(), n, band_dst);
    } else if (dtype == DType::F16) {
      std::memcpy(band_dst, rows.data(), static_cast<size_t>(n) * sizeof(uint16_t));  // kept bit for bit
    } else {
      const auto* src = static_cast<const uint8_t*>(rows.data());
      for (int64_t i = 0; i < n; ++i) band_dst[i] = half_at(src, dtype, i);
    }
  }
  w.finite = kernels::f16_all_finite(dst, out * in);
  return w;
}

LinearF16 to_linear_f16(const Tensor& weight, bool transposed, const std::string& what) {
  const DType dtype = weight.dtype();
  if (weight.rank() != 2) throw Error(ErrorCode::InvalidArgument, what + ": fp16 storage expects a matrix");
  if (!transposed) {
    return to_linear_f16_rows(weight.dim(0), weight.dim(1), dtype,
                              [&](int64_t begin, int64_t end) { return weight.slice_rows(begin, end); }, what);
  }
  check_float_dtype(dtype, what);
  // [in, out] (Conv1D).
  const int64_t out = weight.dim(1), in = weight.dim(0);
  LinearF16 w{Tensor::uninitialized(DType::F16, {out, in})};  // every element written below
  auto* dst = static_cast<uint16_t*>(w.weight.mutable_data());
  if (dtype == DType::F32) {
    // kTile columns gathered at once.
    constexpr int64_t kTile = 16;
    std::vector<float> columns(static_cast<size_t>(kTile * in));
    for (int64_t o0 = 0; o0 < out; o0 += kTile) {
      const int64_t rows = std::min(kTile, out - o0);
      read_columns_f32(weight, o0, rows, columns.data(), in, what);
      for (int64_t t = 0; t < rows; ++t) kernels::narrow_f16(columns.data() + t * in, in, dst + (o0 + t) * in);
    }
  } else {
    const auto* src = static_cast<const uint8_t*>(weight.data());
    for (int64_t o = 0; o < out; ++o) {
      for (int64_t i = 0; i < in; ++i) dst[o * in + i] = half_at(src, dtype, i * out + o);
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
