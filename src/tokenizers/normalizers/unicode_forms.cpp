// NFD, NFC, NFKD, NFKC normalizers (tokenizers normalizers/unicode.rs).
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class UnicodeForm final : public Normalizer {
 public:
  explicit UnicodeForm(NormalizedString::Form f) : form_(f) {}
  void normalize(NormalizedString& s) const override { s.unicode_normalize(form_); }

 private:
  NormalizedString::Form form_;
};

}  // namespace

NormalizerPtr make_unicode_form_normalizer(const std::string& type) {
  using F = NormalizedString::Form;
  const F f = type == "NFD" ? F::NFD : type == "NFC" ? F::NFC : type == "NFKD" ? F::NFKD : F::NFKC;
  return std::make_shared<UnicodeForm>(f);
}

}  // namespace hubwasm::tok
