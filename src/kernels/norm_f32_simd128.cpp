#include <cmath>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {

namespace {

using namespace simd;

// Double-precision sums over rows of floats, 8 values (4 chains of f64x2) per
// step: one chain would wait on the latency of each f64 add.
struct DoubleSums {
  f64x2 acc[4] = {f64_zero(), f64_zero(), f64_zero(), f64_zero()};
  double total() const { return f64_hsum(f64_add(f64_add(acc[0], acc[1]), f64_add(acc[2], acc[3]))); }
};

// x[i..i+4) (+ add[i..i+4), stored back to x when `add` is given).
inline f32x4 load_sum(float* x, const float* add, int64_t i) {
  f32x4 v = f32_load(x + i);
  if (add) {
    v = f32_add(v, f32_load(add + i));
    f32_store(x + i, v);
  }
  return v;
}

// x += add when `add` is given; returns the sum over the (new) x of x - center,
// or of (x - center)^2 with kSquares, in double.
template <bool kSquares>
double add_and_sum(int64_t n, float* x, const float* add, double center) {
  const f64x2 c = f64_splat(center);
  const auto term = [&](f64x2 v) {
    const f64x2 d = f64_sub(v, c);
    return kSquares ? f64_mul(d, d) : d;
  };
  DoubleSums s;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const f32x4 a = load_sum(x, add, i), b = load_sum(x, add, i + 4);
    s.acc[0] = f64_add(s.acc[0], term(f64_from_low(a)));
    s.acc[1] = f64_add(s.acc[1], term(f64_from_high(a)));
    s.acc[2] = f64_add(s.acc[2], term(f64_from_low(b)));
    s.acc[3] = f64_add(s.acc[3], term(f64_from_high(b)));
  }
  double sum = s.total();
  for (; i < n; ++i) {
    if (add) x[i] += add[i];
    const double d = x[i] - center;
    sum += kSquares ? d * d : d;
  }
  return sum;
}

}  // namespace

void layer_norm_row_f32(int64_t n, float* x, const float* add, const float* gamma, const float* beta, float eps,
                        float* out) {
  const double mean = add_and_sum<false>(n, x, add, 0.0) / static_cast<double>(n);
  const double var = add_and_sum<true>(n, x, nullptr, mean) / static_cast<double>(n);
  const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
  const float m = static_cast<float>(mean);
  const f32x4 vm = f32_splat(m), vinv = f32_splat(inv);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const f32x4 scaled = f32_mul(f32_mul(f32_sub(f32_load(x + i), vm), vinv), f32_load(gamma + i));
    f32_store(out + i, f32_add(scaled, f32_load(beta + i)));
  }
  for (; i < n; ++i) out[i] = (x[i] - m) * inv * gamma[i] + beta[i];
}

void rms_norm_row_f32(int64_t n, float* x, const float* add, const float* weight, bool unit_offset, float eps,
                      float* out) {
  const double mean_square = add_and_sum<true>(n, x, add, 0.0) / static_cast<double>(n);
  const float inv = static_cast<float>(1.0 / std::sqrt(mean_square + eps));
  const f32x4 vinv = f32_splat(inv), one = f32_splat(1.0f);
  int64_t i = 0;
  if (unit_offset) {  // Gemma: the weight is stored as an offset from 1
    for (; i + 4 <= n; i += 4) {
      f32_store(out + i, f32_mul(f32_mul(f32_load(x + i), vinv), f32_add(one, f32_load(weight + i))));
    }
    for (; i < n; ++i) out[i] = (x[i] * inv) * (1.0f + weight[i]);
  } else {
    for (; i + 4 <= n; i += 4) f32_store(out + i, f32_mul(f32_load(weight + i), f32_mul(f32_load(x + i), vinv)));
    for (; i < n; ++i) out[i] = weight[i] * (x[i] * inv);
  }
}

}  // namespace hubwasm::kernels
