// WhitespaceSplit pre-tokenizer: splits on char::is_whitespace, removing it.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class WhitespaceSplit final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([](size_t, NormalizedString&& n) {
      return n.split_chars(unicode::is_whitespace, SplitDelimiterBehavior::Removed);
    });
  }
};

}  // namespace

PreTokenizerPtr make_whitespace_split_pre_tokenizer(const json&, const JsonLoc&) {
  return std::make_shared<WhitespaceSplit>();
}

}  // namespace hubwasm::tok
