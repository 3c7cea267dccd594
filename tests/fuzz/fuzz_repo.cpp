// A whole repo from in-memory files: config.json SEP model.safetensors SEP
// tokenizer.json. Loads it as an encoder (base and classification heads) and
// as a decoder (fp32 and q8), then runs one small forward pass through what
// loaded, and the tokenizer when present.
#include "fuzz_common.h"
#include "io/blob.h"
#include "io/repo_files.h"
#include "models/kv_cache.h"
#include "models/registry.h"
#include "tokenizers/tokenizer.h"

namespace {

using namespace hubwasm;

template <typename Fn>
void attempt(const char* what, Fn&& fn) {
  try {
    fn();
    fuzz::ok(what);
  } catch (const Error& e) {
    fuzz::note(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::split(data, size, 3);
  RepoFiles files;
  if (!parts[0].empty()) files.add("config.json", Blob::from_string(parts[0], "config.json"));
  if (!parts[1].empty()) files.add("model.safetensors", Blob::from_string(parts[1], "model.safetensors"));
  if (!parts[2].empty()) files.add("tokenizer.json", Blob::from_string(parts[2], "tokenizer.json"));

  for (Head head : {Head::Base, Head::SequenceClassification}) {
    attempt("encoder", [&] {
      const auto model = load_encoder(files, head);
      EncoderInput in;
      in.batch = 1;
      in.seq = 2;
      in.input_ids = {0, 1};
      in.attention_mask = {1, 1};
      (void)model->forward(in);
    });
  }
  for (WeightFormat format : {WeightFormat::F32, WeightFormat::Q8}) {
    attempt("decoder", [&] {
      DecoderOptions options;
      options.format = format;
      const auto model = load_decoder(files, options);
      KVCache cache = model->new_cache(1);
      DecoderInput in;
      in.batch = 1;
      in.seq = 2;
      in.input_ids = {0, 1};
      in.last_logits_only = true;
      (void)model->forward(in, cache);
    });
  }
  if (!parts[2].empty()) {
    attempt("tokenizer", [&] {
      const auto tokenizer = Tokenizer::from_files({{"tokenizer.json", parts[2]}});
      (void)tokenizer.decode(tokenizer.encode("Hello world, the cat sat.").ids);
    });
  }
  return 0;
}
