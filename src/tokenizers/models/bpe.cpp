// BPE model (tokenizers models/bpe/model.rs + word.rs): a word is split in
// chars (continuing_subword_prefix on all but the first, end_of_word_suffix on
// the last), unknown chars become <0xXX> byte tokens (byte_fallback) or unk
// (fused when fuse_unk), then merges are applied lowest rank first (ties:
// leftmost). ignore_merges: a word in the vocabulary is one token. dropout is
// ignored (deterministic encoding, as in inference), so merged words are
// cached as Rust does.
#include <algorithm>
#include <queue>
#include <unordered_set>

#include "tokenizers/components.h"
#include "tokenizers/models/vocab.h"
#include "tokenizers/models/word_cache.h"

namespace hubwasm::tok {

namespace {

class Bpe final : public VocabModel {
 public:
  explicit Bpe(BpeConfig c) : cfg_(std::move(c)) {
    for (auto& [t, id] : cfg_.vocab) vocab_.add(t, id);
    vocab_.finish();
    const size_t prefix_len = cfg_.continuing_subword_prefix.size();
    merges_.reserve(cfg_.merges.size() * 2);
    for (size_t i = 0; i < cfg_.merges.size(); ++i) {
      const auto& [a, b] = cfg_.merges[i];
      auto a_id = vocab_.find(a);
      auto b_id = vocab_.find(b);
      if (!a_id) cfg_.fail_merge(i, a);
      if (!b_id) cfg_.fail_merge(i, b);
      const std::string merged = a + (b.size() >= prefix_len ? b.substr(prefix_len) : std::string());
      auto new_id = vocab_.find(merged);
      if (!new_id) cfg_.fail_merge(i, merged);
      merges_[key(*a_id, *b_id)] = {static_cast<uint32_t>(i), *new_id};
    }
    cfg_.vocab.clear();
    cfg_.merges.clear();
    if (cfg_.unk_token) unk_id_ = vocab_.find(*cfg_.unk_token);
  }

  void tokenize(std::string_view w, std::vector<Token>& out) const override {
    if (w.empty()) return;
    if (cfg_.ignore_merges) {
      if (auto id = vocab_.find(w)) {
        out.push_back({*id, std::string(w), {0, w.size()}});
        return;
      }
    }
    if (const auto* pieces = cache_.find(w)) {
      emit(*pieces, out);
      return;
    }
    std::vector<Piece> pieces = merge_word(w);
    emit(pieces, out);
    cache_.insert(w, std::move(pieces));
  }

  std::optional<std::string> unk_token() const override {
    if (unk_id_) return cfg_.unk_token;
    return std::nullopt;
  }

 private:
  // A token of a merged word: its id and byte length.
  struct Piece {
    int32_t id;
    size_t len;
  };
  struct Symbol {
    int32_t id;
    int32_t prev, next;
    size_t len;
  };

  // Offsets count the pieces' lengths from the word's start, as Rust's
  // Word::get_offsets does (a dropped char shifts the pieces after it).
  void emit(const std::vector<Piece>& pieces, std::vector<Token>& out) const {
    size_t offset = 0;
    for (const Piece& p : pieces) {
      const std::string* t = vocab_.token(p.id);
      out.push_back({p.id, t ? *t : std::string(), {offset, offset + p.len}});
      offset += p.len;
    }
  }

  std::vector<Piece> merge_word(std::string_view w) const {
    std::vector<Symbol> symbols;
    symbols.reserve(w.size());
    std::optional<std::pair<int32_t, size_t>> unk;
    auto add = [&](int32_t id, size_t len) {
      const auto idx = static_cast<int32_t>(symbols.size());
      symbols.push_back({id, idx - 1, idx + 1, len});
    };
    std::string s;
    for (size_t i = 0; i < w.size();) {
      const size_t b = i;
      i += unicode::utf8_seq_len(static_cast<unsigned char>(w[i]));
      const bool is_first = b == 0, is_last = i >= w.size();
      const size_t byte_len = i - b;
      s.clear();
      if (!is_first) s += cfg_.continuing_subword_prefix;
      s.append(w.substr(b, byte_len));
      if (is_last) s += cfg_.end_of_word_suffix;
      if (auto id = vocab_.find(s)) {
        if (unk) {
          add(unk->first, unk->second);
          unk.reset();
        }
        add(*id, byte_len);
        continue;
      }
      if (cfg_.byte_fallback) {
        std::vector<int32_t> ids;
        bool all = true;
        for (unsigned char ch : s) {
          static const char* hex = "0123456789ABCDEF";
          const std::string code = std::string("<0x") + hex[ch >> 4] + hex[ch & 15] + ">";
          auto id = vocab_.find(code);
          if (!id) {
            all = false;
            break;
          }
          ids.push_back(*id);
        }
        if (all) {
          for (int32_t id : ids) add(id, 1);
          continue;
        }
      }
      if (cfg_.unk_token) {
        if (!unk_id_) {
          throw Error(ErrorCode::InvalidFile,
                      cfg_.unk_error + " (unk_token \"" + *cfg_.unk_token + "\" is not in the vocabulary)");
        }
        if (unk && cfg_.fuse_unk) {
          unk->second += byte_len;
        } else {
          if (unk) add(unk->first, unk->second);
          unk = std::make_pair(*unk_id_, byte_len);
        }
      }
    }
    if (unk) add(unk->first, unk->second);
    if (!symbols.empty()) symbols.back().next = -1;
    merge_all(symbols);
    std::vector<Piece> pieces;
    for (const Symbol& sym : symbols) {
      if (sym.len > 0) pieces.push_back({sym.id, sym.len});
    }
    return pieces;
  }

  struct Merge {
    size_t pos;
    uint32_t rank;
    int32_t new_id;
    bool operator<(const Merge& o) const {  // max-heap -> lowest rank, then lowest pos, on top
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };
  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  const std::pair<uint32_t, int32_t>* find_merge(int32_t a, int32_t b) const {
    auto it = merges_.find(key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  }

  void merge_all(std::vector<Symbol>& sy) const {
    std::priority_queue<Merge> queue;
    for (size_t i = 0; i + 1 < sy.size(); ++i) {
      if (auto m = find_merge(sy[i].id, sy[i + 1].id)) queue.push({i, m->first, m->second});
    }
    while (!queue.empty()) {
      const Merge top = queue.top();
      queue.pop();
      Symbol& cur = sy[top.pos];
      if (cur.len == 0 || cur.next == -1) continue;
      const auto next_pos = static_cast<size_t>(cur.next);
      const Symbol right = sy[next_pos];
      auto m = find_merge(cur.id, right.id);
      if (!m || m->second != top.new_id) continue;
      cur.id = top.new_id;
      cur.len += right.len;
      cur.next = right.next;
      sy[next_pos].len = 0;
      if (right.next > -1 && static_cast<size_t>(right.next) < sy.size()) {
        sy[static_cast<size_t>(right.next)].prev = static_cast<int32_t>(top.pos);
      }
      if (cur.prev >= 0) {
        if (auto pm = find_merge(sy[static_cast<size_t>(cur.prev)].id, cur.id)) {
          queue.push({static_cast<size_t>(cur.prev), pm->first, pm->second});
        }
      }
      if (cur.next >= 0 && static_cast<size_t>(cur.next) < sy.size()) {
        if (auto nm = find_merge(cur.id, sy[static_cast<size_t>(cur.next)].id)) {
          queue.push({top.pos, nm->first, nm->second});
        }
      }
    }
  }

  BpeConfig cfg_;
  std::unordered_map<uint64_t, std::pair<uint32_t, int32_t>> merges_;
  std::optional<int32_t> unk_id_;
  WordCache<std::vector<Piece>> cache_;
};

}  // namespace

ModelPtr make_bpe(BpeConfig config) { return std::make_shared<Bpe>(std::move(config)); }

ModelPtr make_bpe_model(const json& j, const JsonLoc& loc) {
  BpeConfig c;
  const JsonLoc vl = loc["vocab"];
  const json* vocab = find_member(j, "vocab");
  if (!vocab) vl.fail(ErrorCode::InvalidFile, "is missing");
  expect_object(*vocab, vl);
  c.vocab.reserve(vocab->size());
  for (auto it = vocab->begin(); it != vocab->end(); ++it) {
    c.vocab.emplace_back(it.key(), as_token_id(it.value(), vl[it.key()]));
  }
  const JsonLoc ml = loc["merges"];
  if (const json* merges = find_member(j, "merges"); merges && !merges->is_null()) {
    expect_array(*merges, ml);
    c.merges.reserve(merges->size());
    std::unordered_set<std::string> known;
    for (size_t i = 0; i < merges->size(); ++i) {
      const json& m = (*merges)[i];
      if (m.is_string()) {
        const std::string s = m.get<std::string>();
        std::vector<size_t> spaces;
        for (size_t k = 0; k < s.size(); ++k) {
          if (s[k] == ' ') spaces.push_back(k);
        }
        if (spaces.empty()) ml[i].fail(ErrorCode::InvalidFile, "must be \"left right\" (got \"" + s + "\")");
        if (spaces.size() == 1) {
          c.merges.emplace_back(s.substr(0, spaces[0]), s.substr(spaces[0] + 1));
          continue;
        }
        // Tokens with spaces (tokenizers' legacy_merges_to_tuples): the one cut
        // for which left, right and left+right are all in the vocabulary.
        if (known.empty()) {
          for (const auto& [t, id] : c.vocab) known.insert(t);
        }
        std::optional<std::pair<std::string, std::string>> found;
        for (size_t cut : spaces) {
          std::string a = s.substr(0, cut), b = s.substr(cut + 1);
          if (!known.count(a) || !known.count(b) || !known.count(a + b)) continue;
          if (found)
            ml[i].fail(ErrorCode::InvalidFile, "\"" + s + "\" is ambiguous (several splits are in the vocabulary)");
          found = std::make_pair(std::move(a), std::move(b));
        }
        if (!found) ml[i].fail(ErrorCode::InvalidFile, "\"" + s + "\" has no split whose parts are in the vocabulary");
        c.merges.push_back(std::move(*found));
      } else if (m.is_array() && m.size() == 2) {
        c.merges.emplace_back(as_string(m[0], ml[i][0]), as_string(m[1], ml[i][1]));
      } else {
        ml[i].fail(ErrorCode::InvalidFile, "must be \"left right\" or [left, right]");
      }
    }
  }
  c.unk_token = std::nullopt;
  if (const json* u = find_member(j, "unk_token"); u && !u->is_null()) c.unk_token = as_string(*u, loc["unk_token"]);
  c.continuing_subword_prefix = get_string(j, "continuing_subword_prefix", loc, "");
  c.end_of_word_suffix = get_string(j, "end_of_word_suffix", loc, "");
  c.fuse_unk = get_bool(j, "fuse_unk", loc, false);
  c.byte_fallback = get_bool(j, "byte_fallback", loc, false);
  c.ignore_merges = get_bool(j, "ignore_merges", loc, false);
  c.unk_error = loc.where() + ": cannot encode a char that is not in the vocabulary";
  const std::string where = ml.where();
  c.fail_merge = [where](size_t i, const std::string& token) {
    throw Error(ErrorCode::InvalidFile,
                where + "[" + std::to_string(i) + "] uses \"" + token + "\", which is not in the vocabulary");
  };
  return make_bpe(std::move(c));
}

}  // namespace hubwasm::tok
