// RobertaProcessing (tokenizers processors/roberta.rs): <s> A </s> and
// </s> B </s> for the pair, all type ids 0; ByteLevel offset trimming first.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class RobertaProcessing final : public PostProcessor {
 public:
  RobertaProcessing(std::pair<std::string, int32_t> sep, std::pair<std::string, int32_t> cls, bool trim,
                    bool add_prefix_space)
      : sep_(std::move(sep)), cls_(std::move(cls)), trim_offsets_(trim), add_prefix_space_(add_prefix_space) {}

  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  Encoding process(Encoding e, std::optional<Encoding> pair, bool add) const override {
    return process_via_encodings(*this, std::move(e), std::move(pair), add);
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encs, bool add_special_tokens) const override {
    for (size_t i = 0; i < encs.size(); ++i) {
      if (trim_offsets_) byte_level_process_offsets(encs[i], add_prefix_space_);
      encoding_ops::set_sequence_id(encs[i], static_cast<int32_t>(i));
    }
    if (!add_special_tokens) return encs;
    std::vector<Encoding> out;
    for (size_t i = 0; i < encs.size(); ++i) {
      Encoding r =
          encoding_ops::special_tokens({i == 0 ? cls_.second : sep_.second}, {i == 0 ? cls_.first : sep_.first}, 0);
      if (i != 0) encoding_ops::set_type_ids(encs[i], 0);
      encoding_ops::merge_into(r, encs[i]);
      encoding_ops::merge_into(r, encoding_ops::special_tokens({sep_.second}, {sep_.first}, 0));
      out.push_back(std::move(r));
    }
    return out;
  }
  std::optional<std::string> cls_token() const override { return cls_.first; }
  std::optional<std::string> sep_token() const override { return sep_.first; }

 private:
  std::pair<std::string, int32_t> sep_, cls_;
  bool trim_offsets_, add_prefix_space_;
};

std::pair<std::string, int32_t> token_pair(const json& j, const std::string& key, const JsonLoc& loc,
                                           std::pair<std::string, int32_t> fallback) {
  const JsonLoc l = loc[key];
  const json* v = find_member(j, key);
  if (!v) return fallback;
  if (!v->is_array() || v->size() != 2) l.fail(ErrorCode::InvalidFile, "must be a [token, id] array");
  return {as_string((*v)[0], l[0]), as_token_id((*v)[1], l[1])};
}

}  // namespace

PostProcessorPtr make_roberta_processing(const json& j, const JsonLoc& loc) {
  return std::make_shared<RobertaProcessing>(
      token_pair(j, "sep", loc, {"</s>", 2}), token_pair(j, "cls", loc, {"<s>", 0}),
      get_bool(j, "trim_offsets", loc, true), get_bool(j, "add_prefix_space", loc, true));
}

}  // namespace hubwasm::tok
