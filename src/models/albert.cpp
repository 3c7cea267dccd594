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
#include "ops/post_norm_block.h"

namespace hubwasm {

AlbertConfig AlbertConfig::from(const Config& c) {
  AlbertConfig a;
  static_cast<EncoderDims&>(a) = EncoderDims::from(c, 512, "gelu_new", 1e-12);
  a.embedding_size = c.get_int("embedding_size", 128);
  a.num_hidden_groups = c.get_int("num_hidden_groups", 1);
  a.inner_group_num = c.get_int("inner_group_num", 1);
  a.type_vocab_size = c.get_int("type_vocab_size", 2);
  require_absolute_positions(c);
  require_positive_sizes(c, {a.embedding_size, a.num_hidden_groups, a.inner_group_num, a.type_vocab_size});
  if (a.num_hidden_layers % a.num_hidden_groups != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": num_hidden_layers " + std::to_string(a.num_hidden_layers) +
                                              " is not a multiple of num_hidden_groups " +
                                              std::to_string(a.num_hidden_groups));
  }
  return a;
}

namespace {

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
      std::vector<PostNormBlock> group;
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

 private:
  EncoderOutput forward_batch(const EncoderInput& in) const override {
    validate_encoder_input(in, cfg_.max_position_embeddings);
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
      for (const PostNormBlock& layer : groups_[i / layers_per_group]) {
        x = post_norm_block(x, layer, in.attention_mask, shape, act_);
      }
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) out.pooler_output = first_token_dense(x, in.batch, in.seq, pooler_, Activation::Tanh);
    if (head_ == Head::SequenceClassification) {
      out.logits = linear(out.pooler_output, classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

  AlbertConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_, position_embeddings_, token_type_embeddings_;  // (*, E)
  LayerNorm embeddings_norm_;
  Linear mapping_in_;  // (H, E)
  std::vector<std::vector<PostNormBlock>> groups_;
  Linear pooler_, classifier_, qa_outputs_;
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_albert(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Albert>(config, weights, head);
}

}  // namespace hubwasm
