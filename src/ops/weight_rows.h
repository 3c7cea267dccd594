// A 2-D weight read a band of rows at a time. Loaders that convert weights
// (q8, fp16) read a weight kept outside this module's memory (a byte source)
// in bands, so that a large matrix, such as a 50k-token embedding table, is
// never held whole in its stored float32 form next to its converted copy.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/function_ref.h"
#include "core/tensor.h"

namespace hubwasm {

// Rows [begin, end) of an (out, in) weight, in its stored dtype.
using ReadRows = FunctionRef<Tensor(int64_t begin, int64_t end)>;

// Rows per band: about 1 MiB of float32, a multiple of 4 rows (a q8 row
// group, kernels::Q8Weights) and at least 4.
inline int64_t weight_band_rows(int64_t cols) {
  constexpr int64_t kBandFloats = int64_t{1} << 18;
  return std::max<int64_t>(4, kBandFloats / std::max<int64_t>(1, cols) / 4 * 4);
}

}  // namespace hubwasm
