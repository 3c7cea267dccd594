#include "tokenizers/models/sentencepiece_proto.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <utility>

#include "core/error.h"

namespace hubwasm::tok {

namespace {

// One field of a protobuf message in wire format.
struct WireField {
  uint64_t number = 0;
  int wire_type = 0;       // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;     // wire type 0
  uint32_t fixed32 = 0;    // wire type 5
  std::string_view bytes;  // wire type 2
};

// Walks the fields of one message; `what` names it in errors.
class WireReader {
 public:
  WireReader(std::string_view msg, std::string what) : msg_(msg), what_(std::move(what)) {}

  bool next(WireField& f) {
    if (pos_ == msg_.size()) return false;
    const uint64_t key = varint();
    f.number = key >> 3;
    f.wire_type = static_cast<int>(key & 7);
    if (f.number == 0) fail("field number 0");
    switch (f.wire_type) {
      case 0:
        f.varint = varint();
        break;
      case 1:
        take(8);
        break;
      case 2: {
        const uint64_t n = varint();
        f.bytes = take(n);
        break;
      }
      case 5: {
        const std::string_view b = take(4);
        f.fixed32 = static_cast<uint32_t>(static_cast<unsigned char>(b[0])) |
                    static_cast<uint32_t>(static_cast<unsigned char>(b[1])) << 8 |
                    static_cast<uint32_t>(static_cast<unsigned char>(b[2])) << 16 |
                    static_cast<uint32_t>(static_cast<unsigned char>(b[3])) << 24;
        break;
      }
      default:  // groups (3, 4) never occur in a SentencePiece model
        fail("unsupported protobuf wire type " + std::to_string(f.wire_type));
    }
    return true;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(ErrorCode::InvalidFile, what_ + ": not a valid SentencePiece model (" + problem + " at byte " +
                                            std::to_string(pos_) + ")");
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ == msg_.size()) fail("truncated varint");
      const auto b = static_cast<unsigned char>(msg_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  std::string_view take(uint64_t n) {
    if (n > msg_.size() - pos_) fail("field of " + std::to_string(n) + " bytes runs past the end");
    const std::string_view out = msg_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }

  std::string_view msg_;
  std::string what_;
  size_t pos_ = 0;
};

SentencePieceProto::Piece parse_piece(std::string_view msg, SentencePieceProto::Piece piece, const std::string& what) {
  WireReader r(msg, what);
  WireField f;
  while (r.next(f)) {
    if (f.number == 1 && f.wire_type == 2) piece.piece = std::string(f.bytes);
    if (f.number == 2 && f.wire_type == 5) std::memcpy(&piece.score, &f.fixed32, sizeof(float));
    if (f.number == 3 && f.wire_type == 0) {
      if (f.varint < SentencePieceProto::kNormal || f.varint > SentencePieceProto::kByte) {
        throw Error(ErrorCode::InvalidFile, what + " has unknown type " + std::to_string(f.varint));
      }
      piece.type = static_cast<int>(f.varint);
    }
  }
  return piece;
}

std::string byte_piece(int byte) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "<0x%02X>", byte);
  return buf;
}

void check_pieces(const SentencePieceProto& proto, const std::string& file_name) {
  auto fail = [&](const std::string& problem) {
    throw Error(ErrorCode::InvalidFile, file_name + ": invalid SentencePiece model: " + problem);
  };
  if (proto.pieces.empty()) fail("it has no pieces");
  // sentencepiece keeps normal / user-defined / unused pieces and the
  // reserved ones (unknown, control, byte) in two maps; each must be unique.
  std::map<std::string_view, size_t> normal, reserved;
  std::set<int> bytes;
  int unknown = -1;
  for (size_t i = 0; i < proto.pieces.size(); ++i) {
    const auto& p = proto.pieces[i];
    const std::string at = "piece " + std::to_string(i);
    if (p.piece.empty()) fail(at + " is empty");
    if (p.piece.find('\0') != std::string::npos) fail(at + " contains a NUL byte");
    if (!std::isfinite(p.score)) fail(at + " (" + p.piece + ") has a non-finite score");
    const bool is_normal = p.type == SentencePieceProto::kNormal || p.type == SentencePieceProto::kUserDefined ||
                           p.type == SentencePieceProto::kUnused;
    auto& seen = is_normal ? normal : reserved;
    const auto [it, fresh] = seen.emplace(p.piece, i);
    if (!fresh) fail(at + " (" + p.piece + ") repeats piece " + std::to_string(it->second));
    if (p.type == SentencePieceProto::kUnknown) {
      if (unknown >= 0) fail(at + " is a second unknown piece (the first is piece " + std::to_string(unknown) + ")");
      unknown = static_cast<int>(i);
    }
    if (p.type == SentencePieceProto::kByte) {
      if (!proto.byte_fallback) fail(at + " (" + p.piece + ") is a byte piece but byte_fallback is off");
      int byte = -1;
      for (int b = 0; b < 256 && byte < 0; ++b) {
        if (p.piece == byte_piece(b)) byte = b;
      }
      if (byte < 0) fail(at + " (" + p.piece + ") is a byte piece not spelled <0xXX>");
      bytes.insert(byte);
    }
  }
  if (unknown < 0) fail("it has no unknown piece");
  if (proto.byte_fallback && bytes.size() != 256) {
    fail("byte_fallback is on but only " + std::to_string(bytes.size()) + " of the 256 byte pieces are defined");
  }
}

}  // namespace

SentencePieceProto parse_sentencepiece_proto(std::string_view bytes, const std::string& file_name) {
  SentencePieceProto proto;
  WireReader model(bytes, file_name);
  WireField f;
  while (model.next(f)) {
    if (f.wire_type != 2) continue;
    if (f.number == 1) {  // pieces
      const std::string what = file_name + ": piece " + std::to_string(proto.pieces.size());
      proto.pieces.push_back(parse_piece(f.bytes, {}, what));
    } else if (f.number == 2) {  // trainer_spec: model_type 3, byte_fallback 35
      WireReader spec(f.bytes, file_name + ": trainer_spec");
      WireField s;
      while (spec.next(s)) {
        if (s.number == 3 && s.wire_type == 0) {
          if (s.varint < 1 || s.varint > 4) {
            throw Error(ErrorCode::InvalidFile,
                        file_name + ": trainer_spec has unknown model_type " + std::to_string(s.varint));
          }
          proto.model_type = static_cast<int>(s.varint);
        }
        if (s.number == 35 && s.wire_type == 0) proto.byte_fallback = s.varint != 0;
      }
    } else if (f.number == 3) {  // normalizer_spec: precompiled_charsmap 2
      WireReader spec(f.bytes, file_name + ": normalizer_spec");
      WireField s;
      while (spec.next(s)) {
        if (s.number == 2 && s.wire_type == 2) proto.precompiled_charsmap = std::string(s.bytes);
      }
    }
  }
  check_pieces(proto, file_name);
  return proto;
}

}  // namespace hubwasm::tok
