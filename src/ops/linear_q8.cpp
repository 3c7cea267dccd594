#include "ops/linear_q8.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/kernels_f16.h"

namespace hubwasm {
namespace {

// Values [begin, begin + count) of a float weight as float32: f16 ones
// widened 8 at a time (kernels::widen_f16, exact like f16_to_f32). Tensors
// are aligned to their element size (SafetensorsFile::tensor copies others).
void widen(const Tensor& weight, int64_t begin, int64_t count, float* dst, const std::string& what) {
  if (weight.dtype() == DType::F16) {
    kernels::widen_f16(static_cast<const uint16_t*>(weight.data()) + begin, count, dst);
  } else {
    read_f32(weight, begin, count, dst, what);
  }
}

}  // namespace

kernels::Q8Weights LinearQ8::view() const {
  kernels::Q8Weights w;
  w.q = static_cast<const int8_t*>(qweight.data());
  w.scales = scales.f32();
  w.n = out;
  w.k = in;
  w.block = block;
  return w;
}

namespace {

// A LinearQ8 of the kernel layout for an (out, in) weight, uninitialized:
// the quantizers write every group whole, padding rows and inputs included.
LinearQ8 allocate_q8(int64_t out, int64_t in, int64_t block) {
  if (block <= 0 || block % 4 != 0 || block > 2048) {
    throw Error(ErrorCode::InvalidArgument, "quantize_q8: block " + std::to_string(block) +
                                                " is not a multiple of 4 between 4 and 2048");
  }
  LinearQ8 q;
  q.out = out;
  q.in = in;
  q.block = block;
  const kernels::Q8Weights layout = q.view();
  q.qweight = Tensor::uninitialized(DType::I8, {layout.groups() * 4 * layout.k_padded()});
  q.scales = Tensor::uninitialized(DType::F32, {layout.groups() * layout.blocks() * 4});
  return q;
}

}  // namespace

LinearQ8 quantize_q8_rows(int64_t out, int64_t in, ReadRows read, int64_t block, const std::string& what) {
  LinearQ8 q = allocate_q8(out, in, block);
  const kernels::Q8Weights layout = q.view();
  auto* qw = static_cast<int8_t*>(q.qweight.mutable_data());
  // Rows of k_padded floats: float32 rows without padding are read in place,
  // others widened into buffers whose tails stay zero.
  const int64_t padded = layout.k_padded();
  std::vector<float> buffer(static_cast<size_t>(4 * padded), 0.0f);
  const float* rows[4];
  const int64_t band = weight_band_rows(in);  // a multiple of 4: groups never straddle bands
  for (int64_t first = 0; first < out; first += band) {
    const int64_t last = std::min(out, first + band);
    const Tensor band_rows = read(first, last);
    if (band_rows.numel() != (last - first) * in) {
      throw Error(ErrorCode::InvalidArgument, what + ": a band of rows has the wrong size");
    }
    for (int64_t g0 = first; g0 < last; g0 += 4) {
      for (int64_t r = 0; r < 4; ++r) {
        float* row = buffer.data() + r * padded;
        rows[r] = row;
        if (g0 + r >= last) {
          std::fill(row, row + in, 0.0f);  // past the last row: zeros, quantized to 0 with scale 0
        } else if (band_rows.dtype() == DType::F32 && in == padded) {
          rows[r] = band_rows.f32() + (g0 + r - first) * in;
        } else {
          widen(band_rows, (g0 + r - first) * in, in, row, what);
        }
      }
      kernels::quantize_group_q8(rows, g0 / 4, layout, qw, q.scales.f32());
    }
  }
  return q;
}

LinearQ8 quantize_q8(const Tensor& weight, bool transposed, int64_t block, const std::string& what) {
  if (weight.rank() != 2) throw Error(ErrorCode::InvalidArgument, what + ": expects a matrix");
  if (!transposed) {
    return quantize_q8_rows(weight.dim(0), weight.dim(1),
                            [&](int64_t begin, int64_t end) { return weight.slice_rows(begin, end); }, block, what);
  }
  // [in, out] (Conv1D).
  LinearQ8 q = allocate_q8(weight.dim(1), weight.dim(0), block);
  const kernels::Q8Weights layout = q.view();
  auto* qw = static_cast<int8_t*>(q.qweight.mutable_data());
  const int64_t out = q.out, padded = layout.k_padded();
  int64_t o0 = 0;
  if (weight.dtype() == DType::F32) {
    // Whole groups of 4 outputs straight from the file's rows, 4 columns at a time.
    for (; o0 + 4 <= out; o0 += 4) kernels::quantize_group_q8_kn(weight.f32(), out, o0 / 4, layout, qw, q.scales.f32());
  }
  // The rest (16-bit weights, a last partial group): kTile output rows
  // gathered at once into rows of k_padded floats whose tails stay zero.
  constexpr int64_t kTile = 16;
  std::vector<float> tile(static_cast<size_t>(kTile * padded), 0.0f);
  for (; o0 < out; o0 += kTile) {
    const int64_t rows = std::min(kTile, out - o0);
    read_columns_f32(weight, o0, rows, tile.data(), padded, what);
    std::fill(tile.begin() + rows * padded, tile.end(), 0.0f);  // past the last row: quantized to 0 with scale 0
    for (int64_t t = 0; t < rows; t += 4) {
      const float* group[4] = {&tile[t * padded], &tile[(t + 1) * padded], &tile[(t + 2) * padded],
                               &tile[(t + 3) * padded]};
      kernels::quantize_group_q8(group, (o0 + t) / 4, layout, qw, q.scales.f32());
    }
  }
  return q;
}

void linear_q8_into(const Tensor& x, const LinearQ8& w, const Tensor& bias, Tensor& y) {
  const int64_t in = w.in_features(), out = w.out_features();
  if (x.rank() != 2 || x.dim(1) != in) {
    throw Error(ErrorCode::InvalidArgument, "linear_q8: input " + shape_to_string(x.shape()) + " does not match (" +
                                                std::to_string(out) + ", " + std::to_string(in) + ") weights");
  }
  const int64_t rows = x.dim(0);
  check_output(y, rows, out, "linear_q8");
  kernels::gemm_q8_parallel(rows, x.f32(), in, w.view(), bias.empty() ? nullptr : bias.f32(), y.f32(), out);
}

void dequantize_row_q8(const LinearQ8& w, int64_t row, float* dst) {
  const kernels::Q8Weights layout = w.view();
  const auto* q = static_cast<const int8_t*>(w.qweight.data()) + layout.row_offset(row);
  const float* scales = w.scales.f32() + (row / 4) * layout.blocks() * 4 + row % 4;
  for (int64_t i = 0; i < w.in; ++i) {
    dst[i] = static_cast<float>(q[kernels::Q8Weights::input_offset(i)]) * scales[(i / w.block) * 4];
  }
}

}  // namespace hubwasm
