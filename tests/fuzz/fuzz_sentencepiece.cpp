// SentencePiece model (tokenizer.model) through hubwasm's loader, which hands
// it to the real sentencepiece library: Tokenizer::from_files on the model
// bytes, then encode / decode of a text, ids back to tokens.
// Input: tokenizer.model SEP text.
#include "fuzz_common.h"
#include "tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::split(data, size, 2);
  try {
    const auto tokenizer = hubwasm::Tokenizer::from_files({{"tokenizer.model", parts[0]}});
    fuzz::ok("loaded");
    const hubwasm::Encoding encoding = tokenizer.encode(parts[1]);
    (void)tokenizer.decode(encoding.ids);
    for (int32_t id : encoding.ids) (void)tokenizer.id_to_token(id);
  } catch (const hubwasm::Error& e) {
    fuzz::note(e);
  }
  return 0;
}
