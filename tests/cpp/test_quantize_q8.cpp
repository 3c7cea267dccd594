// quantize_q8 (the SIMD row quantizer behind it) against the q8 format
// written out from its definition here, byte for byte, on f32 / f16 / bf16
// weights stored (out, in) and transposed, over blocks chosen to hit every
// edge: all zeros, exact .5 ties, huge and tiny (subnormal) magnitudes,
// infinities, NaN, and sizes that leave partial blocks and partial row groups.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "ops/linear_q8.h"

using namespace hubwasm;

namespace {

struct RefQ8 {
  std::vector<int8_t> q;
  std::vector<float> scales;
};

// The format (linear_q8.h, kernels::Q8Weights): per (row, block of `block`
// inputs) scale = max |w| over the block's non-NaN values / 127; q = w times
// (1 / scale), or times 0 when scale is 0, rounded half to even, NaN giving
// 127, clamped to [-127, 127]. Rows in groups of 4, inputs padded to whole
// blocks: W[row, i] at byte g * 4 * k_padded + 16 (i / 4) + 8 (i % 4 / 2) +
// 2 (row % 4) + i % 2 with g = row / 4; scale of (row, block b) at
// (g * blocks + b) * 4 + row % 4; every other byte and scale 0.
RefQ8 reference_q8(const std::vector<float>& w, int64_t out, int64_t in, int64_t block) {
  const int64_t blocks = (in + block - 1) / block, k_padded = blocks * block, groups = (out + 3) / 4;
  RefQ8 r{std::vector<int8_t>(size_t(groups * 4 * k_padded), 0), std::vector<float>(size_t(groups * blocks * 4), 0.0f)};
  for (int64_t o = 0; o < out; ++o) {
    const int64_t g = o / 4;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t begin = b * block, end = std::min(in, begin + block);
      float amax = 0;
      for (int64_t i = begin; i < end; ++i) {
        if (!std::isnan(w[o * in + i])) amax = std::max(amax, std::fabs(w[o * in + i]));
      }
      const float scale = amax / 127.0f;
      const float inv = scale > 0 ? 1.0f / scale : 0.0f;
      r.scales[size_t((g * blocks + b) * 4 + o % 4)] = scale;
      for (int64_t i = begin; i < end; ++i) {
        const float v = w[o * in + i] * inv;
        const float q = std::isnan(v) ? 127.0f : std::min(127.0f, std::max(-127.0f, std::nearbyint(v)));
        r.q[size_t(g * 4 * k_padded + 16 * (i / 4) + 8 * (i % 4 / 2) + 2 * (o % 4) + i % 2)] = static_cast<int8_t>(q);
      }
    }
  }
  return r;
}

// Weights (out, in) row-major; each block of `block` inputs gets one kind of content.
std::vector<float> edge_case_weights(int64_t out, int64_t in, int64_t block, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-149, 127), kind(0, 8), pick(0, 1 << 20);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> w(size_t(out * in));
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t begin = 0; begin < in; begin += block) {
      const int64_t end = std::min(in, begin + block);
      const int k = kind(gen);
      const int e = exponent(gen);
      for (int64_t i = begin; i < end; ++i) {
        float& v = w[size_t(o * in + i)];
        switch (k) {
          case 0: v = 0.0f; break;                                                   // all zero
          case 1: v = std::ldexp(unit(gen), e); break;                               // any magnitude
          case 2: v = std::ldexp(unit(gen), -140); break;                            // subnormal: 1 / scale = inf
          case 3: v = i == begin ? 127.0f : std::floor(unit(gen) * 127.0f) + 0.5f; break;  // scale 1, ties
          case 4: v = i == end - 1 ? nan : unit(gen); break;                         // NaN among values
          case 5: v = pick(gen) % 3 == 0 ? (pick(gen) % 2 ? inf : -inf) : unit(gen); break;
          case 6: v = pick(gen) % 2 ? std::numeric_limits<float>::max() : -unit(gen) * 3e38f; break;
          case 7: v = pick(gen) % 4 == 0 ? 0.0f : unit(gen) * 1e-3f; break;          // zeros among values
          default: v = nan; break;                                                   // all NaN: scale 0
        }
      }
    }
  }
  return w;
}

uint16_t to_bf16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return static_cast<uint16_t>(bits >> 16);
}

// The weights as a tensor of `dtype`, stored (out, in) or transposed (in, out);
// `w` becomes the exact float32 values the tensor holds.
Tensor store(std::vector<float>& w, int64_t out, int64_t in, DType dtype, bool transposed) {
  Tensor t = transposed ? Tensor::zeros(dtype, {in, out}) : Tensor::zeros(dtype, {out, in});
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t i = 0; i < in; ++i) {
      float& v = w[size_t(o * in + i)];
      const int64_t at = transposed ? i * out + o : o * in + i;
      if (dtype == DType::F32) {
        t.f32()[at] = v;
        continue;
      }
      const uint16_t h = dtype == DType::F16 ? f32_to_f16(v) : to_bf16(v);
      static_cast<uint16_t*>(t.mutable_data())[at] = h;
      v = dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
    }
  }
  return t;
}

}  // namespace

TEST_CASE("quantize_q8 gives the q8 format's bytes and scales for every kind of block", "[kernels][q8]") {
  struct Case {
    int64_t out, in, block;
  };
  const Case cases[] = {{5, 37, 16}, {4, 3, 4},    {9, 100, 32}, {1, 2053, 2048}, {13, 64, 64},
                        {7, 50, 24}, {33, 768, 16}, {2, 16, 16}, {70, 130, 16}, {6, 9, 4},
                        {2 * weight_band_rows(64) + 5, 64, 16},   // three bands of rows
                        {2 * weight_band_rows(37) + 5, 37, 16}};  // the same with padded rows
  uint32_t seed = 7;
  for (const auto& c : cases) {
    for (const DType dtype : {DType::F32, DType::F16, DType::BF16}) {
      for (const bool transposed : {false, true}) {
        std::vector<float> w = edge_case_weights(c.out, c.in, c.block, seed++);
        const Tensor t = store(w, c.out, c.in, dtype, transposed);
        const RefQ8 want = reference_q8(w, c.out, c.in, c.block);
        const LinearQ8 got = quantize_q8(t, transposed, c.block);
        INFO(c.out << "x" << c.in << " block " << c.block << " " << dtype_name(dtype) << (transposed ? " transposed" : ""));
        REQUIRE(size_t(got.qweight.nbytes()) == want.q.size());
        REQUIRE(size_t(got.scales.numel()) == want.scales.size());
        const auto* q = static_cast<const int8_t*>(got.qweight.data());
        size_t q_diff = 0, scale_diff = 0;
        for (size_t j = 0; j < want.q.size(); ++j) q_diff += q[j] != want.q[j];
        for (size_t j = 0; j < want.scales.size(); ++j) {
          scale_diff += std::memcmp(&got.scales.f32()[j], &want.scales[j], sizeof(float)) != 0;
        }
        CHECK(q_diff == 0);
        CHECK(scale_diff == 0);
      }
    }
  }
}

TEST_CASE("quantize_q8_rows reads an (out, in) weight a band of rows at a time", "[kernels][q8]") {
  const int64_t in = 48, out = 3 * weight_band_rows(in) + 7;
  std::vector<float> w = edge_case_weights(out, in, 16, 99);
  const Tensor t = store(w, out, in, DType::F32, false);
  std::vector<std::pair<int64_t, int64_t>> reads;
  const LinearQ8 banded = quantize_q8_rows(out, in, [&](int64_t begin, int64_t end) {
    reads.emplace_back(begin, end);
    return t.slice_rows(begin, end);
  }, 16, "w");
  // Consecutive bands of at most weight_band_rows rows cover every row once.
  REQUIRE(reads.size() == 4);
  for (size_t i = 0; i < reads.size(); ++i) {
    CHECK(reads[i].first == (i ? reads[i - 1].second : 0));
    CHECK(reads[i].second - reads[i].first <= weight_band_rows(in));
  }
  CHECK(reads.back().second == out);
  const RefQ8 want = reference_q8(w, out, in, 16);
  REQUIRE(size_t(banded.qweight.nbytes()) == want.q.size());
  CHECK(std::memcmp(banded.qweight.data(), want.q.data(), want.q.size()) == 0);
  CHECK(std::memcmp(banded.scales.data(), want.scales.data(), want.scales.size() * sizeof(float)) == 0);
}
