#include "models/albert.h"

#include <cmath>

#include "core/error.h"
#include "models/encoder_heads.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

AlbertConfig AlbertConfig::from(const Config& c) {
  AlbertConfig a;
  a.vocab_size = c.get_int("vocab_size");
  a.embedding_size = c.get_int("embedding_size", 128);
  a.hidden_size = c.get_int("hidden_size");
  a.num_hidden_layers = c.get_int("num_hidden_layers");
  a.num_hidden_groups = c.get_int("num_hidden_groups", 1);
  a.inner_group_num = c.get_int("inner_group_num", 1);
  a.num_attention_heads = c.get_int("num_attention_heads");
  a.intermediate_size = c.get_int("intermediate_size");
  a.max_position_embeddings = c.get_int("max_position_embeddings", 512);
  a.type_vocab_size = c.get_int("type_vocab_size", 2);
  a.hidden_act = c.get_string("hidden_act", "gelu_new");
  a.layer_norm_eps = c.get_float("layer_norm_eps", 1e-12);
  const std::string position_type = c.get_string("position_embedding_type", "absolute");
  if (position_type != "absolute") {
    throw Error(ErrorCode::UnsupportedFeature,
                c.filename() + ": position_embedding_type \"" + position_type + "\" is not supported");
  }
  if (a.num_attention_heads <= 0 || a.hidden_size <= 0 || a.hidden_size % a.num_attention_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": hidden_size " + std::to_string(a.hidden_size) +
                                              " is not a multiple of num_attention_heads " +
                                              std::to_string(a.num_attention_heads));
  }
  for (int64_t v : {a.vocab_size, a.embedding_size, a.num_hidden_layers, a.num_hidden_groups, a.inner_group_num,
                    a.intermediate_size, a.max_position_embeddings, a.type_vocab_size}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  if (a.num_hidden_layers % a.num_hidden_groups != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": num_hidden_layers " + std::to_string(a.num_hidden_layers) +
                                              " is not a multiple of num_hidden_groups " +
                                              std::to_string(a.num_hidden_groups));
  }
  return a;
}

namespace {

struct AlbertLayer {
  Linear query, key, value, dense;  // (hidden, hidden)
  LayerNorm attention_norm;
  Linear ffn;         // (intermediate, hidden)
  Linear ffn_output;  // (hidden, intermediate)
  LayerNorm full_layer_layer_norm;
};

class Albert final : public EncoderModel {
 public:
  Albert(const Config& config, const WeightStore& weights, Head head) : cfg_(AlbertConfig::from(config)), head_(head) {
    const WeightLoader w(weights, "albert.");
    const int64_t H = cfg_.hidden_size, E = cfg_.embedding_size, I = cfg_.intermediate_size;
    const auto eps = static_cast<float>(cfg_.layer_norm_eps);
    act_ = parse_activation(cfg_.hidden_act, "hidden_act");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, E});
    position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, E});
    token_type_embeddings_ = w.base("embeddings.token_type_embeddings.weight", {cfg_.type_vocab_size, E});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", E, eps);
    mapping_in_ = w.base_linear("encoder.embedding_hidden_mapping_in", E, H);
    for (int64_t g = 0; g < cfg_.num_hidden_groups; ++g) {
      std::vector<AlbertLayer> group;
      for (int64_t j = 0; j < cfg_.inner_group_num; ++j) {
        const std::string p =
            "encoder.albert_layer_groups." + std::to_string(g) + ".albert_layers." + std::to_string(j) + ".";
        group.push_back({w.base_linear(p + "attention.query", H, H), w.base_linear(p + "attention.key", H, H),
                         w.base_linear(p + "attention.value", H, H), w.base_linear(p + "attention.dense", H, H),
                         w.base_layer_norm(p + "attention.LayerNorm", H, eps), w.base_linear(p + "ffn", H, I),
                         w.base_linear(p + "ffn_output", I, H),
                         w.base_layer_norm(p + "full_layer_layer_norm", H, eps)});
      }
      groups_.push_back(std::move(group));
    }
    if (head == Head::SequenceClassification || (head == Head::Base && w.has_base("pooler.weight"))) {
      pooler_ = w.base_linear("pooler", H, H);
    }
    switch (head) {
      case Head::SequenceClassification:
      case Head::TokenClassification: classifier_ = w.head_linear("classifier", H, config.num_labels()); break;
      case Head::QuestionAnswering: qa_outputs_ = w.head_linear("qa_outputs", H, 2); break;
      case Head::MaskedLM:
        // AlbertMLMHead: dense (H -> E) -> hidden_act -> LayerNorm -> decoder tied to the word embeddings.
        mlm_ = load_masked_lm_head(w, "predictions.dense", "predictions.LayerNorm", "predictions.decoder.weight",
                                   {"predictions.bias", "predictions.decoder.bias"}, word_embeddings_, H, act_, eps);
        break;
      case Head::Base: break;
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
    std::vector<int32_t> positions(rows);
    for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
    const std::vector<int32_t> zeros(rows, 0);
    Tensor e = Tensor::zeros(DType::F32, {rows, cfg_.embedding_size});
    add_embedding(e, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(e, position_embeddings_, positions, "position_ids");
    add_embedding(e, token_type_embeddings_, in.token_type_ids.empty() ? zeros : in.token_type_ids,
                  "token_type_ids");
    layer_norm_inplace(e, embeddings_norm_);
    Tensor x = linear(e, mapping_in_);

    const AttentionShape shape{in.batch, in.seq, cfg_.num_attention_heads, H / cfg_.num_attention_heads};
    const int64_t layers_per_group = cfg_.num_hidden_layers / cfg_.num_hidden_groups;
    for (int64_t i = 0; i < cfg_.num_hidden_layers; ++i) {
      for (const AlbertLayer& layer : groups_[i / layers_per_group]) {
        Tensor context = self_attention(linear(x, layer.query), linear(x, layer.key), linear(x, layer.value),
                                        in.attention_mask, shape);
        Tensor attended = linear(context, layer.dense);
        add_layer_norm_inplace(attended, x, layer.attention_norm);
        Tensor inner = linear(attended, layer.ffn);
        activation_inplace(inner, act_);
        x = linear(inner, layer.ffn_output);
        add_layer_norm_inplace(x, attended, layer.full_layer_layer_norm);
      }
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) {
      out.pooler_output = linear(first_tokens(x, in.batch, in.seq), pooler_);
      float* p = out.pooler_output.f32();
      for (int64_t k = 0; k < out.pooler_output.numel(); ++k) p[k] = std::tanh(p[k]);
    }
    if (head_ == Head::SequenceClassification) {
      out.logits = linear(out.pooler_output, classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

 private:
  AlbertConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_, position_embeddings_, token_type_embeddings_;  // (*, E)
  LayerNorm embeddings_norm_;
  Linear mapping_in_;  // (H, E)
  std::vector<std::vector<AlbertLayer>> groups_;
  Linear pooler_, classifier_, qa_outputs_;
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_albert(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Albert>(config, weights, head);
}

}  // namespace hubwasm
