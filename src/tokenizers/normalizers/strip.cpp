// Strip normalizer (tokenizers normalizers/strip.rs): whitespace on the left
// and/or right.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override { s.lrstrip(left_, right_); }

 private:
  bool left_, right_;
};

}  // namespace

NormalizerPtr make_strip_normalizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<Strip>(get_bool(j, "strip_left", loc, true), get_bool(j, "strip_right", loc, true));
}

}  // namespace hubwasm::tok
