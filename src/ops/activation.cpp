#include "ops/activation.h"

#include <cmath>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"

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
  float* data = x.f32();
  // Element-wise: any split gives the same values (the kernels' vector tail
  // rounds like the body).
  parallel::parallel_for(x.numel(), parallel::grain_for(16, 4), [&](int64_t i0, int64_t i1) {
    float* v = data + i0;
    const int64_t n = i1 - i0;
    switch (act) {
      case Activation::GeluErf: kernels::gelu_erf_f32(n, v); break;
      case Activation::GeluTanh: kernels::gelu_tanh_f32(n, v); break;
      case Activation::Silu: kernels::silu_f32(n, v); break;
      case Activation::Relu:
        for (int64_t i = 0; i < n; ++i) v[i] = v[i] > 0 ? v[i] : 0.0f;
        break;
      case Activation::Tanh:
        for (int64_t i = 0; i < n; ++i) v[i] = std::tanh(v[i]);
        break;
    }
  });
}

}  // namespace hubwasm
