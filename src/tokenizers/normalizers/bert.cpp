// BertNormalizer (tokenizers normalizers/bert.rs): clean_text, Chinese-char
// spacing, accent stripping (strip_accents null = follow lowercase), lowercase.
#include <algorithm>

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents,
                 bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents.value_or(lowercase)),
        lowercase_(lowercase) {}

  void normalize(NormalizedString& s) const override {
    if (is_plain_ascii(s.get())) {
      // The usual text: nothing to remove, no Chinese chars, no accents; the
      // steps below only map whitespace to ' ' and lowercase, char for char.
      s.map([this](char32_t c) -> char32_t {
        if (clean_text_ && (c == '\t' || c == '\n' || c == '\r')) return U' ';
        return lowercase_ && c >= 'A' && c <= 'Z' ? c + 32 : c;
      });
      return;
    }
    if (clean_text_) {
      s.filter([](char32_t c) { return !(c == 0 || c == 0xFFFD || unicode::is_bert_control(c)); });
      s.map([](char32_t c) { return unicode::is_whitespace(c) ? U' ' : c; });
    }
    if (handle_chinese_chars_) do_handle_chinese_chars(s);
    if (strip_accents_) {
      s.nfd();
      s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
    }
    if (lowercase_) s.lowercase();
  }

 private:
  // Printable ASCII, tab, newline and carriage return only.
  static bool is_plain_ascii(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char b) {
      return (b >= 0x20 && b < 0x7F) || b == '\t' || b == '\n' || b == '\r';
    });
  }

  static void do_handle_chinese_chars(NormalizedString& s) {
    const std::string& text = s.get();
    bool any = false;
    for (size_t i = 0; i < text.size();) {
      if (unicode::is_chinese_char(unicode::decode_utf8(text, i))) {
        any = true;
        break;
      }
    }
    if (!any) return;
    std::vector<CharChange> changes;
    changes.reserve(text.size() + 16);
    for (size_t i = 0; i < text.size();) {
      const char32_t c = unicode::decode_utf8(text, i);
      if (unicode::is_chinese_char(c)) {
        changes.push_back({U' ', 0});
        changes.push_back({c, 1});
        changes.push_back({U' ', 1});
      } else {
        changes.push_back({c, 0});
      }
    }
    s.transform(changes, 0);
  }

  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
};

}  // namespace

NormalizerPtr make_bert_normalizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<BertNormalizer>(
      get_bool(j, "clean_text", loc, true), get_bool(j, "handle_chinese_chars", loc, true),
      get_opt_bool(j, "strip_accents", loc), get_bool(j, "lowercase", loc, true));
}

}  // namespace hubwasm::tok
