// SentencePiece model (tokenizer.model) loading through hubwasm's Tokenizer
// (its own ModelProto check, then sentencepiece's LoadFromSerializedProto),
// then encoding and decoding of a fuzzed text. Input: tokenizer.model SEP text
// SEP tokenizer_config.json (optional: picks the Llama legacy / non-legacy or
// T5 pipeline around the model).
#include <map>
#include <optional>

#include "fuzz_common.h"
#include "tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubwasm;
  const auto parts = fuzz::split(data, size, 3);
  std::map<std::string, std::string> files{{"tokenizer.model", parts[0]}};
  if (!parts[2].empty()) files["tokenizer_config.json"] = parts[2];
  std::optional<Tokenizer> tokenizer;
  try {
    tokenizer = Tokenizer::from_files(files);
  } catch (const Error& e) {
    fuzz::note(e);
    return 0;
  }
  fuzz::ok("loaded");
  try {
    const Encoding enc = tokenizer->encode(parts[1], std::nullopt, EncodeOptions{});
    fuzz::check_encoding(enc, parts[1]);
    (void)tokenizer->decode(enc.ids, false, true);
    (void)tokenizer->decode(enc.ids, true, false);
    fuzz::ok("encoded");
  } catch (const Error& e) {
    fuzz::note(e);
  }
  for (int32_t id : {-1, 0, 1, 2, 100, 1 << 30}) (void)tokenizer->id_to_token(id);
  (void)tokenizer->token_to_id(parts[1]);
  return 0;
}
