// Fuzz-ready entry point for the tokenizer loaders: bytes in, no crash out.
// The first byte picks the loader, the rest is the file:
//   0: tokenizer.json            1: vocab.txt (BERT)      2: tokenizer.model (SentencePiece)
//   3: vocab.json '\0' merges.txt 4: tokenizer.json + a tokenizer_config.json made of the same bytes
// A loaded tokenizer then encodes (single and pair, with truncation and
// padding) and decodes a few fixed texts. hubwasm::Error is the only
// exception expected (caught here); anything else escapes to the fuzzer. A
// libFuzzer target is one line:
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* d, size_t n) { return hubwasm::fuzz_tokenizer(d, n); }
#pragma once

#include <cstddef>
#include <cstdint>

namespace hubwasm {

int fuzz_tokenizer(const uint8_t* data, size_t size);

}  // namespace hubwasm
