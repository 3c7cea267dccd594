// Strip decoder: removes up to `start` leading and `stop` trailing `content`
// chars from every token.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class StripDecoder final : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      std::vector<char32_t> chars;
      for (size_t i = 0; i < t.size();) chars.push_back(unicode::decode_utf8(t, i));
      size_t start_cut = 0;
      for (size_t i = 0; i < start_ && i < chars.size(); ++i) {
        if (chars[i] != content_) break;
        start_cut = i + 1;
      }
      size_t stop_cut = chars.size();
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        const size_t index = chars.size() - i - 1;
        if (chars[index] != content_) break;
        stop_cut = index;
      }
      std::string out;
      for (size_t i = start_cut; i < stop_cut; ++i) unicode::append_utf8(out, chars[i]);
      t = std::move(out);
    }
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

}  // namespace

DecoderPtr make_strip_decoder(const json& j, const JsonLoc& loc) {
  return std::make_shared<StripDecoder>(parse_single_char(j, "content", loc, U' '), get_size(j, "start", loc, 0),
                                        get_size(j, "stop", loc, 0));
}

}  // namespace hubwasm::tok
