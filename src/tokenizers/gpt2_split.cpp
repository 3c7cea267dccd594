#include "tokenizers/gpt2_split.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <cstdint>
#include <new>

namespace hubwasm::tok::gpt2_split {

namespace {

enum Class : uint8_t { kLetter, kNumber, kSpace, kOther, kNonAscii };

// Whether PCRE2 (UTF + UCP, as Regex compiles) matches the one-char class
// `cls` on ASCII char c.
bool pcre2_matches(const char* cls, char c) {
  int err = 0;
  PCRE2_SIZE err_off = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(cls), PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &err, &err_off, nullptr);
  pcre2_match_data* md = code ? pcre2_match_data_create_from_pattern(code, nullptr) : nullptr;
  if (!md) {
    pcre2_code_free(code);
    throw std::bad_alloc();
  }
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(&c), 1, 0, 0, md, nullptr);
  pcre2_match_data_free(md);
  pcre2_code_free(code);
  return rc > 0;
}

// The class of every byte: ASCII ones as PCRE2 classifies them, the rest kNonAscii.
const std::array<Class, 256>& classes() {
  static const std::array<Class, 256> table = [] {
    std::array<Class, 256> t{};
    t.fill(kNonAscii);
    for (int b = 0; b < 128; ++b) {
      const char c = static_cast<char>(b);
      t[b] = pcre2_matches(R"(\p{L})", c)   ? kLetter
             : pcre2_matches(R"(\p{N})", c) ? kNumber
             : pcre2_matches(R"(\s)", c)    ? kSpace
                                            : kOther;
    }
    return t;
  }();
  return table;
}

}  // namespace

size_t ascii_match_length(std::string_view s, size_t pos) {
  const auto& cls = classes();
  const size_t n = s.size();
  auto at = [&](size_t i) { return cls[static_cast<unsigned char>(s[i])]; };
  if (pos >= n) return 0;
  // 's|'t|'re|'ve|'m|'ll|'d
  if (s[pos] == '\'' && pos + 1 < n) {
    const char a = s[pos + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (pos + 2 < n) {
      const char b = s[pos + 2];
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    }
  }
  // ` ?X+` for X = letters, numbers, other: the optional space, then a run.
  const size_t run = s[pos] == ' ' && pos + 1 < n ? pos + 1 : pos;
  const Class x = at(run);
  if (x == kNonAscii) return 0;
  if (x != kSpace) {
    size_t end = run + 1;
    while (end < n && at(end) == x) ++end;
    if (end < n && at(end) == kNonAscii) return 0;  // the run may go on
    return end - pos;
  }
  // \s+(?!\S): the run of spaces from pos, less its last one when a non-space
  // follows; \s+ when that leaves none. (s[pos] is a space: ' ' or at(run).)
  size_t end = pos + 1;
  while (end < n && at(end) == kSpace) ++end;
  if (end == n) return end - pos;
  if (at(end) == kNonAscii) return 0;  // a non-ASCII space would extend the run
  return end - pos > 1 ? end - pos - 1 : 1;
}

}  // namespace hubwasm::tok::gpt2_split
