// ALBERT (transformers' modeling_albert.py): factorised embeddings
// (embedding_size -> hidden_size through embedding_hidden_mapping_in) and
// layers shared across depth (num_hidden_groups groups of inner_group_num
// layers). AlbertModel and its *ForSequenceClassification,
// *ForTokenClassification, *ForMaskedLM and *ForQuestionAnswering heads.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

struct AlbertConfig : EncoderDims {
  int64_t embedding_size, num_hidden_groups, inner_group_num, type_vocab_size;

  static AlbertConfig from(const Config& config);
};

std::unique_ptr<EncoderModel> load_albert(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
