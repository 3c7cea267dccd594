// Sequence pre-tokenizer: applies its "pretokenizers" in order.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<PreTokenizerPtr> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : parts_) p->pre_tokenize(s);
  }

 private:
  std::vector<PreTokenizerPtr> parts_;
};

}  // namespace

PreTokenizerPtr make_sequence_pre_tokenizer(const json& j, const JsonLoc& loc) {
  const JsonLoc list_loc = loc["pretokenizers"];
  const json* list = find_member(j, "pretokenizers");
  if (!list) list_loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_array(*list, list_loc);
  std::vector<PreTokenizerPtr> parts;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (item.is_null()) list_loc[i].fail(ErrorCode::InvalidFile, "must be an object (got null)");
    parts.push_back(make_pre_tokenizer(item, list_loc[i]));
  }
  return std::make_shared<SequencePreTokenizer>(std::move(parts));
}

}  // namespace hubwasm::tok
