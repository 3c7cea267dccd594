// SentencePiece model (tokenizer.model / spiece.model) run by the real
// sentencepiece library: each split is encoded by SentencePieceProcessor, ids
// and byte offsets come from its pieces. Used by Tokenizer::from_files for
// repos without tokenizer.json (see pretrained.cpp for the pipeline around it).
#include <sentencepiece_processor.h>

#include <algorithm>

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class SentencePieceModel final : public Model {
 public:
  explicit SentencePieceModel(std::unique_ptr<sentencepiece::SentencePieceProcessor> sp) : sp_(std::move(sp)) {}

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (word.empty()) return;
    // Only the API shared by Debian's header and the upstream one built for
    // wasm (no SentencePieceText there): pieces and ids, offsets recomputed.
    const std::string input(word);
    std::vector<std::string> pieces;
    std::vector<int> ids;
    const auto st1 = sp_->Encode(input, &pieces);
    const auto st2 = sp_->Encode(input, &ids);
    if (!st1.ok() || !st2.ok() || pieces.size() != ids.size()) {
      throw Error(ErrorCode::InvalidArgument, "sentencepiece could not encode the text");
    }
    // With the identity normalization the pieces are the input's bytes in
    // order (byte-fallback pieces stand for one byte each, as tokenizers' BPE
    // byte_fallback offsets do).
    const size_t first = out.size();
    size_t cursor = 0;
    bool aligned = true;
    for (size_t i = 0; i < ids.size(); ++i) {
      const size_t len = sp_->IsByte(ids[i]) ? 1 : pieces[i].size();
      if (cursor + len > word.size()) aligned = false;
      out.push_back({ids[i], pieces[i], {std::min(cursor, word.size()), std::min(cursor + len, word.size())}});
      cursor += len;
    }
    if (!aligned || cursor != word.size()) {
      for (size_t i = first; i < out.size(); ++i) out[i].offsets = {0, word.size()};  // normalized by sentencepiece
    }
    for (size_t i = first; i < out.size(); ++i) {
      if (sp_->IsUnknown(out[i].id)) out[i].value = sp_->IdToPiece(out[i].id);
    }
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    const int id = sp_->PieceToId(std::string(token));
    if (id < 0 || (sp_->IsUnknown(id) && sp_->IdToPiece(id) != token)) return std::nullopt;
    return id;
  }
  std::optional<std::string_view> id_to_token(int32_t id) const override {
    if (id < 0 || id >= sp_->GetPieceSize()) return std::nullopt;
    return std::string_view(sp_->IdToPiece(id));
  }
  size_t vocab_size() const override { return static_cast<size_t>(sp_->GetPieceSize()); }
  std::optional<std::string> unk_token() const override {
    const int id = sp_->unk_id();
    if (id < 0 || id >= sp_->GetPieceSize()) return std::nullopt;
    return sp_->IdToPiece(id);
  }

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

}  // namespace

namespace {

bool read_varint(std::string_view s, size_t& i, uint64_t& v) {
  v = 0;
  for (int shift = 0; i < s.size() && shift < 64; shift += 7) {
    const auto b = static_cast<unsigned char>(s[i++]);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Calls found(bytes) for every length-delimited field `want` of a protobuf
// message, in order; stops at the first malformed field (sentencepiece's own
// parser reports those).
template <class F>
void for_each_field(std::string_view msg, uint64_t want, const F& found) {
  size_t i = 0;
  while (i < msg.size()) {
    uint64_t key = 0, v = 0;
    if (!read_varint(msg, i, key)) return;
    switch (key & 7) {
      case 0:
        if (!read_varint(msg, i, v)) return;
        break;
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      case 2:
        if (!read_varint(msg, i, v) || v > msg.size() - std::min(i, msg.size())) return;
        if ((key >> 3) == want) found(msg.substr(i, static_cast<size_t>(v)));
        i += static_cast<size_t>(v);
        break;
      default:
        return;
    }
  }
}

// sentencepiece hands the pieces to its trie builder (Darts), which throws on
// a NUL byte in a key; that exception cannot cross the library's frames and
// aborts the process. Such a model is refused here first.
void check_pieces(std::string_view proto, const std::string& file_name) {
  size_t index = 0;
  for_each_field(proto, 1, [&](std::string_view piece) {  // ModelProto.pieces
    for_each_field(piece, 1, [&](std::string_view text) {  // SentencePiece.piece
      if (text.find('\0') != std::string_view::npos) {
        throw Error(ErrorCode::InvalidFile, file_name + ": not a valid SentencePiece model (piece " +
                                                std::to_string(index) + " contains a NUL byte)");
      }
    });
    ++index;
  });
}

}  // namespace

std::string sentencepiece_charsmap(const std::string& proto) {
  // ModelProto.normalizer_spec (field 3) . precompiled_charsmap (field 2); the
  // last occurrence wins, as protobuf parsing does (normalizer_spec may occur
  // several times: protobuf merges them).
  std::string charsmap;
  for_each_field(proto, 3, [&](std::string_view spec) {
    for_each_field(spec, 2, [&](std::string_view c) { charsmap = std::string(c); });
  });
  return charsmap;
}

ModelPtr make_sentencepiece_model(const std::string& serialized, const std::string& file_name, bool add_dummy_prefix) {
  check_pieces(serialized, file_name);
  std::string proto = serialized;
  if (!add_dummy_prefix) {
    // Append a second normalizer_spec (ModelProto field 3): protobuf merges it
    // into the first (last value wins per field). It turns sentencepiece's own
    // normalization off, as transformers' LlamaConverter ignores it: name
    // "identity" (1), empty precompiled_charsmap (2), add_dummy_prefix false
    // (3), remove_extra_whitespaces false (4).
    static const char kIdentity[] = "\x1A\x10\x0A\x08identity\x12\x00\x18\x00\x20\x00";
    proto.append(kIdentity, sizeof(kIdentity) - 1);
  }
  auto sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const auto status = sp->LoadFromSerializedProto(proto);
  if (!status.ok()) {
    throw Error(ErrorCode::InvalidFile, file_name + ": not a valid SentencePiece model (" + status.ToString() + ")");
  }
  if (sp->GetPieceSize() <= 0) throw Error(ErrorCode::InvalidFile, file_name + ": the SentencePiece model is empty");
  return std::make_shared<SentencePieceModel>(std::move(sp));
}

}  // namespace hubwasm::tok
