// Metaspace pre-tokenizer (tokenizers pre_tokenizers/metaspace.rs): spaces
// become the replacement char, which is prepended per prepend_scheme
// (always / first: only on the split starting the input / never), then
// (split) each replacement char starts a new piece.
#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class MetaspacePreTokenizer final : public PreTokenizer {
 public:
  MetaspacePreTokenizer(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), scheme_(scheme), split_(split) {
    unicode::append_utf8(str_rep_, replacement);
  }

  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& n) {
      n.replace(find_string_matches(n.get(), " "), str_rep_);
      const bool starts = n.get().compare(0, str_rep_.size(), str_rep_) == 0;
      if (scheme_ == PrependScheme::Always && !starts) {
        n.prepend(str_rep_);
      } else if (scheme_ == PrependScheme::First && !starts && n.offsets_original().first == 0) {
        n.prepend(str_rep_);
      }
      if (split_) {
        const char32_t r = replacement_;
        return n.split_chars([r](char32_t c) { return c == r; }, SplitDelimiterBehavior::MergedWithNext);
      }
      std::vector<NormalizedString> one;
      one.push_back(std::move(n));
      return one;
    });
  }

 private:
  char32_t replacement_;
  std::string str_rep_;
  PrependScheme scheme_;
  bool split_;
};

}  // namespace

char32_t parse_single_char(const json& j, std::string_view key, const JsonLoc& loc, char32_t fallback) {
  const json* v = find_member(j, key);
  if (!v || v->is_null()) return fallback;
  const std::string s = as_string(*v, loc[key]);
  size_t i = 0;
  if (s.empty() || unicode::first_invalid_utf8(s) != std::string::npos) {
    loc[key].fail(ErrorCode::InvalidFile, "must be a single character");
  }
  const char32_t c = unicode::decode_utf8(s, i);
  if (i != s.size()) loc[key].fail(ErrorCode::InvalidFile, "must be a single character");
  return c;
}

PrependScheme parse_prepend_scheme(const json& j, const JsonLoc& loc) {
  const json* v = find_member(j, "prepend_scheme");
  if (!v || v->is_null()) {
    // Files from before prepend_scheme: add_prefix_space true -> always, false -> never.
    return get_bool(j, "add_prefix_space", loc, true) ? PrependScheme::Always : PrependScheme::Never;
  }
  const std::string s = as_string(*v, loc["prepend_scheme"]);
  if (s == "always") return PrependScheme::Always;
  if (s == "first") return PrependScheme::First;
  if (s == "never") return PrependScheme::Never;
  loc["prepend_scheme"].fail(ErrorCode::InvalidFile, "must be \"always\", \"first\" or \"never\" (got \"" + s + "\")");
}

PreTokenizerPtr make_metaspace_pre_tokenizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<MetaspacePreTokenizer>(parse_single_char(j, "replacement", loc, U'\u2581'),
                                                 parse_prepend_scheme(j, loc), get_bool(j, "split", loc, true));
}

}  // namespace hubwasm::tok
