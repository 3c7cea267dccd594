// Hub tokenizers (BPE / ByteLevel, SentencePiece-style BPE, Unigram) against
// the reference vectors in ../shared/tokenizer-vectors, paired with the
// tokenizer files in ../shared/models (see MANIFEST.md). Each test prints the
// number of cases checked.
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Tokenizer;
using tokt::ints;
using tokt::json;

namespace {

const std::vector<std::string> kAllFiles = {
    "tokenizer.json",  "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt",
    "tokenizer.model", "spiece.model"};

const Tokenizer& hub(const std::string& dir) {
  static std::map<std::string, Tokenizer> cache;
  auto it = cache.find(dir);
  if (it == cache.end()) it = cache.emplace(dir, Tokenizer::from_files(tokt::repo_files(dir, kAllFiles))).first;
  return it->second;
}

std::string show(const std::vector<int32_t>& v) {
  std::ostringstream o;
  for (size_t i = 0; i < v.size(); ++i) o << (i ? " " : "") << v[i];
  return o.str();
}

struct Tally {
  std::string name;
  size_t shown = 0;
  void note(const std::string& msg) {
    if (shown++ < 4) std::cout << "  MISMATCH " << msg << "\n";
  }
  size_t cases = 0, ids_ok = 0, decode_checked = 0, decode_ok = 0;
  void report() const {
    std::cout << "[tokenizer] " << name << ": ids " << ids_ok << "/" << cases << " exact";
    if (decode_checked) std::cout << ", decode " << decode_ok << "/" << decode_checked;
    std::cout << "\n";
  }
};

void check_ids(Tally& t, const std::string& text, const std::vector<int32_t>& got,
               const std::vector<int32_t>& expected) {
  ++t.cases;
  if (got == expected) {
    ++t.ids_ok;
  } else {
    t.note(t.name + " ids differ for " + json(text).dump() + "\n    got      " + show(got) + "\n    expected " +
           show(expected));
  }
}

void check_decode(Tally& t, const std::string& what, const std::string& got, const std::string& expected) {
  ++t.decode_checked;
  if (got == expected) {
    ++t.decode_ok;
  } else {
    t.note(t.name + " decode differs (" + what + ")\n    got      " + json(got).dump() + "\n    expected " +
           json(expected).dump());
  }
}

bool cleanup_default(const Tokenizer& tok) { return tok.clean_up_tokenization_spaces().value_or(true); }

}  // namespace

TEST_CASE("swift-transformers tokenizer_tests.json: gpt2, llama-2, falcon, t5", "[tokenizer][vectors][hub]") {
  const json all = tokt::load_json("tokenizer-vectors/swift-transformers/tokenizer_tests.json");
  const std::pair<const char*, const char*> pairs[] = {
      {"distilgpt2", "openai-community--gpt2"},
      {"coreml-projects/Llama-2-7b-chat-coreml", "meta-llama--Llama-2-tokenizer"},
      {"tiiuae/falcon-7b", "tiiuae--falcon-7b"},
      {"t5-base", "google-t5--t5-small"},
  };
  size_t total = 0, total_ok = 0, skipped = 0;
  for (const auto& [model, dir] : pairs) {
    const Tokenizer& tok = hub(dir);
    Tally t{std::string("tokenizer_tests.json ") + model};
    for (const auto& c : all.at(model)) {
      const std::string input = c.at("input");
      // Our Llama-2 tokenizer.json copy (onnxruntime-extensions) has U+00A0 turned
      // into ASCII spaces in its vocabulary ("\u00a0\u00a0" = id 8655 reads "  "),
      // so inputs with NBSP cannot match the reference made with the Hub file.
      if (std::string(dir) == "meta-llama--Llama-2-tokenizer" && input.find("\xC2\xA0") != std::string::npos) {
        std::cout << "[tokenizer]   skipped (fixture vocabulary lost U+00A0): " << json(input).dump() << "\n";
        ++skipped;
        continue;
      }
      const auto expected = ints(c.at("encoded").at("input_ids"));
      check_ids(t, input, tok.encode(input).ids, expected);
      const bool clean = cleanup_default(tok);
      check_decode(t, "with special", tok.decode(expected, false, clean), c.at("decoded_with_special"));
      check_decode(t, "without special", tok.decode(expected, true, clean), c.at("decoded_without_special"));
    }
    t.report();
    CHECK(t.ids_ok == t.cases);
    CHECK(t.decode_ok == t.decode_checked);
    total += t.cases + t.decode_checked;
    total_ok += t.ids_ok + t.decode_ok;
  }
  std::cout << "[tokenizer] tokenizer_tests.json (4 hub tokenizers): " << total_ok << "/" << total << " checks ("
            << skipped << " cases skipped)\n";
  CHECK(skipped == 2);
}

TEST_CASE("swift-transformers *_encoded.json long texts", "[tokenizer][vectors][hub]") {
  const std::pair<const char*, const char*> pairs[] = {
      {"gpt2_encoded_tokens.json", "openai-community--gpt2"},
      {"llama_encoded.json", "meta-llama--Llama-2-tokenizer"},
      {"falcon_encoded.json", "tiiuae--falcon-7b"},
      {"t5_base_encoded.json", "google-t5--t5-small"},
  };
  for (const auto& [file, dir] : pairs) {
    const json v = tokt::load_json(std::string("tokenizer-vectors/swift-transformers/") + file);
    const Tokenizer& tok = hub(dir);
    Tally t{file};
    const std::string text = v.at("text");
    const auto expected = ints(v.at("token_ids"));
    const auto e = tok.encode(text);
    check_ids(t, text, e.ids, expected);
    check_decode(t, "decoded_text", tok.decode(expected, false, cleanup_default(tok)), v.at("decoded_text"));
    t.report();
    CHECK(t.ids_ok == t.cases);
    CHECK(t.decode_ok == t.decode_checked);
  }
}

TEST_CASE("llama.cpp vocab vectors: gpt-2, llama-spm, phi-3, falcon", "[tokenizer][vectors][hub]") {
  const std::pair<const char*, const char*> pairs[] = {
      {"gpt-2", "openai-community--gpt2"},
      {"llama-spm", "meta-llama--Llama-2-tokenizer"},
      {"phi-3", "microsoft--Phi-3-mini-4k-instruct"},
      {"falcon", "tiiuae--falcon-7b"},
  };
  EncodeOptions no_special;
  no_special.add_special_tokens = false;
  for (const auto& [name, dir] : pairs) {
    const std::string base = std::string("tokenizer-vectors/llama.cpp/ggml-vocab-") + name + ".gguf";
    const auto texts = tokt::split_ggml_texts(read_file(shared_path(base + ".inp")));
    const auto expected = tokt::read_ggml_ids(read_file(shared_path(base + ".out")));
    REQUIRE(texts.size() == expected.size());
    const Tokenizer& tok = hub(dir);
    Tally t{std::string("llama.cpp ") + name};
    for (size_t i = 0; i < texts.size(); ++i)
      check_ids(t, texts[i], tok.encode(texts[i], std::nullopt, no_special).ids, expected[i]);
    t.report();
    CHECK(t.ids_ok == t.cases);
  }
}

TEST_CASE("multilingual conformance: gpt2, roberta_base, t5_small, tinyllama", "[tokenizer][vectors][hub]") {
  const json inputs = tokt::load_json("tokenizer-vectors/swift-transformers-multilingual-conformance/inputs.json");
  std::map<std::string, std::string> text_by_id;
  for (const auto& in : inputs) text_by_id[in.at("id")] = in.at("text");
  // clean_up_tokenization_spaces as transformers 4.57 resolved it for the Hub
  // repos: the flag from their tokenizer_config.json, default false. The Hub's
  // gpt2 config has no flag (our copy, from swift-transformers, says true).
  const std::tuple<const char*, const char*, bool> pairs[] = {
      {"gpt2_multilingual.json", "openai-community--gpt2", false},
      {"roberta_base_multilingual.json", "FacebookAI--roberta-base", false},
      {"t5_small_multilingual.json", "google-t5--t5-small", true},
      {"tinyllama_multilingual.json", "meta-llama--Llama-2-tokenizer", false},
  };
  for (const auto& [file, dir, clean] : pairs) {
    const json base =
        tokt::load_json(std::string("tokenizer-vectors/swift-transformers-multilingual-conformance/baselines/") + file);
    const Tokenizer& tok = hub(dir);
    Tally t{file};
    size_t tokens_ok = 0;
    for (const auto& entry : base.at("entries")) {
      const std::string& text = text_by_id.at(entry.at("id"));
      const auto expected = ints(entry.at("input_ids"));
      const auto e = tok.encode(text);
      check_ids(t, text, e.ids, expected);
      // Baseline tokens are convert_ids_to_tokens(ids) (unk pieces read "<unk>").
      std::vector<std::string> id_tokens;
      for (int32_t id : e.ids) id_tokens.push_back(tok.id_to_token(id).value_or("?"));
      tokens_ok += id_tokens == entry.at("tokens").get<std::vector<std::string>>();
      check_decode(t, "with special", tok.decode(expected, false, clean), entry.at("decoded_with_special"));
      check_decode(t, "skip special", tok.decode(expected, true, clean), entry.at("decoded_skip_special"));
    }
    t.report();
    std::cout << "[tokenizer]   tokens equal in " << tokens_ok << "/" << t.cases << "\n";
    CHECK(tokens_ok == t.cases);
    CHECK(t.ids_ok == t.cases);
    CHECK(t.decode_ok == t.decode_checked);
    CHECK(t.cases == base.at("metadata").at("input_count").get<size_t>());
  }
}
