// The BERT family with BERT's trunk (transformers' modeling_bert.py,
// modeling_roberta.py, modeling_xlm_roberta.py, modeling_electra.py): the
// base model and its *ForSequenceClassification, *ForTokenClassification,
// *ForMaskedLM and *ForQuestionAnswering heads, with transformers' weight
// names. Also the loaders the registry calls.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

// What differs between the members of the family.
enum class BertVariant {
  Bert,     // "bert." prefix, positions 0..seq-1, pooler-based classifier, cls.predictions MLM head
  Roberta,  // "roberta." prefix, positions from padding_idx + 1, classifier.dense/out_proj, lm_head
  Electra,  // "electra." prefix, embedding_size + embeddings_project, gelu classifier, generator MLM head
};

struct BertConfig : EncoderDims {
  int64_t type_vocab_size;
  int64_t embedding_size;  // ELECTRA's factorised embeddings; = hidden_size otherwise
  int64_t pad_token_id;    // RoBERTa's padding_idx for position ids

  static BertConfig from(const Config& config, BertVariant variant = BertVariant::Bert);
};

std::unique_ptr<EncoderModel> load_bert(const Config& config, const WeightStore& weights, Head head);
std::unique_ptr<EncoderModel> load_roberta(const Config& config, const WeightStore& weights, Head head);
std::unique_ptr<EncoderModel> load_electra(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
