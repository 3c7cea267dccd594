#include "models/distilbert.h"

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

DistilBertConfig DistilBertConfig::from(const Config& c) {
  DistilBertConfig d;
  d.vocab_size = c.get_int("vocab_size");
  d.dim = c.get_int("dim");
  d.n_layers = c.get_int("n_layers");
  d.n_heads = c.get_int("n_heads");
  d.hidden_dim = c.get_int("hidden_dim");
  d.max_position_embeddings = c.get_int("max_position_embeddings", 512);
  d.activation = c.get_string("activation", "gelu");
  if (d.n_heads <= 0 || d.dim <= 0 || d.dim % d.n_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": dim " + std::to_string(d.dim) +
                                              " is not a multiple of n_heads " + std::to_string(d.n_heads));
  }
  for (int64_t v : {d.vocab_size, d.n_layers, d.hidden_dim, d.max_position_embeddings}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  return d;
}

namespace {

// DistilBERT hard-codes LayerNorm eps 1e-12.
constexpr float kLayerNormEps = 1e-12f;

class DistilBert final : public EncoderModel {
 public:
  DistilBert(const Config& config, const WeightStore& weights, Head head)
      : cfg_(DistilBertConfig::from(config)), head_(head) {
    const WeightLoader w(weights, "distilbert.");
    const int64_t D = cfg_.dim;
    act_ = parse_activation(cfg_.activation, "activation");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, D});
    position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, D});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", D, kLayerNormEps);
    for (int64_t i = 0; i < cfg_.n_layers; ++i) {
      const std::string p = "transformer.layer." + std::to_string(i) + ".";
      layers_.push_back({w.base_linear(p + "attention.q_lin", D, D), w.base_linear(p + "attention.k_lin", D, D),
                         w.base_linear(p + "attention.v_lin", D, D), w.base_linear(p + "attention.out_lin", D, D),
                         w.base_layer_norm(p + "sa_layer_norm", D, kLayerNormEps),
                         w.base_linear(p + "ffn.lin1", D, cfg_.hidden_dim),
                         w.base_linear(p + "ffn.lin2", cfg_.hidden_dim, D),
                         w.base_layer_norm(p + "output_layer_norm", D, kLayerNormEps)});
    }
    if (head == Head::SequenceClassification) {
      pre_classifier_ = w.head_linear("pre_classifier", D, D);
      classifier_ = w.head_linear("classifier", D, config.num_labels());
    } else if (head == Head::TokenClassification) {
      classifier_ = w.head_linear("classifier", D, config.num_labels());
    } else if (head == Head::QuestionAnswering) {
      qa_outputs_ = w.head_linear("qa_outputs", D, 2);
    } else if (head == Head::MaskedLM) {
      // DistilBertForMaskedLM: vocab_transform -> activation -> vocab_layer_norm -> vocab_projector (tied).
      mlm_ = load_masked_lm_head(w, "vocab_transform", "vocab_layer_norm", "vocab_projector.weight",
                                 {"vocab_projector.bias"}, word_embeddings_, D, act_, kLayerNormEps);
    }
  }

  int64_t max_position_embeddings() const override { return cfg_.max_position_embeddings; }

 private:
  EncoderOutput forward_batch(const EncoderInput& in) const override {
    validate_encoder_input(in, cfg_.max_position_embeddings);
    const int64_t D = cfg_.dim, rows = in.batch * in.seq;
    std::vector<int32_t> positions(rows);
    for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
    Tensor x = Tensor::zeros(DType::F32, {rows, D});
    add_embedding(x, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(x, position_embeddings_, positions, "position_ids");
    layer_norm_inplace(x, embeddings_norm_);

    const AttentionShape shape{in.batch, in.seq, cfg_.n_heads, D / cfg_.n_heads};
    for (const PostNormBlock& layer : layers_) x = post_norm_block(x, layer, in.attention_mask, shape, act_);

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, D});
    if (head_ == Head::SequenceClassification) {
      // First token -> pre_classifier -> ReLU -> classifier.
      out.logits = linear(first_token_dense(x, in.batch, in.seq, pre_classifier_, Activation::Relu), classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

  DistilBertConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_;      // (vocab, dim)
  Tensor position_embeddings_;  // (max_positions, dim)
  LayerNorm embeddings_norm_;
  std::vector<PostNormBlock> layers_;
  Linear pre_classifier_;  // (dim, dim)
  Linear classifier_;      // (num_labels, dim)
  Linear qa_outputs_;      // (2, dim)
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_distilbert(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<DistilBert>(config, weights, head);
}

}  // namespace hubwasm
