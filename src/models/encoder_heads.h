// Task heads shared by the BERT family (transformers' *ForMaskedLM,
// *ForTokenClassification, *ForQuestionAnswering): they run on the token
// states (batch*seq, hidden) an encoder's trunk produces.
#pragma once

#include <string>

#include "core/tensor.h"
#include "models/encoder.h"
#include "models/weight_loader.h"
#include "ops/activation.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

// transform (dense -> activation -> LayerNorm) then a decoder to the
// vocabulary whose weight is tied to the word embeddings unless the
// checkpoint stores it.
struct MaskedLMHead {
  Linear dense;  // (E, H)
  Activation act = Activation::GeluErf;
  LayerNorm norm;   // (E)
  Linear decoder;   // (vocab, E) + bias (vocab)
  bool empty() const { return decoder.weight.empty(); }
  Tensor forward(const Tensor& rows) const;  // (rows, H) -> (rows, vocab)
};

// Loads a masked-LM head. `decoder_weight` is tried first and the tied
// `word_embeddings` (vocab, E) used when it is absent; the bias is the first
// of `bias_names` present (MissingTensor naming the first when none is).
MaskedLMHead load_masked_lm_head(const WeightLoader& w, const std::string& dense, const std::string& norm,
                                 const std::string& decoder_weight, const std::vector<std::string>& bias_names,
                                 const Tensor& word_embeddings, int64_t hidden, Activation act, float eps);

// (batch*seq, H) -> (batch, H): the first token of each row.
Tensor first_tokens(const Tensor& x, int64_t batch, int64_t seq);

// act(dense(first token of each row)) -> (batch, out): BertPooler (tanh) and
// the first step of the RoBERTa, ELECTRA, MPNet and DistilBERT classifiers.
Tensor first_token_dense(const Tensor& x, int64_t batch, int64_t seq, const Linear& dense, Activation act);

// Fills the output of a task head from the trunk's token states x
// (batch*seq, H): TokenClassification -> logits (batch, seq, labels) with
// `classifier`; QuestionAnswering -> start/end logits (batch, seq) with
// `qa_outputs` (2, H); MaskedLM -> logits (batch, seq, vocab) with `mlm`.
void token_head_outputs(const Tensor& x, int64_t batch, int64_t seq, Head head, const Linear& classifier,
                        const Linear& qa_outputs, const MaskedLMHead& mlm, EncoderOutput& out);

}  // namespace hubwasm
