// tokenizer.json loading, then encoding (single and pair) and decoding of a
// fuzzed text. Input: tokenizer.json SEP text SEP pair-text.
#include "fuzz_common.h"
#include "tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubwasm;
  const auto parts = fuzz::split(data, size, 3);
  std::optional<Tokenizer> tokenizer;
  try {
    tokenizer = Tokenizer::from_files({{"tokenizer.json", parts[0]}});
  } catch (const Error& e) {
    fuzz::note(e);
    return 0;
  }
  fuzz::ok("loaded");
  EncodeOptions plain;
  try {
    const Encoding enc = tokenizer->encode(parts[1], std::nullopt, plain);
    fuzz::check_encoding(enc, parts[1]);
    (void)tokenizer->decode(enc.ids, false, true);
    (void)tokenizer->decode(enc.ids, true, false);
    fuzz::ok("encoded");
  } catch (const Error& e) {
    fuzz::note(e);
  }
  try {
    EncodeOptions options;
    options.max_length = 8;
    options.padding = "max_length";
    options.truncation = true;
    (void)tokenizer->encode(parts[1], std::string_view(parts[2]), options);
  } catch (const Error& e) {
    fuzz::note(e);
  }
  for (int32_t id : {-1, 0, 1, 100, 1 << 30}) (void)tokenizer->id_to_token(id);
  (void)tokenizer->token_to_id(parts[2]);
  return 0;
}
