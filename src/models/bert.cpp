#include "models/bert.h"

#include <cmath>

#include "core/error.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

BertConfig BertConfig::from(const Config& c) {
  BertConfig b;
  b.vocab_size = c.get_int("vocab_size");
  b.hidden_size = c.get_int("hidden_size");
  b.num_hidden_layers = c.get_int("num_hidden_layers");
  b.num_attention_heads = c.get_int("num_attention_heads");
  b.intermediate_size = c.get_int("intermediate_size");
  b.max_position_embeddings = c.get_int("max_position_embeddings", 512);
  b.type_vocab_size = c.get_int("type_vocab_size", 2);
  b.hidden_act = c.get_string("hidden_act", "gelu");
  b.layer_norm_eps = c.get_float("layer_norm_eps", 1e-12);
  const std::string position_type = c.get_string("position_embedding_type", "absolute");
  if (position_type != "absolute") {
    throw Error(ErrorCode::UnsupportedFeature,
                c.filename() + ": position_embedding_type \"" + position_type + "\" is not supported");
  }
  if (b.num_attention_heads <= 0 || b.hidden_size <= 0 || b.hidden_size % b.num_attention_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": hidden_size " + std::to_string(b.hidden_size) +
                                              " is not a multiple of num_attention_heads " +
                                              std::to_string(b.num_attention_heads));
  }
  for (int64_t v : {b.vocab_size, b.num_hidden_layers, b.intermediate_size, b.max_position_embeddings,
                    b.type_vocab_size}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  return b;
}

namespace {

struct BertLayer {
  Linear query, key, value, attention_output;  // (hidden, hidden)
  LayerNorm attention_norm;
  Linear intermediate;  // (intermediate, hidden)
  Linear output;        // (hidden, intermediate)
  LayerNorm output_norm;
};

class Bert final : public EncoderModel {
 public:
  Bert(const Config& config, const WeightStore& weights, Head head) : cfg_(BertConfig::from(config)) {
    const WeightLoader w(weights, "bert.");
    const int64_t H = cfg_.hidden_size;
    const auto eps = static_cast<float>(cfg_.layer_norm_eps);
    act_ = parse_activation(cfg_.hidden_act, "hidden_act");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, H});
    position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, H});
    token_type_embeddings_ = w.base("embeddings.token_type_embeddings.weight", {cfg_.type_vocab_size, H});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", H, eps);
    for (int64_t i = 0; i < cfg_.num_hidden_layers; ++i) {
      const std::string p = "encoder.layer." + std::to_string(i) + ".";
      layers_.push_back({w.base_linear(p + "attention.self.query", H, H),
                         w.base_linear(p + "attention.self.key", H, H),
                         w.base_linear(p + "attention.self.value", H, H),
                         w.base_linear(p + "attention.output.dense", H, H),
                         w.base_layer_norm(p + "attention.output.LayerNorm", H, eps),
                         w.base_linear(p + "intermediate.dense", H, cfg_.intermediate_size),
                         w.base_linear(p + "output.dense", cfg_.intermediate_size, H),
                         w.base_layer_norm(p + "output.LayerNorm", H, eps)});
    }
    // BertModel keeps its pooler when the checkpoint has one; the classifier needs it.
    if (head == Head::SequenceClassification || w.has_base("pooler.dense.weight")) {
      pooler_ = w.base_linear("pooler.dense", H, H);
    }
    if (head == Head::SequenceClassification) {
      classifier_ = w.head_linear("classifier", H, config.num_labels());
    }
  }

  int64_t max_position_embeddings() const override { return cfg_.max_position_embeddings; }

  EncoderOutput forward(const EncoderInput& in) const override {
    validate_encoder_input(in);
    if (in.seq > cfg_.max_position_embeddings) {
      throw Error(ErrorCode::InvalidArgument, "input of " + std::to_string(in.seq) +
                                                  " tokens is longer than max_position_embeddings " +
                                                  std::to_string(cfg_.max_position_embeddings));
    }
    const int64_t H = cfg_.hidden_size, rows = in.batch * in.seq;
    // BertEmbeddings: word + absolute position + token type, then LayerNorm.
    std::vector<int32_t> positions(rows);
    for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
    const std::vector<int32_t> zeros(rows, 0);
    Tensor x = Tensor::zeros(DType::F32, {rows, H});
    add_embedding(x, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(x, position_embeddings_, positions, "position_ids");
    add_embedding(x, token_type_embeddings_, in.token_type_ids.empty() ? zeros : in.token_type_ids,
                  "token_type_ids");
    layer_norm_inplace(x, embeddings_norm_);

    const AttentionShape shape{in.batch, in.seq, cfg_.num_attention_heads, H / cfg_.num_attention_heads};
    for (const BertLayer& layer : layers_) {  // hot loop: one post-norm transformer block
      Tensor context = self_attention(linear(x, layer.query), linear(x, layer.key), linear(x, layer.value),
                                      in.attention_mask, shape);
      Tensor attended = linear(context, layer.attention_output);
      add_layer_norm_inplace(attended, x, layer.attention_norm);
      Tensor inner = linear(attended, layer.intermediate);
      activation_inplace(inner, act_);
      x = linear(inner, layer.output);
      add_layer_norm_inplace(x, attended, layer.output_norm);
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) {
      // BertPooler: tanh(dense(first token)).
      Tensor first = Tensor::zeros(DType::F32, {in.batch, H});
      for (int64_t b = 0; b < in.batch; ++b) {
        std::copy_n(x.f32() + b * in.seq * H, H, first.f32() + b * H);
      }
      out.pooler_output = linear(first, pooler_);
      float* p = out.pooler_output.f32();
      for (int64_t i = 0; i < out.pooler_output.numel(); ++i) p[i] = std::tanh(p[i]);
    }
    if (!classifier_.weight.empty()) out.logits = linear(out.pooler_output, classifier_);
    return out;
  }

 private:
  BertConfig cfg_;
  Activation act_;
  Tensor word_embeddings_;        // (vocab, hidden)
  Tensor position_embeddings_;    // (max_positions, hidden)
  Tensor token_type_embeddings_;  // (type_vocab, hidden)
  LayerNorm embeddings_norm_;
  std::vector<BertLayer> layers_;
  Linear pooler_;      // (hidden, hidden), optional
  Linear classifier_;  // (num_labels, hidden), SequenceClassification only
};

}  // namespace

std::unique_ptr<EncoderModel> load_bert(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Bert>(config, weights, head);
}

}  // namespace hubwasm
