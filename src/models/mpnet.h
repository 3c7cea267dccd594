// MPNet (transformers' modeling_mpnet.py): a BERT-like post-norm encoder
// with RoBERTa's position ids (from padding_idx + 1), no token types, and a
// relative position bias (T5-style buckets, shared by all layers) added to
// the attention scores. MPNetModel and its *ForSequenceClassification,
// *ForTokenClassification, *ForMaskedLM and *ForQuestionAnswering heads.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

struct MPNetConfig : EncoderDims {
  int64_t relative_attention_num_buckets, pad_token_id;

  static MPNetConfig from(const Config& config);
};

// relative_position_bucket of modeling_mpnet.py (bidirectional, max_distance 128).
int32_t mpnet_relative_position_bucket(int64_t relative_position, int64_t num_buckets = 32, int64_t max_distance = 128);

std::unique_ptr<EncoderModel> load_mpnet(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
