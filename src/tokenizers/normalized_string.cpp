#include "tokenizers/normalized_string.h"

#include <utf8proc.h>

#include <algorithm>

namespace hubwasm::tok {

NormalizedString::NormalizedString(std::string_view original)
    : normalized_(original), original_len_(original.size()) {
  alignments_.reserve(original.size());
  size_t i = 0;
  while (i < original.size()) {
    const size_t b = i;
    const size_t n = unicode::utf8_seq_len(static_cast<unsigned char>(original[i]));
    i = std::min(original.size(), i + n);
    for (size_t k = b; k < i; ++k) alignments_.emplace_back(b, i);
  }
}

std::optional<Offsets> NormalizedString::normalized_to_original(size_t start, size_t end) const {
  // Rust quirk kept on purpose: an empty range is returned unchanged.
  if (start == end) return Offsets{start, end};
  if (start > end || end > alignments_.size()) return std::nullopt;
  return Offsets{alignments_[start].first, alignments_[end - 1].second};
}

std::optional<Offsets> NormalizedString::original_to_normalized(size_t start, size_t end) const {
  if (start == end) return Offsets{start, end};
  if (start > end) return std::nullopt;
  std::optional<size_t> s, e;
  for (size_t i = 0; i < alignments_.size(); ++i) {
    const auto& a = alignments_[i];
    if (end < a.second) break;
    if (!s && start <= a.first && a.first != a.second) s = i;  // zero-width alignments never start a range
    e = i + 1;
  }
  if (s && e) return Offsets{*s, *e};
  if (s) return Offsets{*s, *s};
  if (e) return Offsets{*e, *e};
  return std::nullopt;
}

std::optional<NormalizedString> NormalizedString::slice(size_t start, size_t end) const {
  if (end > normalized_.size() || start > end) return std::nullopt;
  if (!unicode::is_char_boundary(normalized_, start) || !unicode::is_char_boundary(normalized_, end)) {
    return std::nullopt;
  }
  const auto orig = normalized_to_original(start, end);
  if (!orig) return std::nullopt;
  NormalizedString out;
  out.normalized_ = normalized_.substr(start, end - start);
  const size_t n_shift = orig->first;
  out.alignments_.reserve(end - start);
  for (size_t k = start; k < end; ++k) {
    const auto& a = alignments_[k];
    out.alignments_.emplace_back(a.first >= n_shift ? a.first - n_shift : 0,
                                 a.second >= n_shift ? a.second - n_shift : 0);
  }
  out.original_len_ = orig->second >= orig->first ? orig->second - orig->first : 0;
  out.original_shift_ = original_shift_ + orig->first;
  return out;
}

void NormalizedString::transform(const std::vector<CharChange>& dest, size_t initial_offset) {
  const auto range = original_to_normalized(0, original_len_);
  if (!range) return;
  // Most text comes through a normalizer unchanged: then nothing is rebuilt.
  if (initial_offset == 0 && range->first == 0 && range->second == normalized_.size() && is_identity(dest)) return;
  transform_range(range->first, range->second, dest, initial_offset);
}

bool NormalizedString::transform_covers_all() const {
  const auto range = original_to_normalized(0, original_len_);
  return range && range->first == 0 && range->second == normalized_.size();
}

bool NormalizedString::is_identity(const std::vector<CharChange>& dest) const {
  size_t i = 0;
  for (const auto& [c, change] : dest) {
    if (change != 0 || i >= normalized_.size() || unicode::decode_utf8(normalized_, i) != c) return false;
  }
  return i == normalized_.size();
}

void NormalizedString::transform_range(size_t n_start, size_t n_end, const std::vector<CharChange>& dest,
                                       size_t initial_offset) {
  n_end = std::min(n_end, normalized_.size());
  n_start = std::min(n_start, n_end);
  // Byte sizes of the chars being replaced, in order.
  std::vector<uint8_t> replaced;
  replaced.reserve(n_end - n_start);
  for (size_t i = n_start; i < n_end;) {
    const size_t n = unicode::utf8_seq_len(static_cast<unsigned char>(normalized_[i]));
    replaced.push_back(static_cast<uint8_t>(n));
    i += n;
  }
  size_t pos = 0;
  size_t offset = n_start;
  for (; pos < initial_offset && pos < replaced.size(); ++pos) offset += replaced[pos];

  std::string new_text;
  new_text.reserve(n_end - n_start + dest.size());
  std::vector<Offsets> new_align;
  new_align.reserve(n_end - n_start + dest.size());
  const Offsets fallback = alignments_.empty() ? Offsets{0, 0} : alignments_.back();
  for (const auto& [c, change] : dest) {
    const size_t idx = offset;
    Offsets align;
    if (change > 0) {
      align = idx < 1 ? Offsets{0, 0} : (idx - 1 < alignments_.size() ? alignments_[idx - 1] : fallback);
    } else {
      align = idx < alignments_.size() ? alignments_[idx] : fallback;
    }
    if (change <= 0 && pos < replaced.size()) offset += replaced[pos++];
    if (change < 0) {
      for (int32_t k = 0; k < -change && pos < replaced.size(); ++k) offset += replaced[pos++];
    }
    const size_t before = new_text.size();
    unicode::append_utf8(new_text, c);
    new_align.insert(new_align.end(), new_text.size() - before, align);
  }
  normalized_.replace(n_start, n_end - n_start, new_text);
  alignments_.erase(alignments_.begin() + static_cast<std::ptrdiff_t>(n_start),
                    alignments_.begin() + static_cast<std::ptrdiff_t>(n_end));
  alignments_.insert(alignments_.begin() + static_cast<std::ptrdiff_t>(n_start), new_align.begin(),
                     new_align.end());
}

void NormalizedString::lowercase() {
  if (map_in_place([](char32_t c, char32_t& lower) {
        char32_t buf[3];
        if (unicode::to_lowercase(c, buf) != 1) return false;
        lower = buf[0];
        return true;
      })) {
    return;
  }
  std::vector<CharChange> changes;
  changes.reserve(normalized_.size());
  char32_t buf[3];
  size_t i = 0;
  while (i < normalized_.size()) {
    const int n = unicode::to_lowercase(unicode::decode_utf8(normalized_, i), buf);
    for (int k = 0; k < n; ++k) changes.push_back({buf[k], k > 0 ? 1 : 0});
  }
  transform(changes, 0);
}

void NormalizedString::nfd() {
  // Nothing below U+00C0 decomposes or has a combining class.
  if (std::all_of(normalized_.begin(), normalized_.end(), [](char b) { return static_cast<unsigned char>(b) < 0xC3; })) {
    return;
  }
  struct Item {
    char32_t c;
    int32_t change;
    int ccc;
  };
  std::vector<Item> items;
  items.reserve(normalized_.size());
  char32_t buf[32];
  size_t i = 0;
  bool any_mark = false;
  while (i < normalized_.size()) {
    const char32_t c = unicode::decode_utf8(normalized_, i);
    size_t n = unicode::nfd_decompose(c, buf, 32);
    if (n > 32) n = 32;
    for (size_t k = 0; k < n; ++k) {
      const int ccc = unicode::combining_class(buf[k]);
      any_mark |= ccc != 0;
      items.push_back({buf[k], k > 0 ? 1 : 0, ccc});
    }
  }
  if (any_mark) {
    // Canonical ordering: stable sort of each run of non-starters by class.
    size_t r = 0;
    while (r < items.size()) {
      if (items[r].ccc == 0) {
        ++r;
        continue;
      }
      size_t e = r;
      while (e < items.size() && items[e].ccc != 0) ++e;
      if (e - r > 1) {
        std::stable_sort(items.begin() + static_cast<std::ptrdiff_t>(r),
                         items.begin() + static_cast<std::ptrdiff_t>(e),
                         [](const Item& a, const Item& b) { return a.ccc < b.ccc; });
      }
      r = e;
    }
  }
  std::vector<CharChange> changes;
  changes.reserve(items.size());
  for (const auto& it : items) changes.push_back({it.c, it.change});
  transform(changes, 0);
}

std::vector<NormalizedString> NormalizedString::split(std::vector<PatternMatch> matches,
                                                      SplitDelimiterBehavior behavior) const {
  // (offsets, remove?) pairs, as computed by Rust's `NormalizedString::split`.
  struct Piece {
    size_t start, end;
    bool remove;
  };
  std::vector<Piece> pieces;
  pieces.reserve(matches.size());
  using B = SplitDelimiterBehavior;
  switch (behavior) {
    case B::Isolated:
      for (const auto& m : matches) pieces.push_back({m.start, m.end, false});
      break;
    case B::Removed:
      for (const auto& m : matches) pieces.push_back({m.start, m.end, m.is_match});
      break;
    case B::Contiguous: {
      bool previous_match = false;
      for (const auto& m : matches) {
        if (m.is_match == previous_match && !pieces.empty()) {
          pieces.back().end = m.end;
        } else {
          pieces.push_back({m.start, m.end, false});
        }
        previous_match = m.is_match;
      }
      break;
    }
    case B::MergedWithPrevious: {
      bool previous_match = false;
      for (const auto& m : matches) {
        if (m.is_match && !previous_match && !pieces.empty()) {
          pieces.back().end = m.end;
        } else {
          pieces.push_back({m.start, m.end, false});
        }
        previous_match = m.is_match;
      }
      break;
    }
    case B::MergedWithNext: {
      bool previous_match = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->is_match && !previous_match && !pieces.empty()) {
          pieces.back().start = it->start;
        } else {
          pieces.push_back({it->start, it->end, false});
        }
        previous_match = it->is_match;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(pieces.size());
  for (const auto& p : pieces) {
    if (p.remove) continue;
    auto s = slice(p.start, p.end);
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace hubwasm::tok

namespace hubwasm::tok {

namespace {

// Canonical composition of two code points (0 when they do not compose).
char32_t compose_pair(char32_t a, char32_t b) {
  utf8proc_int32_t buf[2] = {static_cast<utf8proc_int32_t>(a), static_cast<utf8proc_int32_t>(b)};
  const auto n = utf8proc_normalize_utf32(buf, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE));
  return n == 1 ? static_cast<char32_t>(buf[0]) : 0;
}

}  // namespace

void NormalizedString::unicode_normalize(Form form) {
  const bool compat = form == Form::NFKD || form == Form::NFKC;
  const bool compose = form == Form::NFC || form == Form::NFKC;
  // Fast path: nothing below these code points changes under the form.
  const char32_t first_changing = compat ? 0xA0 : compose ? 0x300 : 0xC0;
  bool any = false;
  for (size_t i = 0; i < normalized_.size();) {
    if (unicode::decode_utf8(normalized_, i) >= first_changing) {
      any = true;
      break;
    }
  }
  if (!any) return;
  struct Item {
    char32_t c;
    int32_t change;
    int ccc;
  };
  std::vector<Item> items;
  items.reserve(normalized_.size() + 8);
  utf8proc_int32_t buf[32];
  const auto opts = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  for (size_t i = 0; i < normalized_.size();) {
    const char32_t c = unicode::decode_utf8(normalized_, i);
    utf8proc_ssize_t n = 1;
    if (c >= 0xA0) n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 32, opts, nullptr);
    if (c < 0xA0 || n <= 0 || n > 32) {
      items.push_back({c, 0, unicode::combining_class(c)});
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) {
      const auto d = static_cast<char32_t>(buf[k]);
      items.push_back({d, k > 0 ? 1 : 0, unicode::combining_class(d)});
    }
  }
  // Canonical ordering of each run of non-starters.
  for (size_t r = 0; r < items.size();) {
    if (items[r].ccc == 0) {
      ++r;
      continue;
    }
    size_t e = r;
    while (e < items.size() && items[e].ccc != 0) ++e;
    if (e - r > 1) {
      std::stable_sort(items.begin() + static_cast<std::ptrdiff_t>(r), items.begin() + static_cast<std::ptrdiff_t>(e),
                       [](const Item& a, const Item& b) { return a.ccc < b.ccc; });
    }
    r = e;
  }
  if (compose) {
    std::vector<Item> out;
    out.reserve(items.size());
    std::ptrdiff_t starter = -1;
    int prev_cc = 0;
    for (const Item& it : items) {
      if (starter >= 0) {
        const bool adjacent = static_cast<size_t>(starter) + 1 == out.size();
        if (adjacent || (prev_cc < it.ccc)) {
          if (char32_t comp = compose_pair(out[static_cast<size_t>(starter)].c, it.c)) {
            Item& s = out[static_cast<size_t>(starter)];
            s.c = comp;
            s.change += it.change - 1;
            continue;
          }
        }
      }
      if (it.ccc == 0) starter = static_cast<std::ptrdiff_t>(out.size());
      prev_cc = it.ccc;
      out.push_back(it);
    }
    items.swap(out);
  }
  std::vector<CharChange> changes;
  changes.reserve(items.size());
  for (const auto& it : items) changes.push_back({it.c, it.change});
  transform(changes, 0);
}

void NormalizedString::prepend(std::string_view s) {
  if (normalized_.empty() || s.empty()) return;
  size_t i = 0;
  const char32_t next = unicode::decode_utf8(normalized_, i);
  std::vector<CharChange> changes;
  size_t k = 0;
  for (size_t j = 0; j < s.size(); ++k) changes.push_back({unicode::decode_utf8(s, j), k != 0 ? 1 : 0});
  changes.push_back({next, 1});
  transform_range(0, i, changes, 0);
}

void NormalizedString::append(std::string_view s) {
  if (normalized_.empty() || s.empty()) return;
  size_t b = normalized_.size() - 1;
  while (b > 0 && !unicode::is_char_boundary(normalized_, b)) --b;
  size_t j = b;
  const char32_t prev = unicode::decode_utf8(normalized_, j);
  std::vector<CharChange> changes{{prev, 0}};
  for (size_t i = 0; i < s.size();) changes.push_back({unicode::decode_utf8(s, i), 1});
  transform_range(b, normalized_.size(), changes, 0);
}

void NormalizedString::replace(const std::vector<PatternMatch>& matches, std::string_view content) {
  std::vector<CharChange> repl;
  for (size_t i = 0; i < content.size();) repl.push_back({unicode::decode_utf8(content, i), 1});
  std::ptrdiff_t offset = 0;
  for (const auto& m : matches) {
    if (!m.is_match) continue;
    const size_t start = static_cast<size_t>(static_cast<std::ptrdiff_t>(m.start) + offset);
    const size_t end = static_cast<size_t>(static_cast<std::ptrdiff_t>(m.end) + offset);
    const size_t removed = unicode::char_count(std::string_view(normalized_).substr(start, end - start));
    transform_range(start, end, repl, removed);
    offset += static_cast<std::ptrdiff_t>(content.size()) - static_cast<std::ptrdiff_t>(m.end - m.start);
  }
}

void NormalizedString::lrstrip(bool left, bool right) {
  std::vector<char32_t> chars;
  chars.reserve(normalized_.size());
  for (size_t i = 0; i < normalized_.size();) chars.push_back(unicode::decode_utf8(normalized_, i));
  size_t leading = 0, trailing = 0;
  if (left) {
    while (leading < chars.size() && unicode::is_whitespace(chars[leading])) ++leading;
  }
  if (right) {
    while (trailing < chars.size() && unicode::is_whitespace(chars[chars.size() - 1 - trailing])) ++trailing;
  }
  if (leading == 0 && trailing == 0) return;
  const size_t count = chars.size();
  // Rust compares the char index with the *byte* length here; kept as is.
  const auto last_kept = static_cast<std::ptrdiff_t>(normalized_.size()) - static_cast<std::ptrdiff_t>(trailing) - 1;
  std::vector<CharChange> changes;
  for (size_t i = 0; i < count; ++i) {
    if (i < leading || i + trailing >= count) continue;
    if (static_cast<std::ptrdiff_t>(i) == last_kept) {
      changes.push_back({chars[i], -static_cast<int32_t>(trailing)});
    } else {
      changes.push_back({chars[i], 0});
    }
  }
  transform(changes, leading);
}

}  // namespace hubwasm::tok
