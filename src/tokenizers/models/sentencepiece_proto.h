// A serialized SentencePiece ModelProto (tokenizer.model / spiece.model) read
// and checked by hubwasm before the sentencepiece library sees it. Some
// malformed models make sentencepiece 0.1.97 throw from inside its trie
// builder (Darts) or dereference what it never built, which aborts the
// process or the WebAssembly instance instead of returning an error; this
// check turns every such model into a typed error first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hubwasm::tok {

struct SentencePieceProto {
  // ModelProto.SentencePiece.Type values.
  enum PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  struct Piece {
    std::string piece;
    float score = 0.0f;
    int type = kNormal;
  };
  std::vector<Piece> pieces;
  int model_type = 1;  // TrainerSpec.ModelType: UNIGRAM 1, BPE 2, WORD 3, CHAR 4
  bool byte_fallback = false;
  std::string precompiled_charsmap;  // normalizer_spec's
};

// Parses `bytes` as protobuf does (repeated messages merge, the last scalar
// wins, fields with an unexpected wire type are skipped) and checks what
// sentencepiece's loader assumes (model_interface.cc InitializePieces,
// unigram_model.cc BuildTrie, normalizer.cc PrefixMatcher, darts.h build):
// at least one piece; every piece non-empty, without a NUL byte (Darts keys
// are C strings: "a\0b" would become "a", an empty or out-of-order key, and
// Darts throws), with a finite score and a known type; no piece defined twice
// among normal / user-defined / unused pieces nor among unknown / control /
// byte pieces; exactly one unknown piece; byte pieces only with byte_fallback,
// each spelled <0xXX>, all 256 of them when byte_fallback is on; a known
// model_type. Throws InvalidFile naming `file_name` and the problem.
SentencePieceProto parse_sentencepiece_proto(std::string_view bytes, const std::string& file_name);

}  // namespace hubwasm::tok
