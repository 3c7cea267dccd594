// Whitespace pre-tokenizer (tokenizers pre_tokenizers/whitespace.rs): keeps
// the matches of \w+|[^\w\s]+ (Rust regex classes: \w = alphabetic, marks,
// decimal digits, connector punctuation, join controls; \s = White_Space).
#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class Whitespace final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& n) {
      auto m = re_.find_matches(n.get());
      invert_matches(m);
      return n.split(std::move(m), SplitDelimiterBehavior::Removed);
    });
  }

 private:
  // Compiled per tokenizer, not once for the process: see ByteLevelPreTokenizer.
  const Regex re_{
      R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\p{White_Space}]+)"};
};

}  // namespace

PreTokenizerPtr make_whitespace_pre_tokenizer(const json&, const JsonLoc&) { return std::make_shared<Whitespace>(); }

}  // namespace hubwasm::tok
