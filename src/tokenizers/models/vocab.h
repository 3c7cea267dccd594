// token <-> id storage shared by the BPE and WordLevel models, and their
// Model overrides that look tokens up in it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizers/components.h"

namespace hubwasm::tok {

class Vocab {
 public:
  Vocab() = default;
  Vocab(Vocab&&) = default;  // the map's nodes move with it, so the views stay valid
  Vocab& operator=(Vocab&&) = default;
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;

  // Later duplicates of a token win (as a HashMap insert does).
  void add(std::string token, int32_t id) { ids_.insert_or_assign(std::move(token), id); }
  // After finish(): a lookup by view (no copy of the token).
  std::optional<int32_t> find(std::string_view t) const {
    auto it = views_.find(t);
    if (it == views_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* token(int32_t id) const {
    if (id < 0) return nullptr;
    if (!sparse_.empty()) {
      auto it = sparse_.find(id);
      return it == sparse_.end() ? nullptr : it->second;
    }
    if (static_cast<size_t>(id) >= tokens_.size()) return nullptr;
    return tokens_[static_cast<size_t>(id)];
  }
  size_t size() const { return ids_.size(); }
  // Builds the id -> token index once all tokens are added: a vector when
  // the ids are dense, a map when a file uses huge ids.
  void finish() {
    // C++17 unordered_map has no heterogeneous lookup: the views index the
    // map's own (node-stable) keys.
    views_.clear();
    views_.reserve(ids_.size());
    for (const auto& [t, id] : ids_) views_.emplace(t, id);
    int64_t max_id = -1;
    for (const auto& [t, id] : ids_) max_id = std::max<int64_t>(max_id, id);
    tokens_.clear();
    sparse_.clear();
    if (max_id >= static_cast<int64_t>(4 * ids_.size() + 65536)) {
      for (const auto& [t, id] : ids_) sparse_[id] = &t;
      return;
    }
    tokens_.assign(static_cast<size_t>(max_id + 1), nullptr);
    for (const auto& [t, id] : ids_) tokens_[static_cast<size_t>(id)] = &t;
  }

 private:
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<std::string_view, int32_t> views_;
  std::vector<const std::string*> tokens_;
  std::unordered_map<int32_t, const std::string*> sparse_;
};

// A Model whose token <-> id mapping is a Vocab (BPE, WordLevel).
class VocabModel : public Model {
 public:
  VocabModel() = default;
  explicit VocabModel(Vocab vocab) : vocab_(std::move(vocab)) {}
  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::optional<std::string_view> id_to_token(int32_t id) const override {
    if (const std::string* t = vocab_.token(id)) return std::string_view(*t);
    return std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }

 protected:
  Vocab vocab_;
};

}  // namespace hubwasm::tok
