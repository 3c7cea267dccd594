// WordLevel model: each pre-tokenized word is one vocabulary entry, else unk.
#include "tokenizers/components.h"
#include "tokenizers/models/vocab.h"

namespace hubwasm::tok {

namespace {

class WordLevel final : public VocabModel {
 public:
  WordLevel(Vocab v, std::string unk) : VocabModel(std::move(v)), unk_(std::move(unk)) {}
  void tokenize(std::string_view w, std::vector<Token>& out) const override {
    if (auto id = vocab_.find(w)) {
      out.push_back({*id, std::string(w), {0, w.size()}});
    } else if (auto u = vocab_.find(unk_)) {
      out.push_back({*u, unk_, {0, w.size()}});
    } else {
      throw Error(ErrorCode::InvalidFile, "WordLevel model: unk_token \"" + unk_ + "\" is not in the vocabulary");
    }
  }
  std::optional<std::string> unk_token() const override {
    if (vocab_.find(unk_)) return unk_;
    return std::nullopt;
  }

 private:
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
