#include "models/distilbert.h"

#include "core/error.h"
#include "models/encoder_heads.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

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

struct DistilBertLayer {
  Linear q_lin, k_lin, v_lin, out_lin;  // (dim, dim)
  LayerNorm sa_layer_norm;
  Linear lin1;  // (hidden_dim, dim)
  Linear lin2;  // (dim, hidden_dim)
  LayerNorm output_layer_norm;
};

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

  EncoderOutput forward(const EncoderInput& in) const override {
    validate_encoder_input(in);
    if (in.seq > cfg_.max_position_embeddings) {
      throw Error(ErrorCode::InvalidArgument, "input of " + std::to_string(in.seq) +
                                                  " tokens is longer than max_position_embeddings " +
                                                  std::to_string(cfg_.max_position_embeddings));
    }
    const int64_t D = cfg_.dim, rows = in.batch * in.seq;
    std::vector<int32_t> positions(rows);
    for (int64_t r = 0; r < rows; ++r) positions[r] = static_cast<int32_t>(r % in.seq);
    Tensor x = Tensor::zeros(DType::F32, {rows, D});
    add_embedding(x, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(x, position_embeddings_, positions, "position_ids");
    layer_norm_inplace(x, embeddings_norm_);

    const AttentionShape shape{in.batch, in.seq, cfg_.n_heads, D / cfg_.n_heads};
    for (const DistilBertLayer& layer : layers_) {  // hot loop: post-norm block
      Tensor context = self_attention(linear(x, layer.q_lin), linear(x, layer.k_lin), linear(x, layer.v_lin),
                                      in.attention_mask, shape);
      Tensor attended = linear(context, layer.out_lin);
      add_layer_norm_inplace(attended, x, layer.sa_layer_norm);
      Tensor inner = linear(attended, layer.lin1);
      activation_inplace(inner, act_);
      x = linear(inner, layer.lin2);
      add_layer_norm_inplace(x, attended, layer.output_layer_norm);
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, D});
    if (head_ == Head::SequenceClassification) {
      // First token -> pre_classifier -> ReLU -> classifier.
      Tensor first = Tensor::zeros(DType::F32, {in.batch, D});
      for (int64_t b = 0; b < in.batch; ++b) std::copy_n(x.f32() + b * in.seq * D, D, first.f32() + b * D);
      Tensor hidden = linear(first, pre_classifier_);
      activation_inplace(hidden, Activation::Relu);
      out.logits = linear(hidden, classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

 private:
  DistilBertConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_;      // (vocab, dim)
  Tensor position_embeddings_;  // (max_positions, dim)
  LayerNorm embeddings_norm_;
  std::vector<DistilBertLayer> layers_;
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
