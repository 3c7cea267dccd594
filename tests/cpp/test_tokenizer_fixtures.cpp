// Tokenizers of the shared model fixtures: tiny-sentiment-bert against its
// reference/logits.json encodings, micro-bert's tokenizer.json, and the
// vocab.txt-only repos.
#include <catch2/catch.hpp>
#include <iostream>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Tokenizer;
using tokt::ints;
using tokt::json;

namespace {

const std::vector<std::string> kTokFiles = {"tokenizer.json", "tokenizer_config.json",
                                            "special_tokens_map.json", "vocab.txt"};

}  // namespace

TEST_CASE("tiny-sentiment-bert tokenizer matches reference/logits.json", "[tokenizer][fixtures]") {
  const json ref = tokt::load_json("models/hubwasm-fixtures--tiny-sentiment-bert/reference/logits.json");
  auto files = tokt::repo_files("hubwasm-fixtures--tiny-sentiment-bert", kTokFiles);
  REQUIRE(files.count("tokenizer.json"));
  const Tokenizer from_json_tok = Tokenizer::from_files(files);
  files.erase("tokenizer.json");
  const Tokenizer from_vocab_tok = Tokenizer::from_files(files);  // BertTokenizerFast conversion path
  size_t cases = 0;
  std::vector<std::string> texts;
  for (const auto& c : ref.at("cases")) {
    const std::string text = c.at("text");
    texts.push_back(text);
    INFO(text);
    for (const Tokenizer* tok : {&from_json_tok, &from_vocab_tok}) {
      const auto e = tok->encode(text);
      CHECK(e.tokens == c.at("tokens").get<std::vector<std::string>>());
      CHECK(e.ids == ints(c.at("input_ids")));
      CHECK(e.attention_mask == ints(c.at("attention_mask")));
      CHECK(e.type_ids == ints(c.at("token_type_ids")));
    }
    ++cases;
  }
  std::cout << "[tokenizer] tiny-sentiment-bert: " << cases
            << " reference encodings checked (x2 load paths)\n";
  CHECK(cases == 8);

  // tokenizer_config.json: model_max_length 128, [PAD] = 0.
  CHECK(from_json_tok.model_max_length() == std::optional<size_t>(128));
  CHECK(from_json_tok.special_token_id("pad_token") == std::optional<int32_t>(0));

  // Padded batch: every row as long as the longest reference row, padded with [PAD]=0, mask 0.
  EncodeOptions longest;
  longest.padding = "longest";
  const auto batch = from_json_tok.encode_batch(texts, nullptr, longest);
  size_t longest_len = 0;
  for (const auto& c : ref.at("cases")) longest_len = std::max(longest_len, c.at("input_ids").size());
  REQUIRE(batch.size() == texts.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto expected = ints(ref.at("cases")[i].at("input_ids"));
    REQUIRE(batch[i].size() == longest_len);
    CHECK(std::vector<int32_t>(batch[i].ids.begin(), batch[i].ids.begin() + expected.size()) == expected);
    for (size_t k = expected.size(); k < longest_len; ++k) {
      CHECK(batch[i].ids[k] == 0);
      CHECK(batch[i].attention_mask[k] == 0);
      CHECK(batch[i].tokens[k] == "[PAD]");
    }
  }
}

TEST_CASE("micro-bert tokenizer.json: hand-checkable cases and round trip", "[tokenizer][fixtures]") {
  const auto files = tokt::repo_files("hubwasm-fixtures--micro-bert", kTokFiles);
  const Tokenizer tok = Tokenizer::from_files(files);
  // MANIFEST: bert-base-uncased special ids [PAD]=0 [UNK]=100 [CLS]=101 [SEP]=102 [MASK]=103.
  CHECK(tok.token_to_id("[PAD]") == std::optional<int32_t>(0));
  CHECK(tok.token_to_id("[UNK]") == std::optional<int32_t>(100));
  CHECK(tok.token_to_id("[CLS]") == std::optional<int32_t>(101));
  CHECK(tok.token_to_id("[SEP]") == std::optional<int32_t>(102));
  CHECK(tok.token_to_id("[MASK]") == std::optional<int32_t>(103));
  CHECK(tok.id_to_token(103) == std::optional<std::string>("[MASK]"));
  CHECK(tok.vocab_size() == 2000);
  CHECK(tok.vocab_size(false) == 2000);
  CHECK(tok.special_token("cls_token") == std::optional<std::string>("[CLS]"));
  CHECK(tok.special_token("mask_token") == std::optional<std::string>("[MASK]"));
  CHECK(tok.model_max_length() == std::optional<size_t>(512));

  // The validate.mjs round-trip sentence (MANIFEST): uncased, every piece in the vocabulary.
  const std::string sentence = "Hello world, the quick brown fox jumps over the lazy dog.";
  const auto e = tok.encode(sentence);
  CHECK(e.ids.front() == 101);
  CHECK(e.ids.back() == 102);
  CHECK(std::count(e.ids.begin(), e.ids.end(), 100) == 0);
  CHECK(tok.decode(e.ids, true, true) == "hello world, the quick brown fox jumps over the lazy dog.");
  CHECK(tok.decode(e.ids, false, false) ==
        "[CLS] hello world, the quick brown fox jumps over the lazy dog. [SEP]");
  tokt::check_offsets_property(sentence, e);

  // Special tokens in the raw text are matched before normalization (normalized=false),
  // so "[MASK]" is one token but "[mask]" is not.
  const auto m = tok.encode("[MASK]");
  CHECK(m.ids == std::vector<int32_t>{101, 103, 102});
  CHECK(m.special_tokens_mask == std::vector<int32_t>{1, 0, 1});
  CHECK(m.offsets[1] == std::pair<uint32_t, uint32_t>{0, 6});
  const auto lower = tok.encode("[mask]");
  CHECK(lower.tokens.size() > 3);
  CHECK(lower.tokens[1] == "[");
  CHECK(lower.tokens[lower.size() - 2] == "]");

  // The vocab.txt conversion path gives the same encodings as tokenizer.json.
  auto vocab_only = files;
  vocab_only.erase("tokenizer.json");
  const Tokenizer converted = Tokenizer::from_files(vocab_only);
  for (const char* text : {"Hello world, the quick brown fox jumps over the lazy dog.",
                           "Déjà vu [SEP] naïve café", "生活的真谛是", "a\tb\nc  d", "[MASK] me"}) {
    INFO(text);
    const auto a = tok.encode(text, std::string_view("second part?"));
    const auto b = converted.encode(text, std::string_view("second part?"));
    CHECK(a.ids == b.ids);
    CHECK(a.type_ids == b.type_ids);
    CHECK(a.offsets == b.offsets);
  }
}

TEST_CASE("vocab.txt-only repos load as BertTokenizerFast", "[tokenizer][fixtures]") {
  // optimum tiny DistilBERT: config.json + vocab.txt, no tokenizer_config.json.
  const auto files = tokt::repo_files("optimum-test-assets--tiny-distilbert-classification",
                                      {"vocab.txt", "config.json", "tokenizer_config.json"});
  REQUIRE(files.count("vocab.txt"));
  REQUIRE_FALSE(files.count("tokenizer_config.json"));
  const Tokenizer tok = Tokenizer::from_files(files);
  // Same vocabulary as bert-base-uncased: swift-transformers' first case.
  CHECK(tok.encode("hello world").ids == std::vector<int32_t>{101, 7592, 2088, 102});
  CHECK(tok.vocab_size() == 30522);
  CHECK(tok.special_token("unk_token") == std::optional<std::string>("[UNK]"));
  CHECK(tok.special_token("sep_token") == std::optional<std::string>("[SEP]"));
  CHECK(tok.special_token("pad_token") == std::optional<std::string>("[PAD]"));
  CHECK(tok.special_token("mask_token") == std::optional<std::string>("[MASK]"));
  CHECK(tok.special_token("cls_token") == std::optional<std::string>("[CLS]"));
  CHECK_FALSE(tok.special_token("bos_token").has_value());
  CHECK_FALSE(tok.model_max_length().has_value());
}

TEST_CASE("tokenizer_config.json drives the vocab.txt conversion", "[tokenizer][fixtures]") {
  auto files = tokt::repo_files("google-bert--bert-base-uncased", {"vocab.txt"});
  SECTION("do_lower_case false keeps case and accents") {
    files["tokenizer_config.json"] = R"({"do_lower_case": false, "model_max_length": 512})";
    const Tokenizer tok = Tokenizer::from_files(files);
    EncodeOptions raw;
    raw.add_special_tokens = false;
    // Case is kept, and the uncased vocabulary has no upper-case pieces at all.
    CHECK(tok.encode("Hello hello", std::nullopt, raw).tokens == std::vector<std::string>{"[UNK]", "hello"});
    CHECK(tok.model_max_length() == std::optional<size_t>(512));
  }
  SECTION("sentinel model_max_length is ignored") {
    files["tokenizer_config.json"] = R"({"model_max_length": 1000000000000000019884624838656})";
    CHECK_FALSE(Tokenizer::from_files(files).model_max_length().has_value());
  }
  SECTION("special_tokens_map.json overrides tokenizer_config.json roles") {
    files["tokenizer_config.json"] = R"({"mask_token": "[unused1]"})";
    files["special_tokens_map.json"] = R"({"mask_token": {"content": "[unused2]", "lstrip": false}})";
    const Tokenizer tok = Tokenizer::from_files(files);
    CHECK(tok.special_token("mask_token") == std::optional<std::string>("[unused2]"));
    // [unused2] becomes a special added token: matched in raw text, skipped when decoding.
    const auto e = tok.encode("a [unused2] b");
    CHECK(e.tokens == std::vector<std::string>{"[CLS]", "a", "[unused2]", "b", "[SEP]"});
    CHECK(tok.decode(e.ids, true, true) == "a b");
  }
}
