// WordPiece model (tokenizers models/wordpiece/mod.rs): greedy longest-match-
// first over the vocabulary, continuation pieces prefixed with
// continuing_subword_prefix; a word with more than max_input_chars_per_word
// chars, or with any part not in the vocabulary, becomes the unk token.
#include <algorithm>
#include <unordered_map>

#include "tokenizers/components.h"
#include "tokenizers/models/byte_trie.h"

namespace hubwasm::tok {

namespace {

class WordPiece final : public Model {
 public:
  WordPiece(std::vector<std::pair<std::string, int32_t>> entries, std::string unk_token, std::string prefix,
            size_t max_chars, std::string missing_unk_message)
      : unk_token_(std::move(unk_token)),
        prefix_(std::move(prefix)),
        max_chars_(max_chars),
        missing_unk_message_(std::move(missing_unk_message)) {
    size_t total = 0;
    for (const auto& e : entries) total += e.first.size();
    arena_.reserve(total);
    std::vector<std::pair<size_t, int32_t>> spans;
    spans.reserve(entries.size());
    for (const auto& e : entries) {
      spans.emplace_back(arena_.size(), e.second);
      arena_ += e.first;
    }
    vocab_.reserve(entries.size() * 2);
    int32_t max_id = -1;
    for (size_t k = 0; k < entries.size(); ++k) {
      const std::string_view key(arena_.data() + spans[k].first, entries[k].first.size());
      vocab_[key] = spans[k].second;  // later duplicates win, like a HashMap insert
      max_id = std::max(max_id, spans[k].second);
    }
    for (const auto& [key, id] : vocab_) trie_.insert(key, id);
    continuation_ = trie_.walk(ByteTrie::kRoot, prefix_);
    if (static_cast<size_t>(max_id) >= 4 * vocab_.size() + 65536) {
      for (const auto& [key, id] : vocab_) sparse_[id] = key;  // huge ids: no dense table
    } else {
      id_to_token_.assign(static_cast<size_t>(max_id + 1), std::string_view());
      has_id_.assign(static_cast<size_t>(max_id + 1), false);
      for (const auto& [key, id] : vocab_) {
        id_to_token_[static_cast<size_t>(id)] = key;
        has_id_[static_cast<size_t>(id)] = true;
      }
    }
    if (auto it = vocab_.find(unk_token_); it != vocab_.end()) unk_id_ = it->second;
  }

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (unicode::char_count(word) > max_chars_) {
      push_unk(word, out);
      return;
    }
    const size_t first = out.size();
    size_t start = 0;
    while (start < word.size()) {
      // The longest vocabulary token (prefixed after the first) that the rest
      // of the word starts with and that ends on a char boundary.
      uint32_t node = start == 0 ? ByteTrie::kRoot : continuation_;
      size_t end = start;
      int32_t id = -1;
      for (size_t i = start; i < word.size() && node != ByteTrie::kNone; ++i) {
        node = trie_.child(node, static_cast<unsigned char>(word[i]));
        if (node != ByteTrie::kNone && trie_.value(node) >= 0 && unicode::is_char_boundary(word, i + 1)) {
          end = i + 1;
          id = trie_.value(node);
        }
      }
      if (id < 0) {
        out.resize(first);
        push_unk(word, out);
        return;
      }
      const std::string_view piece = word.substr(start, end - start);
      out.push_back({id, start == 0 ? std::string(piece) : prefix_ + std::string(piece), {start, end}});
      start = end;
    }
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    if (auto it = vocab_.find(token); it != vocab_.end()) return it->second;
    return std::nullopt;
  }

  std::optional<std::string_view> id_to_token(int32_t id) const override {
    if (!sparse_.empty()) {
      auto it = sparse_.find(id);
      if (it == sparse_.end()) return std::nullopt;
      return it->second;
    }
    if (id < 0 || static_cast<size_t>(id) >= has_id_.size() || !has_id_[static_cast<size_t>(id)]) {
      return std::nullopt;
    }
    return id_to_token_[static_cast<size_t>(id)];
  }

  size_t vocab_size() const override { return vocab_.size(); }
  std::optional<std::string> unk_token() const override {
    if (unk_id_) return unk_token_;
    return std::nullopt;
  }

 private:
  void push_unk(std::string_view word, std::vector<Token>& out) const {
    if (!unk_id_) throw Error(ErrorCode::InvalidFile, missing_unk_message_);
    out.push_back({*unk_id_, unk_token_, {0, word.size()}});
  }

  std::string arena_;  // all token strings; vocab_ keys point into it
  std::unordered_map<std::string_view, int32_t> vocab_;
  ByteTrie trie_;                        // vocab_'s keys, for tokenize
  uint32_t continuation_ = ByteTrie::kNone;  // trie_ node of prefix_
  std::vector<std::string_view> id_to_token_;
  std::vector<bool> has_id_;
  std::unordered_map<int32_t, std::string_view> sparse_;
  std::string unk_token_;
  std::optional<int32_t> unk_id_;
  std::string prefix_;
  size_t max_chars_;
  std::string missing_unk_message_;
};

}  // namespace

ModelPtr make_wordpiece_model(const json& j, const JsonLoc& loc) {
  const JsonLoc vocab_loc = loc["vocab"];
  const json* vocab = find_member(j, "vocab");
  if (!vocab) vocab_loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_object(*vocab, vocab_loc);
  std::vector<std::pair<std::string, int32_t>> entries;
  entries.reserve(vocab->size());
  for (auto it = vocab->begin(); it != vocab->end(); ++it) {
    entries.emplace_back(it.key(), as_token_id(it.value(), vocab_loc[it.key()]));
  }
  std::string unk = get_string(j, "unk_token", loc, "[UNK]");
  const std::string message = loc["unk_token"].where() + " \"" + unk + "\" is not in " + vocab_loc.path() +
                              " (needed to encode a word that has no WordPiece split)";
  return make_wordpiece_from_vocab(std::move(entries), std::move(unk),
                                   get_string(j, "continuing_subword_prefix", loc, "##"),
                                   get_size(j, "max_input_chars_per_word", loc, 100), message);
}

ModelPtr make_wordpiece_from_vocab(std::vector<std::pair<std::string, int32_t>> entries,
                                   std::string unk_token, std::string prefix, size_t max_chars,
                                   std::string missing_unk_message) {
  return std::make_shared<WordPiece>(std::move(entries), std::move(unk_token), std::move(prefix), max_chars,
                                     std::move(missing_unk_message));
}

}  // namespace hubwasm::tok
