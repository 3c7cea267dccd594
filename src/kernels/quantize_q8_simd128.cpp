#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {

using namespace simd;

namespace {

// Per-lane 1 / (max|x| / 127) (0 where the scale is 0) for lanes of |x| maxima; stores the scales.
f32x4 inverse_scales(f32x4 amax, float* group_scales) {
  const f32x4 scale = f32_div(amax, f32_splat(127.0f));
  f32_store(group_scales, scale);
  return f32_div_or_zero(f32_splat(1.0f), scale);
}

// round(v * inv) clamped to [-127, 127] as pmin / pmax do (NaN gives 127).
f32x4 quantize4(f32x4 v, f32x4 inv) {
  return f32_max(f32_splat(-127.0f), f32_min(f32_splat(127.0f), f32_round_even(f32_mul(v, inv))));
}

}  // namespace

void quantize_group_q8(const float* const rows[4], int64_t g, const Q8Weights& w, int8_t* q, float* scales) {
  const int64_t blocks = w.blocks();
  int8_t* dst = q + g * 4 * w.k_padded();
  for (int64_t b = 0; b < blocks; ++b) {
    float amax[4];
    for (int r = 0; r < 4; ++r) {
      f32x4 m = f32_zero();
      for (int64_t i = 0; i < w.block; i += 4) m = f32_max(m, f32_abs(f32_load(rows[r] + b * w.block + i)));
      amax[r] = f32_hmax(m);
    }
    const f32x4 inv = inverse_scales(f32_load(amax), scales + (g * blocks + b) * 4);
    float inv_lane[4];
    f32_store(inv_lane, inv);
    for (int64_t i = b * w.block; i < (b + 1) * w.block; i += 4) {
      f32x4 v[4];
      for (int r = 0; r < 4; ++r) v[r] = quantize4(f32_load(rows[r] + i), f32_splat(inv_lane[r]));
      if (i + 4 > w.k) {
        // Padding inputs stay 0 whatever the scale (0 * inf would be NaN, stored as 127).
        for (auto& x : v) {
          float lanes[4];
          f32_store(lanes, x);
          for (int64_t j = std::max<int64_t>(0, w.k - i); j < 4; ++j) lanes[j] = 0.0f;
          x = f32_load(lanes);
        }
      }
      store_q8_chunk(dst + i * 4, v[0], v[1], v[2], v[3]);
    }
  }
}

void quantize_group_q8_kn(const float* kn, int64_t ldkn, int64_t g, const Q8Weights& w, int8_t* q, float* scales) {
  const int64_t blocks = w.blocks();
  const float* col = kn + 4 * g;  // input i of the group's 4 rows: col[i * ldkn .. + 3]
  int8_t* dst = q + g * 4 * w.k_padded();
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * w.block, end = begin + w.block;
    f32x4 amax = f32_zero();  // lane r: row r's maximum
    for (int64_t i = begin; i < std::min(end, w.k); ++i) amax = f32_max(amax, f32_abs(f32_load(col + i * ldkn)));
    const f32x4 inv = inverse_scales(amax, scales + (g * blocks + b) * 4);
    // Padding inputs stay 0 whatever the scale (0 * inf would be NaN, stored as 127).
    const auto quantized = [&](int64_t i) { return i < w.k ? quantize4(f32_load(col + i * ldkn), inv) : f32_zero(); };
    for (int64_t i = begin; i < end; i += 4) {
      // Lanes are rows here; transposed, each vector is one row's 4 inputs.
      f32x4 v0 = quantized(i), v1 = quantized(i + 1), v2 = quantized(i + 2), v3 = quantized(i + 3);
      f32_transpose4(v0, v1, v2, v3);
      store_q8_chunk(dst + i * 4, v0, v1, v2, v3);
    }
  }
}

}  // namespace hubwasm::kernels
