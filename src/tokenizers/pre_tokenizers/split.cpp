// Split pre-tokenizer (tokenizers pre_tokenizers/split.rs): splits on a
// string or regex pattern with a delimiter behaviour, optionally inverted.
#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(StringOrRegex pattern, SplitDelimiterBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}

  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& n) {
      auto m = pattern_.find_matches(n.get());
      if (invert_) invert_matches(m);
      return n.split(std::move(m), behavior_);
    });
  }

 private:
  StringOrRegex pattern_;
  SplitDelimiterBehavior behavior_;
  bool invert_;
};

}  // namespace

SplitDelimiterBehavior parse_behavior(const json& j, const JsonLoc& loc, SplitDelimiterBehavior fallback) {
  const json* v = find_member(j, "behavior");
  if (!v || v->is_null()) return fallback;
  const std::string s = as_string(*v, loc["behavior"]);
  using B = SplitDelimiterBehavior;
  if (s == "Removed") return B::Removed;
  if (s == "Isolated") return B::Isolated;
  if (s == "MergedWithPrevious") return B::MergedWithPrevious;
  if (s == "MergedWithNext") return B::MergedWithNext;
  if (s == "Contiguous") return B::Contiguous;
  loc["behavior"].fail(ErrorCode::InvalidFile, "\"" + s + "\" is not a split behavior");
}

PreTokenizerPtr make_split_pre_tokenizer(const json& j, const JsonLoc& loc) {
  const json* p = find_member(j, "pattern");
  if (!p) loc["pattern"].fail(ErrorCode::InvalidFile, "is missing");
  if (!find_member(j, "behavior")) loc["behavior"].fail(ErrorCode::InvalidFile, "is missing");
  return std::make_shared<SplitPreTokenizer>(StringOrRegex::parse(*p, loc["pattern"]),
                                             parse_behavior(j, loc, SplitDelimiterBehavior::Removed),
                                             get_bool(j, "invert", loc, false));
}

}  // namespace hubwasm::tok
