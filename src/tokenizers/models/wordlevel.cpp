// WordLevel model: each pre-tokenized word is one vocabulary entry, else unk.
#include "tokenizers/components.h"
#include "tokenizers/models/vocab.h"

namespace hubwasm::tok {

namespace {

class WordLevel final : public Model {
 public:
  WordLevel(Vocab v, std::string unk) : vocab_(std::move(v)), unk_(std::move(unk)) {}
  void tokenize(std::string_view w, std::vector<Token>& out) const override {
    if (auto id = vocab_.find(w)) {
      out.push_back({*id, std::string(w), {0, w.size()}});
    } else if (auto u = vocab_.find(unk_)) {
      out.push_back({*u, unk_, {0, w.size()}});
    } else {
      throw Error(ErrorCode::InvalidFile, "WordLevel model: unk_token \"" + unk_ + "\" is not in the vocabulary");
    }
  }
  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::optional<std::string_view> id_to_token(int32_t id) const override {
    if (const std::string* t = vocab_.token(id)) return std::string_view(*t);
    return std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }
  std::optional<std::string> unk_token() const override {
    if (vocab_.find(unk_)) return unk_;
    return std::nullopt;
  }

 private:
  Vocab vocab_;
  std::string unk_;
};

}  // namespace

ModelPtr make_wordlevel_model(const json& j, const JsonLoc& loc) {
  const JsonLoc vl = loc["vocab"];
  const json* vocab = find_member(j, "vocab");
  if (!vocab) vl.fail(ErrorCode::InvalidFile, "is missing");
  expect_object(*vocab, vl);
  Vocab v;
  for (auto it = vocab->begin(); it != vocab->end(); ++it) v.add(it.key(), as_token_id(it.value(), vl[it.key()]));
  v.finish();
  return std::make_shared<WordLevel>(std::move(v), get_string(j, "unk_token", loc, "<unk>"));
}

}  // namespace hubwasm::tok
