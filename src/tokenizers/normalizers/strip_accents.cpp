// StripAccents normalizer (tokenizers normalizers/strip.rs): removes combining
// marks (General_Category M*). Usually follows NFD/NFKD.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class StripAccents final : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !unicode::is_combining_mark(c); });
  }
};

}  // namespace

NormalizerPtr make_strip_accents_normalizer(const json&, const JsonLoc&) {
  return std::make_shared<StripAccents>();
}

}  // namespace hubwasm::tok
