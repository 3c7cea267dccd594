#include "models/gpt2.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "ops/activation.h"
#include "ops/causal_attention.h"
#include "ops/layer_norm.h"
#include "ops/residual_add.h"

namespace hubwasm {

Gpt2Config Gpt2Config::from(const Config& c) {
  Gpt2Config g;
  g.vocab_size = c.get_int("vocab_size");
  g.n_embd = c.get_int("n_embd");
  g.n_layer = c.get_int("n_layer");
  g.n_head = c.get_int("n_head");
  c.check_range("n_embd", g.n_embd, 1, kMaxConfigDim);  // before 3 * n_embd and 4 * n_embd
  c.check_range("n_layer", g.n_layer, 1, kMaxConfigLayers);
  g.n_inner = c.get_int("n_inner", 4 * g.n_embd);  // null means 4 * n_embd
  g.n_positions = c.get_int("n_positions", 1024);
  g.activation_function = c.get_string("activation_function", "gelu_new");
  g.layer_norm_epsilon = c.get_float("layer_norm_epsilon", 1e-5);
  g.scale_attn_weights = c.get_bool("scale_attn_weights", true);
  g.scale_attn_by_inverse_layer_idx = c.get_bool("scale_attn_by_inverse_layer_idx", false);
  if (g.n_head <= 0 || g.n_embd <= 0 || g.n_embd % g.n_head != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": n_embd " + std::to_string(g.n_embd) +
                                              " is not a multiple of n_head " + std::to_string(g.n_head));
  }
  for (int64_t v : {g.vocab_size, g.n_layer, g.n_inner, g.n_positions}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  c.check_range("vocab_size", g.vocab_size, 1, kMaxConfigDim);
  c.check_range("n_inner", g.n_inner, 1, kMaxConfigDim);
  c.check_range("n_positions", g.n_positions, 1, kMaxConfigDim);
  return g;
}

namespace {

struct Gpt2Block {
  LayerNorm ln_1;
  Projection c_attn;  // (n_embd -> 3 n_embd): q, k, v side by side
  Projection c_proj;  // (n_embd -> n_embd)
  LayerNorm ln_2;
  Projection c_fc;    // (n_embd -> n_inner)
  Projection mlp_proj;  // (n_inner -> n_embd)
};

// The forward's buffers in the cache's workspace.
enum Gpt2Slot : size_t { kResidual, kNormed, kQkv, kQuery, kContext, kProjected, kInner, kLast, kLogits };

class Gpt2 final : public DecoderModel {
 public:
  Gpt2(const Config& config, const WeightStore& weights, const DecoderOptions& options)
      : cfg_(Gpt2Config::from(config)) {
    const DecoderWeights w(weights, "transformer.", options);
    const int64_t E = cfg_.n_embd;
    const auto eps = static_cast<float>(cfg_.layer_norm_epsilon);
    act_ = parse_activation(cfg_.activation_function, "activation_function");
    wte_ = w.table("wte.weight", cfg_.vocab_size, E);
    wpe_ = w.tensor("wpe.weight", {cfg_.n_positions, E});
    for (int64_t i = 0; i < cfg_.n_layer; ++i) {
      const std::string p = "h." + std::to_string(i) + ".";
      blocks_.push_back({w.layer_norm(p + "ln_1", E, eps), w.conv1d(p + "attn.c_attn", E, 3 * E),
                         w.conv1d(p + "attn.c_proj", E, E), w.layer_norm(p + "ln_2", E, eps),
                         w.conv1d(p + "mlp.c_fc", E, cfg_.n_inner), w.conv1d(p + "mlp.c_proj", cfg_.n_inner, E)});
    }
    ln_f_ = w.layer_norm("ln_f", E, eps);
    // GPT2LMHeadModel ties lm_head to wte; a checkpoint may still carry its own copy.
    has_own_head_ = w.has_head("lm_head.weight");
    lm_head_ = has_own_head_ ? w.head_table("lm_head.weight", cfg_.vocab_size, E) : wte_;

    info_.model_type = "gpt2";
    info_.vocab_size = cfg_.vocab_size;
    info_.num_layers = cfg_.n_layer;
    info_.num_kv_heads = cfg_.n_head;
    info_.head_dim = E / cfg_.n_head;
    info_.max_positions = cfg_.n_positions;
    info_.eos_token_ids = read_token_ids(config, "eos_token_id");
    info_.bos_token_id = read_token_id(config, "bos_token_id");
    info_.pad_token_id = read_token_id(config, "pad_token_id");
  }

  const DecoderInfo& info() const override { return info_; }

  size_t weight_bytes() const override {
    size_t n = wte_.weight_bytes() + wpe_.nbytes();
    for (const auto& b : blocks_) {
      n += b.c_attn.weight_bytes() + b.c_proj.weight_bytes() + b.c_fc.weight_bytes() + b.mlp_proj.weight_bytes();
    }
    return n + (has_own_head_ ? lm_head_.weight_bytes() : 0);
  }

  const Tensor& forward(const DecoderInput& in, KVCache& cache) const override {
    const std::vector<int32_t>& pos = validate_decoder_input(in, cache, info_);
    const int64_t E = cfg_.n_embd, H = cfg_.n_head, D = E / H, rows = in.batch * in.seq;
    const int64_t past = cache.length(), total = past + in.seq;
    cache.reserve(total);
    Workspace& ws = cache.workspace();

    // Token + position embeddings.
    Tensor& x = ws.get(kResidual, {rows, E});
    const float* wpe = wpe_.f32();
    for (int64_t r = 0; r < rows; ++r) {
      float* dst = x.f32() + r * E;
      wte_.copy_row(in.input_ids[r], dst);
      const float* p = wpe + static_cast<int64_t>(pos[r]) * E;
      for (int64_t j = 0; j < E; ++j) dst[j] += p[j];
    }

    CausalAttentionShape shape{in.batch, in.seq, H, H, D, past, cache.capacity(), 0, 1.0f};
    Tensor& h = ws.get(kNormed, {rows, E});  // normalised copy of the residual stream
    Tensor& qkv = ws.get(kQkv, {rows, 3 * E});
    Tensor& q = ws.get(kQuery, {rows, E});
    Tensor& context = ws.get(kContext, {rows, E});
    Tensor& projected = ws.get(kProjected, {rows, E});
    Tensor& inner = ws.get(kInner, {rows, cfg_.n_inner});
    for (int64_t l = 0; l < cfg_.n_layer; ++l) {  // hot loop: one pre-norm block
      const Gpt2Block& blk = blocks_[l];
      layer_norm_into(x, blk.ln_1, h);
      blk.c_attn.forward_into(h, qkv);
      write_kv(cache, l, qkv, q, in.batch, in.seq, past);
      float scale = cfg_.scale_attn_weights ? 1.0f / std::sqrt(static_cast<float>(D)) : 1.0f;
      if (cfg_.scale_attn_by_inverse_layer_idx) scale /= static_cast<float>(l + 1);
      shape.scale = scale;
      causal_attention(q, cache.keys(l), cache.values(l), in.attention_mask, shape, context);
      blk.c_proj.forward_into(context, projected);
      add_layer_norm_into(x, projected, blk.ln_2, h);  // x += attention output; h = ln_2(x)
      blk.c_fc.forward_into(h, inner);
      activation_inplace(inner, act_);
      blk.mlp_proj.forward_into(inner, projected);
      residual_add_inplace(x, projected);
    }
    cache.advance(in.seq);

    Tensor& last = in.last_logits_only ? last_token_rows(x, in.batch, in.seq, ws.get(kLast, {in.batch, E})) : x;
    layer_norm_inplace(last, ln_f_);
    Tensor& logits = ws.get(kLogits, {in.batch, in.last_logits_only ? 1 : in.seq, cfg_.vocab_size});
    lm_head_.forward_into(last, logits);
    return logits;
  }

 private:
  // Splits c_attn's output into q (rows, E) and the cache's [b, head, slot, d] blocks.
  void write_kv(KVCache& cache, int64_t layer, const Tensor& qkv, Tensor& q, int64_t batch, int64_t seq,
                int64_t past) const {
    const int64_t E = cfg_.n_embd, H = cfg_.n_head, D = E / H, cap = cache.capacity();
    float* keys = cache.keys(layer);
    float* values = cache.values(layer);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t s = 0; s < seq; ++s) {
        const float* src = qkv.f32() + (b * seq + s) * 3 * E;
        std::memcpy(q.f32() + (b * seq + s) * E, src, E * sizeof(float));
        for (int64_t h = 0; h < H; ++h) {
          const int64_t slot = ((b * H + h) * cap + past + s) * D;
          std::memcpy(keys + slot, src + E + h * D, D * sizeof(float));
          std::memcpy(values + slot, src + 2 * E + h * D, D * sizeof(float));
        }
      }
    }
  }

  Gpt2Config cfg_;
  DecoderInfo info_;
  Activation act_;
  Projection wte_;  // (vocab, n_embd)
  Tensor wpe_;      // (n_positions, n_embd) f32
  std::vector<Gpt2Block> blocks_;
  LayerNorm ln_f_;
  Projection lm_head_;  // (vocab, n_embd), usually wte_ itself
  bool has_own_head_ = false;
};

}  // namespace

std::unique_ptr<DecoderModel> load_gpt2(const Config& config, const WeightStore& weights,
                                        const DecoderOptions& options) {
  return std::make_unique<Gpt2>(config, weights, options);
}

}  // namespace hubwasm
