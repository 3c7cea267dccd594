// BertProcessing (tokenizers processors/bert.rs): [CLS] A [SEP] (B [SEP]), the
// pair part with type id 1.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class BertProcessing final : public PostProcessor {
 public:
  BertProcessing(std::string sep, int32_t sep_id, std::string cls, int32_t cls_id)
      : sep_(std::move(sep)), cls_(std::move(cls)), sep_id_(sep_id), cls_id_(cls_id) {}

  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }

  Encoding process(Encoding encoding, std::optional<Encoding> pair, bool add_special_tokens) const override {
    encoding_ops::set_sequence_id(encoding, 0);
    encoding_ops::set_type_ids(encoding, 0);
    if (pair) {
      encoding_ops::set_sequence_id(*pair, 1);
      encoding_ops::set_type_ids(*pair, 1);
    }
    if (!add_special_tokens) {
      if (pair) encoding_ops::merge_into(encoding, *pair);
      return encoding;
    }
    Encoding out = encoding_ops::special_tokens({cls_id_}, {cls_}, 0);
    encoding_ops::merge_into(out, encoding);
    encoding_ops::merge_into(out, encoding_ops::special_tokens({sep_id_}, {sep_}, 0));
    if (pair) {
      encoding_ops::merge_into(out, *pair);
      encoding_ops::merge_into(out, encoding_ops::special_tokens({sep_id_}, {sep_}, 1));
    }
    return out;
  }

  std::optional<std::string> cls_token() const override { return cls_; }
  std::optional<std::string> sep_token() const override { return sep_; }

 private:
  std::string sep_, cls_;
  int32_t sep_id_, cls_id_;
};

std::pair<std::string, int32_t> parse_token_pair(const json& j, const std::string& key, const JsonLoc& loc) {
  const JsonLoc l = loc[key];
  const json* v = find_member(j, key);
  if (!v) l.fail(ErrorCode::InvalidFile, "is missing");
  if (!v->is_array() || v->size() != 2) l.fail(ErrorCode::InvalidFile, "must be a [token, id] array");
  return {as_string((*v)[0], l[0]), as_token_id((*v)[1], l[1])};
}

}  // namespace

PostProcessorPtr make_bert_processing(const json& j, const JsonLoc& loc) {
  auto sep = parse_token_pair(j, "sep", loc);
  auto cls = parse_token_pair(j, "cls", loc);
  return std::make_shared<BertProcessing>(sep.first, sep.second, cls.first, cls.second);
}

}  // namespace hubwasm::tok
