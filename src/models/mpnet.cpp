#include "models/mpnet.h"

#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "models/encoder_heads.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

MPNetConfig MPNetConfig::from(const Config& c) {
  MPNetConfig m;
  m.vocab_size = c.get_int("vocab_size");
  m.hidden_size = c.get_int("hidden_size");
  m.num_hidden_layers = c.get_int("num_hidden_layers");
  m.num_attention_heads = c.get_int("num_attention_heads");
  m.intermediate_size = c.get_int("intermediate_size");
  m.max_position_embeddings = c.get_int("max_position_embeddings", 514);
  m.relative_attention_num_buckets = c.get_int("relative_attention_num_buckets", 32);
  m.pad_token_id = c.get_int("pad_token_id", 1);
  m.hidden_act = c.get_string("hidden_act", "gelu");
  m.layer_norm_eps = c.get_float("layer_norm_eps", 1e-12);
  if (m.num_attention_heads <= 0 || m.hidden_size <= 0 || m.hidden_size % m.num_attention_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": hidden_size " + std::to_string(m.hidden_size) +
                                              " is not a multiple of num_attention_heads " +
                                              std::to_string(m.num_attention_heads));
  }
  for (int64_t v : {m.vocab_size, m.num_hidden_layers, m.intermediate_size, m.max_position_embeddings}) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
  }
  // compute_position_bias always uses 32 buckets; the table must have them.
  if (m.relative_attention_num_buckets < 32) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": relative_attention_num_buckets must be at least 32");
  }
  if (m.pad_token_id < 0 || m.pad_token_id + 1 >= m.max_position_embeddings) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": pad_token_id " + std::to_string(m.pad_token_id) +
                                              " leaves no positions below max_position_embeddings");
  }
  return m;
}

int32_t mpnet_relative_position_bucket(int64_t relative_position, int64_t num_buckets, int64_t max_distance) {
  int64_t ret = 0;
  int64_t n = -relative_position;
  num_buckets /= 2;
  if (n < 0) ret += num_buckets;
  n = std::llabs(n);
  const int64_t max_exact = num_buckets / 2;
  if (n < max_exact) return static_cast<int32_t>(ret + n);
  // As torch computes it: float32 log ratio, truncated toward zero.
  const float scaled = std::log(static_cast<float>(n) / static_cast<float>(max_exact)) /
                       static_cast<float>(std::log(static_cast<double>(max_distance) / max_exact)) *
                       static_cast<float>(num_buckets - max_exact);
  const int64_t large = std::min<int64_t>(max_exact + static_cast<int64_t>(scaled), num_buckets - 1);
  return static_cast<int32_t>(ret + large);
}

namespace {

constexpr int64_t kBuckets = 32;  // compute_position_bias's default, used by MPNetEncoder

struct MPNetLayer {
  Linear q, k, v, o;  // (hidden, hidden)
  LayerNorm attention_norm;
  Linear intermediate;  // (intermediate, hidden)
  Linear output;        // (hidden, intermediate)
  LayerNorm output_norm;
};

class MPNet final : public EncoderModel {
 public:
  MPNet(const Config& config, const WeightStore& weights, Head head) : cfg_(MPNetConfig::from(config)), head_(head) {
    const WeightLoader w(weights, "mpnet.");
    const int64_t H = cfg_.hidden_size;
    const auto eps = static_cast<float>(cfg_.layer_norm_eps);
    act_ = parse_activation(cfg_.hidden_act, "hidden_act");
    word_embeddings_ = w.base("embeddings.word_embeddings.weight", {cfg_.vocab_size, H});
    position_embeddings_ = w.base("embeddings.position_embeddings.weight", {cfg_.max_position_embeddings, H});
    embeddings_norm_ = w.base_layer_norm("embeddings.LayerNorm", H, eps);
    relative_attention_bias_ =
        w.base("encoder.relative_attention_bias.weight", {cfg_.relative_attention_num_buckets, cfg_.num_attention_heads});
    for (int64_t i = 0; i < cfg_.num_hidden_layers; ++i) {
      const std::string p = "encoder.layer." + std::to_string(i) + ".";
      layers_.push_back({w.base_linear(p + "attention.attn.q", H, H), w.base_linear(p + "attention.attn.k", H, H),
                         w.base_linear(p + "attention.attn.v", H, H), w.base_linear(p + "attention.attn.o", H, H),
                         w.base_layer_norm(p + "attention.LayerNorm", H, eps),
                         w.base_linear(p + "intermediate.dense", H, cfg_.intermediate_size),
                         w.base_linear(p + "output.dense", cfg_.intermediate_size, H),
                         w.base_layer_norm(p + "output.LayerNorm", H, eps)});
    }
    if (head == Head::Base && w.has_base("pooler.dense.weight")) pooler_ = w.base_linear("pooler.dense", H, H);
    switch (head) {
      case Head::SequenceClassification:  // MPNetClassificationHead: dense -> tanh -> out_proj on <s>
        classifier_dense_ = w.head_linear("classifier.dense", H, H);
        classifier_ = w.head_linear("classifier.out_proj", H, config.num_labels());
        break;
      case Head::TokenClassification: classifier_ = w.head_linear("classifier", H, config.num_labels()); break;
      case Head::QuestionAnswering: qa_outputs_ = w.head_linear("qa_outputs", H, 2); break;
      case Head::MaskedLM:
        mlm_ = load_masked_lm_head(w, "lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight",
                                   {"lm_head.bias", "lm_head.decoder.bias"}, word_embeddings_, H,
                                   Activation::GeluErf, eps);
        break;
      case Head::Base: break;
    }
  }

  int64_t max_position_embeddings() const override {
    return cfg_.max_position_embeddings - cfg_.pad_token_id - 1;
  }

  EncoderOutput forward(const EncoderInput& in) const override {
    validate_encoder_input(in);
    if (in.seq > max_position_embeddings()) {
      throw Error(ErrorCode::InvalidArgument, "input of " + std::to_string(in.seq) +
                                                  " tokens is longer than max_position_embeddings " +
                                                  std::to_string(max_position_embeddings()));
    }
    const int64_t H = cfg_.hidden_size, heads = cfg_.num_attention_heads, rows = in.batch * in.seq;
    // create_position_ids_from_input_ids, as RoBERTa.
    std::vector<int32_t> positions(rows);
    for (int64_t b = 0; b < in.batch; ++b) {
      int32_t count = 0;
      for (int64_t s = 0; s < in.seq; ++s) {
        const int64_t r = b * in.seq + s;
        const bool token = in.input_ids[r] != cfg_.pad_token_id;
        count += token;
        positions[r] = static_cast<int32_t>(cfg_.pad_token_id) + (token ? count : 0);
      }
    }
    Tensor x = Tensor::zeros(DType::F32, {rows, H});
    add_embedding(x, word_embeddings_, in.input_ids, "input_ids");
    add_embedding(x, position_embeddings_, positions, "position_ids");
    layer_norm_inplace(x, embeddings_norm_);

    // compute_position_bias: bias[h][i][j] = table[bucket(j - i)][h].
    Tensor bias = Tensor::zeros(DType::F32, {heads, in.seq, in.seq});
    for (int64_t i = 0; i < in.seq; ++i) {
      for (int64_t j = 0; j < in.seq; ++j) {
        const int32_t bucket = mpnet_relative_position_bucket(j - i, kBuckets);
        for (int64_t h = 0; h < heads; ++h) {
          bias.f32()[(h * in.seq + i) * in.seq + j] = relative_attention_bias_.f32()[bucket * heads + h];
        }
      }
    }

    const AttentionShape shape{in.batch, in.seq, heads, H / heads};
    for (const MPNetLayer& layer : layers_) {
      Tensor context =
          self_attention(linear(x, layer.q), linear(x, layer.k), linear(x, layer.v), in.attention_mask, shape, &bias);
      Tensor attended = linear(context, layer.o);
      add_layer_norm_inplace(attended, x, layer.attention_norm);
      Tensor inner = linear(attended, layer.intermediate);
      activation_inplace(inner, act_);
      x = linear(inner, layer.output);
      add_layer_norm_inplace(x, attended, layer.output_norm);
    }

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) {
      out.pooler_output = linear(first_tokens(x, in.batch, in.seq), pooler_);
      float* p = out.pooler_output.f32();
      for (int64_t k = 0; k < out.pooler_output.numel(); ++k) p[k] = std::tanh(p[k]);
    }
    if (head_ == Head::SequenceClassification) {
      Tensor h = linear(first_tokens(x, in.batch, in.seq), classifier_dense_);
      for (int64_t k = 0; k < h.numel(); ++k) h.f32()[k] = std::tanh(h.f32()[k]);
      out.logits = linear(h, classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

 private:
  MPNetConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_, position_embeddings_;  // (*, hidden)
  LayerNorm embeddings_norm_;
  Tensor relative_attention_bias_;  // (buckets, heads)
  std::vector<MPNetLayer> layers_;
  Linear pooler_, classifier_dense_, classifier_, qa_outputs_;
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_mpnet(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<MPNet>(config, weights, head);
}

}  // namespace hubwasm
