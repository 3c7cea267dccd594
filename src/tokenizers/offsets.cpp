// convert_offsets: byte offsets -> char / UTF-16 offsets (tokenizer.h).
#include <algorithm>

#include "tokenizers/tokenizer.h"
#include "tokenizers/unicode.h"

namespace hubwasm {

namespace {

// For every byte of s: the index (in `unit`) of the char holding it; one more
// entry for s.size() = the total length.
std::vector<uint32_t> char_index_of_bytes(std::string_view s, OffsetUnit unit) {
  std::vector<uint32_t> idx(s.size() + 1, 0);
  uint32_t pos = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t n = std::min(s.size() - i, tok::unicode::utf8_seq_len(static_cast<unsigned char>(s[i])));
    for (size_t k = 0; k < n; ++k) idx[i + k] = pos;
    pos += (unit == OffsetUnit::Utf16 && n == 4) ? 2 : 1;
    i += n;
  }
  idx[s.size()] = pos;
  return idx;
}

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> convert_offsets(const Encoding& e, std::string_view text,
                                                           const std::optional<std::string_view>& pair,
                                                           OffsetUnit unit) {
  if (unit == OffsetUnit::Byte) return e.offsets;
  const std::vector<uint32_t> maps[2] = {char_index_of_bytes(text, unit),
                                         pair ? char_index_of_bytes(*pair, unit) : std::vector<uint32_t>{0}};
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(e.offsets.size());
  for (size_t i = 0; i < e.offsets.size(); ++i) {
    const auto [s, t] = e.offsets[i];
    const int32_t seq = i < e.sequence_ids.size() ? e.sequence_ids[i] : 0;
    if (seq < 0 || (seq == 1 && !pair)) {
      out.emplace_back(0, 0);
      continue;
    }
    const auto& m = maps[seq == 1 ? 1 : 0];
    const size_t len = m.size() - 1;
    const uint32_t cs = m[std::min<size_t>(s, len)];
    uint32_t ce = cs;
    if (t > s) {
      const size_t last = std::min<size_t>(t, len) - 1;
      ce = t >= len ? m[len] : m[last] + 1;
      if (unit == OffsetUnit::Utf16 && t < len) {
        // end of the char holding the last byte (2 units for astral chars)
        size_t b = last;
        while (b > 0 && (static_cast<unsigned char>((seq == 1 ? *pair : text)[b]) & 0xC0) == 0x80) --b;
        ce = m[b] +
             ((tok::unicode::utf8_seq_len(static_cast<unsigned char>((seq == 1 ? *pair : text)[b])) == 4) ? 2 : 1);
      }
    }
    out.emplace_back(cs, ce);
  }
  return out;
}

}  // namespace hubwasm
