// Lowercase normalizer (tokenizers normalizers/utils.rs): Rust char::to_lowercase.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class Lowercase final : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};

}  // namespace

NormalizerPtr make_lowercase_normalizer(const json&, const JsonLoc&) { return std::make_shared<Lowercase>(); }

}  // namespace hubwasm::tok
