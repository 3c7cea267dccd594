// NormalizedString and PreTokenizedString: the text being normalized and split,
// with an alignment for every byte of the normalized text pointing back to the
// byte range of the original input it came from. Mirrors tokenizers'
// tokenizer/normalizer.rs and tokenizer/pre_tokenizer.rs (byte offsets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tokenizers/unicode.h"

namespace hubwasm::tok {

using Offsets = std::pair<size_t, size_t>;

// One char of a transformation: the new char and how it relates to the old
// text: 0 replaces the next old char, +1 is inserted, -N replaces the next old
// char and removes the N old chars after it.
struct CharChange {
  char32_t c;
  int32_t change;
};

enum class SplitDelimiterBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// A (start, end) byte range of the normalized text and whether it is a match of
// the pattern being split on. The list covers the whole text.
struct PatternMatch {
  size_t start, end;
  bool is_match;
};

class NormalizedString {
 public:
  NormalizedString() = default;
  explicit NormalizedString(std::string_view original);

  const std::string& get() const { return normalized_; }
  size_t len() const { return normalized_.size(); }
  bool empty() const { return normalized_.empty(); }
  size_t len_original() const { return original_len_; }
  // Offsets of this piece in the full original input.
  Offsets offsets_original() const { return {original_shift_, original_shift_ + original_len_}; }
  const std::vector<Offsets>& alignments() const { return alignments_; }

  // Normalized byte range -> range in this piece's original (relative, add
  // offsets_original().first for absolute). Rust `convert_offsets(Normalized)`.
  std::optional<Offsets> normalized_to_original(size_t start, size_t end) const;
  // Original byte range (relative) -> normalized range. Rust `convert_offsets(Original)`.
  std::optional<Offsets> original_to_normalized(size_t start, size_t end) const;

  // Slice by a normalized byte range (must be on char boundaries).
  std::optional<NormalizedString> slice(size_t start, size_t end) const;

  // Rust `transform` / `transform_range(Range::Normalized(..))`.
  void transform(const std::vector<CharChange>& dest, size_t initial_offset);
  void transform_range(size_t n_start, size_t n_end, const std::vector<CharChange>& dest,
                       size_t initial_offset);

  template <typename Keep>
  void filter(Keep keep);
  template <typename Fn>
  void map(Fn fn);
  void lowercase();
  void nfd();
  // Unicode normalization forms (alignment kept per char, as Rust does with
  // unicode-normalization-alignments).
  enum class Form { NFD, NFC, NFKD, NFKC };
  void unicode_normalize(Form form);
  // Rust `prepend` / `append` (no-ops on an empty string).
  void prepend(std::string_view s);
  void append(std::string_view s);
  // Rust `replace`: every match is replaced by `content`.
  void replace(const std::vector<PatternMatch>& matches, std::string_view content);
  // Rust `lrstrip` (char::is_whitespace).
  void lrstrip(bool left, bool right);

  // Splits on the given matches (see PatternMatch), with the delimiter
  // behaviour; empty pieces are kept (PreTokenizedString drops them).
  std::vector<NormalizedString> split(std::vector<PatternMatch> matches,
                                      SplitDelimiterBehavior behavior) const;
  // Splits on every char for which pred is true (each such char is one match).
  template <typename Pred>
  std::vector<NormalizedString> split_chars(Pred pred, SplitDelimiterBehavior behavior) const;
  // In one pass, the non-empty pieces that split_chars(remove, Removed) and then
  // split_chars(isolate, Isolated) on each piece give: `remove` chars dropped,
  // `isolate` chars alone, runs of other chars together.
  template <typename Remove, typename Isolate>
  std::vector<NormalizedString> split_removed_then_isolated(Remove remove, Isolate isolate) const;

 private:
  // dest (as transform takes it) gives back every char unchanged.
  bool is_identity(const std::vector<CharChange>& dest) const;
  // transform() works on the whole text (the usual case: no zero-width
  // alignment at either end), so a change that keeps every char's byte length
  // can be made in place, the alignments staying as they are.
  bool transform_covers_all() const;
  // That in-place change: every char c becomes the one char one(c, out) writes,
  // unless one() returns false for a char, a new char has another byte length
  // or the change would not cover the whole text (then nothing changes).
  // Returns whether it was made.
  template <typename One>
  bool map_in_place(One one);

  std::string normalized_;
  std::vector<Offsets> alignments_;  // one per normalized byte, relative to this piece's original
  size_t original_len_ = 0;
  size_t original_shift_ = 0;
};

struct Token {
  int32_t id;
  std::string value;
  Offsets offsets;  // byte offsets in the normalized text of the split that produced it
};

struct Split {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(NormalizedString n) { splits_.push_back({std::move(n), std::nullopt}); }
  PreTokenizedString() = default;

  // fn(index, NormalizedString&&) -> std::vector<Split> (or NormalizedString);
  // splits that already have tokens are kept as they are; empty results dropped.
  template <typename Fn>
  void split(Fn fn);

  // Rust `normalize`: fn(NormalizedString&) on every split without tokens.
  template <typename Fn>
  void normalize(Fn fn) {
    for (auto& sp : splits_) {
      if (!sp.tokens) fn(sp.normalized);
    }
  }

  std::vector<Split>& splits() { return splits_; }
  const std::vector<Split>& splits() const { return splits_; }

 private:
  std::vector<Split> splits_;
};

// ---- template implementations ----

template <typename Keep>
void NormalizedString::filter(Keep keep) {
  bool removes = false;
  for (size_t i = 0; i < normalized_.size() && !removes;) removes = !keep(unicode::decode_utf8(normalized_, i));
  if (!removes) return;
  // Rust (modern) `filter`: each kept char carries -N for the N removed chars
  // that follow it; removals at the very start are the initial offset.
  std::vector<CharChange> transforms;
  transforms.reserve(normalized_.size());
  int32_t removed = 0;
  size_t removed_start = 0;
  bool have_last = false;
  char32_t last_c = 0;
  size_t i = 0;
  while (i < normalized_.size()) {
    const char32_t c = unicode::decode_utf8(normalized_, i);
    if (keep(c)) {
      if (have_last) {
        transforms.push_back({last_c, -removed});
      } else {
        removed_start = static_cast<size_t>(removed);
      }
      have_last = true;
      last_c = c;
      removed = 0;
    } else {
      ++removed;
    }
  }
  if (have_last) transforms.push_back({last_c, -removed});
  transform(transforms, removed_start);
}

template <typename Fn>
void NormalizedString::map(Fn fn) {
  bool changes = false;
  for (size_t i = 0; i < normalized_.size() && !changes;) {
    const char32_t c = unicode::decode_utf8(normalized_, i);
    changes = fn(c) != c;
  }
  if (!changes) return;
  if (map_in_place([&](char32_t c, char32_t& out) {
        out = fn(c);
        return true;
      })) {
    return;
  }
  std::vector<CharChange> transforms;
  transforms.reserve(normalized_.size());
  size_t i = 0;
  while (i < normalized_.size()) transforms.push_back({fn(unicode::decode_utf8(normalized_, i)), 0});
  transform(transforms, 0);
}

template <typename One>
bool NormalizedString::map_in_place(One one) {
  if (!transform_covers_all()) return false;
  std::string mapped;
  mapped.reserve(normalized_.size());
  for (size_t i = 0; i < normalized_.size();) {
    char32_t out;
    if (!one(unicode::decode_utf8(normalized_, i), out)) return false;
    unicode::append_utf8(mapped, out);
    if (mapped.size() != i) return false;
  }
  normalized_.swap(mapped);
  return true;
}

template <typename Pred>
std::vector<NormalizedString> NormalizedString::split_chars(Pred pred,
                                                            SplitDelimiterBehavior behavior) const {
  // Rust `impl Pattern for Fn(char) -> bool`: every matching char is its own match.
  std::vector<PatternMatch> matches;
  if (normalized_.empty()) {
    matches.push_back({0, 0, false});
  } else {
    size_t last_offset = 0;
    size_t i = 0;
    while (i < normalized_.size()) {
      const size_t b = i;
      const char32_t c = unicode::decode_utf8(normalized_, i);
      if (pred(c)) {
        if (last_offset < b) matches.push_back({last_offset, b, false});
        matches.push_back({b, i, true});
        last_offset = i;
      }
    }
    if (normalized_.size() > last_offset) matches.push_back({last_offset, normalized_.size(), false});
  }
  return split(std::move(matches), behavior);
}

template <typename Remove, typename Isolate>
std::vector<NormalizedString> NormalizedString::split_removed_then_isolated(Remove remove, Isolate isolate) const {
  std::vector<NormalizedString> out;
  size_t run = 0;  // start of the current run of kept chars
  auto take = [&](size_t start, size_t end) {
    if (start == end) return;
    if (auto piece = slice(start, end)) out.push_back(std::move(*piece));
  };
  for (size_t i = 0; i < normalized_.size();) {
    const size_t b = i;
    const char32_t c = unicode::decode_utf8(normalized_, i);
    if (remove(c)) {
      take(run, b);
      run = i;
    } else if (isolate(c)) {
      take(run, b);
      take(b, i);
      run = i;
    }
  }
  take(run, normalized_.size());
  return out;
}

template <typename Fn>
void PreTokenizedString::split(Fn fn) {
  std::vector<Split> new_splits;
  new_splits.reserve(splits_.size());
  for (size_t i = 0; i < splits_.size(); ++i) {
    Split& original = splits_[i];
    if (original.tokens) {
      new_splits.push_back(std::move(original));
      continue;
    }
    auto produced = fn(i, std::move(original.normalized));
    for (auto& piece : produced) {
      if constexpr (std::is_same_v<std::decay_t<decltype(piece)>, Split>) {
        if (!piece.normalized.empty()) new_splits.push_back(std::move(piece));
      } else {
        if (!piece.empty()) new_splits.push_back({std::move(piece), std::nullopt});
      }
    }
  }
  splits_ = std::move(new_splits);
}

}  // namespace hubwasm::tok
