// Precompiled normalizer: sentencepiece's precompiled_charsmap (base64 in
// tokenizer.json), read as the spm_precompiled crate reads it: a little-endian
// u32 trie size in bytes, a Darts double-array trie of u32 units, then a blob
// of NUL-terminated replacement strings. Applied per extended grapheme cluster
// as tokenizers' normalizers/precompiled.rs does: a whole grapheme (< 6
// bytes) when the trie maps it, else char by char.
#include <utf8proc.h>

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

bool base64_decode(std::string_view in, std::string& out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out.clear();
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    const int v = val(in[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  for (; i < in.size(); ++i) {
    if (in[i] != '=') return false;
  }
  return true;
}

class Precompiled final : public Normalizer {
 public:
  Precompiled(std::vector<uint32_t> trie, std::string normalized)
      : trie_(std::move(trie)), normalized_(std::move(normalized)) {}

  void normalize(NormalizedString& s) const override {
    const std::string& text = s.get();
    if (text.empty() || trie_.empty()) return;
    std::vector<CharChange> changes;
    changes.reserve(text.size());
    bool modified = false;
    size_t g_start = 0;
    utf8proc_int32_t state = 0;
    size_t i = 0;
    char32_t prev = 0;
    bool have_prev = false;
    auto flush = [&](size_t g_end) {
      const std::string_view g(text.data() + g_start, g_end - g_start);
      if (g.size() < 6) {
        if (auto norm = transform(g)) {
          modified = true;
          replace(changes, g, *norm);
          return;
        }
      }
      for (size_t k = 0; k < g.size();) {
        const size_t b = k;
        const char32_t c = unicode::decode_utf8(g, k);
        const std::string_view part = g.substr(b, k - b);
        if (auto norm = transform(part)) {
          modified = true;
          replace(changes, part, *norm);
        } else {
          changes.push_back({c, 0});
        }
      }
    };
    while (i < text.size()) {
      const size_t b = i;
      const char32_t c = unicode::decode_utf8(text, i);
      if (have_prev && utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev),
                                                        static_cast<utf8proc_int32_t>(c), &state)) {
        flush(b);
        g_start = b;
      }
      prev = c;
      have_prev = true;
    }
    flush(text.size());
    if (modified) s.transform(changes, 0);
  }

 private:
  // tokenizers' precompiled.rs `replace`: new chars change 0, the last
  // `diff` of them +1 when growing, the last one -diff when shrinking.
  static void replace(std::vector<CharChange>& changes, std::string_view old_part, std::string_view new_part) {
    const auto old_count = static_cast<std::ptrdiff_t>(unicode::char_count(old_part));
    const size_t first = changes.size();
    for (size_t k = 0; k < new_part.size();) changes.push_back({unicode::decode_utf8(new_part, k), 0});
    const auto new_count = static_cast<std::ptrdiff_t>(changes.size() - first);
    const std::ptrdiff_t diff = new_count - old_count;
    if (diff > 0) {
      for (std::ptrdiff_t k = 0; k < diff && static_cast<size_t>(k) < changes.size(); ++k) {
        changes[changes.size() - 1 - static_cast<size_t>(k)].change = 1;
      }
    } else if (diff < 0 && !changes.empty()) {
      changes.back().change += static_cast<int32_t>(diff);
    }
  }

  // spm_precompiled Precompiled::transform: the first (shortest) prefix of
  // `chunk` in the trie, mapped to its NUL-terminated replacement.
  std::optional<std::string_view> transform(std::string_view chunk) const {
    const auto results = common_prefix_search(chunk);
    if (!results) return std::nullopt;
    const size_t index = *results;
    if (index > normalized_.size()) return std::nullopt;
    size_t end = index;
    while (end < normalized_.size() && normalized_[end] != '\0') ++end;
    return std::string_view(normalized_).substr(index, end - index);
  }

  static uint32_t offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }
  static uint32_t label(uint32_t unit) { return unit & ((1u << 31) | 0xFF); }
  static bool has_leaf(uint32_t unit) { return ((unit >> 8) & 1) == 1; }
  static uint32_t value(uint32_t unit) { return unit & ((1u << 31) - 1); }

  std::optional<uint32_t> common_prefix_search(std::string_view key) const {
    size_t node_pos = 0;
    uint32_t unit = trie_[node_pos];
    node_pos ^= offset(unit);
    for (char ch : key) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == 0) break;
      node_pos ^= c;
      if (node_pos >= trie_.size()) return std::nullopt;
      unit = trie_[node_pos];
      if (label(unit) != c) return std::nullopt;
      node_pos ^= offset(unit);
      if (node_pos >= trie_.size()) return std::nullopt;
      if (has_leaf(unit)) return value(trie_[node_pos]);  // results[0]
    }
    return std::nullopt;
  }

  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace

NormalizerPtr make_precompiled_from_bytes(std::string_view blob, const JsonLoc& loc) {
  if (blob.size() < 4) loc.fail(ErrorCode::InvalidFile, "is too short for a precompiled charsmap");
  const uint32_t trie_size = static_cast<uint32_t>(static_cast<unsigned char>(blob[0])) |
                             (static_cast<uint32_t>(static_cast<unsigned char>(blob[1])) << 8) |
                             (static_cast<uint32_t>(static_cast<unsigned char>(blob[2])) << 16) |
                             (static_cast<uint32_t>(static_cast<unsigned char>(blob[3])) << 24);
  if (trie_size > blob.size() - 4 || trie_size < 4) {
    loc.fail(ErrorCode::InvalidFile, "has a trie size larger than the charsmap");
  }
  std::vector<uint32_t> trie(trie_size / 4);
  for (size_t k = 0; k < trie.size(); ++k) {
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data() + 4 + 4 * k);
    trie[k] = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  }
  std::string normalized(blob.substr(4 + trie_size));
  if (unicode::first_invalid_utf8(normalized) != std::string::npos) {
    loc.fail(ErrorCode::InvalidFile, "has replacement strings that are not valid UTF-8");
  }
  return std::make_shared<Precompiled>(std::move(trie), std::move(normalized));
}

NormalizerPtr make_precompiled_normalizer(const json& j, const JsonLoc& loc) {
  const JsonLoc l = loc["precompiled_charsmap"];
  const json* v = find_member(j, "precompiled_charsmap");
  if (!v || v->is_null()) return nullptr;  // nothing to apply
  const std::string b64 = as_string(*v, l);
  if (b64.empty()) return nullptr;
  std::string blob;
  if (!base64_decode(b64, blob)) l.fail(ErrorCode::InvalidFile, "is not valid base64");
  return make_precompiled_from_bytes(blob, l);
}

}  // namespace hubwasm::tok
