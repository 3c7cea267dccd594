// Replace normalizer (tokenizers normalizers/replace.rs): every match of a
// string or regex pattern is replaced by "content".
#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class Replace final : public Normalizer {
 public:
  Replace(StringOrRegex pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override { s.replace(pattern_.find_matches(s.get()), content_); }

 private:
  StringOrRegex pattern_;
  std::string content_;
};

}  // namespace

NormalizerPtr make_replace_normalizer(const json& j, const JsonLoc& loc) {
  const json* p = find_member(j, "pattern");
  if (!p) loc["pattern"].fail(ErrorCode::InvalidFile, "is missing");
  return std::make_shared<Replace>(StringOrRegex::parse(*p, loc["pattern"]), require_string(j, "content", loc));
}

}  // namespace hubwasm::tok
