// Regex matches the GPT-2 split pattern by hand on ASCII text (gpt2_split.h).
// The reference is PCRE2 itself: the same pattern inside a non-capturing
// group, which Regex does not recognise and so matches with PCRE2 alone.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "tokenizers/byte_level.h"
#include "tokenizers/gpt2_split.h"
#include "tokenizers/regex.h"

using hubwasm::tok::Regex;

namespace {

// Random text over chars on both sides of every decision of the pattern:
// ASCII letters, digits, spaces and punctuation, the contraction letters, and
// non-ASCII letters, numbers, spaces and symbols.
std::string random_text(std::mt19937& rng, size_t chars) {
  static const std::vector<std::string> alphabet = {
      " ", " ", " ", "\n", "\t", "\r", "\v", "\f", "\x1c", "'", "'", "s", "t", "r", "e", "v", "m", "l", "d",
      "a", "Z", "0", "9", ".", ",", "-", "_", "!", "\x7f", "\x01",
      "\xc3\xa9",          // é (letter)
      "\xe4\xb8\xad",      // 中 (letter)
      "\xd9\xa3",          // Arabic-Indic three (number)
      "\xc2\xb2",          // superscript two (number, No)
      "\xc2\xa0",          // no-break space
      "\xe3\x80\x80",      // ideographic space
      "\xc2\x85",          // next line (a space for \s)
      "\xe2\x80\x94",      // em dash (other)
      "\xf0\x9f\x98\x80",  // emoji (other)
      "\xcc\x81",          // combining acute (Mn: other)
  };
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string s;
  for (size_t i = 0; i < chars; ++i) s += alphabet[pick(rng)];
  return s;
}

}  // namespace

TEST_CASE("GPT-2 split pattern: the ASCII matcher gives PCRE2's matches", "[tokenizer][regex]") {
  const Regex fast(hubwasm::tok::byte_level::kGpt2Pattern);
  const Regex pcre2_only(std::string("(?:") + hubwasm::tok::byte_level::kGpt2Pattern + ")");
  std::vector<std::string> texts = {
      "", " ", "  ", "a", " a", "  a", "a  ", "'s", "'re'", "it's 'll've", "x\n\n  y\t ", "   \n",
      "Hello, world! 123 4.5 ''' ?? \xc3\xa9t\xc3\xa9  \xc2\xa0 x", " \xe2\x80\x94", "a\xc3\xa9", "1\xd9\xa3",
  };
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) texts.push_back(random_text(rng, 1 + i % 40));
  size_t by_hand = 0, matches = 0;
  for (const auto& t : texts) {
    INFO(t);
    const auto expected = pcre2_only.find_all(t);
    REQUIRE(fast.find_all(t) == expected);
    // Every match the hand matcher decides (0: it defers to PCRE2) is PCRE2's.
    for (const auto& [start, end] : expected) {
      const size_t len = hubwasm::tok::gpt2_split::ascii_match_length(t, start);
      if (len != 0) REQUIRE(len == end - start);
      by_hand += len != 0;
      ++matches;
    }
  }
  // The texts exercise the hand matcher, not only its deferral to PCRE2.
  CHECK(by_hand > matches / 4);
}
