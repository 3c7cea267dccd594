// Added tokens (tokenizer.json "added_tokens"), split out of the input before
// the normalizer / pre-tokenizer / model run, as tokenizers'
// tokenizer/added_vocabulary.rs does: first the non-normalized tokens
// (matched on the raw text), then the normalized ones (matched on each
// normalized remaining piece); leftmost-longest, non-overlapping matches.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizers/components.h"

namespace hubwasm::tok {

struct AddedToken {
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class AddedVocabulary {
 public:
  // Adds a token with its id (a later token with the same content replaces it).
  void add(const AddedToken& token, int32_t id);
  // Builds the matchers; `normalizer` normalizes the normalized tokens' content.
  void build(const Normalizer* normalizer);

  PreTokenizedString extract_and_normalize(const Normalizer* normalizer, std::string_view text) const;

  std::optional<int32_t> token_to_id(std::string_view content) const;
  const AddedToken* token_for_id(int32_t id) const;
  bool is_special(std::string_view content) const;
  size_t size() const { return by_content_.size(); }
  std::optional<int32_t> max_id() const;
  // (id, token) in insertion order.
  const std::vector<std::pair<int32_t, AddedToken>>& tokens() const { return tokens_; }

 private:
  struct Pattern {
    std::string text;
    int32_t id;
  };
  // Leftmost-longest matcher over a small set of literal patterns.
  struct Matcher {
    std::vector<Pattern> patterns;               // sorted by length, longest first
    std::vector<std::vector<uint32_t>> by_byte;  // first byte -> pattern indices
    void build();
    // Next match at or after `from`: (start, pattern index) or start = npos.
    std::pair<size_t, uint32_t> find(std::string_view s, size_t from) const;
  };

  std::vector<Split> split_with_matcher(NormalizedString&& s, const Matcher& m) const;

  std::vector<std::pair<int32_t, AddedToken>> tokens_;
  std::unordered_map<std::string, int32_t> by_content_;
  std::unordered_map<int32_t, size_t> by_id_;  // -> index in tokens_
  Matcher raw_, normalized_;
};

}  // namespace hubwasm::tok
