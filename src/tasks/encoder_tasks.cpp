#include "tasks/encoder_tasks.h"

#include <algorithm>

#include "core/error.h"
#include "tasks/encoder_batch.h"

namespace hubwasm {

size_t encoder_max_length(const Tokenizer& tokenizer, const EncoderModel& model) {
  auto limit = static_cast<size_t>(model.max_position_embeddings());
  if (const auto tokenizer_limit = tokenizer.model_max_length()) limit = std::min(limit, *tokenizer_limit);
  return limit;
}

EncodedBatch encode_batch_for(const Tokenizer& tokenizer, const EncoderModel& model,
                              const std::vector<std::string>& texts, const std::vector<std::string>* pairs) {
  if (texts.empty()) throw Error(ErrorCode::InvalidArgument, "texts must not be empty");
  EncodeOptions options;
  options.padding = "longest";
  options.truncation = true;
  options.max_length = encoder_max_length(tokenizer, model);
  EncodedBatch out;
  out.encodings = tokenizer.encode_batch(texts, pairs, options);
  out.input = encoder_input_from(out.encodings);
  return out;
}

namespace {

Encoding slice(const Encoding& e, const std::vector<size_t>& keep) {
  Encoding out;
  for (size_t i : keep) {
    out.ids.push_back(e.ids[i]);
    out.type_ids.push_back(e.type_ids[i]);
    out.attention_mask.push_back(e.attention_mask[i]);
    out.special_tokens_mask.push_back(e.special_tokens_mask[i]);
    out.tokens.push_back(e.tokens[i]);
    out.offsets.push_back(e.offsets[i]);
    out.sequence_ids.push_back(e.sequence_ids[i]);
    out.word_ids.push_back(e.word_ids[i]);
  }
  return out;
}

void pad_to(Encoding& e, size_t length, int32_t pad_id, const std::string& pad_token) {
  while (e.size() < length) {
    e.ids.push_back(pad_id);
    e.type_ids.push_back(0);
    e.attention_mask.push_back(0);
    e.special_tokens_mask.push_back(1);
    e.tokens.push_back(pad_token);
    e.offsets.emplace_back(0, 0);
    e.sequence_ids.push_back(-1);
    e.word_ids.push_back(-1);
  }
}

}  // namespace

EncodedBatch question_answering_chunks(const Tokenizer& tokenizer, const std::string& question,
                                       const std::string& context, size_t max_length, size_t stride) {
  if (max_length == 0) throw Error(ErrorCode::InvalidArgument, "max_seq_len must be positive");
  EncodeOptions options;
  options.truncation = false;
  options.padding = "do_not_pad";
  const Encoding full = tokenizer.encode(question, context, options);
  // Layout: [prefix (special + question + separators)] [context] [suffix].
  size_t first = full.size(), last = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    if (full.sequence_ids[i] == 1) {
      first = std::min(first, i);
      last = i + 1;
    }
  }
  std::vector<Encoding> chunks;
  if (full.size() <= max_length || first >= last) {
    std::vector<size_t> all;
    for (size_t i = 0; i < std::min(full.size(), max_length); ++i) all.push_back(i);
    chunks.push_back(slice(full, all));
  } else {
    const size_t fixed = first + (full.size() - last);
    if (fixed >= max_length) {
      throw Error(ErrorCode::InvalidArgument, "question-answering: the question (" + std::to_string(fixed) +
                                                  " tokens with special tokens) leaves no room for the context in " +
                                                  std::to_string(max_length) + " tokens");
    }
    const size_t window = max_length - fixed;
    const size_t overlap = std::min(stride, window - 1);
    const size_t step = window - overlap;
    for (size_t start = first;; start += step) {
      const size_t end = std::min(start + window, last);
      std::vector<size_t> keep;
      for (size_t i = 0; i < first; ++i) keep.push_back(i);
      for (size_t i = start; i < end; ++i) keep.push_back(i);
      for (size_t i = last; i < full.size(); ++i) keep.push_back(i);
      chunks.push_back(slice(full, keep));
      if (end == last) break;
    }
  }
  size_t longest = 0;
  for (const Encoding& c : chunks) longest = std::max(longest, c.size());
  const int32_t pad_id = tokenizer.special_token_id("pad_token").value_or(0);
  const std::string pad_token = tokenizer.special_token("pad_token").value_or("[PAD]");
  for (Encoding& c : chunks) pad_to(c, longest, pad_id, pad_token);
  EncodedBatch out;
  out.encodings = std::move(chunks);
  out.input = encoder_input_from(out.encodings);
  return out;
}

std::vector<std::pair<uint32_t, uint32_t>> utf16_offsets(const std::string& text,
                                                         const std::vector<std::pair<uint32_t, uint32_t>>& bytes) {
  // units[b] = UTF-16 code units in text[0, b).
  std::vector<uint32_t> units(text.size() + 1, 0);
  uint32_t count = 0;
  for (size_t b = 0; b < text.size(); ++b) {
    units[b] = count;
    const auto c = static_cast<unsigned char>(text[b]);
    if ((c & 0xC0) != 0x80) count += (c >= 0xF0) ? 2 : 1;  // a lead byte; 4-byte sequences are surrogate pairs
  }
  units[text.size()] = count;
  // A byte offset inside a character maps to the character's start.
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(bytes.size());
  auto at = [&](uint32_t b) { return units[std::min<size_t>(b, text.size())]; };
  for (const auto& [start, end] : bytes) out.emplace_back(at(start), at(end));
  return out;
}

}  // namespace hubwasm
