// f32 GEMM, 4x8 register tile, 128-bit SIMD (wasm SIMD128 / native vectors).
//
// BLIS-style loops: for each NC-column block of B and each KC-deep slice,
// the slice is packed once into 8-column panels ([kc][8], zero-padded at the
// right edge); every 4-row strip of A then runs the micro-kernel against each
// panel. The micro-kernel keeps the 4x8 tile of C in 8 vector registers and
// per k does 2 panel loads, 4 broadcasts of A and 8 mul + 8 add (no FMA in
// SIMD128 without relaxed SIMD; natively the same mul + add).
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/simd128.h"

namespace hubwasm::kernels {
namespace {

using namespace simd;

constexpr int64_t MR = 4, NR = 8;
constexpr int64_t KC = 256;  // panel depth: a 4xKC strip of A (4 KB) and a KCx8 panel (8 KB) stay in L1
constexpr int64_t NC = 512;  // packed block: KC x NC floats = 512 KB, in L2
constexpr int64_t MC = 64;   // rows of A swept against one packed block before the next panel

// dst: panels of 8 columns, each [kc][8]; columns >= nc are zero.
void pack_b(const float* b, int64_t ldb, BLayout layout, int64_t n0, int64_t nc, int64_t k0, int64_t kc, float* dst) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    float* panel = dst + jr * kc;
    const int64_t nr = std::min(NR, nc - jr);
    if (layout == BLayout::NK) {
      for (int64_t j = 0; j < nr; ++j) {
        const float* src = b + (n0 + jr + j) * ldb + k0;
        for (int64_t p = 0; p < kc; ++p) panel[p * NR + j] = src[p];
      }
      for (int64_t j = nr; j < NR; ++j) {
        for (int64_t p = 0; p < kc; ++p) panel[p * NR + j] = 0.0f;
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b + (k0 + p) * ldb + n0 + jr;
        float* d = panel + p * NR;
        if (nr == NR) {
          f32_store(d, f32_load(src));
          f32_store(d + 4, f32_load(src + 4));
        } else {
          for (int64_t j = 0; j < NR; ++j) d[j] = j < nr ? src[j] : 0.0f;
        }
      }
    }
  }
}

// C[0:mr, 0:nr] (=|+=) A[0:mr, 0:kc] * panel (+ bias when `first`).
void micro_4x8(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc, int64_t mr,
               int64_t nr, bool first, const float* bias) {
  // Rows past mr read row 0 again; their results are dropped.
  const float* a0 = a;
  const float* a1 = mr > 1 ? a + lda : a;
  const float* a2 = mr > 2 ? a + 2 * lda : a;
  const float* a3 = mr > 3 ? a + 3 * lda : a;
  f32x4 c00 = f32_zero(), c01 = f32_zero(), c10 = f32_zero(), c11 = f32_zero();
  f32x4 c20 = f32_zero(), c21 = f32_zero(), c30 = f32_zero(), c31 = f32_zero();
  for (int64_t p = 0; p < kc; ++p) {
    const f32x4 b0 = f32_load(panel), b1 = f32_load(panel + 4);
    panel += NR;
    f32x4 x = f32_splat_load(a0 + p);
    c00 = f32_add(c00, f32_mul(x, b0));
    c01 = f32_add(c01, f32_mul(x, b1));
    x = f32_splat_load(a1 + p);
    c10 = f32_add(c10, f32_mul(x, b0));
    c11 = f32_add(c11, f32_mul(x, b1));
    x = f32_splat_load(a2 + p);
    c20 = f32_add(c20, f32_mul(x, b0));
    c21 = f32_add(c21, f32_mul(x, b1));
    x = f32_splat_load(a3 + p);
    c30 = f32_add(c30, f32_mul(x, b0));
    c31 = f32_add(c31, f32_mul(x, b1));
  }
  if (mr == MR && nr == NR) {
    f32x4 add0 = f32_zero(), add1 = f32_zero();
    if (first && bias) {
      add0 = f32_load(bias);
      add1 = f32_load(bias + 4);
    }
    float* r0 = c;
    float* r1 = c + ldc;
    float* r2 = c + 2 * ldc;
    float* r3 = c + 3 * ldc;
    if (!first) {
      f32_store(r0, f32_add(c00, f32_load(r0)));
      f32_store(r0 + 4, f32_add(c01, f32_load(r0 + 4)));
      f32_store(r1, f32_add(c10, f32_load(r1)));
      f32_store(r1 + 4, f32_add(c11, f32_load(r1 + 4)));
      f32_store(r2, f32_add(c20, f32_load(r2)));
      f32_store(r2 + 4, f32_add(c21, f32_load(r2 + 4)));
      f32_store(r3, f32_add(c30, f32_load(r3)));
      f32_store(r3 + 4, f32_add(c31, f32_load(r3 + 4)));
    } else {
      f32_store(r0, f32_add(c00, add0));
      f32_store(r0 + 4, f32_add(c01, add1));
      f32_store(r1, f32_add(c10, add0));
      f32_store(r1 + 4, f32_add(c11, add1));
      f32_store(r2, f32_add(c20, add0));
      f32_store(r2 + 4, f32_add(c21, add1));
      f32_store(r3, f32_add(c30, add0));
      f32_store(r3 + 4, f32_add(c31, add1));
    }
    return;
  }
  float tile[MR * NR];
  f32_store(tile + 0, c00);
  f32_store(tile + 4, c01);
  f32_store(tile + 8, c10);
  f32_store(tile + 12, c11);
  f32_store(tile + 16, c20);
  f32_store(tile + 20, c21);
  f32_store(tile + 24, c30);
  f32_store(tile + 28, c31);
  for (int64_t i = 0; i < mr; ++i) {
    float* row = c + i * ldc;
    for (int64_t j = 0; j < nr; ++j) {
      const float v = tile[i * NR + j];
      row[j] = first ? v + (bias ? bias[j] : 0.0f) : row[j] + v;
    }
  }
}

}  // namespace

void gemm_f32_4x8(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb,
                  BLayout layout, const float* bias, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = bias ? bias[j] : 0.0f;
    }
    return;
  }
  // Scratch for one packed block, reused across calls (grows once).
  thread_local std::vector<float> packed;
  const int64_t nc_max = std::min(NC, (n + NR - 1) / NR * NR), kc_max = std::min(KC, k);
  if (static_cast<int64_t>(packed.size()) < nc_max * kc_max) packed.resize(static_cast<size_t>(nc_max * kc_max));
  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      const bool first = pc == 0;
      pack_b(b, ldb, layout, jc, nc, pc, kc, packed.data());
      for (int64_t ic = 0; ic < m; ic += MC) {
        const int64_t mc = std::min(MC, m - ic);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = std::min(NR, nc - jr);
          const float* panel = packed.data() + jr * kc;
          const float* bias_j = bias ? bias + jc + jr : nullptr;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = std::min(MR, mc - ir);
            micro_4x8(kc, a + (ic + ir) * lda + pc, lda, panel, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, first,
                      bias_j);
          }
        }
      }
    }
  }
}

const char* simd_isa() { return HUBWASM_SIMD_ISA; }

}  // namespace hubwasm::kernels
