#include "ops/gated_mlp.h"

namespace hubwasm {

void gated_mlp(const Tensor& x, const GatedMlp& mlp, Tensor& gate, Tensor& up, Tensor& out) {
  mlp.gate.forward_into(x, gate);
  mlp.up.forward_into(x, up);
  activation_inplace(gate, mlp.act);
  float* g = gate.f32();
  const float* u = up.f32();
  for (int64_t i = 0, n = gate.numel(); i < n; ++i) g[i] *= u[i];
  mlp.down.forward_into(gate, out);
}

}  // namespace hubwasm
