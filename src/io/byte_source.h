// The bytes of a repo file kept outside this module's memory and read on
// demand. In WebAssembly the download stays in JavaScript memory, so a model
// whose weights are converted while loading (q8, fp16) never holds the file
// and its converted weights in the 4 GB of wasm memory at the same time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace hubwasm {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual size_t size() const = 0;
  // Copies bytes [offset, offset + len) to dst; callers keep offset + len <= size().
  virtual void read(size_t offset, size_t len, uint8_t* dst) const = 0;
};

using ByteSourcePtr = std::shared_ptr<const ByteSource>;

}  // namespace hubwasm
