// ByteLevel decoder: each token's chars back to bytes (tokens with a char
// outside the table keep their UTF-8 bytes), then lossy UTF-8 of the whole.
#include "tokenizers/byte_level.h"

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class ByteLevelDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    std::string tb;
    for (const auto& t : tokens) {
      tb.clear();
      bool ok = true;
      for (size_t i = 0; i < t.size();) {
        const int b = byte_level::char_to_byte(unicode::decode_utf8(t, i));
        if (b < 0) {
          ok = false;
          break;
        }
        tb.push_back(static_cast<char>(b));
      }
      bytes += ok ? tb : t;
    }
    tokens.assign(1, byte_level::utf8_lossy(bytes));
  }
};

}  // namespace

DecoderPtr make_byte_level_decoder(const json&, const JsonLoc&) { return std::make_shared<ByteLevelDecoder>(); }

}  // namespace hubwasm::tok
