// DistilBERT (transformers' modeling_distilbert.py): DistilBertModel and
// DistilBertForSequenceClassification.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

struct DistilBertConfig {
  int64_t vocab_size, dim, n_layers, n_heads, hidden_dim, max_position_embeddings;
  std::string activation;

  static DistilBertConfig from(const Config& config);
};

std::unique_ptr<EncoderModel> load_distilbert(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
