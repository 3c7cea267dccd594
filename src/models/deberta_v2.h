// DeBERTa-v2 / v3 (transformers' modeling_deberta_v2.py): disentangled
// attention (content-to-position and position-to-content scores over
// log-bucketed relative positions, relative embeddings shared by all layers,
// share_att_key), optional absolute positions and token types, factorised
// embeddings (embed_proj). DebertaV2Model and its *ForSequenceClassification
// (ContextPooler), *ForTokenClassification, *ForMaskedLM and
// *ForQuestionAnswering heads. The convolution layer (conv_kernel_size > 0)
// is not supported.
#pragma once

#include <memory>

#include "models/encoder.h"

namespace hubwasm {

struct DebertaV2Config : EncoderDims {
  int64_t type_vocab_size, embedding_size, pooler_hidden_size;
  bool position_biased_input, relative_attention, share_att_key, c2p, p2c, norm_rel_ebd;
  int64_t max_relative_positions, position_buckets;
  std::string pooler_hidden_act;

  static DebertaV2Config from(const Config& config);
};

// make_log_bucket_position for one relative position (returns it unchanged
// when buckets are off).
int64_t deberta_relative_position(int64_t relative, int64_t bucket_size, int64_t max_position);

std::unique_ptr<EncoderModel> load_deberta_v2(const Config& config, const WeightStore& weights, Head head);

}  // namespace hubwasm
