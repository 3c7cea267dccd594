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
#include "ops/post_norm_block.h"

namespace hubwasm {

MPNetConfig MPNetConfig::from(const Config& c) {
  MPNetConfig m;
  static_cast<EncoderDims&>(m) = EncoderDims::from(c, 514, "gelu", 1e-12);
  m.relative_attention_num_buckets = c.get_int("relative_attention_num_buckets", 32);
  m.pad_token_id = c.get_int("pad_token_id", 1);
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

 private:
  EncoderOutput forward_batch(const EncoderInput& in) const override {
    validate_encoder_input(in, max_position_embeddings());
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
    for (const PostNormBlock& layer : layers_) x = post_norm_block(x, layer, in.attention_mask, shape, act_, &bias);

    EncoderOutput out;
    out.last_hidden_state = x.reshape({in.batch, in.seq, H});
    if (!pooler_.weight.empty()) out.pooler_output = first_token_dense(x, in.batch, in.seq, pooler_, Activation::Tanh);
    if (head_ == Head::SequenceClassification) {
      out.logits = linear(first_token_dense(x, in.batch, in.seq, classifier_dense_, Activation::Tanh), classifier_);
    } else {
      token_head_outputs(x, in.batch, in.seq, head_, classifier_, qa_outputs_, mlm_, out);
    }
    return out;
  }

  MPNetConfig cfg_;
  Head head_;
  Activation act_;
  Tensor word_embeddings_, position_embeddings_;  // (*, hidden)
  LayerNorm embeddings_norm_;
  Tensor relative_attention_bias_;  // (buckets, heads)
  std::vector<PostNormBlock> layers_;
  Linear pooler_, classifier_dense_, classifier_, qa_outputs_;
  MaskedLMHead mlm_;
};

}  // namespace

std::unique_ptr<EncoderModel> load_mpnet(const Config& config, const WeightStore& weights, Head head) {
  return std::make_unique<MPNet>(config, weights, head);
}

}  // namespace hubwasm
