#include "ops/gated_mlp.h"

namespace hubwasm {

Tensor gated_mlp(const Tensor& x, const GatedMlp& mlp) {
  Tensor gate = mlp.gate.forward(x);
  const Tensor up = mlp.up.forward(x);
  activation_inplace(gate, mlp.act);
  float* g = gate.f32();
  const float* u = up.f32();
  for (int64_t i = 0, n = gate.numel(); i < n; ++i) g[i] *= u[i];
  return mlp.down.forward(gate);
}

}  // namespace hubwasm
