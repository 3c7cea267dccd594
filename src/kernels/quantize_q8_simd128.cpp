#include <cstring>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {

using namespace simd;

void quantize_row_q8(const float* x, int64_t row, const Q8Weights& w, int8_t* q, float* scales) {
  const int64_t blocks = w.blocks();
  uint8_t* dst = reinterpret_cast<uint8_t*>(q + w.row_offset(row));
  float* row_scales = scales + (row / 4) * blocks * 4 + row % 4;
  const f32x4 lo = f32_splat(-127.0f), hi = f32_splat(127.0f);
  for (int64_t b = 0; b < blocks; ++b) {
    const float* v = x + b * w.block;
    // Lanes start at 0 and take |v| only when greater: a NaN never wins.
    f32x4 amax4 = f32_zero();
    for (int64_t i = 0; i < w.block; i += 4) amax4 = f32_max(amax4, f32_abs(f32_load(v + i)));
    const float scale = f32_hmax(amax4) / 127.0f;
    row_scales[b * 4] = scale;
    const f32x4 inv = f32_splat(scale > 0 ? 1.0f / scale : 0.0f);
    for (int64_t i = 0; i < w.block; i += 4) {
      // min(127, q) first and max(-127, .) after, as pmin / pmax: NaN (x * 0 for
      // an infinite scale, or a NaN weight) ends up 127.
      const f32x4 r = f32_max(lo, f32_min(hi, f32_round_even(f32_mul(f32_load(v + i), inv))));
      const uint32_t bytes = f32_to_i8x4(r);
      // Inputs 4c..4c+3 of this row sit at bytes 16c + {0, 1} and 16c + {8, 9}.
      uint8_t* chunk = dst + Q8Weights::input_offset(b * w.block + i);
      std::memcpy(chunk, &bytes, 2);
      std::memcpy(chunk + 8, reinterpret_cast<const uint8_t*>(&bytes) + 2, 2);
    }
  }
  // Padding inputs stay 0 whatever the last scale (a tiny one has 1 / scale = inf, and 0 * inf is NaN).
  for (int64_t i = w.k; i < w.k_padded(); ++i) dst[Q8Weights::input_offset(i)] = 0;
}

}  // namespace hubwasm::kernels
