#include "models/kv_cache.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/allocation_budget.h"
#include "core/error.h"

namespace hubwasm {

KVCache::KVCache(int64_t layers, int64_t batch, int64_t kv_heads, int64_t head_dim)
    : layers_(layers), batch_(batch), kv_heads_(kv_heads), head_dim_(head_dim) {
  if (layers <= 0 || batch <= 0 || kv_heads <= 0 || head_dim <= 0) {
    throw Error(ErrorCode::InvalidArgument, "KV cache dimensions must be positive");
  }
}

size_t KVCache::slab_floats(int64_t capacity) const {
  return static_cast<size_t>(batch_ * kv_heads_ * capacity * head_dim_);
}

size_t KVCache::bytes() const { return 2 * static_cast<size_t>(layers_) * slab_floats(capacity_) * sizeof(float); }

float* KVCache::slab(int64_t layer, int kind) const {
  if (layer < 0 || layer >= layers_) throw Error(ErrorCode::InvalidArgument, "KV cache layer out of range");
  return data_.get() + (static_cast<size_t>(layer) * 2 + kind) * slab_floats(capacity_);
}

void KVCache::reserve(int64_t tokens) {
  if (tokens <= capacity_) return;
  const int64_t new_capacity = std::max<int64_t>({tokens, 2 * capacity_, 16});
  const size_t floats = 2 * static_cast<size_t>(layers_) * slab_floats(new_capacity);
  const bool charged = charge_allocation(floats * sizeof(float));
  auto* fresh = charged ? static_cast<float*>(std::malloc(floats * sizeof(float))) : nullptr;
  if (!fresh) {
    if (charged) release_allocation(floats * sizeof(float));
    throw Error(ErrorCode::OutOfMemory, "cannot allocate " + std::to_string(floats * sizeof(float)) +
                                            " bytes for a KV cache of " + std::to_string(new_capacity) + " tokens");
  }
  // Copy the cached prefix of every (layer, k/v, row, head) block to its new stride.
  if (length_ > 0) {
    const size_t block = static_cast<size_t>(length_ * head_dim_);
    const int64_t blocks_per_slab = batch_ * kv_heads_;
    for (int64_t s = 0; s < 2 * layers_; ++s) {
      for (int64_t i = 0; i < blocks_per_slab; ++i) {
        const float* src = data_.get() + s * slab_floats(capacity_) + i * capacity_ * head_dim_;
        float* dst = fresh + s * slab_floats(new_capacity) + i * new_capacity * head_dim_;
        std::memcpy(dst, src, block * sizeof(float));
      }
    }
  }
  data_ = {fresh, AccountedFree{floats * sizeof(float)}};
  capacity_ = new_capacity;
}

void KVCache::advance(int64_t n) {
  if (n < 0 || length_ + n > capacity_) throw Error(ErrorCode::InvalidArgument, "KV cache advanced past capacity");
  length_ += n;
}

const float* KVCache::key_at(int64_t layer, int64_t row, int64_t head, int64_t slot) const {
  return keys(layer) + ((row * kv_heads_ + head) * capacity_ + slot) * head_dim_;
}

const float* KVCache::value_at(int64_t layer, int64_t row, int64_t head, int64_t slot) const {
  return values(layer) + ((row * kv_heads_ + head) * capacity_ + slot) * head_dim_;
}

}  // namespace hubwasm
