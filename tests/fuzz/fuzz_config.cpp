// config.json -> Config and the typed configs of every architecture
// (BERT, DistilBERT, GPT-2, Llama/Mistral/Qwen2 with RoPE scaling).
#include "fuzz_common.h"
#include "io/config.h"
#include "models/bert.h"
#include "models/decoder.h"
#include "models/distilbert.h"
#include "models/gpt2.h"
#include "models/llama.h"
#include "ops/rotary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubwasm;
  Config config;
  try {
    config = Config::parse(std::string_view(reinterpret_cast<const char*>(data), size), "config.json");
  } catch (const Error& e) {
    fuzz::note(e);
    return 0;
  }
  // Each reader on its own: one failing must not hide the others.
  auto attempt = [](const char* what, auto&& fn) {
    try {
      fn();
      fuzz::ok(what);
    } catch (const Error& e) {
      fuzz::note(e);
    }
  };
  attempt("model_type", [&] { (void)config.model_type(); });
  attempt("architectures", [&] { (void)config.architectures(); });
  attempt("num_labels", [&] { (void)config.num_labels(); });
  attempt("eos_token_id", [&] { (void)read_token_ids(config, "eos_token_id"); });
  attempt("bert", [&] { (void)BertConfig::from(config); });
  attempt("distilbert", [&] { (void)DistilBertConfig::from(config); });
  attempt("gpt2", [&] { (void)Gpt2Config::from(config); });
  attempt("llama", [&] {
    const LlamaConfig l = LlamaConfig::from(config);
    const RotaryEmbedding rotary(l.rope);  // the inverse frequencies are computed from the config alone
    (void)rotary;
  });
  return 0;
}
