// f32 GEMM for few rows against [n, k] weights, 128-bit SIMD: dot products
// without packing. With few rows (a short sentence, a prompt, a small batch)
// the packed GEMM spends most of its time transposing the weights into
// panels, each used by only a few rows, and reads them as 8 interleaved
// strided streams. Here every pair of weight rows is read once, as two
// sequential streams, and dotted with 4 rows of A at a time (A stays in
// cache): per 4 inputs, 2 weight loads + 4 A loads feed 8 mul + 8 add.
#include <algorithm>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

constexpr int64_t MR = 4;  // rows of A per pass
constexpr int64_t NR = 2;  // weight rows per pass

// C[i, j] for i < mr, j < nr: dot(A row i, W row j) + bias[j]. Rows and
// weight rows past mr / nr repeat the first one; their results are dropped.
void dot_4x2(int64_t k, const float* a, int64_t lda, int64_t mr, const float* w, int64_t ldw, int64_t nr,
             const float* bias, float* c, int64_t ldc) {
  const float* a_rows[MR];
  for (int64_t i = 0; i < MR; ++i) a_rows[i] = a + (i < mr ? i : 0) * lda;
  const float* w0 = w;
  const float* w1 = nr > 1 ? w + ldw : w;
  f32x4 s00 = f32_zero(), s01 = f32_zero(), s10 = f32_zero(), s11 = f32_zero();
  f32x4 s20 = f32_zero(), s21 = f32_zero(), s30 = f32_zero(), s31 = f32_zero();
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const f32x4 b0 = f32_load(w0 + p), b1 = f32_load(w1 + p);
    f32x4 x = f32_load(a_rows[0] + p);
    s00 = f32_add(s00, f32_mul(x, b0));
    s01 = f32_add(s01, f32_mul(x, b1));
    x = f32_load(a_rows[1] + p);
    s10 = f32_add(s10, f32_mul(x, b0));
    s11 = f32_add(s11, f32_mul(x, b1));
    x = f32_load(a_rows[2] + p);
    s20 = f32_add(s20, f32_mul(x, b0));
    s21 = f32_add(s21, f32_mul(x, b1));
    x = f32_load(a_rows[3] + p);
    s30 = f32_add(s30, f32_mul(x, b0));
    s31 = f32_add(s31, f32_mul(x, b1));
  }
  const f32x4 sums[MR][NR] = {{s00, s01}, {s10, s11}, {s20, s21}, {s30, s31}};
  const float* w_rows[NR] = {w0, w1};
  for (int64_t i = 0; i < mr; ++i) {
    for (int64_t j = 0; j < nr; ++j) {
      float r = f32_hsum(sums[i][j]);
      for (int64_t q = p; q < k; ++q) r += a_rows[i][q] * w_rows[j][q];
      c[i * ldc + j] = bias ? r + bias[j] : r;
    }
  }
}

}  // namespace

void gemm_f32_nk_dot(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* w, int64_t ldw,
                     const float* bias, float* c, int64_t ldc) {
  // Weight rows outermost: each pair is read from memory once, then reused
  // from L1 by every 4-row group of A.
  for (int64_t j = 0; j < n; j += NR) {
    const int64_t nr = std::min(NR, n - j);
    const float* bias_j = bias ? bias + j : nullptr;
    for (int64_t i = 0; i < m; i += MR) {
      dot_4x2(k, a + i * lda, lda, std::min(MR, m - i), w + j * ldw, ldw, nr, bias_j, c + i * ldc + j, ldc);
    }
  }
}

}  // namespace hubwasm::kernels
