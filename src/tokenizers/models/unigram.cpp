// Unigram model (tokenizers models/unigram/model.rs, encode_optimized):
// Viterbi over byte positions with the vocabulary in a byte trie; a char no
// piece starts with costs min_score - 10 as unk; consecutive unks are fused;
// pieces not in the vocabulary become <0xXX> bytes when byte_fallback.
#include <cmath>
#include <limits>

#include "tokenizers/components.h"
#include "tokenizers/models/word_cache.h"

namespace hubwasm::tok {

namespace {

class Unigram final : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> vocab, std::optional<int32_t> unk_id, bool byte_fallback)
      : vocab_(std::move(vocab)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    ids_.reserve(vocab_.size() * 2);
    nodes_.push_back(kNoPiece);
    min_score_ = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < vocab_.size(); ++i) {
      const auto& [piece, score] = vocab_[i];
      ids_.insert_or_assign(piece, static_cast<int32_t>(i));
      min_score_ = std::min(min_score_, score);
      uint32_t node = 0;
      for (unsigned char c : piece) {
        const uint64_t k = (static_cast<uint64_t>(node) << 8) | c;
        auto it = edges_.find(k);
        if (it == edges_.end()) {
          const auto n = static_cast<uint32_t>(nodes_.size());
          nodes_.push_back(kNoPiece);
          edges_.emplace(k, n);
          node = n;
        } else {
          node = it->second;
        }
      }
      nodes_[node] = static_cast<int32_t>(i);  // a piece ends here (a later duplicate wins, as in ids_)
    }
  }

  void tokenize(std::string_view s, std::vector<Token>& out) const override {
    if (s.empty()) return;
    const auto* pieces = cache_.find(s);
    std::vector<Piece> computed;
    if (!pieces) {
      computed = segment(s);
      pieces = &computed;
    }
    // Rust's token value: the piece's text for unk, else the vocabulary's.
    for (const Piece& p : *pieces) {
      out.push_back({p.id,
                     unk_id_ && p.id == *unk_id_ ? std::string(s.substr(p.start, p.end - p.start))
                                                 : vocab_[static_cast<size_t>(p.id)].first,
                     {p.start, p.end}});
    }
    if (!computed.empty()) cache_.insert(s, std::move(computed));
  }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    auto it = ids_.find(std::string(token));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string_view> id_to_token(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= vocab_.size()) return std::nullopt;
    return std::string_view(vocab_[static_cast<size_t>(id)].first);
  }
  size_t vocab_size() const override { return vocab_.size(); }
  std::optional<std::string> unk_token() const override {
    if (unk_id_) return vocab_[static_cast<size_t>(*unk_id_)].first;
    return std::nullopt;
  }

 private:
  // A token of a segmented word: its id and byte range in the word.
  struct Piece {
    int32_t id;
    size_t start, end;
  };

  std::vector<Piece> segment(std::string_view s) const {
    struct Node {
      int32_t id = -1;
      double score = 0;
      std::ptrdiff_t starts_at = -1;
    };
    const size_t size = s.size();
    const double unk_score = min_score_ - 10.0;
    std::vector<Node> best(size + 1);
    size_t starts_at = 0;
    while (starts_at < size) {
      const double here = best[starts_at].score;
      bool has_single_node = false;
      const size_t mblen = std::min(unicode::utf8_seq_len(static_cast<unsigned char>(s[starts_at])), size - starts_at);
      uint32_t node = 0;
      for (size_t k = starts_at; k < size; ++k) {
        auto it = edges_.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(s[k]));
        if (it == edges_.end()) break;
        node = it->second;
        const int32_t id = nodes_[node];
        if (id == kNoPiece) continue;
        const size_t key_pos = k + 1;
        const double cand = vocab_[static_cast<size_t>(id)].second + here;
        Node& target = best[key_pos];
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<std::ptrdiff_t>(starts_at);
          target.id = id;
        }
        if (!has_single_node && key_pos - starts_at == mblen) has_single_node = true;
      }
      if (!has_single_node) {
        Node& target = best[starts_at + mblen];
        const double cand = unk_score + here;
        if (target.starts_at < 0 || cand > target.score) {
          if (!unk_id_)
            throw Error(ErrorCode::InvalidFile, "Unigram model: a char has no piece and there is no unk_id");
          target.score = cand;
          target.starts_at = static_cast<std::ptrdiff_t>(starts_at);
          target.id = *unk_id_;
        }
      }
      starts_at += mblen;
    }
    // Back-track, fusing consecutive unks.
    std::vector<std::pair<size_t, size_t>> pieces;  // reversed
    size_t ends_at = size;
    std::optional<std::pair<size_t, size_t>> unk_run;
    while (ends_at > 0) {
      const Node& n = best[ends_at];
      const auto st = static_cast<size_t>(n.starts_at);
      if (unk_id_ && n.id == *unk_id_) {
        unk_run = unk_run ? std::make_pair(st, unk_run->second) : std::make_pair(st, ends_at);
      } else {
        if (unk_run) pieces.push_back(*unk_run);
        unk_run.reset();
        pieces.emplace_back(st, ends_at);
      }
      ends_at = st;
    }
    if (unk_run) pieces.push_back(*unk_run);
    std::vector<Piece> out;
    out.reserve(pieces.size());
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
      const auto [start, end] = *it;
      const int32_t found = best[end].id;  // the Viterbi piece (unk for a fused run)
      if (!unk_id_ || found != *unk_id_) {
        out.push_back({found, start, end});
        continue;
      }
      const std::string_view piece = s.substr(start, end - start);
      if (auto id = ids_.find(std::string(piece)); id != ids_.end()) {  // the unk piece's own text
        out.push_back({id->second, start, end});
        continue;
      }
      if (byte_fallback_) {
        std::vector<Piece> bytes;
        for (unsigned char ch : piece) {
          static const char* hex = "0123456789ABCDEF";
          auto b = ids_.find(std::string("<0x") + hex[ch >> 4] + hex[ch & 15] + ">");
          if (b == ids_.end()) break;
          bytes.push_back({b->second, start, end});
        }
        if (bytes.size() == piece.size()) {
          out.insert(out.end(), bytes.begin(), bytes.end());
          continue;
        }
      }
      out.push_back({*unk_id_, start, end});
    }
    return out;
  }

  std::vector<std::pair<std::string, double>> vocab_;
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<uint64_t, uint32_t> edges_;
  static constexpr int32_t kNoPiece = -1;
  std::vector<int32_t> nodes_;  // trie node -> id of the piece ending there, or kNoPiece
  std::optional<int32_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
  WordCache<std::vector<Piece>> cache_;
};

}  // namespace

ModelPtr make_unigram_model(const json& j, const JsonLoc& loc) {
  const JsonLoc vl = loc["vocab"];
  const json* vocab = find_member(j, "vocab");
  if (!vocab) vl.fail(ErrorCode::InvalidFile, "is missing");
  expect_array(*vocab, vl);
  std::vector<std::pair<std::string, double>> v;
  v.reserve(vocab->size());
  for (size_t i = 0; i < vocab->size(); ++i) {
    const json& e = (*vocab)[i];
    if (!e.is_array() || e.size() != 2 || !e[1].is_number()) {
      vl[i].fail(ErrorCode::InvalidFile, "must be a [piece, score] array");
    }
    v.emplace_back(as_string(e[0], vl[i][0]), e[1].get<double>());
  }
  std::optional<int32_t> unk;
  if (const json* u = find_member(j, "unk_id"); u && !u->is_null()) {
    unk = as_token_id(*u, loc["unk_id"]);
    if (static_cast<size_t>(*unk) >= v.size()) loc["unk_id"].fail(ErrorCode::InvalidFile, "is outside the vocabulary");
  }
  return std::make_shared<Unigram>(std::move(v), unk, get_bool(j, "byte_fallback", loc, false));
}

}  // namespace hubwasm::tok
