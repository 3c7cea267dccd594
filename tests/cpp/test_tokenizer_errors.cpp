// Error cases: unsupported component types (UnsupportedFeature naming the
// JSON path), malformed JSON (InvalidFile naming the file), bad values,
// missing unk entry, missing files, invalid input text.
#include <catch2/catch.hpp>
#include <iostream>
#include <random>

#include "core/error.h"
#include "test_tokenizer_common.h"
#include "tokenizers/fuzz.h"

using hubwasm::Error;
using hubwasm::ErrorCode;
using hubwasm::Tokenizer;
using tokt::json;

namespace {

json micro_bert_json() { return tokt::load_json("models/hubwasm-fixtures--micro-bert/tokenizer.json"); }

// Runs f, expecting an Error with `code` whose message contains every fragment.
template <typename F>
void expect_error(F f, ErrorCode code, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL("no error thrown");
  } catch (const Error& e) {
    INFO("message: " << e.what());
    CHECK(e.code() == code);
    for (const auto& frag : fragments) CHECK(std::string(e.what()).find(frag) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("unsupported component types name the component and JSON path", "[tokenizer][errors]") {
  struct Case {
    const char* key;
    json value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"normalizer", {{"type", "NFKX"}}, "tokenizer.json: normalizer.type \"NFKX\" is not supported"},
      {"normalizer",
       {{"type", "Sequence"}, {"normalizers", {{{"type", "BertNormalizer"}}, {{"type", "Unknown"}}}}},
       "tokenizer.json: normalizer.normalizers[1].type \"Unknown\" is not supported"},
      {"pre_tokenizer",
       {{"type", "Sequence"}, {"pretokenizers", {{{"type", "Whitespace"}}, {{"type", "FixedLength"}}}}},
       "tokenizer.json: pre_tokenizer.pretokenizers[1].type \"FixedLength\" is not supported"},
      {"post_processor",
       {{"type", "Sequence"}, {"processors", {{{"type", "ByteLevel"}}, {{"type", "Foo"}}}}},
       "tokenizer.json: post_processor.processors[1].type \"Foo\" is not supported"},
      {"decoder", {{"type", "Foo"}}, "tokenizer.json: decoder.type \"Foo\" is not supported"},
      {"model", json::parse(R"({"type": "BacktrackingBpe", "vocab": {}, "merges": []})"),
       "tokenizer.json: model.type \"BacktrackingBpe\" is not supported"},
      {"pre_tokenizer",
       {{"type", "Split"}, {"pattern", {{"Regex", "(?<=a+)b"}}}, {"behavior", "Isolated"}},
       "tokenizer.json: pre_tokenizer.pattern.Regex invalid regex"},
  };
  for (const auto& c : cases) {
    json j = micro_bert_json();
    j[c.key] = c.value;
    INFO(c.expected);
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::UnsupportedFeature, {c.expected});
  }
}

TEST_CASE("BPE files that contradict themselves give clear errors", "[tokenizer][errors]") {
  const json base = json::parse(R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}})");
  CHECK(Tokenizer::from_json(base.dump()).encode("ab").ids == std::vector<int32_t>{2});
  json j = base;
  j["model"]["merges"] = {"a c"};
  expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile,
               {"tokenizer.json: model.merges[0]", "\"c\"", "not in the vocabulary"});
  j["model"]["merges"] = {"b a"};
  expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile, {"model.merges[0]", "\"ba\""});
  j["model"]["merges"] = {"ab"};
  expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile, {"model.merges[0]"});
  j["model"]["merges"] = {{"a"}};
  expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile, {"model.merges[0]"});
  expect_error(
      [] {
        Tokenizer::from_files({{"vocab.json", R"({"a": 0, "b": 1})"}, {"merges.txt", "#version: 0.2\na b\n"}});
      },
      ErrorCode::InvalidFile, {"merges.txt", "merge 1", "\"ab\""});
  expect_error([] { Tokenizer::from_files({{"vocab.json", "[1"}, {"merges.txt", ""}}); }, ErrorCode::InvalidFile,
               {"vocab.json", "malformed JSON"});
  json u = json::parse(R"({"model": {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 5}})");
  expect_error([&] { Tokenizer::from_json(u.dump()); }, ErrorCode::InvalidFile, {"model.unk_id"});
  u["model"]["unk_id"] = nullptr;
  expect_error([&] { Tokenizer::from_json(u.dump()).encode("b"); }, ErrorCode::InvalidFile, {"Unigram", "unk"});
  json p = json::parse(R"({"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "<unk>"},
                           "normalizer": {"type": "Precompiled", "precompiled_charsmap": "!!!"}})");
  expect_error([&] { Tokenizer::from_json(p.dump()); }, ErrorCode::InvalidFile,
               {"normalizer.precompiled_charsmap", "base64"});
  p["normalizer"]["precompiled_charsmap"] = "AAAAAA==";
  expect_error([&] { Tokenizer::from_json(p.dump()); }, ErrorCode::InvalidFile, {"normalizer.precompiled_charsmap"});
}

TEST_CASE("malformed JSON and bad values give InvalidFile naming the file", "[tokenizer][errors]") {
  expect_error([] { Tokenizer::from_json("{\"model\": {"); }, ErrorCode::InvalidFile,
               {"tokenizer.json", "malformed JSON"});
  expect_error([] { Tokenizer::from_json("[1, 2]"); }, ErrorCode::InvalidFile, {"tokenizer.json"});
  expect_error([] { Tokenizer::from_json("{}", "my-tokenizer.json"); }, ErrorCode::InvalidFile,
               {"my-tokenizer.json: model is missing"});
  {
    json j = micro_bert_json();
    j["model"]["vocab"] = json::array();
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile,
                 {"tokenizer.json: model.vocab must be an object (got array)"});
  }
  {
    json j = micro_bert_json();
    j["normalizer"]["lowercase"] = "yes";
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile,
                 {"tokenizer.json: normalizer.lowercase must be a boolean"});
  }
  {
    json j = micro_bert_json();
    j["post_processor"]["single"][0]["SpecialToken"]["id"] = "[BOS]";
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile,
                 {"tokenizer.json: post_processor.single[0]", "[BOS]"});
  }
  {
    json j = micro_bert_json();
    j["added_tokens"][0].erase("content");
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::InvalidFile,
                 {"tokenizer.json: added_tokens[0].content is missing"});
  }
  {
    auto files = tokt::repo_files("hubwasm-fixtures--micro-bert", {"tokenizer.json"});
    files["tokenizer_config.json"] = "{\"model_max_length\": 512,";
    expect_error([&] { Tokenizer::from_files(files); }, ErrorCode::InvalidFile, {"tokenizer_config.json"});
  }
}

TEST_CASE("added_tokens_decoder keys that are not token ids are refused", "[tokenizer][errors]") {
  // Both readers: over tokenizer.json and when building from vocab.txt.
  for (const char* source : {"tokenizer.json", "vocab.txt"}) {
    for (const char* key : {"x1", "-3", "12a", "2147483648", ""}) {
      INFO(source << " key \"" << key << "\"");
      auto files = tokt::repo_files("hubwasm-fixtures--micro-bert", {source});
      json cfg;
      cfg["added_tokens_decoder"][key] = {{"content", "<x>"}, {"special", true}};
      files["tokenizer_config.json"] = cfg.dump();
      expect_error([&] { Tokenizer::from_files(files); }, ErrorCode::InvalidFile,
                   {"tokenizer_config.json", "added_tokens_decoder", "key must be a token id"});
    }
  }
}

TEST_CASE("a vocabulary without the unk token fails only when unk is needed", "[tokenizer][errors]") {
  json j = micro_bert_json();
  j["model"]["vocab"].erase("[UNK]");
  const Tokenizer tok = Tokenizer::from_json(j.dump());
  CHECK(tok.encode("the").size() == 3);  // splittable words still encode
  expect_error([&] { tok.encode("☃"); }, ErrorCode::InvalidFile,
               {"tokenizer.json: model.unk_token \"[UNK]\" is not in model.vocab"});

  auto files = tokt::repo_files("google-bert--bert-base-uncased", {"vocab.txt"});
  files["tokenizer_config.json"] = R"({"unk_token": "<unk>"})";
  const Tokenizer v = Tokenizer::from_files(files);
  expect_error([&] { v.encode("☃"); }, ErrorCode::InvalidFile, {"vocab.txt", "<unk>"});
}

TEST_CASE("missing tokenizer files and invalid input", "[tokenizer][errors]") {
  expect_error([] { Tokenizer::from_files({}); }, ErrorCode::MissingFile, {"tokenizer.json", "vocab.txt"});
  expect_error([] { Tokenizer::from_files({{"config.json", "{}"}, {"vocab.json", "{}"}}); }, ErrorCode::MissingFile,
               {"tokenizer.json", "vocab.txt", "config.json", "vocab.json", "merges.txt"});
  // A corrupt SentencePiece model is a clear error, not a crash.
  expect_error([] { Tokenizer::from_files({{"config.json", "{}"}, {"tokenizer.model", "x"}}); },
               ErrorCode::InvalidFile, {"tokenizer.model", "SentencePiece"});
  // A piece with a NUL byte made sentencepiece's trie builder abort the
  // process (fuzz finding, tests/fuzz/regressions/fuzz_sentencepiece).
  std::string model = read_file(shared_path("models/hubwasm-fixtures--botchan-llama/tokenizer.model"));
  const size_t piece = model.find("\xE2\x96\x81the");
  REQUIRE(piece != std::string::npos);
  model[piece + 4] = '\0';
  expect_error([&] { Tokenizer::from_files({{"tokenizer.model", model}}); }, ErrorCode::InvalidFile,
               {"tokenizer.model", "NUL byte"});
  expect_error([] { tokt::bert_uncased().encode("bad \xC3\x28 utf8"); }, ErrorCode::InvalidArgument,
               {"UTF-8", "byte 4"});
  expect_error([] { Tokenizer::from_files({{"vocab.txt", ""}}); }, ErrorCode::InvalidFile, {"vocab.txt"});
}

TEST_CASE("loaders survive mutated files (fuzz_tokenizer smoke run)", "[tokenizer][errors][fuzz]") {
  struct Seed {
    uint8_t mode;
    std::string bytes;
  };
  const std::string llama = read_file(shared_path("models/hubwasm-fixtures--botchan-llama/tokenizer.model"));
  const std::vector<Seed> seeds = {
      {0, read_file(shared_path("models/hubwasm-fixtures--micro-bert/tokenizer.json"))},
      {0, read_file(shared_path("models/hubwasm-fixtures--micro-llama/tokenizer.json"))},
      {0, read_file(shared_path("models/hubwasm-fixtures--micro-gpt2/tokenizer.json"))},
      {1, read_file(shared_path("models/hubwasm-fixtures--micro-bert/vocab.txt"))},
      {2, llama},
      {3, read_file(shared_path("models/hubwasm-fixtures--micro-gpt2/vocab.json")) + std::string(1, '\0') +
              read_file(shared_path("models/hubwasm-fixtures--micro-gpt2/merges.txt"))},
  };
  std::mt19937 rng(1234);
  size_t runs = 0;
  for (const auto& seed : seeds) {
    for (int iter = 0; iter < 25; ++iter) {
      std::string m = seed.bytes;
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < edits && !m.empty(); ++k) {
        const size_t pos = rng() % m.size();
        switch (rng() % 4) {
          case 0: m[pos] = static_cast<char>(rng() & 0xFF); break;
          case 1: m.erase(pos, 1 + rng() % 16); break;
          case 2: m.insert(pos, std::string(1 + rng() % 4, static_cast<char>(rng() & 0xFF))); break;
          default: m.resize(pos); break;
        }
      }
      std::string input(1, static_cast<char>(seed.mode));
      input += m;
      INFO("seed mode " << int(seed.mode) << " iteration " << iter);
      CHECK_NOTHROW(hubwasm::fuzz_tokenizer(reinterpret_cast<const uint8_t*>(input.data()), input.size()));
      ++runs;
    }
  }
  std::cout << "[tokenizer] fuzz smoke: " << runs << " mutated files loaded without crash\n";
}
