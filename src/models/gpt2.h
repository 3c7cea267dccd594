// GPT-2 (transformers' modeling_gpt2.py): GPT2LMHeadModel. Learned absolute
// positions, pre-norm blocks, Conv1D projections, LM head tied to wte.
#pragma once

#include <memory>

#include "models/decoder.h"

namespace hubwasm {

struct Gpt2Config {
  int64_t vocab_size, n_embd, n_layer, n_head, n_inner, n_positions;
  std::string activation_function;
  double layer_norm_epsilon;
  bool scale_attn_weights, scale_attn_by_inverse_layer_idx;

  static Gpt2Config from(const Config& config);
};

std::unique_ptr<DecoderModel> load_gpt2(const Config& config, const WeightStore& weights,
                                        const DecoderOptions& options);

}  // namespace hubwasm
