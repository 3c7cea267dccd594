// ByteLevel post-processor (tokenizers processors/byte_level.rs): with
// trim_offsets, token offsets lose their leading/trailing spaces (Ġ or
// whitespace), except the prefix space it added to the first token.
#include "tokenizers/byte_level.h"

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(bool add_prefix_space, bool trim_offsets)
      : add_prefix_space_(add_prefix_space), trim_offsets_(trim_offsets) {}
  size_t added_tokens(bool) const override { return 0; }
  Encoding process(Encoding e, std::optional<Encoding> pair, bool add) const override {
    return process_via_encodings(*this, std::move(e), std::move(pair), add);
  }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encs, bool) const override {
    for (size_t i = 0; i < encs.size(); ++i) {
      if (trim_offsets_) byte_level_process_offsets(encs[i], add_prefix_space_);
      encoding_ops::set_sequence_id(encs[i], static_cast<int32_t>(i));
    }
    return encs;
  }

 private:
  bool add_prefix_space_, trim_offsets_;
};

bool is_space_like(char32_t c) { return c == 0x120 || unicode::is_whitespace(c); }

}  // namespace

void byte_level_process_offsets(Encoding& e, bool add_prefix_space) {
  for (size_t i = 0; i < e.tokens.size(); ++i) {
    const std::string& t = e.tokens[i];
    std::vector<char32_t> chars;
    for (size_t k = 0; k < t.size();) chars.push_back(unicode::decode_utf8(t, k));
    size_t leading = 0, trailing = 0;
    while (leading < chars.size() && is_space_like(chars[leading])) ++leading;
    while (trailing < chars.size() && is_space_like(chars[chars.size() - 1 - trailing])) ++trailing;
    if (leading == 0 && trailing == 0) continue;
    auto& off = e.offsets[i];
    if (leading > 0) {
      const bool is_first = i == 0 || off.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      off.first = std::min<uint32_t>(off.first + static_cast<uint32_t>(leading), off.second);
    }
    if (trailing > 0 && off.second >= trailing) {
      off.second = std::max<uint32_t>(off.second - static_cast<uint32_t>(trailing), off.first);
    }
  }
}

PostProcessorPtr make_byte_level_processing(const json& j, const JsonLoc& loc) {
  return std::make_shared<ByteLevelProcessing>(get_bool(j, "add_prefix_space", loc, true),
                                               get_bool(j, "trim_offsets", loc, true));
}

}  // namespace hubwasm::tok
