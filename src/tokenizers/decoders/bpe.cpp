// BPEDecoder: the end-of-word suffix becomes a space (nothing on the last token).
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    if (suffix_.empty()) return;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string repl = i + 1 == tokens.size() ? "" : " ";
      std::string& t = tokens[i];
      std::string out;
      size_t last = 0, pos = t.find(suffix_);
      if (pos == std::string::npos) continue;
      while (pos != std::string::npos) {
        out.append(t, last, pos - last);
        out += repl;
        last = pos + suffix_.size();
        pos = t.find(suffix_, last);
      }
      out.append(t, last, std::string::npos);
      t = std::move(out);
    }
  }

 private:
  std::string suffix_;
};

}  // namespace

DecoderPtr make_bpe_decoder(const json& j, const JsonLoc& loc) {
  return std::make_shared<BpeDecoder>(get_string(j, "suffix", loc, "</w>"));
}

}  // namespace hubwasm::tok
