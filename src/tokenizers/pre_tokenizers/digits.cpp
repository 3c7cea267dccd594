// Digits pre-tokenizer: numeric chars (char::is_numeric: Nd, Nl, No) split
// off, each alone (individual_digits) or as contiguous runs.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class Digits final : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    const auto b = individual_ ? SplitDelimiterBehavior::Isolated : SplitDelimiterBehavior::Contiguous;
    s.split([&](size_t, NormalizedString&& n) { return n.split_chars(unicode::is_numeric, b); });
  }

 private:
  bool individual_;
};

}  // namespace

PreTokenizerPtr make_digits_pre_tokenizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<Digits>(get_bool(j, "individual_digits", loc, false));
}

}  // namespace hubwasm::tok
