#include "kernels/exp_simd128.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {

namespace {

using namespace simd;

// Applies f to x[0..n) four floats at a time; the tail goes through the same
// vector code on a padded copy, so every element rounds alike.
template <typename F>
void map_f32(int64_t n, float* x, F f) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) f32_store(x + i, f(f32_load(x + i)));
  if (i < n) {
    float tail[4] = {0, 0, 0, 0};
    for (int64_t j = i; j < n; ++j) tail[j - i] = x[j];
    f32_store(tail, f(f32_load(tail)));
    for (int64_t j = i; j < n; ++j) x[j] = tail[j - i];
  }
}

// 1 / (1 + exp(-y)).
inline f32x4 sigmoid(f32x4 y) {
  const f32x4 one = f32_splat(1.0f);
  return f32_div(one, f32_add(one, exp_f32x4(f32_sub(f32_zero(), y))));
}

}  // namespace

void gelu_erf_f32(int64_t n, float* x) {
  // gelu(x) = x (1 - erfc(z) / 2) for x >= 0 and x erfc(z) / 2 below, z = |x| / sqrt(2),
  // which keeps the small negative side free of cancellation. erfc by
  // Abramowitz & Stegun 7.1.26: t (a1 + t (a2 + ...)) exp(-z^2), t = 1 / (1 + p z),
  // absolute error below 1.5e-7.
  map_f32(n, x, [](f32x4 v) {
    const f32x4 z = f32_mul(f32_abs(v), f32_splat(0.70710678118654752f));
    const f32x4 t = f32_div(f32_splat(1.0f), f32_add(f32_splat(1.0f), f32_mul(z, f32_splat(0.3275911f))));
    f32x4 p = f32_splat(1.061405429f);
    p = f32_add(f32_mul(p, t), f32_splat(-1.453152027f));
    p = f32_add(f32_mul(p, t), f32_splat(1.421413741f));
    p = f32_add(f32_mul(p, t), f32_splat(-0.284496736f));
    p = f32_add(f32_mul(p, t), f32_splat(0.254829592f));
    const f32x4 half_erfc =
        f32_mul(f32_mul(f32_mul(p, t), exp_f32x4(f32_sub(f32_zero(), f32_mul(z, z)))), f32_splat(0.5f));
    return f32_mul(v, f32_select_nonneg(v, f32_sub(f32_splat(1.0f), half_erfc), half_erfc));
  });
}

void gelu_tanh_f32(int64_t n, float* x) {
  // 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
  map_f32(n, x, [](f32x4 v) {
    const f32x4 cube = f32_mul(f32_mul(v, v), v);
    const f32x4 u2 = f32_mul(f32_add(v, f32_mul(cube, f32_splat(0.044715f))), f32_splat(2 * 0.7978845608028654f));
    return f32_mul(v, sigmoid(u2));
  });
}

void silu_f32(int64_t n, float* x) {
  map_f32(n, x, [](f32x4 v) { return f32_mul(v, sigmoid(v)); });
}

}  // namespace hubwasm::kernels
