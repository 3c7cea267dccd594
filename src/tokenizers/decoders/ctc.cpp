// CTC decoder: consecutive duplicates collapsed, pad tokens removed, then
// (cleanup) WordPiece cleanup and the word delimiter -> space; empty dropped.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

void replace_in(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  std::string out;
  size_t last = 0, pos = s.find(from);
  if (pos == std::string::npos) return;
  while (pos != std::string::npos) {
    out.append(s, last, pos - last);
    out += to;
    last = pos + from.size();
    pos = s.find(from, last);
  }
  out.append(s, last, std::string::npos);
  s = std::move(out);
}

class CtcDecoder final : public Decoder {
 public:
  CtcDecoder(std::string pad, std::string delim, bool cleanup)
      : pad_(std::move(pad)), delim_(std::move(delim)), cleanup_(cleanup) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;
      std::string t = tokens[i];
      replace_in(t, pad_, "");
      if (cleanup_) {
        wordpiece_cleanup(t);
        replace_in(t, delim_, " ");
      }
      if (!t.empty()) out.push_back(std::move(t));
    }
    tokens = std::move(out);
  }

 private:
  std::string pad_, delim_;
  bool cleanup_;
};

}  // namespace

DecoderPtr make_ctc_decoder(const json& j, const JsonLoc& loc) {
  return std::make_shared<CtcDecoder>(get_string(j, "pad_token", loc, "<pad>"),
                                      get_string(j, "word_delimiter_token", loc, "|"),
                                      get_bool(j, "cleanup", loc, true));
}

}  // namespace hubwasm::tok
