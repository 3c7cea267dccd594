// A trie over the bytes of a vocabulary's tokens, for WordPiece's greedy
// longest-match-first: one walk along the word finds the longest token it
// starts with, where looking up every shorter candidate in a hash map took a
// hash of the candidate and a miss per char dropped. Children are found in
// one flat open-addressing table keyed by (node, byte).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hubwasm::tok {

class ByteTrie {
 public:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kNone = UINT32_MAX;

  ByteTrie() : values_(1, -1) { slots_.resize(1024); }

  // Adds key -> value (value >= 0); a later insert of the same key overwrites.
  void insert(std::string_view key, int32_t value) {
    uint32_t node = kRoot;
    for (char c : key) {
      uint32_t next = child(node, static_cast<unsigned char>(c));
      if (next == kNone) {
        next = static_cast<uint32_t>(values_.size());
        values_.push_back(-1);
        add_child(node, static_cast<unsigned char>(c), next);
      }
      node = next;
    }
    values_[node] = value;
  }

  // The node reached from `node` by byte b, or kNone.
  uint32_t child(uint32_t node, unsigned char b) const {
    const uint64_t key = slot_key(node, b);
    for (size_t i = home(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == key) return slots_[i].child;
      if (slots_[i].key == 0) return kNone;
    }
  }
  // The node reached from `node` by the bytes of s, or kNone.
  uint32_t walk(uint32_t node, std::string_view s) const {
    for (size_t i = 0; i < s.size() && node != kNone; ++i) node = child(node, static_cast<unsigned char>(s[i]));
    return node;
  }
  // The value of the key that ends at `node`, or -1.
  int32_t value(uint32_t node) const { return values_[node]; }

 private:
  struct Slot {
    uint64_t key = 0;  // 0: empty
    uint32_t child = kNone;
  };
  static uint64_t slot_key(uint32_t node, unsigned char b) { return ((static_cast<uint64_t>(node) << 8) | b) + 1; }
  size_t home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & (slots_.size() - 1);
  }
  void add_child(uint32_t node, unsigned char b, uint32_t next) {
    if (2 * (++children_) > slots_.size()) grow();
    place(slot_key(node, b), next);
  }
  void place(uint64_t key, uint32_t next) {
    size_t i = home(key);
    while (slots_[i].key != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {key, next};
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.key != 0) place(s.key, s.child);
    }
  }

  std::vector<Slot> slots_;     // power-of-two size, at most half full
  std::vector<int32_t> values_;  // per node
  size_t children_ = 0;
};

}  // namespace hubwasm::tok
