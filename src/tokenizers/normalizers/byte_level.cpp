// ByteLevel normalizer (tokenizers normalizers/byte_level.rs): every byte
// becomes its GPT-2 bytes_to_unicode char.
#include "tokenizers/byte_level.h"
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class ByteLevelNormalizer final : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { byte_level_transform(s); }
};

}  // namespace

void byte_level_transform(NormalizedString& s) {
  const std::string& t = s.get();
  if (t.empty()) return;
  std::vector<CharChange> changes;
  changes.reserve(t.size());
  for (size_t i = 0; i < t.size();) {
    const size_t n = unicode::utf8_seq_len(static_cast<unsigned char>(t[i]));
    for (size_t k = 0; k < n && i + k < t.size(); ++k) {
      changes.push_back({byte_level::byte_to_char(static_cast<uint8_t>(t[i + k])), k > 0 ? 1 : 0});
    }
    i += n;
  }
  s.transform(changes, 0);
}

NormalizerPtr make_byte_level_normalizer(const json&, const JsonLoc&) {
  return std::make_shared<ByteLevelNormalizer>();
}

}  // namespace hubwasm::tok
