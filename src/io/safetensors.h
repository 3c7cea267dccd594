// safetensors reader: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the tensor bytes. Everything is validated against the real byte count
// before any tensor is handed out. Tensors of a file in memory (a blob) are
// views of its bytes; tensors of a byte source are read into new tensors.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/tensor.h"
#include "io/blob.h"
#include "io/byte_source.h"

namespace hubwasm {

struct SafetensorsEntry {
  DType dtype;
  Shape shape;
  size_t begin;  // byte offsets relative to the start of the data section
  size_t end;
};

class SafetensorsFile {
 public:
  // Throws InvalidFile naming `filename` and the problem.
  static SafetensorsFile parse(BlobPtr blob, const std::string& filename);
  static SafetensorsFile parse(ByteSourcePtr source, const std::string& filename);

  const std::string& filename() const { return filename_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // Throws MissingTensor naming the file and the tensor.
  const SafetensorsEntry& entry(const std::string& name) const;
  // A view of the tensor's bytes (a copy if the bytes are misaligned or the
  // file is a byte source).
  Tensor tensor(const std::string& name) const;
  // Rows [begin, end) of the tensor's first dimension, as tensor() gives
  // them: only these rows are read from a byte source, so a converting loader
  // can take a large weight a band at a time.
  Tensor rows(const std::string& name, int64_t begin, int64_t end) const;

 private:
  // Header checks; `read(offset, len, dst)` gives the file's bytes.
  using ReadBytes = std::function<void(size_t offset, size_t len, uint8_t* dst)>;
  static SafetensorsFile parse_layout(size_t size, const ReadBytes& read, const std::string& filename);
  // Bytes [begin, end) of the data section as a tensor of `shape`.
  Tensor bytes_as(DType dtype, const Shape& shape, size_t begin, size_t end) const;

  BlobPtr blob_;
  ByteSourcePtr source_;
  std::string filename_;
  size_t data_start_ = 0;
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace hubwasm
