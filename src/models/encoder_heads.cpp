#include "models/encoder_heads.h"

#include <algorithm>

#include "core/error.h"

namespace hubwasm {

Tensor MaskedLMHead::forward(const Tensor& rows) const {
  Tensor h = linear(rows, dense);
  activation_inplace(h, act);
  layer_norm_inplace(h, norm);
  return linear(h, decoder);
}

MaskedLMHead load_masked_lm_head(const WeightLoader& w, const std::string& dense, const std::string& norm,
                                 const std::string& decoder_weight, const std::vector<std::string>& bias_names,
                                 const Tensor& word_embeddings, int64_t hidden, Activation act, float eps) {
  const int64_t vocab = word_embeddings.dim(0), E = word_embeddings.dim(1);
  MaskedLMHead h;
  h.dense = w.head_linear(dense, hidden, E);
  h.act = act;
  h.norm = {w.head(norm + ".weight", {E}), w.head(norm + ".bias", {E}), eps};
  h.decoder.weight = w.has_head(decoder_weight) ? w.head(decoder_weight, {vocab, E}) : word_embeddings;
  for (const std::string& name : bias_names) {
    if (w.has_head(name)) {
      h.decoder.bias = w.head(name, {vocab});
      break;
    }
  }
  if (h.decoder.bias.empty()) h.decoder.bias = w.head(bias_names.at(0), {vocab});  // throws MissingTensor
  return h;
}

Tensor first_tokens(const Tensor& x, int64_t batch, int64_t seq) {
  const int64_t H = x.dim(1);
  Tensor first = Tensor::zeros(DType::F32, {batch, H});
  for (int64_t b = 0; b < batch; ++b) std::copy_n(x.f32() + b * seq * H, H, first.f32() + b * H);
  return first;
}

Tensor first_token_dense(const Tensor& x, int64_t batch, int64_t seq, const Linear& dense, Activation act) {
  Tensor h = linear(first_tokens(x, batch, seq), dense);
  activation_inplace(h, act);
  return h;
}

void token_head_outputs(const Tensor& x, int64_t batch, int64_t seq, Head head, const Linear& classifier,
                        const Linear& qa_outputs, const MaskedLMHead& mlm, EncoderOutput& out) {
  switch (head) {
    case Head::TokenClassification: {
      Tensor logits = linear(x, classifier);
      out.logits = logits.reshape({batch, seq, classifier.out_features()});
      break;
    }
    case Head::MaskedLM: {
      Tensor logits = mlm.forward(x);
      out.logits = logits.reshape({batch, seq, logits.dim(1)});
      break;
    }
    case Head::QuestionAnswering: {
      const Tensor both = linear(x, qa_outputs);  // (rows, 2)
      out.start_logits = Tensor::zeros(DType::F32, {batch, seq});
      out.end_logits = Tensor::zeros(DType::F32, {batch, seq});
      for (int64_t r = 0; r < batch * seq; ++r) {
        out.start_logits.f32()[r] = both.f32()[2 * r];
        out.end_logits.f32()[r] = both.f32()[2 * r + 1];
      }
      break;
    }
    default: break;
  }
}

}  // namespace hubwasm
