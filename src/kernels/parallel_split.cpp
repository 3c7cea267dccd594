// How the threaded entry points cut their work across parallel::parallel_for.
// Every cut falls where the single-threaded kernel would compute the same
// values the same way (whole 4- or 8-row groups, whole 8-column panels, whole
// output rows, whole KN row segments), so results do not depend on the thread
// count, bit for bit.
#include <algorithm>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace hubwasm::kernels {
namespace {

constexpr int64_t kGemmRowAlign = 4;  // the micro-kernel's row tile (MR)
constexpr int64_t kGemmColAlign = 8;  // its column panel (NR)
constexpr int64_t kGemvAlign = 8;     // whole q8 row groups (of 4), whole SIMD vectors

}  // namespace

void gemm_f32(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
              BLayout layout, const float* bias, float* c, int64_t ldc) {
  // Column j of op(B) starts at b + j * ldb (NK) or b + j (KN).
  const auto columns = [&](int64_t j) { return layout == BLayout::NK ? b + j * ldb : b + j; };
  const auto bias_at = [&](int64_t j) { return bias ? bias + j : nullptr; };
  if (m == 1 && layout == BLayout::KN) {  // decode, [k, n] weights: split the rows into segments
    float* sums = gemv_f32_kn_partials(n);  // the caller's buffer, filled by the workers
    parallel::parallel_for(kKnSegments, parallel::grain_for(n * k / kKnSegments), [&](int64_t s0, int64_t s1) {
      for (int64_t s = s0; s < s1; ++s) gemv_f32_kn_segment(n, k, a, b, ldb, s, sums + s * n);
    });
    gemv_f32_kn_sum(n, sums, bias, c);
  } else if (m == 1) {  // decode, [n, k] weights: split the outputs
    parallel::parallel_for(n, parallel::grain_for(k, kGemvAlign), [&](int64_t j0, int64_t j1) {
      gemv_f32(j1 - j0, k, a, columns(j0), ldb, layout, bias_at(j0), c + j0);
    });
  } else if (layout == BLayout::NK && m <= kNkDotMaxRows) {  // few rows: no packing, split the outputs
    parallel::parallel_for(n, parallel::grain_for(m * k, kGemmColAlign), [&](int64_t j0, int64_t j1) {
      gemm_f32_nk_dot(m, j1 - j0, k, a, lda, columns(j0), ldb, bias_at(j0), c + j0, ldc);
    });
  } else if (n >= m) {  // wide: each thread packs and sweeps its own column panels
    parallel::parallel_for(n, parallel::grain_for(m * k, kGemmColAlign), [&](int64_t j0, int64_t j1) {
      gemm_f32_4x8(m, j1 - j0, k, a, lda, columns(j0), ldb, layout, bias_at(j0), c + j0, ldc);
    });
  } else {  // tall (batches): split the rows
    parallel::parallel_for(m, parallel::grain_for(n * k, kGemmRowAlign), [&](int64_t i0, int64_t i1) {
      gemm_f32_4x8(i1 - i0, n, k, a + i0 * lda, lda, b, ldb, layout, bias, c + i0 * ldc, ldc);
    });
  }
}

void gemm_q8_parallel(int64_t m, const float* x, int64_t ldx, const Q8Weights& w, const float* bias, float* y,
                      int64_t ldy) {
  // Output rows o0..o1 (whole groups of 4) are a smaller Q8Weights.
  parallel::parallel_for(w.n, parallel::grain_for(m * w.k, kGemvAlign), [&](int64_t o0, int64_t o1) {
    Q8Weights part = w;
    part.q = w.q + w.row_offset(o0);
    part.scales = w.scales + (o0 / 4) * w.blocks() * 4;
    part.n = o1 - o0;
    gemm_q8(m, x, ldx, part, bias ? bias + o0 : nullptr, y + o0, ldy);
  });
}

}  // namespace hubwasm::kernels
