// Sequence post-processor: chains each processor's process_encodings.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<PostProcessorPtr> parts) : parts_(std::move(parts)) {}
  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : parts_) n += p->added_tokens(is_pair);
    return n;
  }
  Encoding process(Encoding e, std::optional<Encoding> pair, bool add) const override {
    return process_via_encodings(*this, std::move(e), std::move(pair), add);
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encs, bool add) const override {
    for (const auto& p : parts_) encs = p->process_encodings(std::move(encs), add);
    return encs;
  }
  std::optional<std::string> cls_token() const override {
    for (const auto& p : parts_) {
      if (auto t = p->cls_token()) return t;
    }
    return std::nullopt;
  }
  std::optional<std::string> sep_token() const override {
    for (const auto& p : parts_) {
      if (auto t = p->sep_token()) return t;
    }
    return std::nullopt;
  }

 private:
  std::vector<PostProcessorPtr> parts_;
};

}  // namespace

PostProcessorPtr make_sequence_processing(const json& j, const JsonLoc& loc) {
  const JsonLoc list_loc = loc["processors"];
  const json* list = find_member(j, "processors");
  if (!list) list_loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_array(*list, list_loc);
  std::vector<PostProcessorPtr> parts;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (item.is_null()) list_loc[i].fail(ErrorCode::InvalidFile, "must be an object (got null)");
    parts.push_back(make_post_processor(item, list_loc[i]));
  }
  return std::make_shared<SequenceProcessing>(std::move(parts));
}

}  // namespace hubwasm::tok
