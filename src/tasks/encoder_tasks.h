// Inputs for the encoder pipelines (text/token classification, fill-mask,
// question answering, zero-shot): padded batches that keep the tokenizer's
// per-token information (offsets, word ids, special tokens) for the
// post-processing in JavaScript, and question-answering chunks over long
// contexts.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/encoder.h"
#include "tokenizers/tokenizer.h"

namespace hubwasm {

struct EncodedBatch {
  std::vector<Encoding> encodings;  // one per row, padded to one length
  EncoderInput input;
};

// Pads to the longest text and truncates to what both the tokenizer and the
// model accept (as encode_for_encoder), keeping the encodings.
EncodedBatch encode_batch_for(const Tokenizer& tokenizer, const EncoderModel& model,
                              const std::vector<std::string>& texts, const std::vector<std::string>* pairs = nullptr);

// The largest input the model takes given the tokenizer's model_max_length.
size_t encoder_max_length(const Tokenizer& tokenizer, const EncoderModel& model);

// Question answering over a context of any length: the pair (question,
// context) with the tokenizer's special tokens, the context split into
// windows of at most `max_length` tokens in all that overlap by `stride`
// tokens (as transformers' return_overflowing_tokens with only_second
// truncation). Chunks are padded to one length. InvalidArgument when the
// question leaves no room for the context.
EncodedBatch question_answering_chunks(const Tokenizer& tokenizer, const std::string& question,
                                       const std::string& context, size_t max_length, size_t stride);

// Byte offsets into UTF-8 `text` -> offsets in UTF-16 code units (what
// JavaScript string indices count).
std::vector<std::pair<uint32_t, uint32_t>> utf16_offsets(const std::string& text,
                                                         const std::vector<std::pair<uint32_t, uint32_t>>& bytes);

}  // namespace hubwasm
