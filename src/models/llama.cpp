#include "models/llama.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "ops/activation.h"
#include "ops/causal_attention.h"
#include "ops/gated_mlp.h"
#include "ops/residual_add.h"
#include "ops/rms_norm.h"

namespace hubwasm {

LlamaConfig LlamaConfig::from(const Config& c) {
  LlamaConfig l;
  l.model_type = c.model_type();
  const bool mistral = l.model_type == "mistral", qwen2 = l.model_type == "qwen2", gemma = l.model_type == "gemma";
  const bool phi3 = l.model_type == "phi3";
  l.vocab_size = c.get_int("vocab_size");
  l.hidden_size = c.get_int("hidden_size");
  l.intermediate_size = c.get_int("intermediate_size");
  l.num_hidden_layers = c.get_int("num_hidden_layers");
  l.num_attention_heads = c.get_int("num_attention_heads");
  l.num_key_value_heads = c.get_int("num_key_value_heads", l.num_attention_heads);
  l.max_position_embeddings =
      c.get_int("max_position_embeddings", mistral ? 4096 * 32 : qwen2 ? 32768 : gemma ? 8192 : 2048);
  l.rms_norm_eps = c.get_float("rms_norm_eps", 1e-6);
  // GemmaMLP uses hidden_activation (gelu_pytorch_tanh when unset), not hidden_act.
  l.hidden_act = gemma ? c.get_string("hidden_activation", "gelu_pytorch_tanh") : c.get_string("hidden_act", "silu");
  l.tie_word_embeddings = c.get_bool("tie_word_embeddings", gemma);
  // Bounded first: head counts and sizes are multiplied together below, and
  // num_hidden_layers sizes a table before any weight is looked at.
  c.check_range("num_attention_heads", l.num_attention_heads, 1, kMaxConfigDim);
  c.check_range("num_key_value_heads", l.num_key_value_heads, 1, kMaxConfigDim);
  c.check_range("num_hidden_layers", l.num_hidden_layers, 1, kMaxConfigLayers);
  for (const char* key : {"vocab_size", "hidden_size", "intermediate_size"}) {
    c.check_range(key, c.get_int(key), 1, kMaxConfigDim);
  }
  c.check_range("max_position_embeddings", l.max_position_embeddings, 1, kMaxConfigDim);
  if (l.num_attention_heads <= 0 || l.num_key_value_heads <= 0 ||
      l.num_attention_heads % l.num_key_value_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": num_attention_heads " +
                                              std::to_string(l.num_attention_heads) +
                                              " is not a multiple of num_key_value_heads " +
                                              std::to_string(l.num_key_value_heads));
  }
  // head_dim when given (it need not equal hidden_size / heads), else the quotient.
  l.head_dim = c.get_int("head_dim", gemma ? 256 : 0);
  if (l.head_dim == 0) {
    if (l.hidden_size % l.num_attention_heads != 0) {
      throw Error(ErrorCode::InvalidConfig, c.filename() + ": hidden_size " + std::to_string(l.hidden_size) +
                                                " is not a multiple of num_attention_heads " +
                                                std::to_string(l.num_attention_heads));
    }
    l.head_dim = l.hidden_size / l.num_attention_heads;
  }
  c.check_range("head_dim", l.head_dim, 1, kMaxConfigHeadDim);
  for (int64_t v : {l.vocab_size, l.hidden_size, l.intermediate_size, l.num_hidden_layers, l.head_dim,
                    l.max_position_embeddings}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  if (qwen2) {
    l.qkv_bias = true;  // Qwen2Attention: q/k/v with bias, o_proj without
    l.o_bias = false;
    l.mlp_bias = false;
  } else {
    l.qkv_bias = l.o_bias = c.get_bool("attention_bias", false);
    l.mlp_bias = c.get_bool("mlp_bias", false);
  }
  l.layer_sliding_window.assign(static_cast<size_t>(l.num_hidden_layers), 0);
  if (mistral || phi3) {
    // MistralConfig defaults sliding_window to 4096, Phi3Config to none; null disables it.
    const auto& j = c.json();
    const int64_t window = !j.contains("sliding_window") ? (mistral ? 4096 : 0) : c.get_int("sliding_window", 0);
    c.check_range("sliding_window", window, 0, INT64_MAX);
    l.layer_sliding_window.assign(l.layer_sliding_window.size(), window);
  } else if (qwen2 && c.get_bool("use_sliding_window", false)) {
    // Qwen2 slides only from layer max_window_layers on.
    const int64_t window = c.get_int("sliding_window", 4096);
    c.check_range("sliding_window", window, 0, INT64_MAX);
    // Layers i >= max_window_layers slide; a negative value means all of them
    // (it used to index the table at i < 0).
    const int64_t first = std::max<int64_t>(0, c.get_int("max_window_layers", 28));
    for (int64_t i = first; i < l.num_hidden_layers; ++i) l.layer_sliding_window[i] = window;
  }
  l.fused_projections = phi3;
  if (gemma) {
    l.embed_scale = static_cast<float>(std::sqrt(static_cast<double>(l.hidden_size)));
    l.norm_unit_offset = true;
  }
  l.rope = RopeConfig::from(c, l.head_dim);
  return l;
}

namespace {

struct LlamaLayer {
  RMSNorm input_layernorm;
  Projection q_proj;  // (hidden -> heads * head_dim)
  Projection k_proj;  // (hidden -> kv_heads * head_dim)
  Projection v_proj;  // (hidden -> kv_heads * head_dim)
  Projection o_proj;  // (heads * head_dim -> hidden)
  RMSNorm post_attention_layernorm;
  GatedMlp mlp;       // gate/up (hidden -> intermediate), down (intermediate -> hidden)
};

// The forward's buffers in the cache's workspace.
enum LlamaSlot : size_t { kResidual, kNormed, kQuery, kKey, kValue, kContext, kProjected, kGate, kUp, kLast, kLogits };

class Llama final : public DecoderModel {
 public:
  Llama(const Config& config, const WeightStore& weights, const DecoderOptions& options)
      : cfg_(LlamaConfig::from(config)), rotary_(cfg_.rope) {
    const DecoderWeights w(weights, "model.", options);
    const int64_t Hd = cfg_.hidden_size, I = cfg_.intermediate_size;
    const int64_t q_width = cfg_.num_attention_heads * cfg_.head_dim;
    const int64_t kv_width = cfg_.num_key_value_heads * cfg_.head_dim;
    const auto eps = static_cast<float>(cfg_.rms_norm_eps);
    const Activation act = parse_activation(cfg_.hidden_act, "hidden_act");
    embed_tokens_ = w.table("embed_tokens.weight", cfg_.vocab_size, Hd);
    for (int64_t i = 0; i < cfg_.num_hidden_layers; ++i) {
      const std::string p = "layers." + std::to_string(i) + ".";
      LlamaLayer layer;
      layer.input_layernorm = {w.tensor(p + "input_layernorm.weight", {Hd}), eps, cfg_.norm_unit_offset};
      if (cfg_.fused_projections) {
        const std::string qkv = p + "self_attn.qkv_proj";
        const int64_t total = q_width + 2 * kv_width;
        layer.q_proj = w.linear_rows(qkv, Hd, total, 0, q_width);
        layer.k_proj = w.linear_rows(qkv, Hd, total, q_width, q_width + kv_width);
        layer.v_proj = w.linear_rows(qkv, Hd, total, q_width + kv_width, total);
      } else {
        layer.q_proj = w.linear(p + "self_attn.q_proj", Hd, q_width, cfg_.qkv_bias);
        layer.k_proj = w.linear(p + "self_attn.k_proj", Hd, kv_width, cfg_.qkv_bias);
        layer.v_proj = w.linear(p + "self_attn.v_proj", Hd, kv_width, cfg_.qkv_bias);
      }
      layer.o_proj = w.linear(p + "self_attn.o_proj", q_width, Hd, cfg_.o_bias);
      layer.post_attention_layernorm = {w.tensor(p + "post_attention_layernorm.weight", {Hd}), eps,
                                        cfg_.norm_unit_offset};
      if (cfg_.fused_projections) {
        layer.mlp = {w.linear_rows(p + "mlp.gate_up_proj", Hd, 2 * I, 0, I),
                     w.linear_rows(p + "mlp.gate_up_proj", Hd, 2 * I, I, 2 * I),
                     w.linear(p + "mlp.down_proj", I, Hd, false), act};
      } else {
        layer.mlp = {w.linear(p + "mlp.gate_proj", Hd, I, cfg_.mlp_bias), w.linear(p + "mlp.up_proj", Hd, I, cfg_.mlp_bias),
                     w.linear(p + "mlp.down_proj", I, Hd, cfg_.mlp_bias), act};
      }
      layers_.push_back(std::move(layer));
    }
    norm_ = {w.tensor("norm.weight", {Hd}), eps, cfg_.norm_unit_offset};
    own_head_ = !cfg_.tie_word_embeddings;
    lm_head_ = own_head_ ? w.head_table("lm_head.weight", cfg_.vocab_size, Hd) : embed_tokens_;

    info_.model_type = cfg_.model_type;
    info_.vocab_size = cfg_.vocab_size;
    info_.num_layers = cfg_.num_hidden_layers;
    info_.num_kv_heads = cfg_.num_key_value_heads;
    info_.head_dim = cfg_.head_dim;
    info_.max_positions = cfg_.max_position_embeddings;
    // RoPE has no table: positions past max_position_embeddings still compute
    // (as in transformers), so only int32 overflow bounds them here.
    if (cfg_.rope.type == RopeType::Dynamic) info_.max_positions = INT_MAX;
    info_.eos_token_ids = read_token_ids(config, "eos_token_id");
    info_.bos_token_id = read_token_id(config, "bos_token_id");
    info_.pad_token_id = read_token_id(config, "pad_token_id");
  }

  const DecoderInfo& info() const override { return info_; }

  size_t weight_bytes() const override {
    size_t n = embed_tokens_.weight_bytes() + norm_.weight.nbytes() + (own_head_ ? lm_head_.weight_bytes() : 0);
    for (const auto& l : layers_) {
      n += l.q_proj.weight_bytes() + l.k_proj.weight_bytes() + l.v_proj.weight_bytes() + l.o_proj.weight_bytes() +
           l.mlp.gate.weight_bytes() + l.mlp.up.weight_bytes() + l.mlp.down.weight_bytes() +
           l.input_layernorm.weight.nbytes() + l.post_attention_layernorm.weight.nbytes();
    }
    return n;
  }

  const Tensor& forward(const DecoderInput& in, KVCache& cache) const override {
    const std::vector<int32_t>& pos = validate_decoder_input(in, cache, info_);
    const int64_t Hd = cfg_.hidden_size, rows = in.batch * in.seq;
    const int64_t heads = cfg_.num_attention_heads, kv_heads = cfg_.num_key_value_heads, D = cfg_.head_dim;
    const int64_t past = cache.length(), total = past + in.seq;
    cache.reserve(total);
    Workspace& ws = cache.workspace();
    rotary_.inv_freq(static_cast<int64_t>(*std::max_element(pos.begin(), pos.end())) + 1, ws.inv_freq);

    Tensor& x = ws.get(kResidual, {rows, Hd});
    for (int64_t r = 0; r < rows; ++r) embed_tokens_.copy_row(in.input_ids[r], x.f32() + r * Hd);
    if (cfg_.embed_scale != 1.0f) {
      for (int64_t i = 0; i < rows * Hd; ++i) x.f32()[i] *= cfg_.embed_scale;
    }

    CausalAttentionShape shape{in.batch, in.seq, heads, kv_heads, D, past, cache.capacity(), 0,
                               1.0f / std::sqrt(static_cast<float>(D))};
    Tensor& h = ws.get(kNormed, {rows, Hd});
    Tensor& q = ws.get(kQuery, {rows, heads * D});
    Tensor& k = ws.get(kKey, {rows, kv_heads * D});
    Tensor& v = ws.get(kValue, {rows, kv_heads * D});
    Tensor& context = ws.get(kContext, {rows, heads * D});
    Tensor& projected = ws.get(kProjected, {rows, Hd});
    Tensor& gate = ws.get(kGate, {rows, cfg_.intermediate_size});
    Tensor& up = ws.get(kUp, {rows, cfg_.intermediate_size});
    for (int64_t l = 0; l < cfg_.num_hidden_layers; ++l) {  // hot loop: one pre-norm block
      const LlamaLayer& layer = layers_[l];
      rms_norm_into(x, layer.input_layernorm, h);
      layer.q_proj.forward_into(h, q);
      layer.k_proj.forward_into(h, k);
      layer.v_proj.forward_into(h, v);
      rotary_.apply_inplace(q, heads, pos, ws.inv_freq);
      rotary_.apply_inplace(k, kv_heads, pos, ws.inv_freq);  // cached after RoPE, as transformers caches them
      write_kv(cache, l, k, v, in.batch, in.seq, past);
      shape.sliding_window = cfg_.layer_sliding_window[l];
      causal_attention(q, cache.keys(l), cache.values(l), in.attention_mask, shape, context);
      layer.o_proj.forward_into(context, projected);
      add_rms_norm_into(x, projected, layer.post_attention_layernorm, h);  // x += attention output; h = norm(x)
      gated_mlp(h, layer.mlp, gate, up, projected);
      residual_add_inplace(x, projected);
    }
    cache.advance(in.seq);

    Tensor& last = in.last_logits_only ? last_token_rows(x, in.batch, in.seq, ws.get(kLast, {in.batch, Hd})) : x;
    rms_norm_inplace(last, norm_);
    Tensor& logits = ws.get(kLogits, {in.batch, in.last_logits_only ? 1 : in.seq, cfg_.vocab_size});
    lm_head_.forward_into(last, logits);
    return logits;
  }

 private:
  // k, v: (rows, kv_heads*head_dim) -> cache blocks [b, head, past + s, d].
  void write_kv(KVCache& cache, int64_t layer, const Tensor& k, const Tensor& v, int64_t batch, int64_t seq,
                int64_t past) const {
    const int64_t H = cfg_.num_key_value_heads, D = cfg_.head_dim, cap = cache.capacity();
    float* keys = cache.keys(layer);
    float* values = cache.values(layer);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t s = 0; s < seq; ++s) {
        const int64_t row = b * seq + s;
        for (int64_t h = 0; h < H; ++h) {
          const int64_t slot = ((b * H + h) * cap + past + s) * D;
          std::memcpy(keys + slot, k.f32() + (row * H + h) * D, D * sizeof(float));
          std::memcpy(values + slot, v.f32() + (row * H + h) * D, D * sizeof(float));
        }
      }
    }
  }

  LlamaConfig cfg_;
  DecoderInfo info_;
  RotaryEmbedding rotary_;
  Projection embed_tokens_;  // (vocab, hidden)
  std::vector<LlamaLayer> layers_;
  RMSNorm norm_;
  Projection lm_head_;  // (vocab, hidden), embed_tokens_ when tied
  bool own_head_ = true;
};

}  // namespace

std::unique_ptr<DecoderModel> load_llama(const Config& config, const WeightStore& weights,
                                         const DecoderOptions& options) {
  return std::make_unique<Llama>(config, weights, options);
}

}  // namespace hubwasm
