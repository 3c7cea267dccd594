// Replace decoder: every match of the pattern in each token -> content.
#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class ReplaceDecoder final : public Decoder {
 public:
  ReplaceDecoder(StringOrRegex p, std::string content) : pattern_(std::move(p)), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      std::string out;
      bool any = false;
      for (const auto& m : pattern_.find_matches(t)) {
        if (m.is_match) {
          out += content_;
          any = true;
        } else {
          out.append(t, m.start, m.end - m.start);
        }
      }
      if (any) t = std::move(out);
    }
  }

 private:
  StringOrRegex pattern_;
  std::string content_;
};

}  // namespace

DecoderPtr make_replace_decoder(const json& j, const JsonLoc& loc) {
  const json* p = find_member(j, "pattern");
  if (!p) loc["pattern"].fail(ErrorCode::InvalidFile, "is missing");
  return std::make_shared<ReplaceDecoder>(StringOrRegex::parse(*p, loc["pattern"]), require_string(j, "content", loc));
}

}  // namespace hubwasm::tok
