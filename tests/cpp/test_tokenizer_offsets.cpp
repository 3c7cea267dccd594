// Exact offsets derived by hand from the Rust semantics (NormalizedString
// alignments, byte offsets into the original input), plus NormalizedString
// unit cases taken from tokenizers' tokenizer/normalizer.rs tests.
#include <catch2/catch.hpp>

#include "test_tokenizer_common.h"
#include "tokenizers/normalized_string.h"
#include "tokenizers/unicode.h"

using hubwasm::EncodeOptions;
using hubwasm::tok::NormalizedString;
using hubwasm::tok::Offsets;
using hubwasm::tok::SplitDelimiterBehavior;
using tokt::bert_uncased;
using Off = std::vector<std::pair<uint32_t, uint32_t>>;

TEST_CASE("offsets: punctuation and whitespace", "[tokenizer][offsets]") {
  const auto e = bert_uncased().encode("Hello, world!");
  CHECK(e.tokens == std::vector<std::string>{"[CLS]", "hello", ",", "world", "!", "[SEP]"});
  CHECK(e.offsets == Off{{0, 0}, {0, 5}, {5, 6}, {7, 12}, {12, 13}, {0, 0}});
  CHECK(e.word_ids == std::vector<int32_t>{-1, 0, 1, 2, 3, -1});
  CHECK(e.sequence_ids == std::vector<int32_t>{-1, 0, 0, 0, 0, -1});

  const auto lead = bert_uncased().encode("   leading space");
  CHECK(lead.offsets == Off{{0, 0}, {3, 10}, {11, 16}, {0, 0}});
}

TEST_CASE("offsets: accents stripped, sub-words, multi-byte input", "[tokenizer][offsets]") {
  // "Äpfel": Ä is 2 bytes; NFD gives A + U+0308 (both aligned to bytes 0..2), the mark is
  // removed, so normalized "apfel" maps a->(0,2), p->(2,3), f->(3,4), e->(4,5), l->(5,6).
  EncodeOptions o;
  o.add_special_tokens = false;
  const auto e = bert_uncased().encode("Äpfel", std::nullopt, o);
  CHECK(e.tokens == std::vector<std::string>{"ap", "##fe", "##l"});
  CHECK(e.offsets == Off{{0, 3}, {3, 5}, {5, 6}});
  CHECK(e.word_ids == std::vector<int32_t>{0, 0, 0});
}

TEST_CASE("offsets: CJK chars are split and keep their 3-byte ranges", "[tokenizer][offsets]") {
  EncodeOptions o;
  o.add_special_tokens = false;
  const auto e = bert_uncased().encode("生活的真谛是", std::nullopt, o);
  CHECK(e.offsets == Off{{0, 3}, {3, 6}, {6, 9}, {9, 12}, {12, 15}, {15, 18}});
  // [UNK] covers the whole (one-char) word.
  CHECK(e.tokens[1] == "[UNK]");
}

TEST_CASE("offsets: pair offsets are per sequence", "[tokenizer][offsets]") {
  const auto e = bert_uncased().encode("Hello there", std::string_view("General Kenobi"));
  CHECK(e.tokens.front() == "[CLS]");
  CHECK(e.type_ids == std::vector<int32_t>{0, 0, 0, 0, 1, 1, 1, 1, 1});
  CHECK(e.sequence_ids == std::vector<int32_t>{-1, 0, 0, -1, 1, 1, 1, 1, -1});
  CHECK(e.offsets[1] == std::pair<uint32_t, uint32_t>{0, 5});
  CHECK(e.offsets[2] == std::pair<uint32_t, uint32_t>{6, 11});
  CHECK(e.offsets[4] == std::pair<uint32_t, uint32_t>{0, 7});  // "general" in the second text
  CHECK(e.offsets.back() == std::pair<uint32_t, uint32_t>{0, 0});
  CHECK(e.special_tokens_mask == std::vector<int32_t>{1, 0, 0, 1, 0, 0, 0, 0, 1});
}

TEST_CASE("offsets: control characters removed by clean_text", "[tokenizer][offsets]") {
  EncodeOptions o;
  o.add_special_tokens = false;
  // U+0000 and U+200B (Cf) are removed; "\x01" (Cc) too.
  const auto e = bert_uncased().encode(std::string("a\x01") + "b\xE2\x80\x8B" + "c", std::nullopt, o);
  REQUIRE(e.size() >= 1);
  CHECK(e.offsets.front().first == 0);
  CHECK(e.offsets.back().second == 7);
}

TEST_CASE("NormalizedString matches tokenizers' normalizer.rs unit tests", "[tokenizer][normalized_string]") {
  using hubwasm::tok::unicode::is_mark_nonspacing;
  using hubwasm::tok::unicode::is_whitespace;
  using Align = std::vector<Offsets>;

  SECTION("nfd_adds_new_chars") {
    NormalizedString n("élégant");
    n.nfd();
    CHECK(n.alignments() ==
          Align{{0, 2}, {0, 2}, {0, 2}, {2, 3}, {3, 5}, {3, 5}, {3, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}});
  }
  SECTION("remove_chars_added_by_nfd") {
    NormalizedString n("élégant");
    n.nfd();
    n.filter([](char32_t c) { return !is_mark_nonspacing(c); });
    CHECK(n.get() == "elegant");
    CHECK(n.alignments() == Align{{0, 2}, {2, 3}, {3, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}});
  }
  SECTION("remove_chars") {
    NormalizedString n("élégant");
    n.filter([](char32_t c) { return c != U'n'; });
    CHECK(n.get() == "élégat");
    CHECK(n.alignments() == Align{{0, 2}, {0, 2}, {2, 3}, {3, 5}, {3, 5}, {5, 6}, {6, 7}, {8, 9}});
  }
  SECTION("mixed_addition_and_removal") {
    NormalizedString n("élégant");
    n.nfd();
    n.filter([](char32_t c) { return !is_mark_nonspacing(c) && c != U'n'; });
    CHECK(n.get() == "elegat");
    CHECK(n.alignments() == Align{{0, 2}, {2, 3}, {3, 5}, {5, 6}, {6, 7}, {8, 9}});
  }
  SECTION("range_conversion") {
    NormalizedString n("    __Hello__   ");
    n.filter([](char32_t c) { return !is_whitespace(c); });
    n.lowercase();
    CHECK(n.original_to_normalized(6, 11) == std::optional<Offsets>({2, 7}));
    CHECK(n.get().substr(2, 5) == "hello");
    CHECK(n.normalized_to_original(2, 7) == std::optional<Offsets>({6, 11}));
    CHECK(n.original_to_normalized(0, 0) == std::optional<Offsets>({0, 0}));
    CHECK(n.original_to_normalized(3, 3) == std::optional<Offsets>({3, 3}));
    CHECK(n.original_to_normalized(15, 16) == std::optional<Offsets>({9, 9}));
    CHECK(n.normalized_to_original(0, 0) == std::optional<Offsets>({0, 0}));
    CHECK_FALSE(n.normalized_to_original(9, 10).has_value());
  }
  SECTION("original_range") {
    NormalizedString n("Hello_______ World!");
    n.filter([](char32_t c) { return c != U'_'; });
    n.lowercase();
    CHECK(n.get().substr(6, 5) == "world");
    CHECK(n.normalized_to_original(6, 11) == std::optional<Offsets>({13, 18}));
  }
  SECTION("added_characters_alignment") {
    NormalizedString n("野口 No");
    std::vector<hubwasm::tok::CharChange> changes;
    const std::string text = n.get();
    for (size_t i = 0; i < text.size();) {
      const char32_t c = hubwasm::tok::unicode::decode_utf8(text, i);
      if (c > 0x4E00) {
        changes.push_back({U' ', 0});
        changes.push_back({c, 1});
        changes.push_back({U' ', 1});
      } else {
        changes.push_back({c, 0});
      }
    }
    n.transform(changes, 0);
    CHECK(n.get() == " 野  口  No");
    CHECK(n.alignments() == Align{{0, 3},
                                  {0, 3},
                                  {0, 3},
                                  {0, 3},
                                  {0, 3},
                                  {3, 6},
                                  {3, 6},
                                  {3, 6},
                                  {3, 6},
                                  {3, 6},
                                  {6, 7},
                                  {7, 8},
                                  {8, 9}});
  }
  SECTION("remove_at_beginning / remove_at_end / removed_around_both_edges") {
    NormalizedString a("     Hello");
    a.filter([](char32_t c) { return !is_whitespace(c); });
    CHECK(a.normalized_to_original(1, 5) == std::optional<Offsets>({6, 10}));  // "ello"
    CHECK(a.normalized_to_original(0, a.len()) == std::optional<Offsets>({5, 10}));
    NormalizedString b("Hello    ");
    b.filter([](char32_t c) { return !is_whitespace(c); });
    CHECK(b.normalized_to_original(0, 4) == std::optional<Offsets>({0, 4}));
    CHECK(b.normalized_to_original(0, b.len()) == std::optional<Offsets>({0, 5}));
    NormalizedString c("  Hello  ");
    c.filter([](char32_t ch) { return !is_whitespace(ch); });
    CHECK(c.get() == "Hello");
    CHECK(c.normalized_to_original(0, 5) == std::optional<Offsets>({2, 7}));
    CHECK(c.normalized_to_original(1, 4) == std::optional<Offsets>({3, 6}));
  }
  SECTION("split behaviours") {
    const NormalizedString s("The-final--countdown");
    auto run = [&](SplitDelimiterBehavior b) {
      std::vector<std::string> out;
      for (const auto& piece : s.split_chars([](char32_t c) { return c == U'-'; }, b))
        out.push_back(piece.get());
      return out;
    };
    using V = std::vector<std::string>;
    CHECK(run(SplitDelimiterBehavior::Removed) == V{"The", "final", "countdown"});
    CHECK(run(SplitDelimiterBehavior::Isolated) == V{"The", "-", "final", "-", "-", "countdown"});
    CHECK(run(SplitDelimiterBehavior::MergedWithPrevious) == V{"The-", "final-", "-", "countdown"});
    CHECK(run(SplitDelimiterBehavior::MergedWithNext) == V{"The", "-final", "-", "-countdown"});
    CHECK(run(SplitDelimiterBehavior::Contiguous) == V{"The", "-", "final", "--", "countdown"});
  }
  SECTION("transform_range_single_bytes") {
    const NormalizedString s("Hello friend");
    {  // Removing at the beginning
      NormalizedString cur = s;
      const auto r = cur.original_to_normalized(0, 4);
      cur.transform_range(r->first, r->second, {{U'Y', 0}}, 3);
      CHECK(cur.get() == "Yo friend");
      CHECK(cur.alignments() ==
            Align{{3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}, {10, 11}, {11, 12}});
    }
    {  // Removing in the middle
      NormalizedString cur = s;
      const auto r = cur.original_to_normalized(3, 10);
      cur.transform_range(r->first, r->second, {{U'_', 0}, {U'F', 0}, {U'R', -2}}, 2);
      CHECK(cur.get() == "Hel_FRnd");
      CHECK(cur.alignments() == Align{{0, 1}, {1, 2}, {2, 3}, {5, 6}, {6, 7}, {7, 8}, {10, 11}, {11, 12}});
    }
    {  // Removing at the end
      NormalizedString cur = s;
      const auto r = cur.original_to_normalized(5, 12);
      cur.transform_range(r->first, r->second, {{U'_', 0}, {U'F', -5}}, 0);
      CHECK(cur.get() == "Hello_F");
      CHECK(cur.alignments() == Align{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}});
    }
  }
}

TEST_CASE("BertPreTokenizer splits like tokenizers' pre_tokenizers/bert.rs test",
          "[tokenizer][normalized_string]") {
  // "Hey friend!     How are you?!?" -> Hey(0,3) friend(4,10) !(10,11) How(16,19) are(20,23)
  // you(24,27) ?(27,28) !(28,29) ?(29,30): the original-offset splits of the Rust test.
  EncodeOptions o;
  o.add_special_tokens = false;
  const auto e = bert_uncased().encode("Hey friend!     How are you?!?", std::nullopt, o);
  CHECK(e.tokens == std::vector<std::string>{"hey", "friend", "!", "how", "are", "you", "?", "!", "?"});
  CHECK(e.offsets ==
        Off{{0, 3}, {4, 10}, {10, 11}, {16, 19}, {20, 23}, {24, 27}, {27, 28}, {28, 29}, {29, 30}});
}
