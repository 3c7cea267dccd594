#include "models/bert.h"

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

BertConfig BertConfig::from(const Config& c, BertVariant variant) {
  BertConfig b;
  static_cast<EncoderDims&>(b) = EncoderDims::from(c, 512, "gelu", 1e-12);
  b.type_vocab_size = c.get_int("type_vocab_size", 2);
  b.embedding_size = variant == BertVariant::Electra ? c.get_int("embedding_size", b.hidden_size) : b.hidden_size;
  b.pad_token_id = c.get_int("pad_token_id", variant == BertVariant::Roberta ? 1 : 0);
  require_absolute_positions(c);
  require_positive_sizes(c, {b.type_vocab_size, b.embedding_size});
  if (variant == BertVariant::Roberta && (b.pad_token_id < 0 || b.pad_token_id + 1 >= b.max_position_embeddings)) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": pad_token_id " + std::to_string(b.pad_token_id) +
                                              " leaves no positions below max_position_embeddings");
  }
  return b;
}

namespace {

const char* prefix_of(BertVariant v) {
  switch (v) {
    case BertVariant::Roberta: return "roberta.";
    case BertVariant::Electra: return "electra.";
    default: return "bert.";
  }
}

class Bert final : public EncoderModel {
 public:
  Bert(const Config& config, const WeightStore& weights, Head head, BertVariant variant)
      : cfg_(BertConfig::from(config, variant)), variant_(variant), head_(head) {
    const WeightLoader w(weights, prefix_of(variant));
    const int64_t H = cfg_.hidden_size, E = cfg_.embedding_size;
    const auto eps = static_cast<float>(cfg_.layer_norm_eps);
    act_ = parse_activation(cfg_.hidden_act, "hidden_act");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, E});
    position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, E});
    token_type_embeddings_ = w.base("embeddings.token_type_embeddings.weight", {cfg_.type_vocab_size, E});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", E, eps);
    if (E != H) embeddings_project_ = w.base_linear("embeddings_project", E, H);
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
    const bool bert_classifier = variant == BertVariant::Bert && head == Head::SequenceClassification;
    // The base model keeps its pooler when the checkpoint has one; BERT's classifier needs it.
    if (variant != BertVariant::Electra && (bert_classifier || (head == Head::Base && w.has_base("pooler.dense.weight")))) {
      pooler_ = w.base_linear("pooler.dense", H, H);
    }
    switch (head) {
      case Head::SequenceClassification:
        if (variant == BertVariant::Bert) {
          classifier_ = w.head_linear("classifier", H, config.num_labels());
        } else {  // RobertaClassificationHead / ElectraClassificationHead
          classifier_dense_ = w.head_linear("classifier.dense", H, H);
          classifier_ = w.head_linear("classifier.out_proj", H, config.num_labels());
        }
        break;
      case Head::TokenClassification: classifier_ = w.head_linear("classifier", H, config.num_labels()); break;
      case Head::QuestionAnswering: qa_outputs_ = w.head_linear("qa_outputs", H, 2); break;
      case Head::MaskedLM:
        if (variant == BertVariant::Bert) {
          mlm_ = load_masked_lm_head(w, "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                                     "cls.predictions.decoder.weight",
                                     {"cls.predictions.bias", "cls.predictions.decoder.bias"}, word_embeddings_, H,
                                     act_, eps);
        } else if (variant == BertVariant::Roberta) {
          mlm_ = load_masked_lm_head(w, "lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight",
                                     {"lm_head.bias", "lm_head.decoder.bias"}, word_embeddings_, H,
                                     Activation::GeluErf, eps);
        } else {  // ElectraForMaskedLM: the generator's head
          mlm_ = load_masked_lm_head(w, "generator_predictions.dense", "generator_predictions.LayerNorm",
                                     "generator_lm_head.weight", {"generator_lm_head.bias"}, word_embeddings_, H,
                                     Activation::GeluErf, eps);
        }
        break;
      case Head::Base: break;
    }
  }

  int64_t max_position_embeddings() const override {
    // RoBERTa's positions start after padding_idx.
    return variant_ == BertVariant::Roberta ? cfg_.max_position_embeddings - cfg_.pad_token_id - 1
                                            : cfg_.max_position_embeddings;
  }

 private:
  EncoderOutput forward_batch(const EncoderInput& in) const override {
    validate_encoder_input(in, max_position_embeddings());
    const int64_t H = cfg_.hidden_size, E = cfg_.embedding_size, rows = in.batch * in.seq;
    std::vector<int32_t> positions(rows);
    if (variant_ == BertVariant::Roberta) {
      // create_position_ids_from_input_ids: padding_idx + running count of non-pad tokens; pads get padding_idx.
      for (int64_t b = 0; b < in.batch; ++b) {
        int32_t count = 0;
        for (int64_t s = 0; s < in.seq; ++s) {
          const int64_t r = b * in.seq + s;
          const bool token = in.input_ids[r] != cfg_.pad_token_id;
          count += token;
          positions[r] = static_cast<int32_t>(cfg_.pad_token_id) + (token ? count : 0);
        }
      }
    } else {
      for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
    }
    const std::vector<int32_t> zeros(rows, 0);
    Tensor x = Tensor::zeros(DType::F32, {rows, E});
    add_embedding(x, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(x, position_embeddings_, positions, "position_ids");
    // RoBERTa tokenizers do not return token_type_ids (a pair's second sequence may carry type 1 from the
    // post-processor, as in tokenizers' RobertaProcessing): with one type, they are all zeros, as transformers runs it.
    const bool use_types = !in.token_type_ids.empty() &&
                           !(variant_ == BertVariant::Roberta && cfg_.type_vocab_size == 1);
    add_embedding(x, token_type_embeddings_, use_types ? in.token_type_ids : zeros, "token_type_ids");
    layer_norm_inplace(x, embeddings_norm_);
    if (!embeddings_project_.weight.empty()) x = linear(x, embeddings_project_);

    const AttentionShape shape{in.batch, in.seq, cfg_.num_attention_heads, H / cfg_.num_attention_heads};
    for (const PostNormBlock& layer : layers_) x = post_norm_block(x, layer, in.attention_mask, shape, act_);

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) out.pooler_output = first_token_dense(x, in.batch, in.seq, pooler_, Activation::Tanh);
    if (head_ == Head::SequenceClassification) {
      if (variant_ == BertVariant::Bert) {
        out.logits = linear(out.pooler_output, classifier_);
      } else {
        const Activation act = variant_ == BertVariant::Roberta ? Activation::Tanh : Activation::GeluErf;
        out.logits = linear(first_token_dense(x, in.batch, in.seq, classifier_dense_, act), classifier_);
      }
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

  BertConfig cfg_;
  BertVariant variant_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_;        // (vocab, E)
  Tensor position_embeddings_;    // (max_positions, E)
  Tensor token_type_embeddings_;  // (type_vocab, E)
  LayerNorm embeddings_norm_;
  Linear embeddings_project_;  // (H, E), ELECTRA when E != H
  std::vector<PostNormBlock> layers_;
  Linear pooler_;            // (hidden, hidden), optional
  Linear classifier_dense_;  // (hidden, hidden), RoBERTa/ELECTRA sequence classification
  Linear classifier_;        // (num_labels, hidden)
  Linear qa_outputs_;        // (2, hidden)
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_bert(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Bert>(config, weights, head, BertVariant::Bert);
}

std::unique_ptr<EncoderModel> load_roberta(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Bert>(config, weights, head, BertVariant::Roberta);
}

std::unique_ptr<EncoderModel> load_electra(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<Bert>(config, weights, head, BertVariant::Electra);
}

}  // namespace hubwasm
