// TemplateProcessing (tokenizers processors/template.rs): the single / pair
// templates are lists of pieces, either a sequence ($A / $B with a type id) or
// a special token (an id into "special_tokens", which may stand for several
// ids/tokens).
#include <unordered_map>

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

struct Piece {
  bool is_sequence;
  int32_t sequence;  // 0 = A, 1 = B
  std::string special_id;
  int32_t type_id;
};

struct SpecialToken {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
};

class TemplateProcessing final : public PostProcessor {
 public:
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair,
                     std::unordered_map<std::string, SpecialToken> special)
      : single_(std::move(single)), pair_(std::move(pair)), special_(std::move(special)) {
    added_single_ = count_added(single_);
    added_pair_ = count_added(pair_);
  }

  size_t added_tokens(bool is_pair) const override { return is_pair ? added_pair_ : added_single_; }

  Encoding process(Encoding encoding, std::optional<Encoding> pair, bool add_special_tokens) const override {
    // Rust PostProcessor::process: type id and sequence id = input index first.
    Encoding* inputs[2] = {&encoding, pair ? &*pair : nullptr};
    encoding_ops::set_sequence_id(encoding, 0);
    encoding_ops::set_type_ids(encoding, 0);
    if (pair) {
      encoding_ops::set_sequence_id(*pair, 1);
      encoding_ops::set_type_ids(*pair, 1);
    }
    const auto& tmpl = pair ? pair_ : single_;
    Encoding out;
    for (const Piece& p : tmpl) {
      if (p.is_sequence) {
        Encoding* e = inputs[p.sequence];
        if (!e) {
          throw Error(ErrorCode::InvalidArgument,
                      "TemplateProcessing: the single-sequence template uses $B but no pair was given");
        }
        encoding_ops::set_type_ids(*e, p.type_id);
        encoding_ops::set_sequence_id(*e, p.sequence);
        encoding_ops::merge_into(out, *e);
      } else if (add_special_tokens) {
        const SpecialToken& st = special_.at(p.special_id);
        encoding_ops::merge_into(out, encoding_ops::special_tokens(st.ids, st.tokens, p.type_id));
      }
    }
    return out;
  }

  std::optional<std::string> cls_token() const override {
    if (!single_.empty() && !single_.front().is_sequence) return single_token(single_.front());
    return std::nullopt;
  }
  std::optional<std::string> sep_token() const override {
    if (!single_.empty() && !single_.back().is_sequence) return single_token(single_.back());
    return std::nullopt;
  }

 private:
  std::optional<std::string> single_token(const Piece& p) const {
    const SpecialToken& st = special_.at(p.special_id);
    if (st.tokens.size() == 1) return st.tokens[0];
    return std::nullopt;
  }

  size_t count_added(const std::vector<Piece>& t) const {
    size_t n = 0;
    for (const auto& p : t) {
      if (!p.is_sequence) n += special_.at(p.special_id).ids.size();
    }
    return n;
  }

  std::vector<Piece> single_, pair_;
  std::unordered_map<std::string, SpecialToken> special_;
  size_t added_single_ = 0, added_pair_ = 0;
};

// Rust Piece::try_from(&str): "$A", "$B:1", "$1", "[CLS]", "[SEP]:1".
Piece parse_piece_string(const std::string& s, const JsonLoc& loc) {
  auto bad = [&]() -> Piece { loc.fail(ErrorCode::InvalidFile, "\"" + s + "\" is not a template piece"); };
  std::string id = s;
  std::optional<int32_t> type_id;
  if (auto colon = s.find(':'); colon != std::string::npos) {
    if (s.find(':', colon + 1) != std::string::npos) return bad();
    id = s.substr(0, colon);
    const std::string t = s.substr(colon + 1);
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9) return bad();
    type_id = std::stoi(t);
  }
  if (!id.empty() && id[0] == '$') {
    const std::string rest = id.substr(1);
    Piece p{true, 0, {}, 0};
    if (rest.empty() || rest == "A" || rest == "a") {
    } else if (rest == "B" || rest == "b") {
      p.sequence = 1;
    } else if (rest.find_first_not_of("0123456789") == std::string::npos && rest.size() <= 9) {
      p.type_id = std::stoi(rest);
    } else {
      return bad();
    }
    if (type_id) p.type_id = *type_id;
    return p;
  }
  return Piece{false, 0, id, type_id.value_or(0)};
}

std::vector<Piece> parse_template(const json* j, const JsonLoc& loc, const std::string& fallback) {
  std::vector<Piece> out;
  if (!j || j->is_null()) {
    size_t start = 0;
    while (start <= fallback.size()) {
      size_t end = fallback.find(' ', start);
      if (end == std::string::npos) end = fallback.size();
      out.push_back(parse_piece_string(fallback.substr(start, end - start), loc));
      start = end + 1;
    }
    return out;
  }
  if (j->is_string()) {  // "[CLS]:0 $A:0 [SEP]:0" (Python-side syntax), split on ' '
    const std::string s = j->get<std::string>();
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(' ', start);
      if (end == std::string::npos) end = s.size();
      out.push_back(parse_piece_string(s.substr(start, end - start), loc));
      start = end + 1;
    }
    return out;
  }
  expect_array(*j, loc);
  for (size_t i = 0; i < j->size(); ++i) {
    const json& item = (*j)[i];
    const JsonLoc item_loc = loc[i];
    if (item.is_string()) {
      out.push_back(parse_piece_string(item.get<std::string>(), item_loc));
      continue;
    }
    expect_object(item, item_loc);
    if (item.size() != 1)
      item_loc.fail(ErrorCode::InvalidFile, "must have exactly one key (\"Sequence\" or \"SpecialToken\")");
    const std::string kind = item.begin().key();
    const json& body = item.begin().value();
    const JsonLoc body_loc = item_loc[kind];
    expect_object(body, body_loc);
    const auto type_id = static_cast<int32_t>(get_uint(body, "type_id", body_loc, 0));
    if (kind == "Sequence") {
      const std::string id = require_string(body, "id", body_loc);
      if (id != "A" && id != "B")
        body_loc["id"].fail(ErrorCode::InvalidFile, "must be \"A\" or \"B\" (got \"" + id + "\")");
      out.push_back(Piece{true, id == "A" ? 0 : 1, {}, type_id});
    } else if (kind == "SpecialToken") {
      out.push_back(Piece{false, 0, require_string(body, "id", body_loc), type_id});
    } else {
      item_loc.fail(ErrorCode::InvalidFile,
                    "has unknown piece kind \"" + kind + "\" (expected \"Sequence\" or \"SpecialToken\")");
    }
  }
  return out;
}

}  // namespace

PostProcessorPtr make_template_processing(const json& j, const JsonLoc& loc) {
  std::unordered_map<std::string, SpecialToken> special;
  if (const json* st = find_member(j, "special_tokens"); st && !st->is_null()) {
    const JsonLoc st_loc = loc["special_tokens"];
    expect_object(*st, st_loc);
    for (auto it = st->begin(); it != st->end(); ++it) {
      const JsonLoc e_loc = st_loc[it.key()];
      const json& e = expect_object(it.value(), e_loc);
      SpecialToken tok;
      const std::string id = get_string(e, "id", e_loc, it.key());
      const json* ids = find_member(e, "ids");
      const json* tokens = find_member(e, "tokens");
      if (!ids) e_loc["ids"].fail(ErrorCode::InvalidFile, "is missing");
      if (!tokens) e_loc["tokens"].fail(ErrorCode::InvalidFile, "is missing");
      expect_array(*ids, e_loc["ids"]);
      expect_array(*tokens, e_loc["tokens"]);
      for (size_t i = 0; i < ids->size(); ++i) tok.ids.push_back(as_token_id((*ids)[i], e_loc["ids"][i]));
      for (size_t i = 0; i < tokens->size(); ++i)
        tok.tokens.push_back(as_string((*tokens)[i], e_loc["tokens"][i]));
      if (tok.ids.size() != tok.tokens.size()) {
        e_loc.fail(ErrorCode::InvalidFile, "ids and tokens must have the same length");
      }
      special[id] = std::move(tok);
    }
  }
  auto single = parse_template(find_member(j, "single"), loc["single"], "$A");
  auto pair = parse_template(find_member(j, "pair"), loc["pair"], "$A:0 $B:1");
  auto check = [&](const std::vector<Piece>& t, const JsonLoc& t_loc) {
    for (size_t i = 0; i < t.size(); ++i) {
      if (!t[i].is_sequence && !special.count(t[i].special_id)) {
        t_loc[i].fail(ErrorCode::InvalidFile, "uses special token \"" + t[i].special_id +
                                                  "\" which is not in " + loc["special_tokens"].path());
      }
    }
  };
  check(single, loc["single"]);
  check(pair, loc["pair"]);
  return std::make_shared<TemplateProcessing>(std::move(single), std::move(pair), std::move(special));
}

}  // namespace hubwasm::tok
