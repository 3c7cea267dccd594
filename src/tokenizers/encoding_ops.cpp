// Encoding helpers shared by the post-processors (tokenizers tokenizer/encoding.rs).
#include "tokenizers/components.h"

namespace hubwasm::tok::encoding_ops {

void merge_into(Encoding& e, const Encoding& o) {
  e.ids.insert(e.ids.end(), o.ids.begin(), o.ids.end());
  e.type_ids.insert(e.type_ids.end(), o.type_ids.begin(), o.type_ids.end());
  e.attention_mask.insert(e.attention_mask.end(), o.attention_mask.begin(), o.attention_mask.end());
  e.special_tokens_mask.insert(e.special_tokens_mask.end(), o.special_tokens_mask.begin(),
                               o.special_tokens_mask.end());
  e.tokens.insert(e.tokens.end(), o.tokens.begin(), o.tokens.end());
  e.offsets.insert(e.offsets.end(), o.offsets.begin(), o.offsets.end());
  e.sequence_ids.insert(e.sequence_ids.end(), o.sequence_ids.begin(), o.sequence_ids.end());
  e.word_ids.insert(e.word_ids.end(), o.word_ids.begin(), o.word_ids.end());
}

void set_type_ids(Encoding& e, int32_t type_id) { e.type_ids.assign(e.ids.size(), type_id); }

void set_sequence_id(Encoding& e, int32_t seq) { e.sequence_ids.assign(e.ids.size(), seq); }

Encoding special_tokens(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens,
                        int32_t type_id) {
  Encoding e;
  const size_t n = ids.size();
  e.ids = ids;
  e.tokens = tokens;
  e.type_ids.assign(n, type_id);
  e.attention_mask.assign(n, 1);
  e.special_tokens_mask.assign(n, 1);
  e.offsets.assign(n, {0, 0});
  e.sequence_ids.assign(n, -1);
  e.word_ids.assign(n, -1);
  return e;
}

Encoding default_process(Encoding e, std::optional<Encoding> pair) {
  if (!pair) return e;
  set_sequence_id(e, 0);
  set_sequence_id(*pair, 1);
  merge_into(e, *pair);
  return e;
}

}  // namespace hubwasm::tok::encoding_ops

namespace hubwasm::tok {

std::vector<Encoding> PostProcessor::process_encodings(std::vector<Encoding> encodings,
                                                       bool add_special_tokens) const {
  if (encodings.empty()) return encodings;
  std::optional<Encoding> pair;
  if (encodings.size() > 1) pair = std::move(encodings[1]);
  std::vector<Encoding> out;
  out.push_back(process(std::move(encodings[0]), std::move(pair), add_special_tokens));
  return out;
}

Encoding process_via_encodings(const PostProcessor& p, Encoding encoding, std::optional<Encoding> pair,
                               bool add_special_tokens) {
  std::vector<Encoding> encs;
  encs.push_back(std::move(encoding));
  if (pair) encs.push_back(std::move(*pair));
  for (size_t i = 0; i < encs.size(); ++i) {
    encoding_ops::set_sequence_id(encs[i], static_cast<int32_t>(i));
    encoding_ops::set_type_ids(encs[i], static_cast<int32_t>(i));
  }
  encs = p.process_encodings(std::move(encs), add_special_tokens);
  if (encs.empty()) return Encoding{};
  Encoding out = std::move(encs[0]);
  for (size_t i = 1; i < encs.size(); ++i) encoding_ops::merge_into(out, encs[i]);
  return out;
}

}  // namespace hubwasm::tok
