// Sequence normalizer: applies its "normalizers" in order.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<NormalizerPtr> parts) : parts_(std::move(parts)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& p : parts_) p->normalize(s);
  }

 private:
  std::vector<NormalizerPtr> parts_;
};

}  // namespace

NormalizerPtr make_sequence_normalizer(const json& j, const JsonLoc& loc) {
  const JsonLoc list_loc = loc["normalizers"];
  const json* list = find_member(j, "normalizers");
  if (!list) list_loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_array(*list, list_loc);
  std::vector<NormalizerPtr> parts;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (item.is_null()) list_loc[i].fail(ErrorCode::InvalidFile, "must be an object (got null)");
    if (auto n = make_normalizer(item, list_loc[i])) parts.push_back(std::move(n));  // empty Precompiled -> none
  }
  return std::make_shared<SequenceNormalizer>(std::move(parts));
}

}  // namespace hubwasm::tok
