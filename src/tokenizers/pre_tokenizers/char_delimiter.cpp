// CharDelimiterSplit pre-tokenizer: splits on one char, removing it.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class CharDelimiterSplit final : public PreTokenizer {
 public:
  explicit CharDelimiterSplit(char32_t d) : delimiter_(d) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    const char32_t d = delimiter_;
    s.split([d](size_t, NormalizedString&& n) {
      return n.split_chars([d](char32_t c) { return c == d; }, SplitDelimiterBehavior::Removed);
    });
  }

 private:
  char32_t delimiter_;
};

}  // namespace

PreTokenizerPtr make_char_delimiter_pre_tokenizer(const json& j, const JsonLoc& loc) {
  if (!find_member(j, "delimiter")) loc["delimiter"].fail(ErrorCode::InvalidFile, "is missing");
  return std::make_shared<CharDelimiterSplit>(parse_single_char(j, "delimiter", loc, U' '));
}

}  // namespace hubwasm::tok
