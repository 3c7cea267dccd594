// Public tokenizer API: a reimplementation of Hugging Face `tokenizers`
// (tokenizer.json) plus the transformers conventions around it (vocab.txt-only
// BERT repos, tokenizer_config.json, special-token roles, truncation/padding
// overrides per call, clean_up_tokenization_spaces).
//
// A Tokenizer is immutable after construction: copies share the same
// components, and const methods are safe to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hubwasm {

// One sequence (or pair) after post-processing (and padding).
struct Encoding {
  std::vector<int32_t> ids, type_ids, attention_mask, special_tokens_mask;
  std::vector<std::string> tokens;
  // Byte offsets into the original input: into the first text for sequence 0
  // tokens, into the pair's text for sequence 1 tokens (as Rust does per
  // sequence); (0, 0) for special and padding tokens.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
  std::vector<int32_t> sequence_ids;  // 0, 1, or -1 for special/padding tokens
  std::vector<int32_t> word_ids;      // index of the pre-tokenized word, -1 for special/padding

  size_t size() const { return ids.size(); }
};

struct EncodeOptions {
  bool add_special_tokens = true;

  // Truncation. nullopt = the tokenizer default (tokenizer.json "truncation"),
  // except that a max_length given without truncation/padding turns on
  // longest_first truncation (as transformers does). true without a length
  // uses tokenizer.json's max_length, else tokenizer_config's model_max_length
  // (no truncation if neither is known).
  std::optional<bool> truncation;
  std::optional<size_t> max_length;  // truncation length, and padding length for "max_length"
  std::string truncation_strategy;   // "" (default), "longest_first", "only_first", "only_second"
  std::optional<size_t> stride;      // kept for API parity; overflowing tokens are dropped
  std::string truncation_side;       // "" (default), "right", "left"

  // Padding: "" = tokenizer default (tokenizer.json "padding"), "longest",
  // "max_length", "do_not_pad".
  std::string padding;
  std::optional<size_t> pad_to_multiple_of;
  std::string padding_side;  // "" (default), "right", "left"
};

// Offset units for JS and Python callers. Byte offsets (as in Encoding) ->
// code point offsets (transformers' "char" offsets, tokenizers' OffsetType::Char:
// start = the char holding the start byte, end = 1 + the char holding the
// last byte) or UTF-16 code unit offsets (JS string indices; a char above
// U+FFFF counts 2). Each token's offsets refer to `text` for sequence 0 and to
// `pair` for sequence 1; special/padding tokens stay (0, 0).
enum class OffsetUnit { Byte, Char, Utf16 };
std::vector<std::pair<uint32_t, uint32_t>> convert_offsets(const Encoding& e, std::string_view text,
                                                           const std::optional<std::string_view>& pair,
                                                           OffsetUnit unit);

namespace tok {
struct TokenizerImpl;
}

class Tokenizer {
 public:
  // tokenizer.json contents. Errors: InvalidFile (malformed JSON / bad value,
  // naming the file and JSON path), UnsupportedFeature (component types not
  // implemented yet, naming the component and JSON path).
  static Tokenizer from_json(std::string_view json, const std::string& filename = "tokenizer.json");

  // Repo files by name ("tokenizer.json", "tokenizer_config.json", "vocab.txt",
  // "special_tokens_map.json") -> bytes. Prefers tokenizer.json, else builds a
  // BertTokenizerFast-equivalent tokenizer from vocab.txt. MissingFile if
  // neither is present.
  static Tokenizer from_files(const std::map<std::string, std::string>& files);

  // Errors: InvalidArgument for text that is not valid UTF-8 or unusable
  // options (e.g. padding requested but no pad token).
  Encoding encode(std::string_view text, const std::optional<std::string_view>& pair = std::nullopt,
                  const EncodeOptions& options = {}) const;
  // Encodes each text (with pairs[i] when pairs is given; sizes must match) and
  // applies padding across the batch.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts,
                                     const std::vector<std::string>* pairs = nullptr,
                                     const EncodeOptions& options = {}) const;

  // Unknown ids are skipped (as Rust does). clean_up_tokenization_spaces
  // applies transformers' clean_up_tokenization to the decoded text.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special_tokens = false,
                     bool clean_up_tokenization_spaces = false) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(int32_t id) const;
  size_t vocab_size(bool with_added_tokens = true) const;

  // Special tokens by transformers role name ("cls_token", "sep_token",
  // "pad_token", "mask_token", "unk_token", "bos_token", "eos_token"), from
  // special_tokens_map.json / tokenizer_config.json when present, else
  // inferred ([CLS]/[SEP]/[PAD]/[MASK]/[UNK] present in the vocabulary, the
  // model's unk token).
  std::optional<std::string> special_token(const std::string& role) const;
  std::optional<int32_t> special_token_id(const std::string& role) const;
  // tokenizer_config.json model_max_length (absent or sentinel values -> nullopt).
  std::optional<size_t> model_max_length() const;
  // tokenizer_config.json clean_up_tokenization_spaces, when given.
  std::optional<bool> clean_up_tokenization_spaces() const;

 private:
  explicit Tokenizer(std::shared_ptr<const tok::TokenizerImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const tok::TokenizerImpl> impl_;
};

}  // namespace hubwasm
