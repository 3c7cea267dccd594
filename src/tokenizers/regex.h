// Unicode regular expressions for the tokenizer components (Split, Replace,
// ByteLevel's GPT-2 pattern, Whitespace), on PCRE2 (8-bit, UTF + UCP) so that
// \p{L}, \p{N} and lookaheads work as in the Oniguruma / regex crates used by
// tokenizers. Matching follows the onig crate's find_iter (an empty match
// right after the previous match is skipped by one char).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizers/normalized_string.h"

namespace hubwasm::tok {

class Regex {
 public:
  // Throws std::invalid_argument with PCRE2's message on a bad pattern.
  explicit Regex(const std::string& pattern);

  // (start, end) byte ranges of the successive matches.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;
  // Matches and the gaps between them, covering the whole text (Rust
  // `Pattern::find_matches`); an empty text gives one non-match (0, 0).
  std::vector<PatternMatch> find_matches(std::string_view s) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string pattern_;
  bool gpt2_ = false;  // the GPT-2 split pattern: gpt2_split matches ASCII text
};

// Escapes every regex metacharacter of a literal (Rust `regex::escape`).
std::string regex_escape(std::string_view literal);

// Literal matches of a string (Rust `&str` pattern; an empty pattern matches nothing).
std::vector<PatternMatch> find_string_matches(std::string_view s, std::string_view pattern);

// Flips is_match (Rust `Invert`).
void invert_matches(std::vector<PatternMatch>& m);

}  // namespace hubwasm::tok

#include "tokenizers/json_util.h"

namespace hubwasm::tok {

// A tokenizer.json pattern: {"String": "..."} or {"Regex": "..."}.
class StringOrRegex {
 public:
  static StringOrRegex parse(const json& j, const JsonLoc& loc);
  std::vector<PatternMatch> find_matches(std::string_view s) const {
    return regex_ ? regex_->find_matches(s) : find_string_matches(s, literal_);
  }

 private:
  std::shared_ptr<const Regex> regex_;
  std::string literal_;
};

}  // namespace hubwasm::tok
