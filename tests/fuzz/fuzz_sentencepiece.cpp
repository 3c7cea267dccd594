// SentencePiece model (tokenizer.model) loading and encoding. hubwasm's
// Tokenizer does not read tokenizer.model yet (it answers UnsupportedFeature),
// so the library it links for that, sentencepiece, is fuzzed directly:
// LoadFromSerializedProto on the model bytes, then Encode / Decode of a text.
// Input: tokenizer.model SEP text.
#include <sentencepiece_processor.h>

#include "fuzz_common.h"
#include "tokenizers/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::split(data, size, 2);
  // hubwasm's own entry point must refuse the file with a typed error.
  try {
    (void)hubwasm::Tokenizer::from_files({{"tokenizer.model", parts[0]}});
  } catch (const hubwasm::Error& e) {
    fuzz::note(e);
  }
  sentencepiece::SentencePieceProcessor sp;
  if (!sp.LoadFromSerializedProto(parts[0]).ok()) return 0;
  fuzz::ok("loaded");
  std::vector<int> ids;
  if (!sp.Encode(parts[1], &ids).ok()) return 0;
  std::string text;
  (void)sp.Decode(ids, &text);
  std::vector<std::string> pieces;
  (void)sp.Encode(parts[1], &pieces);
  for (int id : {0, 1, 2, sp.GetPieceSize() - 1}) {
    if (id >= 0 && id < sp.GetPieceSize()) (void)sp.IdToPiece(id);
  }
  return 0;
}
