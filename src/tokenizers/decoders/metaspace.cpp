// Metaspace decoder: the replacement char becomes a space, except in the
// first token (removed there) unless prepend_scheme is never.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(char32_t r, PrependScheme s) : replacement_(r), scheme_(s) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string& t = tokens[i];
      std::string out;
      out.reserve(t.size());
      for (size_t k = 0; k < t.size();) {
        const char32_t c = unicode::decode_utf8(t, k);
        if (c == replacement_) {
          if (!(i == 0 && scheme_ != PrependScheme::Never)) out.push_back(' ');
        } else {
          unicode::append_utf8(out, c);
        }
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  char32_t replacement_;
  PrependScheme scheme_;
};

}  // namespace

DecoderPtr make_metaspace_decoder(const json& j, const JsonLoc& loc) {
  return std::make_shared<MetaspaceDecoder>(parse_single_char(j, "replacement", loc, U'\u2581'),
                                            parse_prepend_scheme(j, loc));
}

}  // namespace hubwasm::tok
