// A bounded word -> result cache for the models, as tokenizers' utils/cache.rs
// (the BPE and Unigram models keep one): words of up to kMaxWordBytes bytes
// are added until it holds `capacity` of them, then it stops growing. Results
// depend only on the word, so a hit gives exactly what the model computes.
// Thread-safe; entries are never removed, so a found value stays valid.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace hubwasm::tok {

template <class Value>
class WordCache {
 public:
  static constexpr size_t kDefaultCapacity = 10000;
  static constexpr size_t kMaxWordBytes = 256;

  explicit WordCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  const Value* find(std::string_view word) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = values_.find(word);
    return it == values_.end() ? nullptr : &it->second;
  }

  void insert(std::string_view word, Value value) const {
    if (word.size() > kMaxWordBytes) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (values_.size() >= capacity_ || values_.count(word)) return;
    words_.emplace_back(word);  // a deque keeps its elements (and the keys' bytes) in place
    values_.emplace(words_.back(), std::move(value));
  }

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::deque<std::string> words_;
  mutable std::unordered_map<std::string_view, Value> values_;
};

}  // namespace hubwasm::tok
