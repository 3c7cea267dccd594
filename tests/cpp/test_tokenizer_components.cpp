// Component-level checks (normalizers, pre-tokenizers, models, decoders)
// through tokenizer.json snippets. Expected values are the ones in the Rust
// tokenizers crate's own unit tests (split.rs, whitespace.rs, punctuation.rs,
// digits.rs, metaspace.rs, byte_level.rs, unigram/model.rs, decoders/*.rs)
// unless noted.
#include <catch2/catch.hpp>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Tokenizer;
using tokt::json;

namespace {

using Splits = std::vector<std::pair<std::string, std::pair<uint32_t, uint32_t>>>;

// A WordLevel tokenizer whose vocabulary is the expected pieces, so that the
// tokens (and their original offsets) are the pre-tokenized splits.
Splits pieces(const json& normalizer, const json& pre_tokenizer, const std::string& text,
              const std::vector<std::string>& words) {
  json vocab = json::object();
  vocab["[UNK]"] = 0;
  for (const auto& w : words) vocab[w] = static_cast<int>(vocab.size());
  json j = {{"normalizer", normalizer},
            {"pre_tokenizer", pre_tokenizer},
            {"model", {{"type", "WordLevel"}, {"vocab", vocab}, {"unk_token", "[UNK]"}}}};
  const auto e = Tokenizer::from_json(j.dump()).encode(text);
  Splits out;
  for (size_t i = 0; i < e.size(); ++i) out.push_back({e.tokens[i], e.offsets[i]});
  return out;
}

std::vector<std::string> words_of(const Splits& s) {
  std::vector<std::string> w;
  for (const auto& p : s) w.push_back(p.first);
  return w;
}

Splits expect_pieces(const json& normalizer, const json& pre, const std::string& text, const Splits& expected) {
  const auto got = pieces(normalizer, pre, text, words_of(expected));
  CHECK(got == expected);
  return got;
}

std::string decode_with(const json& decoder, const std::vector<std::string>& tokens) {
  json vocab = json::object();
  std::vector<int32_t> ids;
  for (const auto& t : tokens) {
    if (!vocab.contains(t)) vocab[t] = static_cast<int>(vocab.size());
    ids.push_back(vocab[t].get<int32_t>());
  }
  json j = {{"decoder", decoder}, {"model", {{"type", "WordLevel"}, {"vocab", vocab}, {"unk_token", tokens[0]}}}};
  return Tokenizer::from_json(j.dump()).decode(ids);
}

const json kNull = nullptr;

}  // namespace

TEST_CASE("Split pre-tokenizer: every behavior, inverted regex (split.rs)", "[tokenizer][components]") {
  const std::string text = "How are you doing?";
  auto split = [](const char* behavior) {
    return json{
        {"type", "Split"}, {"pattern", {{"Regex", R"(\w+|[^\w\s]+)"}}}, {"behavior", behavior}, {"invert", true}};
  };
  expect_pieces(kNull, split("Removed"), text,
                {{"How", {0, 3}}, {"are", {4, 7}}, {"you", {8, 11}}, {"doing", {12, 17}}, {"?", {17, 18}}});
  expect_pieces(kNull, split("Isolated"), text,
                {{"How", {0, 3}},
                 {" ", {3, 4}},
                 {"are", {4, 7}},
                 {" ", {7, 8}},
                 {"you", {8, 11}},
                 {" ", {11, 12}},
                 {"doing", {12, 17}},
                 {"?", {17, 18}}});
  expect_pieces(kNull, split("MergedWithPrevious"), text,
                {{"How ", {0, 4}}, {"are ", {4, 8}}, {"you ", {8, 12}}, {"doing", {12, 17}}, {"?", {17, 18}}});
  expect_pieces(kNull, split("MergedWithNext"), text,
                {{"How", {0, 3}}, {" are", {3, 7}}, {" you", {7, 11}}, {" doing", {11, 17}}, {"?", {17, 18}}});
  expect_pieces(kNull, split("Contiguous"), text,
                {{"How", {0, 3}},
                 {" ", {3, 4}},
                 {"are", {4, 7}},
                 {" ", {7, 8}},
                 {"you", {8, 11}},
                 {" ", {11, 12}},
                 {"doing?", {12, 18}}});
  // String pattern == escaped regex; inverted "Hello" == splitting on " ".
  const json by_space = {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Removed"}};
  const json inv_hello = {
      {"type", "Split"}, {"pattern", {{"String", "Hello"}}}, {"behavior", "Removed"}, {"invert", true}};
  const Splits hellos = {{"Hello", {0, 5}}, {"Hello", {6, 11}}, {"Hello", {12, 17}}};
  expect_pieces(kNull, by_space, "Hello Hello Hello", hellos);
  expect_pieces(kNull, inv_hello, "Hello Hello Hello", hellos);
  // Lookahead (GPT-2 / Llama-3 style): "\s+(?!\S)" keeps the last space for the next word.
  expect_pieces(kNull,
                {{"type", "Split"}, {"pattern", {{"Regex", R"(\s+(?!\S)|\s+|\p{L}+)"}}}, {"behavior", "Isolated"}},
                "a   b", {{"a", {0, 1}}, {"  ", {1, 3}}, {" ", {3, 4}}, {"b", {4, 5}}});
}

TEST_CASE("Whitespace, WhitespaceSplit, Punctuation, Digits, CharDelimiterSplit", "[tokenizer][components]") {
  const json ws = {{"type", "Whitespace"}};
  expect_pieces(kNull, ws, "Hey man!", {{"Hey", {0, 3}}, {"man", {4, 7}}, {"!", {7, 8}}});
  expect_pieces(kNull, ws, "How are you doing?",
                {{"How", {0, 3}}, {"are", {4, 7}}, {"you", {8, 11}}, {"doing", {12, 17}}, {"?", {17, 18}}});
  CHECK(pieces(kNull, ws, "\n", {}).empty());
  expect_pieces(kNull, {{"type", "WhitespaceSplit"}}, "Hey man!", {{"Hey", {0, 3}}, {"man!", {4, 8}}});
  expect_pieces(kNull, {{"type", "Punctuation"}}, "Hey friend!     How are you?!?",
                {{"Hey friend", {0, 10}},
                 {"!", {10, 11}},
                 {"     How are you", {11, 27}},
                 {"?", {27, 28}},
                 {"!", {28, 29}},
                 {"?", {29, 30}}});
  expect_pieces(kNull, {{"type", "Digits"}, {"individual_digits", true}}, "Hey 123 friend!",
                {{"Hey ", {0, 4}}, {"1", {4, 5}}, {"2", {5, 6}}, {"3", {6, 7}}, {" friend!", {7, 15}}});
  expect_pieces(kNull, {{"type", "Digits"}, {"individual_digits", false}}, "Hey 123 friend!",
                {{"Hey ", {0, 4}}, {"123", {4, 7}}, {" friend!", {7, 15}}});
  expect_pieces(kNull, {{"type", "CharDelimiterSplit"}, {"delimiter", "x"}}, "Helloxworldxx!",
                {{"Hello", {0, 5}}, {"world", {6, 11}}, {"!", {13, 14}}});
}

TEST_CASE("UnicodeScripts pre-tokenizer (unicode_scripts/pre_tokenizer.rs)", "[tokenizer][components]") {
  const json us = {{"type", "UnicodeScripts"}};
  expect_pieces(kNull, us, "どこで生れ。Yes", {{"どこで生れ", {0, 15}}, {"。", {15, 18}}, {"Yes", {18, 21}}});
  expect_pieces(kNull, us, "Apples are りんご 林檎", {{"Apples are ", {0, 11}}, {"りんご 林檎", {11, 27}}});
  // Common punctuation is its own script; ー (U+30FC) counts as Han.
  expect_pieces(kNull, us, "Hi, ラーメンδ", {{"Hi", {0, 2}}, {", ", {2, 4}}, {"ラーメン", {4, 16}}, {"δ", {16, 18}}});
}

TEST_CASE("Metaspace pre-tokenizer: prepend schemes and split (metaspace.rs)", "[tokenizer][components]") {
  const json ms = {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}};
  expect_pieces(kNull, ms, "Hey friend!", {{"\u2581Hey", {0, 3}}, {"\u2581friend!", {3, 11}}});
  expect_pieces(kNull, ms, "Hey   friend!",
                {{"\u2581Hey", {0, 3}}, {"\u2581", {3, 4}}, {"\u2581", {4, 5}}, {"\u2581friend!", {5, 13}}});
  json never = ms;
  never["prepend_scheme"] = "never";
  expect_pieces(kNull, never, "Hey friend!", {{"Hey", {0, 3}}, {"\u2581friend!", {3, 11}}});
  json nosplit = ms;
  nosplit["split"] = false;
  expect_pieces(kNull, nosplit, "Hey friend!", {{"\u2581Hey\u2581friend!", {0, 11}}});
  // Legacy files: add_prefix_space false = never.
  expect_pieces(kNull, {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"add_prefix_space", false}}, "Hey friend!",
                {{"Hey", {0, 3}}, {"\u2581friend!", {3, 11}}});
}

TEST_CASE("ByteLevel pre-tokenizer and offset trimming (byte_level.rs)", "[tokenizer][components]") {
  const json bl = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  expect_pieces(kNull, bl, "Hello my friend, how is your day going?",
                {{"Hello", {0, 5}},
                 {"\u0120my", {5, 8}},
                 {"\u0120friend", {8, 15}},
                 {",", {15, 16}},
                 {"\u0120how", {16, 20}},
                 {"\u0120is", {20, 23}},
                 {"\u0120your", {23, 28}},
                 {"\u0120day", {28, 32}},
                 {"\u0120going", {32, 38}},
                 {"?", {38, 39}}});
  // Without the regex: one piece, every byte mapped (Ġ for the space, 2 chars for é).
  expect_pieces(kNull, {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", false}}, "Hi é",
                {{"\u0120Hi\u0120\u00c3\u00a9", {0, 5}}});
  // trim_offsets drops the leading space from the offsets.
  json vocab = {{"Hello", 0}, {"\u0120my", 1}};
  json j = {{"pre_tokenizer", bl},
            {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}, {"ignore_merges", true}}},
            {"post_processor", {{"type", "ByteLevel"}, {"trim_offsets", true}}}};
  const auto e = Tokenizer::from_json(j.dump()).encode("Hello my");
  CHECK(e.tokens == std::vector<std::string>{"Hello", "\u0120my"});
  CHECK(e.offsets == std::vector<std::pair<uint32_t, uint32_t>>{{0, 5}, {6, 8}});
}

TEST_CASE("normalizers: NFC/NFD/NFKC/NFKD, Lowercase, StripAccents, Strip, Replace, Prepend, Sequence",
          "[tokenizer][components]") {
  auto normalized = [](const json& n, const std::string& text, const std::string& expected,
                       std::pair<uint32_t, uint32_t> offsets = {0, 0}) {
    INFO(json(text).dump() << " -> " << json(expected).dump());
    const auto got = pieces(n, kNull, text, {expected});
    REQUIRE(got.size() == 1);
    CHECK(got[0].first == expected);
    if (offsets.second == 0) offsets.second = static_cast<uint32_t>(text.size());
    CHECK(got[0].second == offsets);
  };
  normalized({{"type", "NFKC"}}, "\uFB01ne \u2460", "fine 1");
  normalized({{"type", "NFKD"}}, "\u00e9", "e\u0301");
  normalized({{"type", "NFD"}}, "\u00e9\u1e69", "e\u0301s\u0323\u0307");
  // Composed chars keep the alignment of their starter (Rust transform with
  // a negative change): offsets end at the last starter's original bytes.
  normalized({{"type", "NFC"}}, "e\u0301s\u0307\u0323", "\u00e9\u1e69", {0, 4});
  normalized({{"type", "NFC"}}, "\u1100\u1161\u11a8", "\uac01", {0, 3});  // Hangul L V T
  normalized(
      {{"type", "Sequence"}, {"normalizers", {{{"type", "NFD"}}, {{"type", "StripAccents"}}, {{"type", "Lowercase"}}}}},
      "Ça Été", "ca ete");
  normalized({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, "  hi  ", "hi", {2, 4});
  normalized({{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}}, "a   b  c", "a b c");
  normalized({{"type", "Replace"}, {"pattern", {{"String", "''"}}}, {"content", "\""}}, "''x''", "\"x\"",
             {1, 5});  // inserted chars align with the char before them
  normalized({{"type", "Prepend"}, {"prepend", "\u2581"}}, "hey", "\u2581hey");
  normalized({{"type", "Lowercase"}}, "\u0130STANBUL", "i\u0307stanbul");
}

TEST_CASE("BPE model options and Unigram (bpe/model.rs, unigram/model.rs)", "[tokenizer][components]") {
  // continuing_subword_prefix + end_of_word_suffix: "a" "##b" "##c</w>" -> "ab" -> "abc</w>".
  const json pre = json::parse(R"({"type": "BPE", "vocab": {"a": 0, "##b": 1, "##c</w>": 2, "ab": 3, "abc</w>": 4},
      "merges": ["a ##b", "ab ##c</w>"], "continuing_subword_prefix": "##", "end_of_word_suffix": "</w>"})");
  CHECK(Tokenizer::from_json(json{{"model", pre}}.dump()).encode("abc").ids == std::vector<int32_t>{4});
  json simple = json::parse(R"({"type": "BPE", "vocab": {"<unk>": 0, "a": 1, "b": 2, "c": 3, "ab": 4, "<0x78>": 5},
      "merges": [["a", "b"]], "unk_token": "<unk>", "fuse_unk": true})");
  auto ids = [](const json& model, const std::string& text) {
    return Tokenizer::from_json(json{{"model", model}}.dump()).encode(text).ids;
  };
  CHECK(ids(simple, "abc") == std::vector<int32_t>{4, 3});
  CHECK(ids(simple, "zzab") == std::vector<int32_t>{0, 4});  // fused unk
  simple["fuse_unk"] = false;
  CHECK(ids(simple, "zzab") == std::vector<int32_t>{0, 0, 4});
  simple["byte_fallback"] = true;
  CHECK(ids(simple, "xab") == std::vector<int32_t>{5, 4});  // <0x78> for "x"
  CHECK(ids(simple, "zab") == std::vector<int32_t>{0, 4});  // no <0x7A>: unk
  json im = simple;
  im["vocab"]["abc"] = 6;
  im["ignore_merges"] = true;
  CHECK(ids(im, "abc") == std::vector<int32_t>{6});
  im["ignore_merges"] = false;
  CHECK(ids(im, "abc") == std::vector<int32_t>{4, 3});

  // Unigram: unigram/model.rs test_encode.
  const json uni = json::parse(R"({"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", 0.0], ["b", 0.0],
      ["c", 0.0], ["d", 0.0], ["cd", 1.0], ["ab", 2.0], ["abc", 5.0], ["abcd", 10.0]]})");
  const Tokenizer u = Tokenizer::from_json(json{{"model", uni}}.dump());
  auto toks = [&](const std::string& s) { return u.encode(s).tokens; };
  CHECK(toks("abcd") == std::vector<std::string>{"abcd"});
  CHECK(toks("abcc") == std::vector<std::string>{"abc", "c"});
  CHECK(toks("xabcabaabcdd") == std::vector<std::string>{"x", "abc", "ab", "a", "abcd", "d"});
  CHECK(toks("xyz") == std::vector<std::string>{"xyz"});  // unks fused
  CHECK(u.encode("xyz").ids == std::vector<int32_t>{0});
  const json ubf = json::parse(
      R"({"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [["<unk>", 0.0], ["<0x61>", -0.01]]})");
  const Tokenizer ub = Tokenizer::from_json(json{{"model", ubf}}.dump());
  CHECK(ub.encode("a").ids == std::vector<int32_t>{1});
  CHECK(ub.encode("ab").ids == std::vector<int32_t>{0});
}

TEST_CASE("decoders: ByteFallback, Fuse, Strip, Replace, BPEDecoder, CTC, Metaspace, ByteLevel",
          "[tokenizer][components]") {
  CHECK(decode_with({{"type", "ByteFallback"}}, {"<0x61>"}) == "a");
  CHECK(decode_with({{"type", "ByteFallback"}}, {"<0xE5>", "<0x8f>", "<0xab>", "a"}) == "\u53eba");
  CHECK(decode_with({{"type", "ByteFallback"}}, {"<0xE5>", "<0x8f>", "a"}) == "\ufffd\ufffda");
  CHECK(decode_with({{"type", "Fuse"}}, {"Hey", " friend!"}) == "Hey friend!");
  CHECK(decode_with(
            {{"type", "Sequence"},
             {"decoders", {{{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}, {{"type", "Fuse"}}}}},
            {" Hey", " friend!", "   "}) == "Heyfriend!  ");
  CHECK(decode_with({{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                    {"\u2581Hey", "\u2581you"}) == " Hey you");
  CHECK(decode_with({{"type", "BPEDecoder"}, {"suffix", "</w>"}}, {"My</w>", "na", "me</w>"}) == "My name");
  CHECK(decode_with({{"type", "CTC"}},
                    {"<pad>", "<pad>", "h", "e", "e", "l", "l", "<pad>", "l", "o", "o", "o", "<pad>"}) == "hello");
  CHECK(decode_with({{"type", "CTC"}}, {"<pad>", "h", "i", "|", "y", "o", "u", "<pad>"}) == "hi you");
  CHECK(decode_with({{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}},
                    {"\u2581Hey", "\u2581friend!"}) == "Hey friend!");
  CHECK(decode_with({{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "never"}},
                    {"\u2581Hey", "\u2581friend!"}) == " Hey friend!");
  CHECK(decode_with({{"type", "ByteLevel"}}, {"Hello", "\u0120w\u00c3\u00b6rld", "\u00e2\u0122"}) ==
        "Hello w\u00f6rld\ufffd");
}

TEST_CASE("byte offsets convert to char and UTF-16 offsets", "[tokenizer][components]") {
  const Tokenizer& gpt2 = []() -> const Tokenizer& {
    static const Tokenizer t = Tokenizer::from_files(tokt::repo_files("openai-community--gpt2", {"tokenizer.json"}));
    return t;
  }();
  const std::string text = "a😀 é";  // 😀 = 4 bytes / 1 char / 2 UTF-16 units; é = 2 bytes
  const auto e = gpt2.encode(text);
  // Byte-level BPE splits 😀 into byte tokens; their offsets cover the whole char in every unit.
  const auto bytes = e.offsets;
  const auto chars = hubwasm::convert_offsets(e, text, std::nullopt, hubwasm::OffsetUnit::Char);
  const auto utf16 = hubwasm::convert_offsets(e, text, std::nullopt, hubwasm::OffsetUnit::Utf16);
  REQUIRE(chars.size() == e.size());
  CHECK(bytes.front() == std::pair<uint32_t, uint32_t>{0, 1});
  CHECK(chars.front() == std::pair<uint32_t, uint32_t>{0, 1});
  CHECK(bytes.back() == std::pair<uint32_t, uint32_t>{5, 8});  // " é" (trim_offsets is off for gpt2)
  CHECK(chars.back() == std::pair<uint32_t, uint32_t>{2, 4});
  CHECK(utf16.back() == std::pair<uint32_t, uint32_t>{3, 5});
  for (size_t i = 1; i + 1 < e.size(); ++i) {  // the 😀 byte tokens
    CHECK(chars[i] == std::pair<uint32_t, uint32_t>{1, 2});
    CHECK(utf16[i] == std::pair<uint32_t, uint32_t>{1, 3});
  }
  // Pairs: sequence 1 offsets refer to the pair text.
  const auto p = gpt2.encode("x", std::string_view("😀y"));
  const auto pu = hubwasm::convert_offsets(p, "x", std::string_view("😀y"), hubwasm::OffsetUnit::Utf16);
  CHECK(pu.back() == std::pair<uint32_t, uint32_t>{2, 3});
}
