// BertPreTokenizer (tokenizers pre_tokenizers/bert.rs): split on whitespace
// (removed), then isolate every punctuation char (ASCII punctuation or P*).
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class BertPreTokenizer final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([](size_t, NormalizedString&& n) {
      return n.split_chars(unicode::is_whitespace, SplitDelimiterBehavior::Removed);
    });
    s.split([](size_t, NormalizedString&& n) {
      return n.split_chars(unicode::is_bert_punc, SplitDelimiterBehavior::Isolated);
    });
  }
};

}  // namespace

PreTokenizerPtr make_bert_pre_tokenizer(const json&, const JsonLoc&) {
  return std::make_shared<BertPreTokenizer>();
}

}  // namespace hubwasm::tok
