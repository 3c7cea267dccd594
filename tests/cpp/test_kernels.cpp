// Kernels against plain reference loops (double accumulation), over shapes
// that hit every edge: m, n, k not multiples of the 4x8 tile, k > KC (256),
// n > NC (512), m == 1 (GEMV), m around the dot-product path's limit (64),
// short q8 blocks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/error.h"
#include "kernels/kernels.h"
#include "ops/linear_q8.h"
#include "test_random.h"

using namespace hubwasm;
using kernels::BLayout;

namespace {

// C = A * op(B) + bias, double accumulation.
std::vector<float> ref_gemm(int64_t m, int64_t n, int64_t k, const std::vector<float>& a, const std::vector<float>& b,
                            BLayout layout, const float* bias) {
  std::vector<float> c(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = bias ? bias[j] : 0.0;
      for (int64_t p = 0; p < k; ++p) s += double(a[i * k + p]) * (layout == BLayout::NK ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = static_cast<float>(s);
    }
  }
  return c;
}

double max_rel_err(const std::vector<float>& got, const std::vector<float>& want) {
  double amax = 0, err = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    amax = std::max(amax, std::fabs(double(want[i])));
    err = std::max(err, std::fabs(double(got[i]) - want[i]));
  }
  return err / std::max(amax, 1e-30);
}

}  // namespace

TEST_CASE("gemm_f32 (4x8 packed, NK dots) and gemv_f32 match a reference loop", "[kernels]") {
  struct Case {
    int64_t m, n, k;
  };
  const Case cases[] = {{1, 1, 1},      {1, 7, 5},      {1, 37, 300},   {1, 37, 131},   {1, 64, 384},   {2, 9, 3},
                        {3, 8, 8},      {4, 8, 256},    {5, 17, 257},   {16, 384, 384}, {32, 19, 70},
                        {33, 100, 513}, {65, 12, 100},  {7, 600, 70},   {64, 1030, 31}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    for (BLayout layout : {BLayout::NK, BLayout::KN}) {
      for (bool with_bias : {false, true}) {
        const auto a = random_floats(size_t(c.m * c.k), seed++);
        const auto b = random_floats(size_t(c.n * c.k), seed++);
        const auto bias = random_floats(size_t(c.n), seed++);
        const float* bp = with_bias ? bias.data() : nullptr;
        const auto want = ref_gemm(c.m, c.n, c.k, a, b, layout, bp);
        const int64_t ldb = layout == BLayout::NK ? c.k : c.n;
        std::vector<float> got(want.size(), 123.0f);
        kernels::gemm_f32(c.m, c.n, c.k, a.data(), c.k, b.data(), ldb, layout, bp, got.data(), c.n);
        INFO("m=" << c.m << " n=" << c.n << " k=" << c.k << " layout=" << int(layout) << " bias=" << with_bias);
        CHECK(max_rel_err(got, want) < 1e-5);
        // The tiled kernel itself, also for m == 1.
        std::vector<float> tiled(want.size(), -7.0f);
        kernels::gemm_f32_4x8(c.m, c.n, c.k, a.data(), c.k, b.data(), ldb, layout, bp, tiled.data(), c.n);
        CHECK(max_rel_err(tiled, want) < 1e-5);
        if (layout == BLayout::NK) {  // the unpacked few-rows kernel, for every m
          std::vector<float> dots(want.size(), 9.0f);
          kernels::gemm_f32_nk_dot(c.m, c.n, c.k, a.data(), c.k, b.data(), ldb, bp, dots.data(), c.n);
          CHECK(max_rel_err(dots, want) < 1e-5);
        }
        if (c.m == 1) {
          std::vector<float> gv(want.size(), 5.0f);
          kernels::gemv_f32(c.n, c.k, a.data(), b.data(), ldb, layout, bp, gv.data());
          CHECK(max_rel_err(gv, want) < 1e-5);
        }
      }
    }
  }
}

TEST_CASE("gemm_f32 honours leading dimensions (strided views)", "[kernels]") {
  // m = 6: the dot-product path (attention reads Q and K this way); m = 70: packed.
  for (const int64_t m : {6, 70}) {
    const int64_t n = 10, k = 12, lda = 20, ldb = 15, ldc = 13;
    const auto a = random_floats(size_t(m * lda), 91);
    const auto b = random_floats(size_t(n * ldb), 92);
    std::vector<float> ad(size_t(m * k)), bd(size_t(n * k));
    for (int64_t i = 0; i < m; ++i) std::copy_n(&a[i * lda], k, &ad[i * k]);
    for (int64_t j = 0; j < n; ++j) std::copy_n(&b[j * ldb], k, &bd[j * k]);
    const auto want = ref_gemm(m, n, k, ad, bd, BLayout::NK, nullptr);
    std::vector<float> c(size_t(m * ldc), 42.0f);
    kernels::gemm_f32(m, n, k, a.data(), lda, b.data(), ldb, BLayout::NK, nullptr, c.data(), ldc);
    std::vector<float> got(size_t(m * n));
    for (int64_t i = 0; i < m; ++i) std::copy_n(&c[i * ldc], n, &got[i * n]);
    INFO("m=" << m);
    CHECK(max_rel_err(got, want) < 1e-5);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = n; j < ldc; ++j) CHECK(c[i * ldc + j] == 42.0f);  // padding untouched
    }
  }
}

TEST_CASE("gemm_q8 (int16 activations, dot_i16x8) matches the dequantized reference", "[kernels][q8]") {
  struct Case {
    int64_t m, n, k, block;
  };
  const Case cases[] = {{1, 5, 32, 32},  {1, 64, 384, 32}, {1, 13, 100, 32}, {2, 9, 40, 16},
                        {3, 70, 64, 64}, {4, 8, 7, 32},    {9, 130, 768, 32}, {6, 11, 50, 24},
                        {5, 3, 4100, 2048}, {1, 50, 768, 16}, {5, 33, 96, 16}, {7, 6, 33, 4}};
  uint32_t seed = 100;
  for (const auto& c : cases) {
    const auto x = random_floats(size_t(c.m * c.k), seed++, 3.0f);
    const auto wf = random_floats(size_t(c.n * c.k), seed++, 0.1f);
    const auto bias = random_floats(size_t(c.n), seed++);
    Tensor wt = Tensor::zeros(DType::F32, {c.n, c.k});
    std::copy(wf.begin(), wf.end(), wt.f32());
    const LinearQ8 q = quantize_q8(wt, false, c.block);
    // Reference: the dequantized weights times float activations.
    std::vector<float> deq(size_t(c.n * c.k));
    for (int64_t o = 0; o < c.n; ++o) dequantize_row_q8(q, o, &deq[o * c.k]);
    // Each weight comes back within half a step (its block's max|w| / 254) of the original.
    for (int64_t o = 0; o < c.n; ++o) {
      for (int64_t i = 0; i < c.k; ++i) {
        const int64_t b0 = i / c.block * c.block, b1 = std::min(c.k, b0 + c.block);
        float amax = 0;
        for (int64_t j = b0; j < b1; ++j) amax = std::max(amax, std::fabs(wf[o * c.k + j]));
        REQUIRE(std::fabs(deq[o * c.k + i] - wf[o * c.k + i]) <= amax / 254 * 1.0001f);
      }
    }
    const auto want = ref_gemm(c.m, c.n, c.k, x, deq, BLayout::NK, bias.data());
    std::vector<float> got(want.size(), 9.0f);
    kernels::gemm_q8(c.m, x.data(), c.k, q.view(), bias.data(), got.data(), c.n);
    INFO("m=" << c.m << " n=" << c.n << " k=" << c.k << " block=" << c.block);
    // int16 activations: error ~ k * max|x| / 65534 * max|w|, relative ~1e-4.
    CHECK(max_rel_err(got, want) < 2e-4);
  }
}

static uint32_t f32_bits(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return u;
}

TEST_CASE("quantize_q8 refuses a block that is not a multiple of 4 up to 2048", "[kernels][q8]") {
  const Tensor w = Tensor::zeros(DType::F32, {4, 64});
  for (const int64_t block : {0, 6, 2052}) {
    try {
      quantize_q8(w, false, block);
      FAIL("block " << block << " accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::InvalidArgument);
      CHECK_THAT(e.what(), Catch::Contains("block " + std::to_string(block)));
    }
  }
}

TEST_CASE("quantize_q8 reads f16 and bf16 weights as their exact float32 widening", "[kernels][q8]") {
  // Widening is exact, so quantizing the 16-bit tensor must give the bytes and
  // scales of quantizing its float32 copy, stored (out, in) or transposed.
  const int64_t rows = 37, cols = 80;
  const auto values = random_floats(size_t(rows * cols), 5, 0.5f);
  for (const DType half : {DType::F16, DType::BF16}) {
    Tensor h = Tensor::zeros(half, {rows, cols});
    Tensor f = Tensor::zeros(DType::F32, {rows, cols});
    auto* bits = static_cast<uint16_t*>(h.mutable_data());
    for (int64_t i = 0; i < rows * cols; ++i) {
      bits[i] = half == DType::F16 ? f32_to_f16(values[i]) : static_cast<uint16_t>(f32_bits(values[i]) >> 16);
      f.f32()[i] = half == DType::F16 ? f16_to_f32(bits[i]) : bf16_to_f32(bits[i]);
    }
    for (const bool transposed : {false, true}) {
      INFO(dtype_name(half) << (transposed ? " transposed" : ""));
      const LinearQ8 a = quantize_q8(h, transposed, 16), b = quantize_q8(f, transposed, 16);
      REQUIRE(a.qweight.shape() == b.qweight.shape());
      CHECK(std::memcmp(a.qweight.data(), b.qweight.data(), a.qweight.nbytes()) == 0);
      CHECK(std::memcmp(a.scales.data(), b.scales.data(), a.scales.nbytes()) == 0);
    }
  }
}

TEST_CASE("softmax_rows_f32 matches softmax computed in double; masked scores weigh exactly 0", "[kernels]") {
  // Row lengths below, at and past the 4-lane width, with a stride wider than the row.
  for (const int64_t n : {1, 3, 4, 7, 64, 131}) {
    const int64_t rows = 5, ld = n + 3;
    std::vector<float> x = random_floats(size_t(rows * ld), 7 + uint32_t(n), 30.0f);
    for (int64_t i = 0; i < rows; ++i) x[i * ld + (i % n)] = std::numeric_limits<float>::lowest();  // a masked key
    const std::vector<float> in = x;
    kernels::softmax_rows_f32(rows, n, x.data(), ld);
    for (int64_t i = 0; i < rows; ++i) {
      const float* r = in.data() + i * ld;
      const double max = *std::max_element(r, r + n);
      double sum = 0;
      for (int64_t j = 0; j < n; ++j) sum += std::exp(double(r[j]) - max);
      for (int64_t j = 0; j < n; ++j) {
        const double want = std::exp(double(r[j]) - max) / sum;
        INFO("n=" << n << " row " << i << " col " << j << " got " << double(x[i * ld + j]) << " want " << want);
        if (n > 1 && j == i % n) CHECK(x[i * ld + j] == 0.0f);
        // A few ulp for exp and the sum, plus float rounding of (x - max), which
        // exp turns into a relative error of |x - max| * 2^-24.
        const double rel = 1e-6 + std::fabs(double(r[j]) - max) * 6e-8;
        CHECK(std::fabs(x[i * ld + j] - want) <= rel * want);
      }
      for (int64_t j = n; j < ld; ++j) CHECK(x[i * ld + j] == in[i * ld + j]);  // padding untouched
    }
  }
}

TEST_CASE("SIMD activations match their definitions computed in double", "[kernels]") {
  // 1001 points over [-12, 12] (odd count: a loop tail), plus 0 and the extremes.
  std::vector<float> x;
  for (int i = 0; i <= 1000; ++i) x.push_back(-12.0f + 24.0f * float(i) / 1000.0f);
  x.insert(x.end(), {0.0f, -87.0f, 87.0f, -1e30f, 1e30f});
  struct Case {
    const char* name;
    void (*kernel)(int64_t, float*);
    double (*want)(double);
  };
  const Case cases[] = {
      {"gelu_erf", kernels::gelu_erf_f32, [](double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }},
      {"gelu_tanh", kernels::gelu_tanh_f32,
       [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }},
      {"silu", kernels::silu_f32, [](double v) { return v / (1 + std::exp(-v)); }},
  };
  for (const Case& c : cases) {
    std::vector<float> y = x;
    c.kernel(int64_t(y.size()), y.data());
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = c.want(x[i]);
      INFO(c.name << "(" << x[i] << ") = " << y[i] << ", want " << want);
      // A&S 7.1.26 bounds erf's absolute error by 1.5e-7 (gelu_erf: 0.75e-7 |x|);
      // the sigmoid forms are within a few ulp of float (relative 1e-6).
      CHECK(std::fabs(y[i] - want) <= 1e-6 * std::fabs(want) + 1e-7 * std::fabs(double(x[i])) + 1e-30);
    }
  }
}
