// Reference tokenizer vectors (../shared/tokenizer-vectors) for the BERT
// uncased WordPiece tokenizer built from bert-base-uncased's vocab.txt. Every
// expected value comes from the vector files (HF tokenizers / transformers).
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using tokt::bert_uncased;
using tokt::ints;
using tokt::json;

TEST_CASE("swift-transformers tokenizer_tests.json: bert-base-uncased cases", "[tokenizer][vectors]") {
  const json all = tokt::load_json("tokenizer-vectors/swift-transformers/tokenizer_tests.json");
  const auto& tok = bert_uncased();
  size_t cases = 0, offset_tokens = 0;
  // distilbert/distilbert-base-multilingual-cased is skipped: no matching
  // (cased multilingual) vocabulary in ../shared/models.
  for (const char* model : {"bert-base-uncased", "google-bert/bert-base-uncased"}) {
    REQUIRE(all.contains(model));
    for (const auto& c : all.at(model)) {
      const std::string input = c.at("input");
      INFO(model << " input: " << input);
      const auto e = tok.encode(input);
      CHECK(e.ids == ints(c.at("encoded").at("input_ids")));
      CHECK(e.attention_mask == ints(c.at("encoded").at("attention_mask")));
      CHECK(e.type_ids == ints(c.at("encoded").at("token_type_ids")));
      const auto expected_ids = ints(c.at("encoded").at("input_ids"));
      CHECK(tok.decode(expected_ids, false, true) == c.at("decoded_with_special").get<std::string>());
      CHECK(tok.decode(expected_ids, true, true) == c.at("decoded_without_special").get<std::string>());
      offset_tokens += tokt::check_offsets_property(input, e);
      ++cases;
    }
  }
  std::cout << "[tokenizer] swift-transformers tokenizer_tests.json: " << cases
            << " bert-base-uncased cases checked (" << offset_tokens << " token offsets)\n";
  CHECK(cases == 36);
}

TEST_CASE("swift-transformers bert_uncased_encoded.json long text", "[tokenizer][vectors]") {
  const json v = tokt::load_json("tokenizer-vectors/swift-transformers/bert_uncased_encoded.json");
  const auto& tok = bert_uncased();
  const std::string text = v.at("text");
  const auto e = tok.encode(text);
  const auto expected = ints(v.at("token_ids"));
  CHECK(e.ids == expected);
  // bpe_tokens are the tokens without [CLS]/[SEP].
  const auto bpe = v.at("bpe_tokens").get<std::vector<std::string>>();
  REQUIRE(e.tokens.size() == bpe.size() + 2);
  CHECK(std::vector<std::string>(e.tokens.begin() + 1, e.tokens.end() - 1) == bpe);
  CHECK(tok.decode(expected, false, true) == v.at("decoded_text").get<std::string>());
  const size_t checked = tokt::check_offsets_property(text, e);
  std::cout << "[tokenizer] bert_uncased_encoded.json: 1 text, " << expected.size() << " ids checked ("
            << checked << " token offsets)\n";
}

TEST_CASE("llama.cpp ggml-vocab-bert-bge vectors (ids without special tokens)", "[tokenizer][vectors]") {
  const std::string inp = read_file(shared_path("tokenizer-vectors/llama.cpp/ggml-vocab-bert-bge.gguf.inp"));
  const std::string out = read_file(shared_path("tokenizer-vectors/llama.cpp/ggml-vocab-bert-bge.gguf.out"));
  const auto texts = tokt::split_ggml_texts(inp);
  const auto expected = tokt::read_ggml_ids(out);
  REQUIRE(texts.size() == 46);
  REQUIRE(expected.size() == texts.size());
  EncodeOptions no_special;
  no_special.add_special_tokens = false;
  const auto& tok = bert_uncased();
  size_t offset_tokens = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    INFO("case " << i << ": " << texts[i]);
    const auto e = tok.encode(texts[i], std::nullopt, no_special);
    CHECK(e.ids == expected[i]);
    offset_tokens += tokt::check_offsets_property(texts[i], e);
  }
  std::cout << "[tokenizer] llama.cpp ggml-vocab-bert-bge: " << texts.size() << " cases checked ("
            << offset_tokens << " token offsets)\n";
}

TEST_CASE("swift-transformers multilingual conformance: bge_small_multilingual", "[tokenizer][vectors]") {
  const json inputs =
      tokt::load_json("tokenizer-vectors/swift-transformers-multilingual-conformance/inputs.json");
  const json base = tokt::load_json(
      "tokenizer-vectors/swift-transformers-multilingual-conformance/baselines/bge_small_multilingual.json");
  std::map<std::string, std::string> text_by_id;
  for (const auto& in : inputs) text_by_id[in.at("id")] = in.at("text");
  const auto& tok = bert_uncased();
  size_t cases = 0, offset_tokens = 0;
  for (const auto& entry : base.at("entries")) {
    const std::string id = entry.at("id");
    REQUIRE(text_by_id.count(id));
    const std::string& text = text_by_id[id];
    INFO(id << ": " << text);
    const auto e = tok.encode(text);
    CHECK(e.ids == ints(entry.at("input_ids")));
    CHECK(e.tokens == entry.at("tokens").get<std::vector<std::string>>());
    const auto expected_ids = ints(entry.at("input_ids"));
    CHECK(tok.decode(expected_ids, false, true) == entry.at("decoded_with_special").get<std::string>());
    CHECK(tok.decode(expected_ids, true, true) == entry.at("decoded_skip_special").get<std::string>());
    offset_tokens += tokt::check_offsets_property(text, e);
    ++cases;
  }
  std::cout << "[tokenizer] bge_small_multilingual: " << cases << " cases checked (" << offset_tokens
            << " token offsets)\n";
  CHECK(cases == base.at("metadata").at("input_count").get<size_t>());
}
