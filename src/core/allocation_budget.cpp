#include "core/allocation_budget.h"

#include <cstdlib>

#include "core/error.h"

namespace hubwasm {
namespace {

AllocationLimit g_limit;
int64_t g_calls = 0;
size_t g_live = 0;

}  // namespace

void set_allocation_limit(const AllocationLimit& limit) {
  g_limit = limit;
  g_calls = 0;
}

bool charge_allocation(size_t bytes) {
  const bool over_count = g_limit.max_calls >= 0 && g_calls >= g_limit.max_calls;
  const bool over_bytes = bytes > g_limit.max_bytes || g_live > g_limit.max_bytes - bytes;
  if (over_count || over_bytes) return false;
  ++g_calls;
  g_live += bytes;
  return true;
}

void release_allocation(size_t bytes) { g_live -= bytes; }

void check_allocation(size_t bytes, const std::string& what) {
  if (!charge_allocation(bytes)) {
    throw Error(ErrorCode::OutOfMemory, what + ": cannot allocate " + std::to_string(bytes) + " bytes");
  }
  release_allocation(bytes);
}

void AccountedFree::operator()(void* p) const {
  std::free(p);
  release_allocation(bytes);
}

size_t allocated_bytes() { return g_live; }

int64_t accounted_allocations() { return g_calls; }

}  // namespace hubwasm
