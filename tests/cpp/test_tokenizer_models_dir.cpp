// Every tokenizer in ../shared/models: loads from the repo files (preferring
// tokenizer.json as transformers does), round-trips text, and matches the
// token ids recorded in the repo's reference files where there are any.
#include <catch2/catch.hpp>
#include <iostream>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Tokenizer;
using tokt::ints;
using tokt::json;

namespace {

const std::vector<std::string> kFiles = {"tokenizer.json",
                                         "tokenizer_config.json",
                                         "special_tokens_map.json",
                                         "vocab.txt",
                                         "vocab.json",
                                         "merges.txt",
                                         "tokenizer.model",
                                         "spiece.model",
                                         "config.json"};

}  // namespace

TEST_CASE("every tokenizer in ../shared/models loads and round-trips", "[tokenizer][models]") {
  struct Repo {
    const char* dir;
    bool lossless;  // decode(encode(x), skip_special) == x for the texts below
  };
  const Repo repos[] = {
      {"FacebookAI--roberta-base", true},
      {"google-bert--bert-base-uncased", false},
      {"google-t5--t5-small", false},
      {"hf-internal-testing--tiny-random-LlamaForCausalLM", true},
      {"hf-internal-testing--tiny-random-gpt2", true},
      {"hubwasm-fixtures--botchan-llama", true},
      {"hubwasm-fixtures--micro-bert", false},
      {"hubwasm-fixtures--micro-bert-cls", false},
      {"hubwasm-fixtures--micro-gpt2", true},
      {"hubwasm-fixtures--micro-llama", true},
      {"hubwasm-fixtures--tiny-sentiment-bert", false},
      {"meta-llama--Llama-2-tokenizer", true},
      {"microsoft--Phi-3-mini-4k-instruct", true},
      {"openai-community--gpt2", true},
      {"optimum-test-assets--tiny-distilbert-classification", false},
      {"tiiuae--falcon-7b", true},
  };
  const std::vector<std::string> texts = {
      "Hello world, the quick brown fox jumps over the lazy dog.",
      "  two leading spaces and trailing ones  ",
      "Code: if (x != null) { return x?.foo ?? 42; }\n\tindented",
      "Numbers 3.14159 1,000,000 2026-11-27",
      "Déjà vu: naïve café, Ελληνικά, русский, العربية, 日本語のテキスト, 한국어",
      "Emoji 👩‍👩‍👧‍👦 🇫🇷 ✅ and combining e\u0301",
  };
  size_t loaded = 0, round_trips = 0;
  for (const auto& r : repos) {
    INFO(r.dir);
    const Tokenizer tok = Tokenizer::from_files(tokt::repo_files(r.dir, kFiles));
    ++loaded;
    for (const auto& t : texts) {
      INFO(json(t).dump());
      const auto e = tok.encode(t);
      CHECK(e.size() > 0);
      for (const auto& [s, end] : e.offsets) {
        CHECK(s <= end);
        CHECK(end <= t.size());
      }
      if (r.lossless) {
        CHECK(tok.decode(e.ids, true, false) == t);
        ++round_trips;
      }
    }
  }
  std::cout << "[tokenizer] ../shared/models: " << loaded << " tokenizers loaded, " << round_trips
            << " lossless round trips checked\n";
  CHECK(loaded == 16);
}

TEST_CASE("tiny-random-LlamaForCausalLM tokenizer matches the transformers.js expectations", "[tokenizer][models]") {
  const Tokenizer tok =
      Tokenizer::from_files(tokt::repo_files("hf-internal-testing--tiny-random-LlamaForCausalLM", kFiles));
  const json ref = tokt::load_json(
      "models/hf-internal-testing--tiny-random-LlamaForCausalLM/reference/transformers_js_expected.json");
  const auto& b1 = ref.at("greedy_batch1");
  CHECK(tok.encode(b1.at("text").get<std::string>()).ids == ints(b1.at("input_ids")[0]));
  const auto& b2 = ref.at("greedy_batch2_left_padded");
  EncodeOptions opt;
  opt.padding = "longest";
  opt.padding_side = "left";
  const auto batch = tok.encode_batch(b2.at("texts").get<std::vector<std::string>>(), nullptr, opt);
  REQUIRE(batch.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(batch[i].ids == ints(b2.at("input_ids")[i]));
    CHECK(batch[i].attention_mask == ints(b2.at("attention_mask")[i]));
  }
  // decode of prompt + 3 generated ids (text-generation pipeline).
  const auto seq = ints(b1.at("expected_sequences")[0]);
  const std::vector<int32_t> five(seq.begin(), seq.begin() + 5);
  CHECK(tok.decode(five, true) == ref.at("text_generation_pipeline").at("expected_generated_text").get<std::string>());
  std::cout << "[tokenizer] tiny-random-LlamaForCausalLM: 3 encodings + 1 decode checked\n";
}
