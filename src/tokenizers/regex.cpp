#include "tokenizers/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

#include "core/error.h"
#include "tokenizers/byte_level.h"
#include "tokenizers/gpt2_split.h"

namespace hubwasm::tok {

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() {
    if (code) pcre2_code_free(code);
  }
};

Regex::Regex(const std::string& pattern) : pattern_(pattern) {
  int err = 0;
  PCRE2_SIZE err_off = 0;
  auto c = std::make_shared<Code>();
  c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &err_off, nullptr);
  if (!c->code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof(buf));
    throw std::invalid_argument("invalid regex \"" + pattern + "\" at offset " + std::to_string(err_off) +
                                ": " + reinterpret_cast<const char*>(buf));
  }
  code_ = std::move(c);
  gpt2_ = pattern == byte_level::kGpt2Pattern;
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view s) const {
  std::vector<std::pair<size_t, size_t>> out;
  // Room for the whole match only, which fits every pattern. One per call, not
  // kept per thread: PCRE2 keeps its 20 KiB of match frames in it, which would
  // stay wherever in wasm memory the first match happened to put them.
  struct MatchData {
    pcre2_match_data* md;
    ~MatchData() { pcre2_match_data_free(md); }
  };
  const MatchData md{pcre2_match_data_create(1, nullptr)};
  if (!md.md) throw std::bad_alloc();
  size_t last_end = 0;
  bool have_last_match = false;
  size_t last_match_end = 0;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(s.data());
  while (last_end <= s.size()) {
    if (gpt2_) {
      if (const size_t len = gpt2_split::ascii_match_length(s, last_end)) {  // never empty
        out.emplace_back(last_end, last_end + len);
        last_end += len;
        have_last_match = true;
        last_match_end = last_end;
        continue;
      }
    }
    const int rc = pcre2_match(code_->code, subject, s.size(), last_end, PCRE2_NO_UTF_CHECK, md.md, nullptr);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMATCH) break;
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(rc, buf, sizeof(buf));
      throw Error(ErrorCode::InvalidArgument, "regex \"" + pattern_ + "\" failed on the input: " +
                                                  reinterpret_cast<const char*>(buf));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.md);
    const size_t st = ov[0], en = ov[1];
    if (st == en && have_last_match && last_match_end == en) {
      // onig find_iter: skip an empty match right after the previous match.
      if (last_end >= s.size()) break;
      last_end += unicode::utf8_seq_len(static_cast<unsigned char>(s[last_end]));
      continue;
    }
    last_end = en;
    have_last_match = true;
    last_match_end = en;
    out.emplace_back(st, en);
  }
  return out;
}

std::vector<PatternMatch> Regex::find_matches(std::string_view s) const {
  std::vector<PatternMatch> out;
  if (s.empty()) {
    out.push_back({0, 0, false});
    return out;
  }
  size_t prev = 0;
  for (const auto& [st, en] : find_all(s)) {
    if (prev != st) out.push_back({prev, st, false});
    out.push_back({st, en, true});
    prev = en;
  }
  if (prev != s.size()) out.push_back({prev, s.size(), false});
  return out;
}

std::string regex_escape(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 2);
  for (char c : literal) {
    if (std::string_view("\\.+*?()|[]{}^$#&-~").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::vector<PatternMatch> find_string_matches(std::string_view s, std::string_view pattern) {
  std::vector<PatternMatch> out;
  if (pattern.empty()) {
    out.push_back({0, s.size(), false});  // Rust: ((0, chars().count()), false) -- same for our uses
    return out;
  }
  if (s.empty()) {
    out.push_back({0, 0, false});
    return out;
  }
  size_t prev = 0, pos = s.find(pattern);
  while (pos != std::string_view::npos) {
    if (prev != pos) out.push_back({prev, pos, false});
    out.push_back({pos, pos + pattern.size(), true});
    prev = pos + pattern.size();
    pos = s.find(pattern, prev);
  }
  if (prev != s.size()) out.push_back({prev, s.size(), false});
  return out;
}

void invert_matches(std::vector<PatternMatch>& m) {
  for (auto& x : m) x.is_match = !x.is_match;
}

}  // namespace hubwasm::tok

namespace hubwasm::tok {

StringOrRegex StringOrRegex::parse(const json& j, const JsonLoc& loc) {
  expect_object(j, loc);
  StringOrRegex p;
  if (const json* s = find_member(j, "String")) {
    p.literal_ = as_string(*s, loc["String"]);
  } else if (const json* r = find_member(j, "Regex")) {
    const std::string pattern = as_string(*r, loc["Regex"]);
    try {
      p.regex_ = std::make_shared<const Regex>(pattern);
    } catch (const std::invalid_argument& e) {
      loc["Regex"].fail(ErrorCode::UnsupportedFeature, e.what());
    }
  } else {
    loc.fail(ErrorCode::InvalidFile, "must be {\"String\": ...} or {\"Regex\": ...}");
  }
  return p;
}

}  // namespace hubwasm::tok
