// f32 GEMM for few rows against [n, k] weights, 128-bit SIMD: dot products
// without packing. With few rows (a short sentence, a prompt, a small batch)
// the packed GEMM spends most of its time transposing the weights into
// panels, each used by only a few rows, and reads them as 8 interleaved
// strided streams. Here every 4 weight rows are read once, as 4 sequential
// streams a quarter of the matrix apart (far_rows.h), and dotted with 2 rows
// of A at a time (A stays in cache): per 4 inputs, 4 weight loads + 2 A loads
// feed 8 mul + 8 add. Wasm, 16 x 3072 x 768 from memory: 32.2 GFLOP/s (4
// adjacent weight rows: 28.1; 4 rows of A x 2 weight rows: 23.5).
#include <algorithm>

#include "kernels/far_rows.h"
#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

constexpr int64_t MR = 2;  // rows of A per pass
constexpr int64_t NR = 4;  // weight rows per pass

// C[i, cols[j]] for i < mr, j < nr: dot(A row i, W row cols[j]) + bias[cols[j]].
// Rows and weight rows past mr / nr repeat the first one; their results are dropped.
void dot_2x4(int64_t k, const float* a, int64_t lda, int64_t mr, const float* w, int64_t ldw, const int64_t* cols,
             int64_t nr, const float* bias, float* c, int64_t ldc) {
  const float* a0 = a;
  const float* a1 = mr > 1 ? a + lda : a;
  const float* w_rows[NR];
  for (int64_t j = 0; j < NR; ++j) w_rows[j] = w + cols[j < nr ? j : 0] * ldw;
  f32x4 s00 = f32_zero(), s01 = f32_zero(), s02 = f32_zero(), s03 = f32_zero();
  f32x4 s10 = f32_zero(), s11 = f32_zero(), s12 = f32_zero(), s13 = f32_zero();
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const f32x4 x0 = f32_load(a0 + p), x1 = f32_load(a1 + p);
    f32x4 b = f32_load(w_rows[0] + p);
    s00 = f32_add(s00, f32_mul(x0, b));
    s10 = f32_add(s10, f32_mul(x1, b));
    b = f32_load(w_rows[1] + p);
    s01 = f32_add(s01, f32_mul(x0, b));
    s11 = f32_add(s11, f32_mul(x1, b));
    b = f32_load(w_rows[2] + p);
    s02 = f32_add(s02, f32_mul(x0, b));
    s12 = f32_add(s12, f32_mul(x1, b));
    b = f32_load(w_rows[3] + p);
    s03 = f32_add(s03, f32_mul(x0, b));
    s13 = f32_add(s13, f32_mul(x1, b));
  }
  const f32x4 sums[MR][NR] = {{s00, s01, s02, s03}, {s10, s11, s12, s13}};
  const float* a_rows[MR] = {a0, a1};
  for (int64_t i = 0; i < mr; ++i) {
    for (int64_t j = 0; j < nr; ++j) {
      float r = f32_hsum(sums[i][j]);
      for (int64_t q = p; q < k; ++q) r += a_rows[i][q] * w_rows[j][q];
      c[i * ldc + cols[j]] = bias ? r + bias[cols[j]] : r;
    }
  }
}

}  // namespace

void gemm_f32_nk_dot(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* w, int64_t ldw,
                     const float* bias, float* c, int64_t ldc) {
  // Weight rows outermost: each group of 4 (a quarter of the matrix apart,
  // far_rows.h) is read from memory once, then reused from L1 by every pair
  // of rows of A.
  const auto pass = [&](const int64_t* cols, int64_t nr) {
    for (int64_t i = 0; i < m; i += MR) {
      dot_2x4(k, a + i * lda, lda, std::min(MR, m - i), w, ldw, cols, nr, bias, c + i * ldc, ldc);
    }
  };
  for_rows_a_quarter_apart(0, n, [&](const int64_t* cols, auto R) { pass(cols, decltype(R)::value); });
}

}  // namespace hubwasm::kernels
