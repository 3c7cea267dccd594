// Scratch activations of one decoder run: what a forward pass needs besides
// the weights and the KV cache (the residual stream, projections, attention
// output, logits). The KVCache owns one, so every forward with the same
// cache reuses the same memory and a decode step allocates nothing.
//
// A slot is one float32 buffer, viewed with the shape the forward asks for.
// It grows (at least doubling) when a forward needs more and otherwise keeps
// its memory; while the shape stays the same, get() returns the very same
// Tensor (a new shape costs one small allocation, e.g. at the first decode
// step after the prefill).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/tensor.h"

namespace hubwasm {

class Workspace {
 public:
  static constexpr size_t kSlots = 12;

  // Slot `slot` (< kSlots) as an f32 tensor of shape `dims`, holding whatever
  // the slot held before (not zeroed). The reference stays valid as long as
  // the workspace; the values until the slot is used again.
  Tensor& get(size_t slot, std::initializer_list<int64_t> dims);

  // Position ids of the current forward (validate_decoder_input fills them).
  std::vector<int32_t> positions;
  // Rotary inverse frequencies of the current forward (Llama family).
  std::vector<float> inv_freq;

 private:
  struct Slot {
    Tensor storage;  // 1-D, grown geometrically
    Tensor view;     // storage's first elements with the requested shape
  };
  std::array<Slot, kSlots> slots_;
};

}  // namespace hubwasm
