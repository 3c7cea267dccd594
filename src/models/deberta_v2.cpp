#include "models/deberta_v2.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "models/encoder_heads.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/disentangled_attention.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

DebertaV2Config DebertaV2Config::from(const Config& c) {
  DebertaV2Config d;
  static_cast<EncoderDims&>(d) = EncoderDims::from(c, 512, "gelu", 1e-7);
  d.type_vocab_size = c.get_int("type_vocab_size", 0);
  d.embedding_size = c.get_int("embedding_size", d.hidden_size);
  d.pooler_hidden_size = c.get_int("pooler_hidden_size", d.hidden_size);
  d.position_biased_input = c.get_bool("position_biased_input", true);
  d.relative_attention = c.get_bool("relative_attention", false);
  d.share_att_key = c.get_bool("share_att_key", false);
  d.max_relative_positions = c.get_int("max_relative_positions", -1);
  if (d.max_relative_positions < 1) d.max_relative_positions = d.max_position_embeddings;
  d.position_buckets = c.get_int("position_buckets", -1);
  d.pooler_hidden_act = c.get_string("pooler_hidden_act", "gelu");
  // pos_att_type: a list, or "p2c|c2p" in older configs.
  std::vector<std::string> types;
  const auto& j = c.json();
  if (j.contains("pos_att_type") && j["pos_att_type"].is_array()) {
    for (const auto& t : j["pos_att_type"]) if (t.is_string()) types.push_back(t.get<std::string>());
  } else if (c.has("pos_att_type")) {
    std::string s = c.get_string("pos_att_type");
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    size_t start = 0;
    while (start <= s.size()) {
      const size_t bar = std::min(s.find('|', start), s.size());
      std::string part = s.substr(start, bar - start);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      types.push_back(part);
      start = bar + 1;
    }
  }
  d.c2p = std::find(types.begin(), types.end(), "c2p") != types.end();
  d.p2c = std::find(types.begin(), types.end(), "p2c") != types.end();
  std::string norm = c.get_string("norm_rel_ebd", "none");
  std::transform(norm.begin(), norm.end(), norm.begin(), ::tolower);
  d.norm_rel_ebd = norm.find("layer_norm") != std::string::npos;
  if (c.get_int("conv_kernel_size", 0) > 0) {
    throw Error(ErrorCode::UnsupportedFeature, c.filename() + ": conv_kernel_size > 0 (DeBERTa-v2's ConvLayer) is not supported");
  }
  if (c.has("attention_head_size") &&
      c.get_int("attention_head_size") * c.get_int("num_attention_heads") != c.get_int("hidden_size")) {
    throw Error(ErrorCode::UnsupportedFeature, c.filename() + ": attention_head_size * heads != hidden_size is not supported");
  }
  require_positive_sizes(c, {d.embedding_size});
  return d;
}

int64_t deberta_relative_position(int64_t relative, int64_t bucket_size, int64_t max_position) {
  if (bucket_size <= 0 || max_position <= 0) return relative;
  const int64_t mid = bucket_size / 2;
  if (relative < mid && relative > -mid) return relative;  // abs_pos <= mid keeps the position
  const int64_t abs_pos = std::llabs(relative);
  if (abs_pos <= mid) return relative;
  // As torch: float32 log ratio, ceil, then the sign.
  const float ratio = std::log(static_cast<float>(abs_pos) / static_cast<float>(mid)) /
                      std::log(static_cast<float>(max_position - 1) / static_cast<float>(mid));
  const float log_pos = std::ceil(ratio * static_cast<float>(mid - 1)) + static_cast<float>(mid);
  return static_cast<int64_t>(relative < 0 ? -log_pos : log_pos);
}

namespace {

struct DebertaLayer {
  Linear query, key, value;  // (hidden, hidden)
  Linear pos_key, pos_query; // (hidden, hidden) when share_att_key is false
  Linear attention_output;
  LayerNorm attention_norm;
  Linear intermediate, output;
  LayerNorm output_norm;
};

class DebertaV2 final : public EncoderModel {
 public:
  DebertaV2(const Config& config, const WeightStore& weights, Head head)
      : cfg_(DebertaV2Config::from(config)), head_(head) {
    const WeightLoader w(weights, "deberta.");
    const int64_t H = cfg_.hidden_size, E = cfg_.embedding_size;
    const auto eps = static_cast<float>(cfg_.layer_norm_eps);
    act_ = parse_activation(cfg_.hidden_act, "hidden_act");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, E});
    if (cfg_.position_biased_input) {
      position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, E});
    }
    if (cfg_.type_vocab_size > 0) {
      token_type_embeddings_ = w.base("embeddings.token_type_embeddings.weight", {cfg_.type_vocab_size, E});
    }
    if (E != H) embed_proj_.weight = w.base("embeddings.embed_proj.weight", {H, E});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", H, eps);
    if (cfg_.relative_attention) {
      att_span_ = cfg_.position_buckets > 0 ? cfg_.position_buckets : cfg_.max_relative_positions;
      rel_embeddings_ = w.base("encoder.rel_embeddings.weight", {2 * att_span_, H});
      if (cfg_.norm_rel_ebd) layer_norm_inplace(rel_embeddings_, w.base_layer_norm("encoder.LayerNorm", H, eps));
    }
    for (int64_t i = 0; i < cfg_.num_hidden_layers; ++i) {
      const std::string p = "encoder.layer." + std::to_string(i) + ".";
      DebertaLayer l;
      l.query = w.base_linear(p + "attention.self.query_proj", H, H);
      l.key = w.base_linear(p + "attention.self.key_proj", H, H);
      l.value = w.base_linear(p + "attention.self.value_proj", H, H);
      if (cfg_.relative_attention && !cfg_.share_att_key) {
        if (cfg_.c2p) l.pos_key = w.base_linear(p + "attention.self.pos_key_proj", H, H);
        if (cfg_.p2c) l.pos_query = w.base_linear(p + "attention.self.pos_query_proj", H, H);
      }
      l.attention_output = w.base_linear(p + "attention.output.dense", H, H);
      l.attention_norm = w.base_layer_norm(p + "attention.output.LayerNorm", H, eps);
      l.intermediate = w.base_linear(p + "intermediate.dense", H, cfg_.intermediate_size);
      l.output = w.base_linear(p + "output.dense", cfg_.intermediate_size, H);
      l.output_norm = w.base_layer_norm(p + "output.LayerNorm", H, eps);
      layers_.push_back(std::move(l));
    }
    switch (head) {
      case Head::SequenceClassification:  // ContextPooler: dense on the first token, pooler_hidden_act
        pooler_ = w.head_linear("pooler.dense", cfg_.pooler_hidden_size, cfg_.pooler_hidden_size);
        pooler_act_ = parse_activation(cfg_.pooler_hidden_act, "pooler_hidden_act");
        classifier_ = w.head_linear("classifier", cfg_.pooler_hidden_size, config.num_labels());
        break;
      case Head::TokenClassification: classifier_ = w.head_linear("classifier", H, config.num_labels()); break;
      case Head::QuestionAnswering: qa_outputs_ = w.head_linear("qa_outputs", H, 2); break;
      case Head::MaskedLM:
        mlm_ = load_masked_lm_head(w, "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                                   "cls.predictions.decoder.weight",
                                   {"cls.predictions.bias", "cls.predictions.decoder.bias"}, word_embeddings_, H, act_,
                                   eps);
        break;
      case Head::Base: break;
    }
  }

  int64_t max_position_embeddings() const override { return cfg_.max_position_embeddings; }

 private:
  EncoderOutput forward_batch(const EncoderInput& in) const override {
    // Without absolute positions (position_biased_input false) any length runs.
    validate_encoder_input(in, cfg_.position_biased_input ? cfg_.max_position_embeddings
                                                          : std::numeric_limits<int64_t>::max());
    const int64_t H = cfg_.hidden_size, rows = in.batch * in.seq;
    Tensor e = Tensor::zeros(DType::F32, {rows, cfg_.embedding_size});
    add_embedding(e, word_embeddings_, in.input_ids, "input_ids");
    if (cfg_.position_biased_input) {
      std::vector<int32_t> positions(rows);
      for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
      add_embedding(e, position_embeddings_, positions, "position_ids");
    }
    if (cfg_.type_vocab_size > 0) {
      const std::vector<int32_t> zeros(rows, 0);
      add_embedding(e, token_type_embeddings_, in.token_type_ids.empty() ? zeros : in.token_type_ids,
                    "token_type_ids");
    }
    Tensor x = embed_proj_.weight.empty() ? e : linear(e, embed_proj_);
    layer_norm_inplace(x, embeddings_norm_);
    for (int64_t r = 0; r < rows; ++r) {  // embeddings * mask
      if (!in.attention_mask[r]) std::fill_n(x.f32() + r * H, H, 0.0f);
    }

    // Relative positions (bucketed) and their clamped indices into the 2*span table.
    std::vector<int32_t> c2p_index, p2c_index;
    if (cfg_.relative_attention) {
      c2p_index.resize(in.seq * in.seq);
      p2c_index.resize(in.seq * in.seq);
      for (int64_t i = 0; i < in.seq; ++i) {
        for (int64_t j = 0; j < in.seq; ++j) {
          const int64_t rel = deberta_relative_position(i - j, cfg_.position_buckets, cfg_.max_relative_positions);
          c2p_index[i * in.seq + j] = static_cast<int32_t>(std::clamp<int64_t>(rel + att_span_, 0, 2 * att_span_ - 1));
          // p2c[i][j] reads key j at -rel(j, i) + span.
          const int64_t rel_ji = deberta_relative_position(j - i, cfg_.position_buckets, cfg_.max_relative_positions);
          p2c_index[i * in.seq + j] = static_cast<int32_t>(std::clamp<int64_t>(-rel_ji + att_span_, 0, 2 * att_span_ - 1));
        }
      }
    }

    for (const DebertaLayer& layer : layers_) {
      Tensor context = attention(x, layer, in, c2p_index, p2c_index);
      Tensor attended = linear(context, layer.attention_output);
      add_layer_norm_inplace(attended, x, layer.attention_norm);
      Tensor inner = linear(attended, layer.intermediate);
      activation_inplace(inner, act_);
      x = linear(inner, layer.output);
      add_layer_norm_inplace(x, attended, layer.output_norm);
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (head_ == Head::SequenceClassification) {
      out.pooler_output = first_token_dense(x, in.batch, in.seq, pooler_, pooler_act_);
      out.logits = linear(out.pooler_output, classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

  // DisentangledSelfAttention: (Q K^T + c2p + p2c) / sqrt(d * scale_factor), key padding masked.
  Tensor attention(const Tensor& x, const DebertaLayer& layer, const EncoderInput& in,
                   const std::vector<int32_t>& c2p_index, const std::vector<int32_t>& p2c_index) const {
    const int64_t H = cfg_.hidden_size, heads = cfg_.num_attention_heads, d = H / heads, S = in.seq;
    const Tensor q = linear(x, layer.query), k = linear(x, layer.key), v = linear(x, layer.value);
    const bool rel = cfg_.relative_attention;
    Tensor pos_key, pos_query;  // (2*span, H)
    if (rel && cfg_.c2p) pos_key = linear(rel_embeddings_, cfg_.share_att_key ? layer.key : layer.pos_key);
    if (rel && cfg_.p2c) pos_query = linear(rel_embeddings_, cfg_.share_att_key ? layer.query : layer.pos_query);
    const int scale_factor = 1 + (rel && cfg_.c2p ? 1 : 0) + (rel && cfg_.p2c ? 1 : 0);
    const float scale = std::sqrt(static_cast<float>(d) * static_cast<float>(scale_factor));
    return disentangled_attention(q, k, v, pos_key, pos_query, c2p_index, p2c_index, in.attention_mask,
                                  {in.batch, S, heads, d, 2 * att_span_, scale});
  }

  DebertaV2Config cfg_;
  Head head_;
  Activation act_, pooler_act_ = Activation::GeluErf;
  Tensor word_embeddings_, position_embeddings_, token_type_embeddings_;  // (*, E)
  Linear embed_proj_;  // (H, E), no bias
  LayerNorm embeddings_norm_;
  int64_t att_span_ = 0;
  Tensor rel_embeddings_;  // (2*span, H), after encoder.LayerNorm when norm_rel_ebd
  std::vector<DebertaLayer> layers_;
  Linear pooler_, classifier_, qa_outputs_;
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_deberta_v2(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<DebertaV2>(config, weights, head);
}

}  // namespace hubwasm
