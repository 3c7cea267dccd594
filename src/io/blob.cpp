#include "io/blob.h"

#include <cstdlib>
#include <cstring>

#include "core/allocation_budget.h"
#include "core/error.h"

namespace hubwasm {

std::shared_ptr<Blob> Blob::allocate(size_t size, const std::string& what) {
  const bool charged = charge_allocation(size);
  auto* p = charged ? static_cast<uint8_t*>(std::malloc(size ? size : 1)) : nullptr;
  if (!p) {
    if (charged) release_allocation(size);
    throw Error(ErrorCode::OutOfMemory,
                what + ": cannot allocate " + std::to_string(size) + " bytes");
  }
  return std::shared_ptr<Blob>(new Blob(p, size));
}

std::shared_ptr<Blob> Blob::from_string(std::string_view bytes, const std::string& what) {
  auto blob = allocate(bytes.size(), what);
  if (!bytes.empty()) std::memcpy(blob->mutable_data(), bytes.data(), bytes.size());
  return blob;
}

Blob::~Blob() {
  std::free(data_);
  release_allocation(size_);
}

}  // namespace hubwasm
