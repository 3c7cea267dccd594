// ByteFallback decoder: runs of <0xXX> tokens become their bytes as one
// string when valid UTF-8, else one U+FFFD per byte.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class ByteFallbackDecoder final : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    std::string bytes;
    size_t n_bytes = 0;
    auto flush = [&]() {
      if (n_bytes == 0) return;
      if (unicode::first_invalid_utf8(bytes) == std::string::npos) {
        out.push_back(bytes);
      } else {
        for (size_t k = 0; k < n_bytes; ++k) out.emplace_back("\xEF\xBF\xBD");
      }
      bytes.clear();
      n_bytes = 0;
    };
    for (auto& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
        const int hi = hex_val(t[3]), lo = hex_val(t[4]);
        if (hi >= 0 && lo >= 0) {
          bytes.push_back(static_cast<char>(hi * 16 + lo));
          ++n_bytes;
          continue;
        }
      }
      flush();
      out.push_back(std::move(t));
    }
    flush();
    tokens = std::move(out);
  }
};

}  // namespace

DecoderPtr make_byte_fallback_decoder(const json&, const JsonLoc&) { return std::make_shared<ByteFallbackDecoder>(); }

}  // namespace hubwasm::tok
