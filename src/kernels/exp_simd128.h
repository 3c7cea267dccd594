// exp over four floats, for softmax and the activations: Cephes' expf
// (range reduction to |r| <= ln2/2, a degree-6 polynomial, times 2^n), about
// 2 ulp. Inputs below kExpLow give exactly 0, as float32 exp underflows.
#pragma once

#include "kernels/simd128.h"

namespace hubwasm::kernels {

constexpr float kExpLow = -87.33654f, kExpHigh = 88.37626f;

inline simd::f32x4 exp_f32x4(simd::f32x4 x) {
  using namespace simd;
  const f32x4 low = f32_splat(kExpLow);
  const f32x4 clamped = f32_min(f32_max(x, low), f32_splat(kExpHigh));
  // Round to nearest by the 1.5 * 2^23 trick (exact for |v| < 2^22).
  const f32x4 magic = f32_splat(12582912.0f);
  const f32x4 n = f32_sub(f32_add(f32_mul(clamped, f32_splat(1.44269504088896341f)), magic), magic);
  f32x4 r = f32_sub(clamped, f32_mul(n, f32_splat(0.693359375f)));
  r = f32_sub(r, f32_mul(n, f32_splat(-2.12194440e-4f)));
  f32x4 p = f32_splat(1.9875691500e-4f);
  p = f32_add(f32_mul(p, r), f32_splat(1.3981999507e-3f));
  p = f32_add(f32_mul(p, r), f32_splat(8.3334519073e-3f));
  p = f32_add(f32_mul(p, r), f32_splat(4.1665795894e-2f));
  p = f32_add(f32_mul(p, r), f32_splat(1.6666665459e-1f));
  p = f32_add(f32_mul(p, r), f32_splat(5.0000001201e-1f));
  p = f32_add(f32_add(f32_mul(p, f32_mul(r, r)), r), f32_splat(1.0f));
  return f32_keep_ge(f32_mul(p, f32_pow2(n)), x, low);
}

// The same function for one float (loop tails), so tails round like the body.
inline float exp_f32(float x) {
  float lanes[4] = {x, x, x, x};
  simd::f32_store(lanes, exp_f32x4(simd::f32_load(lanes)));
  return lanes[0];
}

}  // namespace hubwasm::kernels
