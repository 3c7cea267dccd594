// Error cases: unsupported component types (UnsupportedFeature naming the
// JSON path), malformed JSON (InvalidFile naming the file), bad values,
// missing unk entry, missing files, invalid input text.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_tokenizer_common.h"

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
      {"normalizer", {{"type", "NFKC"}}, "tokenizer.json: normalizer.type \"NFKC\" is not supported"},
      {"normalizer",
       {{"type", "Sequence"}, {"normalizers", {{{"type", "BertNormalizer"}}, {{"type", "Replace"}}}}},
       "tokenizer.json: normalizer.normalizers[1].type \"Replace\" is not supported"},
      {"pre_tokenizer",
       {{"type", "Metaspace"}, {"replacement", "_"}},
       "tokenizer.json: pre_tokenizer.type \"Metaspace\" is not supported"},
      {"post_processor",
       {{"type", "RobertaProcessing"}},
       "tokenizer.json: post_processor.type \"RobertaProcessing\" is not supported"},
      {"decoder", {{"type", "ByteLevel"}}, "tokenizer.json: decoder.type \"ByteLevel\" is not supported"},
      {"model", json::parse(R"({"type": "BPE", "vocab": {}, "merges": []})"),
       "tokenizer.json: model.type \"BPE\" is not supported"},
  };
  for (const auto& c : cases) {
    json j = micro_bert_json();
    j[c.key] = c.value;
    INFO(c.expected);
    expect_error([&] { Tokenizer::from_json(j.dump()); }, ErrorCode::UnsupportedFeature, {c.expected});
  }
  // Real files from ../shared: RoBERTa (BPE) and T5 (Unigram).
  expect_error(
      [] { Tokenizer::from_json(read_file(shared_path("models/FacebookAI--roberta-base/tokenizer.json"))); },
      ErrorCode::UnsupportedFeature, {"tokenizer.json: model.type \"BPE\""});
  expect_error(
      [] { Tokenizer::from_json(read_file(shared_path("models/google-t5--t5-small/tokenizer.json"))); },
      ErrorCode::UnsupportedFeature, {"tokenizer.json: model.type \"Unigram\""});
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
  expect_error(
      [] {
        Tokenizer::from_files({{"config.json", "{}"}, {"tokenizer.model", "x"}});
      },
      ErrorCode::MissingFile, {"tokenizer.json", "vocab.txt", "config.json", "tokenizer.model"});
  expect_error([] { tokt::bert_uncased().encode("bad \xC3\x28 utf8"); }, ErrorCode::InvalidArgument,
               {"UTF-8", "byte 4"});
  expect_error([] { Tokenizer::from_files({{"vocab.txt", ""}}); }, ErrorCode::InvalidFile, {"vocab.txt"});
}
