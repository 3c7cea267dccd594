// Element-wise activations, named as transformers' ACT2FN keys.
#pragma once

#include <string>

#include "core/tensor.h"

namespace hubwasm {

enum class Activation { GeluErf, GeluTanh, Relu, Silu, Tanh };

// Maps a config's hidden_act ("gelu", "gelu_new", "relu", ...); `key` names
// the config key for the error when the name is not supported.
Activation parse_activation(const std::string& name, const std::string& key);
void activation_inplace(Tensor& x, Activation act);

}  // namespace hubwasm
