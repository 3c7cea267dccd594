#include "ops/activation.h"

#include <cmath>

#include "core/error.h"

namespace hubwasm {

Activation parse_activation(const std::string& name, const std::string& key) {
  if (name == "gelu") return Activation::GeluErf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
  if (name == "relu") return Activation::Relu;
  if (name == "silu" || name == "swish") return Activation::Silu;
  if (name == "tanh") return Activation::Tanh;
  throw Error(ErrorCode::UnsupportedFeature, "config.json: " + key + " \"" + name + "\" is not supported");
}

void activation_inplace(Tensor& x, Activation act) {
  float* v = x.f32();
  const int64_t n = x.numel();
  switch (act) {
    case Activation::GeluErf:
      for (int64_t i = 0; i < n; ++i) v[i] = 0.5f * v[i] * (1.0f + std::erf(v[i] * 0.70710678118654752f));
      break;
    case Activation::GeluTanh:
      for (int64_t i = 0; i < n; ++i) {
        const float u = 0.7978845608028654f * (v[i] + 0.044715f * v[i] * v[i] * v[i]);
        v[i] = 0.5f * v[i] * (1.0f + std::tanh(u));
      }
      break;
    case Activation::Relu:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] > 0 ? v[i] : 0.0f;
      break;
    case Activation::Silu:
      for (int64_t i = 0; i < n; ++i) v[i] = v[i] / (1.0f + std::exp(-v[i]));
      break;
    case Activation::Tanh:
      for (int64_t i = 0; i < n; ++i) v[i] = std::tanh(v[i]);
      break;
  }
}

}  // namespace hubwasm
