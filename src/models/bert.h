// BERT (transformers' modeling_bert.py): BertModel and
// BertForSequenceClassification. Also the loader the registry calls.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

struct BertConfig {
  int64_t vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size;
  int64_t max_position_embeddings, type_vocab_size;
  std::string hidden_act;
  double layer_norm_eps;

  static BertConfig from(const Config& config);
};

std::unique_ptr<EncoderModel> load_bert(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
