// Test hook that caps the memory the core may allocate for models, so that
// tests can make allocation fail on purpose at every stage of a load (file
// buffers, safetensors tables, weights, quantization buffers, tokenizer, KV
// cache, inference activations) and check that each failure is a typed
// OutOfMemory error that frees what the load took. Without a limit (the
// default) the hook only counts. Not thread-safe: the core is single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hubwasm {

struct AllocationLimit {
  size_t max_bytes = SIZE_MAX;  // live accounted bytes allowed
  int64_t max_calls = -1;       // accounted allocations allowed before failing (-1: any number)
};

// Installs `limit` and restarts the call count (AllocationLimit{} lifts it).
void set_allocation_limit(const AllocationLimit& limit);

// Accounts `bytes` about to be allocated (held until release_allocation);
// false when the limit refuses them: the caller then fails as if malloc had.
bool charge_allocation(size_t bytes);
void release_allocation(size_t bytes);

// Deleter for a malloc'd block of `bytes` that charge_allocation accounted.
struct AccountedFree {
  size_t bytes = 0;
  void operator()(void* p) const;
};

// For memory the core allocates through containers (tokenizer tables, parsed
// headers) and does not account one by one: asks the limit for `bytes` the
// same way, then releases them at once; throws OutOfMemory naming `what`.
void check_allocation(size_t bytes, const std::string& what);

// Live accounted bytes (file blobs, tensors, KV caches).
size_t allocated_bytes();
// Accounted allocations made since the last set_allocation_limit (tests
// count them across decode steps, which must make none).
int64_t accounted_allocations();

}  // namespace hubwasm
