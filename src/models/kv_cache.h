// The key/value cache of a decoder: per layer, keys and values of every token
// seen so far, laid out [batch, kv_heads, capacity, head_dim] so each
// (row, head) is one contiguous block the attention reads as a matrix.
// All layers live in one allocation; when a forward needs more slots the
// capacity at least doubles (one copy per doubling, never one per token).
// The cache also owns the forwards' scratch activations (Workspace): it is
// the one per-run state a forward takes besides its input.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/allocation_budget.h"
#include "models/workspace.h"

namespace hubwasm {

class KVCache {
 public:
  KVCache() = default;
  KVCache(int64_t layers, int64_t batch, int64_t kv_heads, int64_t head_dim);

  int64_t layers() const { return layers_; }
  int64_t batch() const { return batch_; }
  int64_t kv_heads() const { return kv_heads_; }
  int64_t head_dim() const { return head_dim_; }
  int64_t length() const { return length_; }      // tokens cached per row
  int64_t capacity() const { return capacity_; }  // slots per row before the next growth
  size_t bytes() const;

  // Makes room for `tokens` slots per row (length included). Grows to at
  // least twice the old capacity; throws OutOfMemory naming the size.
  void reserve(int64_t tokens);
  // Forgets every cached token; the memory is kept for reuse.
  void clear() { length_ = 0; }
  // Marks `n` more slots (written by the model) as cached.
  void advance(int64_t n);

  // [batch, kv_heads, capacity, head_dim] blocks of one layer.
  float* keys(int64_t layer) { return slab(layer, 0); }
  float* values(int64_t layer) { return slab(layer, 1); }
  const float* keys(int64_t layer) const { return slab(layer, 0); }
  const float* values(int64_t layer) const { return slab(layer, 1); }
  // The head_dim floats of one cached slot.
  const float* key_at(int64_t layer, int64_t row, int64_t head, int64_t slot) const;
  const float* value_at(int64_t layer, int64_t row, int64_t head, int64_t slot) const;

  // Scratch memory of the forwards that use this cache.
  Workspace& workspace() { return workspace_; }

 private:
  float* slab(int64_t layer, int kind) const;
  size_t slab_floats(int64_t capacity) const;

  int64_t layers_ = 0, batch_ = 0, kv_heads_ = 0, head_dim_ = 0;
  int64_t length_ = 0, capacity_ = 0;
  std::unique_ptr<float[], AccountedFree> data_;
  Workspace workspace_;
};

}  // namespace hubwasm
