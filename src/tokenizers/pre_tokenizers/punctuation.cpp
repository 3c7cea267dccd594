// Punctuation pre-tokenizer: splits on ASCII punctuation and P* chars with
// the given behavior (default Isolated).
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class Punctuation final : public PreTokenizer {
 public:
  explicit Punctuation(SplitDelimiterBehavior b) : behavior_(b) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& n) { return n.split_chars(unicode::is_bert_punc, behavior_); });
  }

 private:
  SplitDelimiterBehavior behavior_;
};

}  // namespace

PreTokenizerPtr make_punctuation_pre_tokenizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<Punctuation>(parse_behavior(j, loc, SplitDelimiterBehavior::Isolated));
}

}  // namespace hubwasm::tok
