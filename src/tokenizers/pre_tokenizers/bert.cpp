// BertPreTokenizer (tokenizers pre_tokenizers/bert.rs): split on whitespace
// (removed), then isolate every punctuation char (ASCII punctuation or P*).
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class BertPreTokenizer final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    // Both splits in one pass: whitespace removed, punctuation isolated.
    s.split([](size_t, NormalizedString&& n) {
      return n.split_removed_then_isolated(unicode::is_whitespace, unicode::is_bert_punc);
    });
  }
};

}  // namespace

PreTokenizerPtr make_bert_pre_tokenizer(const json&, const JsonLoc&) {
  return std::make_shared<BertPreTokenizer>();
}

}  // namespace hubwasm::tok
