// Truncation, padding and pair behaviour. Expected values are derived by hand
// from tokenizers' utils/truncation.rs + utils/padding.rs and transformers'
// option handling, using bert-base-uncased ids from its vocab.txt
// ([PAD]=0 [CLS]=101 [SEP]=102; hello=7592 world=2088 how=2129 are=2024 you=2017).
#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Error;
using hubwasm::ErrorCode;
using hubwasm::Tokenizer;
using tokt::bert_uncased;
using tokt::json;
using V = std::vector<int32_t>;

namespace {

EncodeOptions opts(std::function<void(EncodeOptions&)> f) {
  EncodeOptions o;
  f(o);
  return o;
}

json micro_bert_json() { return tokt::load_json("models/hubwasm-fixtures--micro-bert/tokenizer.json"); }

}  // namespace

TEST_CASE("truncation of a single sequence", "[tokenizer][options]") {
  const auto& tok = bert_uncased();
  const std::string text = "hello world how are you";
  CHECK(tok.encode(text).ids == V{101, 7592, 2088, 2129, 2024, 2017, 102});  // no truncation by default

  const auto right = tok.encode(text, std::nullopt, opts([](auto& o) {
                                  o.truncation = true;
                                  o.max_length = 5;
                                }));
  CHECK(right.ids == V{101, 7592, 2088, 2129, 102});  // room for 3 tokens + [CLS]/[SEP]

  const auto left = tok.encode(text, std::nullopt, opts([](auto& o) {
                                 o.truncation = true;
                                 o.max_length = 5;
                                 o.truncation_side = "left";
                               }));
  CHECK(left.ids == V{101, 2129, 2024, 2017, 102});

  // max_length alone turns truncation on (transformers' longest_first default).
  CHECK(tok.encode(text, std::nullopt, opts([](auto& o) { o.max_length = 4; })).ids ==
        V{101, 7592, 2088, 102});

  // Without special tokens the whole budget goes to the text.
  const auto raw = tok.encode(text, std::nullopt, opts([](auto& o) {
                                o.add_special_tokens = false;
                                o.max_length = 3;
                              }));
  CHECK(raw.ids == V{7592, 2088, 2129});

  // truncation=true without any known length does nothing; model_max_length is used when known.
  CHECK(tok.encode(text, std::nullopt, opts([](auto& o) { o.truncation = true; })).size() == 7);
  auto files = tokt::repo_files("google-bert--bert-base-uncased", {"vocab.txt"});
  files["tokenizer_config.json"] = R"({"model_max_length": 6})";
  const Tokenizer limited = Tokenizer::from_files(files);
  CHECK(limited.encode(text, std::nullopt, opts([](auto& o) { o.truncation = true; })).ids ==
        V{101, 7592, 2088, 2129, 2024, 102});
  CHECK(limited.encode(text).size() == 7);  // transformers: no truncation unless asked

  CHECK_THROWS_MATCHES(
      tok.encode(text, std::nullopt, opts([](auto& o) {
                   o.max_length = 5;
                   o.stride = 3;
                 })),
      Error, Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::InvalidArgument; }));
}

TEST_CASE("truncation of pairs: longest_first, only_first, only_second", "[tokenizer][options]") {
  const auto& tok = bert_uncased();
  const std::string a = "a b c d e f";  // 6 tokens: a=1037 b=1038 c=1039 d=1040 e=1041 f=1042
  const std::string b = "x y";          // 2 tokens: x=1060 y=1061
  // max_length 8 leaves 5 for the texts: n1=2 (short), n2=max(2, 5-2)=3 -> first keeps 3.
  const auto lf = tok.encode(a, std::string_view(b), opts([](auto& o) { o.max_length = 8; }));
  CHECK(lf.ids == V{101, 1037, 1038, 1039, 102, 1060, 1061, 102});
  CHECK(lf.type_ids == V{0, 0, 0, 0, 0, 1, 1, 1});

  // Both long: each gets half (first max_length/2, second the rest).
  const auto both = tok.encode(a, std::string_view(a), opts([](auto& o) { o.max_length = 8; }));
  CHECK(both.ids == V{101, 1037, 1038, 102, 1037, 1038, 1039, 102});

  const auto of = tok.encode(a, std::string_view(b), opts([](auto& o) {
                               o.max_length = 7;
                               o.truncation_strategy = "only_first";
                             }));
  CHECK(of.ids == V{101, 1037, 1038, 102, 1060, 1061, 102});

  // only_second cannot remove 4 tokens from a 2-token second text.
  CHECK_THROWS_AS(tok.encode(a, std::string_view(b), opts([](auto& o) {
                               o.max_length = 7;
                               o.truncation_strategy = "only_second";
                             })),
                  Error);
  const auto os = tok.encode(b, std::string_view(a), opts([](auto& o) {
                               o.max_length = 7;
                               o.truncation_strategy = "only_second";
                             }));
  CHECK(os.ids == V{101, 1060, 1061, 102, 1037, 1038, 102});
}

TEST_CASE("padding: max_length, longest, sides, multiples, batches", "[tokenizer][options]") {
  const auto& tok = bert_uncased();
  const auto fixed = tok.encode("hello world", std::nullopt, opts([](auto& o) {
                                  o.padding = "max_length";
                                  o.max_length = 8;
                                }));
  CHECK(fixed.ids == V{101, 7592, 2088, 102, 0, 0, 0, 0});
  CHECK(fixed.attention_mask == tokt::bits("11110000"));
  CHECK(fixed.special_tokens_mask == tokt::bits("10011111"));
  CHECK(fixed.type_ids == V{0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(fixed.tokens.back() == "[PAD]");
  CHECK(fixed.sequence_ids == V{-1, 0, 0, -1, -1, -1, -1, -1});

  const auto left = tok.encode("hello world", std::nullopt, opts([](auto& o) {
                                 o.padding = "max_length";
                                 o.max_length = 6;
                                 o.padding_side = "left";
                               }));
  CHECK(left.ids == V{0, 0, 101, 7592, 2088, 102});
  CHECK(left.attention_mask == tokt::bits("001111"));

  const auto multiple = tok.encode("hello world", std::nullopt, opts([](auto& o) {
                                     o.padding = "longest";
                                     o.pad_to_multiple_of = 8;
                                   }));
  CHECK(multiple.size() == 8);

  const std::vector<std::string> texts = {"hello", "hello world how are you"};
  const auto batch = tok.encode_batch(texts, nullptr, opts([](auto& o) { o.padding = "longest"; }));
  REQUIRE(batch.size() == 2);
  CHECK(batch[0].ids == V{101, 7592, 102, 0, 0, 0, 0});
  CHECK(batch[1].ids == V{101, 7592, 2088, 2129, 2024, 2017, 102});
  CHECK(batch[0].attention_mask == tokt::bits("1110000"));

  const std::vector<std::string> pairs = {"you", "are"};
  const auto pb = tok.encode_batch(texts, &pairs, opts([](auto& o) { o.padding = "longest"; }));
  CHECK(pb[0].ids == V{101, 7592, 102, 2017, 102, 0, 0, 0, 0});
  CHECK(pb[0].type_ids == V{0, 0, 0, 1, 1, 0, 0, 0, 0});
  CHECK(pb[1].ids == V{101, 7592, 2088, 2129, 2024, 2017, 102, 2024, 102});

  // Unpadded batch keeps each length.
  const auto plain = tok.encode_batch(texts);
  CHECK(plain[0].size() == 3);
  CHECK(plain[1].size() == 7);

  CHECK_THROWS_AS(tok.encode("x", std::nullopt, opts([](auto& o) { o.padding = "max_length"; })), Error);
  CHECK_THROWS_AS(tok.encode("x", std::nullopt, opts([](auto& o) { o.padding = "sideways"; })), Error);
}

TEST_CASE("tokenizer.json truncation/padding defaults and per-call overrides", "[tokenizer][options]") {
  json j = micro_bert_json();
  j["truncation"] = {{"direction", "Right"}, {"max_length", 6}, {"strategy", "LongestFirst"}, {"stride", 0}};
  j["padding"] = {{"strategy", {{"Fixed", 10}}},
                  {"direction", "Left"},
                  {"pad_to_multiple_of", nullptr},
                  {"pad_id", 0},
                  {"pad_type_id", 0},
                  {"pad_token", "[PAD]"}};
  const Tokenizer tok = Tokenizer::from_json(j.dump());
  const std::string text = "the the the the the the the the";  // 8 words, "the" is one piece
  const auto e = tok.encode(text);
  REQUIRE(e.size() == 10);
  CHECK(e.ids[0] == 0);
  CHECK(e.ids[3] == 0);
  CHECK(e.ids[4] == 101);
  CHECK(e.ids[9] == 102);
  CHECK(e.attention_mask == tokt::bits("0000111111"));

  const auto full = tok.encode(text, std::nullopt, opts([](auto& o) {
                                 o.truncation = false;
                                 o.padding = "do_not_pad";
                               }));
  CHECK(full.size() == 10);  // [CLS] + 8 + [SEP]
  CHECK(full.ids.front() == 101);

  const auto longer = tok.encode(text, std::nullopt, opts([](auto& o) {
                                   o.max_length = 8;
                                   o.padding = "do_not_pad";
                                 }));
  CHECK(longer.size() == 8);
}

TEST_CASE("post-processors: BertProcessing, multi-id special tokens, none", "[tokenizer][options]") {
  const Tokenizer base = Tokenizer::from_json(micro_bert_json().dump());
  const auto ref_single = base.encode("hello world");
  const auto ref_pair = base.encode("hello world", std::string_view("again"));

  json bp = micro_bert_json();
  bp["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 102}}, {"cls", {"[CLS]", 101}}};
  const Tokenizer bert_proc = Tokenizer::from_json(bp.dump());
  CHECK(bert_proc.encode("hello world").ids == ref_single.ids);
  const auto p = bert_proc.encode("hello world", std::string_view("again"));
  CHECK(p.ids == ref_pair.ids);
  CHECK(p.type_ids == ref_pair.type_ids);
  CHECK(p.special_tokens_mask == ref_pair.special_tokens_mask);

  // A special token standing for two ids: [CLS] -> 101 103. Truncation budget counts both.
  json multi = micro_bert_json();
  multi["post_processor"]["special_tokens"]["[CLS]"] = {
      {"id", "[CLS]"}, {"ids", {101, 103}}, {"tokens", {"[CLS]", "[MASK]"}}};
  const Tokenizer m = Tokenizer::from_json(multi.dump());
  const auto me = m.encode("the the the", std::nullopt, opts([](auto& o) { o.max_length = 5; }));
  REQUIRE(me.size() == 5);
  CHECK(me.ids[0] == 101);
  CHECK(me.ids[1] == 103);
  CHECK(me.ids[4] == 102);
  CHECK(me.special_tokens_mask == V{1, 1, 0, 0, 1});

  // Without a post-processor: no special tokens, pair type ids 0 / 1.
  json none = micro_bert_json();
  none["post_processor"] = nullptr;
  const Tokenizer n = Tokenizer::from_json(none.dump());
  const auto ne = n.encode("the", std::string_view("the the"));
  CHECK(ne.size() == 3);
  CHECK(ne.type_ids == V{0, 1, 1});
  CHECK(ne.sequence_ids == V{0, 1, 1});
  CHECK(ne.special_tokens_mask == V{0, 0, 0});

  // add_special_tokens=false with a template: pair type ids still follow the template ($B:1).
  const auto nospecial =
      base.encode("the", std::string_view("the"), opts([](auto& o) { o.add_special_tokens = false; }));
  CHECK(nospecial.size() == 2);
  CHECK(nospecial.type_ids == V{0, 1});
}

TEST_CASE("added tokens: lstrip / rstrip / single_word / normalized", "[tokenizer][options]") {
  json j = micro_bert_json();
  for (auto& t : j["added_tokens"]) {
    if (t["content"] == "[MASK]") {
      t["lstrip"] = true;
      t["rstrip"] = true;
    }
  }
  auto added = [&](int id, const char* content, bool single_word, bool normalized) {
    j["added_tokens"].push_back({{"id", id},
                                 {"content", content},
                                 {"single_word", single_word},
                                 {"lstrip", false},
                                 {"rstrip", false},
                                 {"normalized", normalized},
                                 {"special", false}});
  };
  // micro-bert's vocabulary (2000 entries) has "the" (299) but not "hello" or "qqq".
  added(2000, "hello", false, true);  // normalized: matched after lowercasing
  added(2001, "qqq", true, false);    // single_word
  added(1999, "the", false, false);   // already in the model vocabulary
  const Tokenizer tok = Tokenizer::from_json(j.dump());
  EncodeOptions raw;
  raw.add_special_tokens = false;

  // Rust re-adds tokens on load: an existing vocabulary token keeps the model id.
  CHECK(tok.token_to_id("the") == std::optional<int32_t>(299));
  CHECK(tok.token_to_id("hello") == std::optional<int32_t>(2000));
  CHECK(tok.vocab_size() == 2002);
  CHECK(tok.vocab_size(false) == 2000);

  // "a  [MASK]  b": the mask token absorbs the spaces around it (offsets 1..11).
  const auto m = tok.encode("a  [MASK]  b", std::nullopt, raw);
  REQUIRE(m.size() == 3);
  CHECK(m.ids[1] == 103);
  CHECK(m.offsets[1] == std::pair<uint32_t, uint32_t>{1, 11});

  // Normalized added token matches "HeLLo" after lowercasing; offsets point at the original.
  const auto h = tok.encode("say HeLLo", std::nullopt, raw);
  CHECK(h.ids.back() == 2000);
  CHECK(h.offsets.back() == std::pair<uint32_t, uint32_t>{4, 9});

  // single_word: "qqq" inside "xqqq" / "qqqx" is not the added token.
  const auto s = tok.encode("qqq xqqq qqqx qqq", std::nullopt, raw);
  CHECK(s.ids.front() == 2001);
  CHECK(s.ids.back() == 2001);
  CHECK(std::count(s.ids.begin(), s.ids.end(), 2001) == 2);
  CHECK(s.offsets.back() == std::pair<uint32_t, uint32_t>{14, 17});

  // decode: normal added tokens are kept with skip_special_tokens, special ones dropped.
  CHECK(tok.decode({101, 2000, 102}, true, false) == "hello");
  CHECK(tok.decode({101, 2000, 102}, false, false) == "[CLS] hello [SEP]");
}
