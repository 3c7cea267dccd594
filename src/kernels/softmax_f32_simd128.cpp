#include <cmath>

#include "kernels/kernels.h"
#include "kernels/exp_simd128.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {

namespace {

using namespace simd;

void softmax_row(int64_t n, float* x) {
  int64_t j = 0;
  f32x4 vmax = f32_splat(-INFINITY);
  for (; j + 4 <= n; j += 4) vmax = f32_max(vmax, f32_load(x + j));
  float max = f32_hmax(vmax);
  for (; j < n; ++j) max = std::max(max, x[j]);

  const f32x4 shift = f32_splat(max);
  f32x4 vsum = f32_zero();
  for (j = 0; j + 4 <= n; j += 4) {
    const f32x4 e = exp_f32x4(f32_sub(f32_load(x + j), shift));
    f32_store(x + j, e);
    vsum = f32_add(vsum, e);
  }
  float sum = f32_hsum(vsum);
  for (; j < n; ++j) {
    x[j] = exp_f32(x[j] - max);
    sum += x[j];
  }

  const f32x4 inv = f32_splat(1.0f / sum);
  for (j = 0; j + 4 <= n; j += 4) f32_store(x + j, f32_mul(f32_load(x + j), inv));
  for (; j < n; ++j) x[j] *= 1.0f / sum;
}

}  // namespace

void softmax_rows_f32(int64_t rows, int64_t n, float* x, int64_t ld) {
  for (int64_t i = 0; i < rows; ++i) softmax_row(n, x + i * ld);
}

}  // namespace hubwasm::kernels
