// LayerNorm and RMSNorm ops, plain and with the residual add fused in,
// against their definitions (torch.nn.LayerNorm, LlamaRMSNorm, GemmaRMSNorm)
// evaluated in double. Rows of 771 values: a SIMD body and a 3-value tail.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "ops/layer_norm.h"
#include "ops/rms_norm.h"
#include "test_random.h"

using namespace hubwasm;

namespace {

constexpr int64_t kRows = 5, kHidden = 771;

// The larger error, NaN winning, so a NaN output fails.
double worse(double err, double diff) { return diff <= err ? err : diff; }

// x + residual in float32, as the ops keep it.
std::vector<float> sum_of(const Tensor& x, const Tensor* residual) {
  std::vector<float> s(x.f32(), x.f32() + x.numel());
  if (residual) for (size_t i = 0; i < s.size(); ++i) s[i] += residual->f32()[i];
  return s;
}

std::vector<double> layer_norm_reference(const std::vector<float>& x, const LayerNorm& n) {
  std::vector<double> out(x.size());
  for (int64_t r = 0; r < kRows; ++r) {
    const float* row = x.data() + r * kHidden;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < kHidden; ++i) mean += row[i];
    mean /= kHidden;
    for (int64_t i = 0; i < kHidden; ++i) var += (row[i] - mean) * (row[i] - mean);
    var /= kHidden;
    for (int64_t i = 0; i < kHidden; ++i) {
      out[size_t(r * kHidden + i)] = (row[i] - mean) / std::sqrt(var + n.eps) * n.weight.f32()[i] + n.bias.f32()[i];
    }
  }
  return out;
}

std::vector<double> rms_norm_reference(const std::vector<float>& x, const RMSNorm& n) {
  std::vector<double> out(x.size());
  for (int64_t r = 0; r < kRows; ++r) {
    const float* row = x.data() + r * kHidden;
    double mean_square = 0;
    for (int64_t i = 0; i < kHidden; ++i) mean_square += double(row[i]) * row[i];
    mean_square /= kHidden;
    for (int64_t i = 0; i < kHidden; ++i) {
      const double w = n.add_unit_offset ? 1.0 + n.weight.f32()[i] : n.weight.f32()[i];
      out[size_t(r * kHidden + i)] = row[i] / std::sqrt(mean_square + n.eps) * w;
    }
  }
  return out;
}

// Largest error relative to the output's scale (the weights are in [-1, 1), so outputs are O(1)).
double max_error(const Tensor& got, const std::vector<double>& want) {
  double err = 0;
  for (size_t i = 0; i < want.size(); ++i) err = worse(err, std::fabs(got.f32()[i] - want[i]) / (1.0 + std::fabs(want[i])));
  return err;
}

bool same_values(const Tensor& t, const std::vector<float>& v) {
  for (size_t i = 0; i < v.size(); ++i) if (t.f32()[i] != v[i]) return false;
  return true;
}

}  // namespace

TEST_CASE("layer norm, alone and after a fused residual add, matches torch's definition in double", "[ops][norms]") {
  const LayerNorm norm{random_tensor({kHidden}, 1), random_tensor({kHidden}, 2), 1e-5f};
  const Tensor residual = random_tensor({kRows, kHidden}, 3);
  Tensor x = random_tensor({kRows, kHidden}, 4);
  // Shifted rows: a mean far from 0 is where a one-pass variance loses precision.
  for (int64_t i = 0; i < x.numel(); ++i) x.f32()[i] = 3.0f * x.f32()[i] + 100.0f;
  Tensor out = Tensor::zeros(DType::F32, {kRows, kHidden});
  // As torch, x - mean is taken in float32 with the mean rounded to float32:
  // around 100 that rounding is up to ulp(100) / 2 = 3.8e-6, over a standard
  // deviation of about 1.7.
  constexpr double kTolerance = 5e-6;

  SECTION("into another tensor, x unchanged") {
    const std::vector<float> before = sum_of(x, nullptr);
    layer_norm_into(x, norm, out);
    CHECK(same_values(x, before));
    CHECK(max_error(out, layer_norm_reference(before, norm)) < kTolerance);
  }
  SECTION("x += residual, then the norm of the sum") {
    const std::vector<float> sum = sum_of(x, &residual);
    add_layer_norm_into(x, residual, norm, out);
    CHECK(same_values(x, sum));  // the residual stream keeps the float32 sum
    CHECK(max_error(out, layer_norm_reference(sum, norm)) < kTolerance);
  }
  SECTION("in place") {
    const std::vector<float> sum = sum_of(x, &residual);
    add_layer_norm_inplace(x, residual, norm);
    CHECK(max_error(x, layer_norm_reference(sum, norm)) < kTolerance);
  }
}

TEST_CASE("RMSNorm (Llama and Gemma weights), alone and after a fused residual add, matches its definition", "[ops][norms]") {
  const bool unit_offset = GENERATE(false, true);
  const RMSNorm norm{random_tensor({kHidden}, 5), 1e-6f, unit_offset};
  const Tensor residual = random_tensor({kRows, kHidden}, 6);
  Tensor x = random_tensor({kRows, kHidden}, 7);
  Tensor out = Tensor::zeros(DType::F32, {kRows, kHidden});

  SECTION("into another tensor, x unchanged") {
    const std::vector<float> before = sum_of(x, nullptr);
    rms_norm_into(x, norm, out);
    CHECK(same_values(x, before));
    CHECK(max_error(out, rms_norm_reference(before, norm)) < 1e-6);
  }
  SECTION("x += residual, then the norm of the sum") {
    const std::vector<float> sum = sum_of(x, &residual);
    add_rms_norm_into(x, residual, norm, out);
    CHECK(same_values(x, sum));
    CHECK(max_error(out, rms_norm_reference(sum, norm)) < 1e-6);
  }
  SECTION("in place") {
    const std::vector<float> before = sum_of(x, nullptr);
    rms_norm_inplace(x, norm);
    CHECK(max_error(x, rms_norm_reference(before, norm)) < 1e-6);
  }
}

TEST_CASE("norm ops refuse mismatched shapes with InvalidArgument", "[ops][norms]") {
  Tensor x = random_tensor({2, 8}, 8), small_out = Tensor::zeros(DType::F32, {1, 8});
  const Tensor short_residual = random_tensor({1, 8}, 9);
  const LayerNorm ln{random_tensor({8}, 10), random_tensor({8}, 11), 1e-5f};
  const RMSNorm rms{random_tensor({7}, 12)};
  const auto refused = [](auto&& call) {
    try {
      call();
    } catch (const Error& e) {
      return e.code() == ErrorCode::InvalidArgument;
    }
    return false;
  };
  CHECK(refused([&] { layer_norm_into(x, ln, small_out); }));
  CHECK(refused([&] { add_layer_norm_into(x, short_residual, ln, x); }));
  CHECK(refused([&] { rms_norm_inplace(x, rms); }));
}
