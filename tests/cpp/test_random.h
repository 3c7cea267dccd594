// Seeded random inputs for kernel and op tests.
#pragma once

#include <algorithm>
#include <random>
#include <vector>

#include "core/tensor.h"

// n floats uniform in [-scale, scale), the same for the same seed.
inline std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

inline hubwasm::Tensor random_tensor(const hubwasm::Shape& shape, uint32_t seed) {
  hubwasm::Tensor t = hubwasm::Tensor::zeros(hubwasm::DType::F32, shape);
  const auto v = random_floats(static_cast<size_t>(t.numel()), seed);
  std::copy(v.begin(), v.end(), t.f32());
  return t;
}
