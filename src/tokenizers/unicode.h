// UTF-8 helpers and the Unicode character classes used by the tokenizer
// components. Each predicate documents which Rust function it mirrors so that
// results match the `tokenizers` crate (not Python's unicodedata).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hubwasm::tok::unicode {

// Decodes the code point starting at s[i] and advances i past it.
// Precondition: s is valid UTF-8 (see first_invalid_utf8) and i < s.size().
inline char32_t decode_utf8(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return c;
  }
  char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4;
  return c;
}

inline size_t utf8_len(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

// Byte length of the UTF-8 sequence that starts with lead byte b (1 for continuation bytes).
inline size_t utf8_seq_len(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

inline bool is_char_boundary(std::string_view s, size_t i) {
  return i == 0 || i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Number of code points in a valid UTF-8 string.
size_t char_count(std::string_view s);

// Offset of the first byte that is not part of well-formed UTF-8 (overlongs,
// surrogates and values above U+10FFFF are ill-formed), or npos when valid.
size_t first_invalid_utf8(std::string_view s);

// Rust `char::is_whitespace` (the White_Space property).
bool is_whitespace(char32_t c);

// tokenizers' normalizers/bert.rs `is_control`: false for \t \n \r, else
// unicode_categories' `is_other()` = Cc | Cf | Co. That crate builds its tables
// from UnicodeData.txt entries, so of the private-use ranges only the
// First/Last endpoints are listed; we reproduce that.
bool is_bert_control(char32_t c);

// unicode_categories `is_punctuation()`: general category P*.
bool is_punctuation(char32_t c);

// tokenizers' pre_tokenizers/bert.rs `is_bert_punc`: ASCII punctuation or P*.
bool is_bert_punc(char32_t c);

// tokenizers' normalizers/bert.rs `is_chinese_char` (CJK ideograph blocks).
bool is_chinese_char(char32_t c);

// General category M* (unicode-normalization's is_combining_mark).
bool is_combining_mark(char32_t c);

// General category Mn.
bool is_mark_nonspacing(char32_t c);

// Regex `\w` (Unicode): letters, marks, decimal digits, connector punctuation,
// letter numbers, and the join controls.
bool is_word_char(char32_t c);

// Rust `char::to_lowercase`: writes 1..3 code points into out, returns count.
int to_lowercase(char32_t c, char32_t out[3]);

// Canonical decomposition (NFD) of one code point, fully recursive, without
// reordering. Writes up to `cap` code points into out and returns the count
// (a return value > cap means the buffer was too small).
size_t nfd_decompose(char32_t c, char32_t* out, size_t cap);

// Canonical combining class.
int combining_class(char32_t c);

}  // namespace hubwasm::tok::unicode
