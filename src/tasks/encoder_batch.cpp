#include "tasks/encoder_batch.h"

#include <algorithm>

#include "core/error.h"

namespace hubwasm {

EncoderInput encoder_input_from(const std::vector<Encoding>& encodings) {
  EncoderInput in;
  in.batch = static_cast<int64_t>(encodings.size());
  in.seq = encodings.empty() ? 0 : static_cast<int64_t>(encodings[0].size());
  for (const Encoding& e : encodings) {
    if (static_cast<int64_t>(e.size()) != in.seq) {
      throw Error(ErrorCode::InvalidArgument, "encodings of different lengths cannot form a batch; pad them");
    }
    in.input_ids.insert(in.input_ids.end(), e.ids.begin(), e.ids.end());
    in.attention_mask.insert(in.attention_mask.end(), e.attention_mask.begin(), e.attention_mask.end());
    in.token_type_ids.insert(in.token_type_ids.end(), e.type_ids.begin(), e.type_ids.end());
  }
  return in;
}

EncoderInput encode_for_encoder(const Tokenizer& tokenizer, const EncoderModel& model,
                                const std::vector<std::string>& texts, const std::vector<std::string>* pairs) {
  if (texts.empty()) throw Error(ErrorCode::InvalidArgument, "texts must not be empty");
  EncodeOptions options;
  options.padding = "longest";
  options.truncation = true;
  auto limit = static_cast<size_t>(model.max_position_embeddings());
  if (const auto tokenizer_limit = tokenizer.model_max_length()) limit = std::min(limit, *tokenizer_limit);
  options.max_length = limit;
  return encoder_input_from(tokenizer.encode_batch(texts, pairs, options));
}

}  // namespace hubwasm
