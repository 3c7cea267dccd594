// The Llama family (transformers' modeling_llama.py, modeling_mistral.py,
// modeling_qwen2.py, modeling_gemma.py, modeling_phi3.py): pre-norm blocks with RMSNorm,
// rotary positions, grouped-query attention and a gated MLP. They differ
// only in config: Mistral's sliding window, Qwen2's q/k/v biases, Llama's
// attention_bias / mlp_bias switches, Gemma's embeddings scaled by
// sqrt(hidden_size), RMSNorm weights stored as offsets from 1 and GeGLU,
// Phi-3's fused qkv_proj and gate_up_proj (split into the same layers at load).
#pragma once

#include <memory>
#include <vector>

#include "models/decoder.h"
#include "ops/rotary.h"

namespace hubwasm {

struct LlamaConfig {
  std::string model_type;  // "llama", "mistral", "qwen2", "gemma", "phi3"
  int64_t vocab_size, hidden_size, intermediate_size, num_hidden_layers;
  int64_t num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings;
  double rms_norm_eps;
  std::string hidden_act;
  bool tie_word_embeddings;
  bool qkv_bias, o_bias, mlp_bias;
  float embed_scale = 1.0f;      // Gemma: sqrt(hidden_size), rounded to float32 as transformers does
  bool norm_unit_offset = false; // Gemma: RMSNorm multiplies by (1 + weight)
  bool fused_projections = false; // Phi-3: qkv_proj = [q; k; v], gate_up_proj = [gate; up]
  std::vector<int64_t> layer_sliding_window;  // per layer, 0 = full attention
  RopeConfig rope;

  // Reads config.json with the defaults of the matching transformers config class.
  static LlamaConfig from(const Config& config);
};

std::unique_ptr<DecoderModel> load_llama(const Config& config, const WeightStore& weights,
                                         const DecoderOptions& options);

}  // namespace hubwasm
