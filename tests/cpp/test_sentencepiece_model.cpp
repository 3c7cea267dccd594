// Malformed SentencePiece models (tokenizer.model) get a typed InvalidFile
// error naming the file and the problem, before the sentencepiece library
// sees them (some of them abort inside it: docs/hardening.md). The models are
// the shared Llama 2 tokenizer.model with pieces appended: protobuf appends a
// repeated field's occurrences, so sentencepiece would read the same list.
#include <catch2/catch.hpp>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "test_paths.h"
#include "tokenizers/tokenizer.h"

using hubwasm::Error;
using hubwasm::ErrorCode;
using hubwasm::Tokenizer;

namespace {

std::string varint(uint64_t v) {
  std::string out;
  do {
    out += static_cast<char>((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
    v >>= 7;
  } while (v);
  return out;
}

std::string length_delimited(int field, const std::string& bytes) {
  return varint(static_cast<uint64_t>(field) << 3 | 2) + varint(bytes.size()) + bytes;
}

// ModelProto.pieces entry: piece (1), score (2, fixed32), type (3).
std::string piece(const std::string& text, int type, float score = 0.0f) {
  char fixed[4];
  std::memcpy(fixed, &score, 4);
  return length_delimited(1, length_delimited(1, text) + "\x15" + std::string(fixed, 4) + "\x18" + varint(type));
}

std::string llama_model() { return read_file(shared_path("models/meta-llama--Llama-2-tokenizer/tokenizer.model")); }

void expect_invalid(const std::string& model, const std::string& problem) {
  try {
    (void)Tokenizer::from_files({{"tokenizer.model", model}});
    FAIL("no error thrown");
  } catch (const Error& e) {
    INFO("message: " << e.what());
    CHECK(e.code() == ErrorCode::InvalidFile);
    CHECK(std::string(e.what()).find("tokenizer.model") != std::string::npos);
    CHECK(std::string(e.what()).find(problem) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("sentencepiece: malformed pieces are typed errors naming the piece", "[tokenizer][errors][sentencepiece]") {
  const std::string base = llama_model();
  // The unmodified model loads (32000 pieces, so appended ones are 32000+).
  REQUIRE(Tokenizer::from_files({{"tokenizer.model", base}}).vocab_size() == 32000);
  const int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kByte = 6;
  // Darts reads keys as C strings: these threw from inside sentencepiece.
  expect_invalid(base + piece(std::string("ab\0c", 4), kNormal), "piece 32000 contains a NUL byte");
  expect_invalid(base + piece(std::string("\0", 1), kUserDefined), "piece 32000 contains a NUL byte");
  expect_invalid(base + piece("", kNormal), "piece 32000 is empty");
  // "▁the" is piece 278 of Llama 2's vocabulary.
  expect_invalid(base + piece("\xE2\x96\x81the", kNormal), "piece 32000 (\xE2\x96\x81the) repeats piece 278");
  expect_invalid(base + piece("<s>", kControl), "piece 32000 (<s>) repeats piece 1");
  expect_invalid(base + piece("<unk2>", kUnknown), "piece 32000 is a second unknown piece (the first is piece 0)");
  expect_invalid(base + piece("zz", 9), "piece 32000 has unknown type 9");
  expect_invalid(base + piece("zz", kNormal, std::numeric_limits<float>::quiet_NaN()), "non-finite score");
  expect_invalid(base + piece("<0xZZ>", kByte), "piece 32000 (<0xZZ>) is a byte piece not spelled <0xXX>");
  // trainer_spec (field 2): model_type 7, and byte_fallback off while the model has byte pieces.
  expect_invalid(base + length_delimited(2, "\x18\x07"), "unknown model_type 7");
  expect_invalid(base + length_delimited(2, std::string("\x98\x02\x00", 3)),
                 "piece 3 (<0x00>) is a byte piece but byte_fallback is off");
  // Structure: truncated fields, no pieces, no unknown piece.
  expect_invalid(base.substr(0, base.size() - 3), "runs past the end");
  expect_invalid(length_delimited(3, std::string("\x12\x00", 2)), "it has no pieces");
  expect_invalid(piece("a", kNormal), "it has no unknown piece");
}

TEST_CASE("sentencepiece: the fuzz finding that aborted in Darts is a typed error", "[tokenizer][errors][sentencepiece]") {
  const std::string input =
      read_file(std::string(HUBWASM_SOURCE_DIR) + "/tests/fuzz/regressions/fuzz_sentencepiece/darts-throws-on-malformed-pieces");
  const std::string model = input.substr(0, input.find("\n--8<--\n"));
  expect_invalid(model, "contains a NUL byte");
}
