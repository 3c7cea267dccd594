// The bytes of one repo file, in one malloc'd block. In WebAssembly, JavaScript
// writes a download straight into this block, so a file exists in memory once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hubwasm {

class Blob {
 public:
  // Throws OutOfMemory naming `what` when the block cannot be allocated.
  static std::shared_ptr<Blob> allocate(size_t size, const std::string& what);
  static std::shared_ptr<Blob> from_string(std::string_view bytes, const std::string& what);
  ~Blob();
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;

  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }
  size_t size() const { return size_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  Blob(uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t* data_;
  size_t size_;
};

using BlobPtr = std::shared_ptr<const Blob>;

}  // namespace hubwasm
