#include "tokenizers/added_vocabulary.h"

#include <algorithm>

namespace hubwasm::tok {

void AddedVocabulary::add(const AddedToken& token, int32_t id) {
  if (token.content.empty()) return;
  if (auto it = by_content_.find(token.content); it != by_content_.end()) {
    // Same content again: replace the previous entry.
    const size_t idx = by_id_.at(it->second);
    by_id_.erase(it->second);
    tokens_[idx] = {id, token};
    by_id_[id] = idx;
    it->second = id;
    return;
  }
  by_content_[token.content] = id;
  by_id_[id] = tokens_.size();
  tokens_.emplace_back(id, token);
}

void AddedVocabulary::build(const Normalizer* normalizer) {
  raw_ = Matcher{};
  normalized_ = Matcher{};
  // Rust: special tokens first, then the others (order only matters for ties).
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [id, t] : tokens_) {
      if (t.special != (pass == 0)) continue;
      if (!t.normalized) {
        raw_.patterns.push_back({t.content, id});
      } else {
        NormalizedString n(t.content);
        if (normalizer) normalizer->normalize(n);
        if (!n.empty()) normalized_.patterns.push_back({n.get(), id});
      }
    }
  }
  raw_.build();
  normalized_.build();
}

void AddedVocabulary::Matcher::build() {
  std::stable_sort(patterns.begin(), patterns.end(),
                   [](const Pattern& a, const Pattern& b) { return a.text.size() > b.text.size(); });
  by_byte.assign(256, {});
  for (uint32_t i = 0; i < patterns.size(); ++i) {
    by_byte[static_cast<unsigned char>(patterns[i].text[0])].push_back(i);
  }
}

std::pair<size_t, uint32_t> AddedVocabulary::Matcher::find(std::string_view s, size_t from) const {
  if (patterns.empty()) return {std::string_view::npos, 0};
  for (size_t i = from; i < s.size(); ++i) {
    const auto& bucket = by_byte[static_cast<unsigned char>(s[i])];
    for (uint32_t k : bucket) {  // longest first
      const std::string& p = patterns[k].text;
      if (s.size() - i >= p.size() && s.compare(i, p.size(), p) == 0) return {i, k};
    }
  }
  return {std::string_view::npos, 0};
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view content) const {
  if (auto it = by_content_.find(std::string(content)); it != by_content_.end()) return it->second;
  return std::nullopt;
}

const AddedToken* AddedVocabulary::token_for_id(int32_t id) const {
  if (auto it = by_id_.find(id); it != by_id_.end()) return &tokens_[it->second].second;
  return nullptr;
}

std::optional<int32_t> AddedVocabulary::max_id() const {
  std::optional<int32_t> m;
  for (const auto& [id, t] : tokens_) m = m ? std::max(*m, id) : id;
  return m;
}

bool AddedVocabulary::is_special(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  return it != by_content_.end() && tokens_[by_id_.at(it->second)].second.special;
}

namespace {

bool ends_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s.size() - 1;
  while (i > 0 && !unicode::is_char_boundary(s, i)) --i;
  size_t j = i;
  return unicode::is_word_char(unicode::decode_utf8(s, j));
}

bool starts_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  return unicode::is_word_char(unicode::decode_utf8(s, i));
}

// Start of the whitespace run that ends s.
size_t space_leftmost_at_end(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    size_t i = end - 1;
    while (i > 0 && !unicode::is_char_boundary(s, i)) --i;
    size_t j = i;
    if (!unicode::is_whitespace(unicode::decode_utf8(s, j))) break;
    end = i;
  }
  return end;
}

// Length of the whitespace run that starts s.
size_t space_rightmost_at_start(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (!unicode::is_whitespace(unicode::decode_utf8(s, j))) break;
    i = j;
  }
  return i;
}

}  // namespace

std::vector<Split> AddedVocabulary::split_with_matcher(NormalizedString&& s, const Matcher& m) const {
  std::vector<Split> out;
  const std::string& text = s.get();
  if (m.patterns.empty() || text.empty()) {
    out.push_back({std::move(s), std::nullopt});
    return out;
  }
  // Rust find_matches: (id or none, byte range) covering the whole text.
  struct Found {
    int32_t id;  // -1 = not an added token
    size_t start, end;
  };
  std::vector<Found> found;
  size_t start_offset = 0;
  size_t from = 0;
  while (true) {
    auto [pos, k] = m.find(text, from);
    if (pos == std::string_view::npos) break;
    size_t start = pos;
    size_t stop = pos + m.patterns[k].text.size();
    from = stop;
    const int32_t id = m.patterns[k].id;
    const AddedToken& tok = *token_for_id(id);
    if (tok.single_word) {
      const bool start_space = start == 0 || !ends_with_word(std::string_view(text).substr(0, start));
      const bool stop_space = stop == text.size() || !starts_with_word(std::string_view(text).substr(stop));
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      start = std::max(space_leftmost_at_end(std::string_view(text).substr(0, start)), start_offset);
    }
    if (tok.rstrip) stop += space_rightmost_at_start(std::string_view(text).substr(stop));
    if (start_offset < start) found.push_back({-1, start_offset, start});
    found.push_back({id, start, stop});
    start_offset = stop;  // the search itself resumes at the end of the raw match, as Rust's does
  }
  if (found.empty()) {
    out.push_back({std::move(s), std::nullopt});
    return out;
  }
  if (start_offset != text.size()) found.push_back({-1, start_offset, text.size()});
  out.reserve(found.size());
  for (const auto& f : found) {
    auto piece = s.slice(f.start, f.end);
    if (!piece) continue;
    if (f.id >= 0) {
      std::string value = piece->get();
      const size_t len = value.size();
      out.push_back({std::move(*piece), std::vector<Token>{Token{f.id, std::move(value), {0, len}}}});
    } else {
      out.push_back({std::move(*piece), std::nullopt});
    }
  }
  return out;
}

PreTokenizedString AddedVocabulary::extract_and_normalize(const Normalizer* normalizer,
                                                          std::string_view text) const {
  PreTokenizedString pts{NormalizedString(text)};
  pts.split([&](size_t, NormalizedString&& s) { return split_with_matcher(std::move(s), raw_); });
  pts.split([&](size_t, NormalizedString&& s) {
    if (normalizer) normalizer->normalize(s);
    return split_with_matcher(std::move(s), normalized_);
  });
  return pts;
}

}  // namespace hubwasm::tok
