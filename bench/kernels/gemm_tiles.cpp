// Why the f32 GEMM uses a 4x8 register tile (make bench-kernels, wasm only):
// the packed GEMM of src/kernels/gemm_f32_4x8_simd128.cpp re-written with the
// tile height and the blocking as parameters, timed on the encoders' FFN
// shapes. V8 maps SIMD128 values to the 16 xmm registers; a tile of MR rows
// holds 2*MR accumulators plus 2 panel vectors, a broadcast and a product.
// Prints one line per shape and variant: GFLOP/s, best of 5 runs of 5.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "kernels/simd128.h"

using namespace hubwasm::simd;

namespace {

struct Blocking {
  int64_t kc, nc, mc;
};

// C[0:MR, 0:8] (=|+=) A[0:MR, 0:kc] * panel ([kc][8]); k unrolled `Unroll` times.
template <int MR, int Unroll>
void micro(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc, bool first) {
  f32x4 acc[MR][2];
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = f32_zero();
#pragma clang loop unroll_count(Unroll)
  for (int64_t p = 0; p < kc; ++p) {
    const f32x4 b0 = f32_load(panel), b1 = f32_load(panel + 4);
    panel += 8;
#pragma unroll
    for (int i = 0; i < MR; ++i) {
      const f32x4 x = f32_splat_load(a + i * lda + p);
      acc[i][0] = f32_add(acc[i][0], f32_mul(x, b0));
      acc[i][1] = f32_add(acc[i][1], f32_mul(x, b1));
    }
  }
  for (int i = 0; i < MR; ++i) {
    float* row = c + i * ldc;
    f32_store(row, first ? acc[i][0] : f32_add(acc[i][0], f32_load(row)));
    f32_store(row + 4, first ? acc[i][1] : f32_add(acc[i][1], f32_load(row + 4)));
  }
}

// C = A * B^T for B stored [n, k]; m a multiple of MR and of the row block, n of 8.
template <int MR, int Unroll>
void gemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c, Blocking blk,
          std::vector<float>& packed) {
  packed.resize(static_cast<size_t>(blk.nc * blk.kc));
  for (int64_t jc = 0; jc < n; jc += blk.nc) {
    const int64_t nc = std::min(blk.nc, n - jc);
    for (int64_t pc = 0; pc < k; pc += blk.kc) {
      const int64_t kc = std::min(blk.kc, k - pc);
      for (int64_t jr = 0; jr < nc; jr += 8) {
        for (int64_t j = 0; j < 8; ++j) {
          for (int64_t p = 0; p < kc; ++p) packed[jr * kc + p * 8 + j] = b[(jc + jr + j) * k + pc + p];
        }
      }
      for (int64_t ic = 0; ic < m; ic += blk.mc) {
        const int64_t mc = std::min(blk.mc, m - ic);
        for (int64_t jr = 0; jr < nc; jr += 8) {
          for (int64_t ir = 0; ir < mc; ir += MR) {
            micro<MR, Unroll>(kc, a + (ic + ir) * k + pc, k, packed.data() + jr * kc, c + (ic + ir) * n + jc + jr, n,
                              pc == 0);
          }
        }
      }
    }
  }
}

struct Variant {
  const char* name;
  void (*run)(int64_t, int64_t, int64_t, const float*, const float*, float*, Blocking, std::vector<float>&);
  Blocking blocking;
};

}  // namespace

int main() {
  // Row counts divisible by every tile height and row block below (3, 4, 5, 6; 60, 64, 120).
  struct Shape {
    const char* name;
    int64_t m, n, k;
  };
  const Shape shapes[] = {{"bert ffn up 240x3072x768", 240, 3072, 768},
                          {"bert ffn down 240x768x3072", 240, 768, 3072},
                          {"minilm ffn up 480x1536x384", 480, 1536, 384}};
  const Variant variants[] = {
      {"4x8, kc 256 nc 512 mc 64 (the kernel's)", gemm<4, 1>, {256, 512, 64}},
      {"4x8, nc 256", gemm<4, 1>, {256, 256, 64}},
      {"4x8, kc 128", gemm<4, 1>, {128, 512, 64}},
      {"4x8, mc 120", gemm<4, 1>, {256, 512, 120}},
      {"4x8, k unrolled x2", gemm<4, 2>, {256, 512, 64}},
      {"3x8", gemm<3, 1>, {256, 512, 60}},
      {"5x8", gemm<5, 1>, {256, 512, 60}},
      {"6x8", gemm<6, 1>, {256, 512, 60}},
  };
  std::vector<float> packed;
  for (const Shape& s : shapes) {
    std::vector<float> a(static_cast<size_t>(s.m * s.k)), b(static_cast<size_t>(s.n * s.k)), c(static_cast<size_t>(s.m * s.n));
    for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(0.37f * static_cast<float>(i));
    for (size_t i = 0; i < b.size(); ++i) b[i] = std::cos(0.11f * static_cast<float>(i));
    std::vector<float> first;
    for (const Variant& v : variants) {
      v.run(s.m, s.n, s.k, a.data(), b.data(), c.data(), v.blocking, packed);
      if (first.empty()) {
        first = c;
      } else {
        double diff = 0;
        for (size_t i = 0; i < c.size(); ++i) diff = std::max(diff, static_cast<double>(std::fabs(c[i] - first[i])));
        if (diff > 1e-2) std::printf("MISMATCH %s: %g\n", v.name, diff);
      }
      double best = 1e30;
      for (int r = 0; r < 5; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int it = 0; it < 5; ++it) v.run(s.m, s.n, s.k, a.data(), b.data(), c.data(), v.blocking, packed);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 5);
      }
      std::printf("| gemm tiles | %s | %s | %.1f GFLOP/s |\n", s.name, v.name, 2.0 * s.m * s.n * s.k / best / 1e9);
    }
  }
  return 0;
}
