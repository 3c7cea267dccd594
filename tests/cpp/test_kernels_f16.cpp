// fp16 weights: f32 -> f16 rounding against the compiler's _Float16 (when it
// has one) and against the definition (nearest half, ties to even), the SIMD
// widening against the scalar f16_to_f32 on all 65536 bit patterns, and
// gemm_f16 / gemv against a double loop over the widened weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/tensor.h"
#include "kernels/kernels_f16.h"
#include "ops/linear_f16.h"

using namespace hubwasm;

namespace {

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// The half nearest to f by the definition: compare with both neighbours.
void check_nearest(float f) {
  const uint16_t h = f32_to_f16(f);
  const double x = f, got = f16_to_f32(h);
  INFO("f = " << f << " -> 0x" << std::hex << h);
  if (std::isinf(got)) {
    REQUIRE(std::fabs(x) >= 65520.0);  // 65504 + half an ulp rounds to inf
    return;
  }
  for (int d : {-1, 1}) {
    const uint16_t n = static_cast<uint16_t>(h + d);
    if ((n & 0x7c00) == 0x7c00 || ((h & 0x7fff) == 0 && d < 0)) continue;  // past inf / across zero
    const double other = f16_to_f32(n);
    const double e = std::fabs(x - got), e2 = std::fabs(x - other);
    REQUIRE(e <= e2);
    if (e == e2) REQUIRE((h & 1) == 0);  // a tie goes to the even mantissa
  }
}

}  // namespace

TEST_CASE("f32_to_f16 rounds to the nearest half, ties to even", "[kernels][f16]") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) continue;  // NaN payloads
    REQUIRE(f32_to_f16(f16_to_f32(static_cast<uint16_t>(h))) == h);
  }
  REQUIRE((f32_to_f16(NAN) & 0x7fff) > 0x7c00);
  std::mt19937 gen(7);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 200000; ++i) {
    // Floats around the f16 range: exponents 2^-26 .. 2^17, both signs.
    const uint32_t b = (any(gen) & 0x807fffffu) | ((101u + any(gen) % 43u) << 23);
    float f;
    std::memcpy(&f, &b, 4);
    check_nearest(f);
#if defined(__FLT16_MAX__)
    REQUIRE(f32_to_f16(f) == [&] {
      const _Float16 ref = static_cast<_Float16>(f);
      uint16_t r;
      std::memcpy(&r, &ref, 2);
      return r;
    }());
#endif
  }
  // Exact ties between two halves: 1 + 2^-11 (to 1), 1 + 3 * 2^-11 (to 1 + 2^-9).
  check_nearest(1.0f + std::ldexp(1.0f, -11));
  check_nearest(1.0f + 3 * std::ldexp(1.0f, -11));
}

TEST_CASE("widen_f16 (integer SIMD) equals f16_to_f32 on every bit pattern", "[kernels][f16]") {
  std::vector<uint16_t> all(0x10000 + 5);  // + a tail shorter than a vector
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i * 0x9e37u);
  for (uint32_t h = 0; h < 0x10000; ++h) all[h] = static_cast<uint16_t>(h);
  std::vector<float> got(all.size());
  kernels::widen_f16(all.data(), static_cast<int64_t>(all.size()), got.data());
  for (size_t i = 0; i < all.size(); ++i) {
    const float want = f16_to_f32(all[i]);
    INFO("half 0x" << std::hex << all[i]);
    if (std::isnan(want)) {
      REQUIRE(std::isnan(got[i]));
    } else {
      REQUIRE(bits_of(got[i]) == bits_of(want));
    }
  }
}

TEST_CASE("narrow_f16 (integer SIMD) equals f32_to_f16 across every exponent, sign and rounding boundary", "[kernels][f16]") {
  // Every top 16 bits (sign, exponent, 7 mantissa bits) with low 16 bits that
  // put each of bits 12-15 (the dropped bits of normal halves, the rounding
  // position of subnormal ones) on or off, over 0, 1, 0x7ff or 0xfff below:
  // ties, just below and just above, odd and even kept bits. Then random
  // patterns, and a tail shorter than a vector.
  std::vector<float> all;
  for (uint32_t hi = 0; hi < 0x10000; ++hi) {
    for (uint32_t b = 0; b < 16; ++b) {
      for (const uint32_t low : {0u, 1u, 0x7ffu, 0xfffu}) {
        const uint32_t u = hi << 16 | b << 12 | low;
        float f;
        std::memcpy(&f, &u, 4);
        all.push_back(f);
      }
    }
  }
  std::mt19937 gen(11);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 100003; ++i) {
    const uint32_t u = any(gen);
    float f;
    std::memcpy(&f, &u, 4);
    all.push_back(f);
  }
  std::vector<uint16_t> got(all.size());
  kernels::narrow_f16(all.data(), static_cast<int64_t>(all.size()), got.data());
  size_t wrong = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (got[i] != f32_to_f16(all[i]) && wrong++ < 5) UNSCOPED_INFO("float bits 0x" << std::hex << bits_of(all[i]));
  }
  CHECK(wrong == 0);
}

TEST_CASE("gemm_f16 (GEMV and panel GEMM) matches a double loop over the widened weights", "[kernels][f16]") {
  struct Case {
    int64_t m, n, k;
  };
  const Case cases[] = {{1, 1, 1}, {1, 7, 5}, {1, 37, 300}, {1, 64, 384}, {2, 9, 3}, {5, 17, 257}, {33, 100, 513},
                        {7, 600, 70}, {4, 70, 4100}};
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> d(-1, 1);
  for (const auto& c : cases) {
    std::vector<float> x(c.m * c.k), w(c.n * c.k), bias(c.n);
    for (auto& v : x) v = d(gen);
    for (auto& v : w) v = d(gen);
    for (auto& v : bias) v = d(gen);
    Tensor wt = Tensor::zeros(DType::F32, {c.n, c.k});
    std::memcpy(wt.f32(), w.data(), w.size() * 4);
    const LinearF16 lw = to_linear_f16(wt, false, "w");
    const auto* h = static_cast<const uint16_t*>(lw.weight.data());
    REQUIRE(lw.finite);
    for (const bool finite : {true, false}) {  // both widening paths
      std::vector<float> y(c.m * c.n);
      kernels::gemm_f16(c.m, c.n, c.k, x.data(), c.k, h, finite, bias.data(), y.data(), c.n);
      double err = 0, amax = 0;
      for (int64_t i = 0; i < c.m; ++i) {
        for (int64_t j = 0; j < c.n; ++j) {
          double s = bias[j];
          for (int64_t p = 0; p < c.k; ++p) s += double(x[i * c.k + p]) * f16_to_f32(h[j * c.k + p]);
          err = std::max(err, std::fabs(s - y[i * c.n + j]));
          amax = std::max(amax, std::fabs(s));
        }
      }
      INFO("m " << c.m << " n " << c.n << " k " << c.k << " finite " << finite);
      REQUIRE(err <= 1e-5 * std::max(1.0, amax) * std::sqrt(double(c.k)));  // float32 summation error
    }
  }
  // Every finite bit pattern through the short GEMV path: x = one-hot picks column p of W.
  std::vector<uint16_t> all;
  for (uint32_t b = 0; b < 0x10000; ++b) {
    if ((b & 0x7c00) != 0x7c00) all.push_back(static_cast<uint16_t>(b));
  }
  const int64_t k = 8, n = static_cast<int64_t>(all.size()) / k;
  REQUIRE(kernels::f16_all_finite(all.data(), n * k));
  for (int64_t p = 0; p < k; ++p) {
    std::vector<float> x(k, 0.0f), y(n);
    x[p] = 1.0f;
    kernels::gemm_f16(1, n, k, x.data(), k, all.data(), true, nullptr, y.data(), n);
    for (int64_t j = 0; j < n; ++j) {
      INFO("half 0x" << std::hex << all[j * k + p]);
      REQUIRE(y[j] == f16_to_f32(all[j * k + p]));  // exact; -0 + 0 products compare equal
    }
  }
}

TEST_CASE("to_linear_f16 transposes Conv1D [in, out] weights and keeps f16 / bf16 inputs", "[kernels][f16]") {
  Tensor w = Tensor::zeros(DType::F32, {3, 2});  // (in 3, out 2)
  for (int i = 0; i < 6; ++i) w.f32()[i] = 0.5f * i;
  const LinearF16 t = to_linear_f16(w, true, "conv");
  REQUIRE(t.weight.shape() == Shape{2, 3});
  std::vector<float> row(3);
  widen_row_f16(t, 1, row.data());
  REQUIRE(row == std::vector<float>{0.5f, 1.5f, 2.5f});  // column 1 of w
  Tensor b = Tensor::zeros(DType::BF16, {1, 2});
  auto* bb = static_cast<uint16_t*>(b.mutable_data());
  bb[0] = 0x3f80;  // 1.0
  bb[1] = 0xc040;  // -3.0
  widen_row_f16(to_linear_f16(b, false, "bf16"), 0, row.data());
  REQUIRE(row[0] == 1.0f);
  REQUIRE(row[1] == -3.0f);
  REQUIRE_THROWS(to_linear_f16(Tensor::zeros(DType::I8, {2, 2}), false, "int8"));
  Tensor big = Tensor::zeros(DType::F32, {1, 2});
  big.f32()[1] = 1e6f;  // above 65504: an f16 Inf, so the kernels take the general path
  REQUIRE_FALSE(to_linear_f16(big, false, "big").finite);
}

TEST_CASE("to_linear_f16 rounds f32 weights with f32_to_f16 and keeps f16 bits, stored (out, in) or transposed", "[kernels][f16]") {
  // Shapes with partial 16-column tiles and rows shorter than a vector; f16
  // inputs are any bit pattern (NaN payloads included), kept as they are;
  // bf16 inputs are rounded as f32_to_f16 rounds their exact float value.
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> d(-2, 2);
  std::uniform_int_distribution<uint32_t> bits(0, 0xffff);
  for (const auto& [out, in] : {std::pair<int64_t, int64_t>{37, 21}, {16, 5}, {3, 40}, {50, 1},
                                {2 * weight_band_rows(8) + 3, 8}}) {  // the last in three bands of rows
    for (const DType dtype : {DType::F32, DType::F16, DType::BF16}) {
      for (const bool transposed : {false, true}) {
        Tensor w = transposed ? Tensor::zeros(dtype, {in, out}) : Tensor::zeros(dtype, {out, in});
        auto* h16 = static_cast<uint16_t*>(w.mutable_data());
        for (int64_t j = 0; j < out * in; ++j) {
          if (dtype == DType::F32) w.f32()[j] = d(gen);
          else h16[j] = static_cast<uint16_t>(bits(gen));
        }
        const LinearF16 t = to_linear_f16(w, transposed, "w");
        REQUIRE(t.weight.shape() == Shape{out, in});
        const auto* h = static_cast<const uint16_t*>(t.weight.data());
        size_t wrong = 0;
        for (int64_t o = 0; o < out; ++o) {
          for (int64_t i = 0; i < in; ++i) {
            const int64_t at = transposed ? i * out + o : o * in + i;
            const uint16_t want = dtype == DType::F32    ? f32_to_f16(w.f32()[at])
                                  : dtype == DType::F16 ? h16[at]
                                                        : f32_to_f16(bf16_to_f32(h16[at]));
            wrong += h[o * in + i] != want;
          }
        }
        INFO(out << "x" << in << " " << dtype_name(dtype) << (transposed ? " transposed" : ""));
        CHECK(wrong == 0);
      }
    }
  }
}
