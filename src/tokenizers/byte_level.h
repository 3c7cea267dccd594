// GPT-2's byte <-> char table (bytes_to_unicode) shared by the ByteLevel
// normalizer, pre-tokenizer, post-processor and decoder, and Rust's
// String::from_utf8_lossy.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hubwasm::tok::byte_level {

// The char standing for byte b.
char32_t byte_to_char(uint8_t b);
// The byte a char stands for, or -1.
int char_to_byte(char32_t c);
// The GPT-2 pre-tokenization regex.
extern const char* const kGpt2Pattern;

// Bytes -> valid UTF-8, each maximal invalid subsequence replaced by U+FFFD
// (Rust String::from_utf8_lossy).
std::string utf8_lossy(std::string_view bytes);

}  // namespace hubwasm::tok::byte_level
