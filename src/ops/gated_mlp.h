// The gated MLP of Llama-family blocks (LlamaMLP):
// down(act(gate(x)) * up(x)), act = SiLU for SwiGLU (GELU for GeGLU).
#pragma once

#include "core/tensor.h"
#include "ops/activation.h"
#include "ops/projection.h"

namespace hubwasm {

struct GatedMlp {
  Projection gate;  // (intermediate, hidden)
  Projection up;    // (intermediate, hidden)
  Projection down;  // (hidden, intermediate)
  Activation act = Activation::Silu;
};

// x: (rows, hidden) -> (rows, hidden) into `out`. gate and up are the
// caller's scratch, (rows, intermediate) each.
void gated_mlp(const Tensor& x, const GatedMlp& mlp, Tensor& gate, Tensor& up, Tensor& out);

}  // namespace hubwasm
