// The GPT-2 split pattern (byte_level::kGpt2Pattern) matched without PCRE2 on
// ASCII text, where most of the time of a byte-level BPE tokenizer went:
// PCRE2 has no JIT in WebAssembly, and each pcre2_match call costs setup.
// Regex uses it for that exact pattern string and asks PCRE2 whenever the
// match needs the Unicode class of a non-ASCII char, so the matches are the
// same as PCRE2's (the ASCII classes themselves come from PCRE2).
#pragma once

#include <cstddef>
#include <string_view>

namespace hubwasm::tok::gpt2_split {

// The pattern as PCRE2 matches it: the alternatives tried in order, the first
// that matches wins. Every char is a letter, a number, a space or "other", so
// from any position before the end a non-empty match starts right there.
//   's|'t|'re|'ve|'m|'ll|'d | ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+ | \s+(?!\S) | \s+
// Length in bytes of the match starting at `pos`, or 0 when that takes the
// class of a non-ASCII char (or pos is the end): then PCRE2 decides.
size_t ascii_match_length(std::string_view s, size_t pos);

}  // namespace hubwasm::tok::gpt2_split
