// A batch made of copies of one encoder input, long enough to span several
// slices of EncoderModel::forward (kSliceTokens tokens each).
#pragma once

#include "models/encoder.h"

namespace hubwasm {

// `in` repeated until the batch holds at least `slices` slices' worth of tokens, plus one copy.
inline EncoderInput repeat_over_slices(const EncoderInput& in, int64_t slices) {
  const int64_t copies = slices * EncoderModel::kSliceTokens / (in.batch * in.seq) + 1;
  EncoderInput many{in.batch * copies, in.seq, {}, {}, {}};
  for (int64_t c = 0; c < copies; ++c) {
    many.input_ids.insert(many.input_ids.end(), in.input_ids.begin(), in.input_ids.end());
    many.attention_mask.insert(many.attention_mask.end(), in.attention_mask.begin(), in.attention_mask.end());
    many.token_type_ids.insert(many.token_type_ids.end(), in.token_type_ids.begin(), in.token_type_ids.end());
  }
  return many;
}

}  // namespace hubwasm
