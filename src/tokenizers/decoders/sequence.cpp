// Sequence decoder: applies each decoder's decode_chain in order.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<DecoderPtr> parts) : parts_(std::move(parts)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& p : parts_) p->decode_chain(tokens);
  }

 private:
  std::vector<DecoderPtr> parts_;
};

}  // namespace

DecoderPtr make_sequence_decoder(const json& j, const JsonLoc& loc) {
  const JsonLoc list_loc = loc["decoders"];
  const json* list = find_member(j, "decoders");
  if (!list) list_loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_array(*list, list_loc);
  std::vector<DecoderPtr> parts;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    if (item.is_null()) list_loc[i].fail(ErrorCode::InvalidFile, "must be an object (got null)");
    parts.push_back(make_decoder(item, list_loc[i]));
  }
  return std::make_shared<SequenceDecoder>(std::move(parts));
}

}  // namespace hubwasm::tok
