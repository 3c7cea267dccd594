// Prepend normalizer (tokenizers normalizers/prepend.rs): "prepend" before
// any non-empty text.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(NormalizedString& s) const override { s.prepend(prepend_); }

 private:
  std::string prepend_;
};

}  // namespace

NormalizerPtr make_prepend_normalizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<Prepend>(require_string(j, "prepend", loc));
}

}  // namespace hubwasm::tok
