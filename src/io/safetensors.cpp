#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/allocation_budget.h"
#include "core/error.h"

namespace hubwasm {
namespace {

// Same bound as the reference Rust implementation: refuse absurd headers early.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

bool parse_dtype(const std::string& s, DType* out) {
  static const std::pair<const char*, DType> kNames[] = {
      {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"F64", DType::F64},
      {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16},   {"I8", DType::I8},
      {"U8", DType::U8},   {"BOOL", DType::Bool}};
  for (const auto& [name, dtype] : kNames) {
    if (s == name) {
      *out = dtype;
      return true;
    }
  }
  return false;
}

[[noreturn]] void fail(const std::string& filename, const std::string& what) {
  throw Error(ErrorCode::InvalidFile, filename + ": invalid safetensors file: " + what);
}

}  // namespace

SafetensorsFile SafetensorsFile::parse(BlobPtr blob, const std::string& filename) {
  const auto read = [&](size_t offset, size_t len, uint8_t* dst) { std::memcpy(dst, blob->data() + offset, len); };
  SafetensorsFile file = parse_layout(blob->size(), read, filename);
  file.blob_ = std::move(blob);
  return file;
}

SafetensorsFile SafetensorsFile::parse(ByteSourcePtr source, const std::string& filename) {
  const auto read = [&](size_t offset, size_t len, uint8_t* dst) { source->read(offset, len, dst); };
  SafetensorsFile file = parse_layout(source->size(), read, filename);
  file.source_ = std::move(source);
  return file;
}

SafetensorsFile SafetensorsFile::parse_layout(size_t size, const ReadBytes& read, const std::string& filename) {
  if (size < 8) fail(filename, "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  uint8_t length_bytes[8];
  read(0, 8, length_bytes);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | length_bytes[i];
  if (header_len > kMaxHeaderBytes) {
    fail(filename, "header length " + std::to_string(header_len) + " exceeds the 100 MB limit");
  }
  if (header_len > size - 8) {
    fail(filename, "header length " + std::to_string(header_len) + " runs past the end of the file (" +
                       std::to_string(size) + " bytes; truncated download?)");
  }
  // The parsed header and tensor table take about as much as its JSON.
  check_allocation(2 * static_cast<size_t>(header_len), filename + ": safetensors header");
  std::string header_text(static_cast<size_t>(header_len), '\0');
  read(8, header_text.size(), reinterpret_cast<uint8_t*>(header_text.data()));
  const auto header = nlohmann::json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail(filename, "header is not valid JSON");
  if (!header.is_object()) fail(filename, "header is not a JSON object");

  SafetensorsFile file;
  file.filename_ = filename;
  file.data_start_ = 8 + static_cast<size_t>(header_len);
  const size_t data_size = size - file.data_start_;

  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(filename, "__metadata__ is not an object");
      for (const auto& [key, v] : value.items()) {
        if (!v.is_string()) fail(filename, "__metadata__." + key + " is not a string");
        file.metadata_[key] = v.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\"";
    if (!value.is_object()) fail(filename, where + " is not an object");
    const auto dtype_it = value.find("dtype");
    const auto shape_it = value.find("shape");
    const auto offsets_it = value.find("data_offsets");
    if (dtype_it == value.end() || !dtype_it->is_string()) fail(filename, where + " has no dtype string");
    if (shape_it == value.end() || !shape_it->is_array()) fail(filename, where + " has no shape array");
    if (offsets_it == value.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
      fail(filename, where + " has no data_offsets [begin, end]");
    }

    SafetensorsEntry entry{};
    if (!parse_dtype(dtype_it->get<std::string>(), &entry.dtype)) {
      fail(filename, where + " has unsupported dtype " + dtype_it->get<std::string>());
    }
    uint64_t numel = 1;
    for (const auto& d : *shape_it) {
      if (!d.is_number_unsigned()) fail(filename, where + " has a shape entry that is not a non-negative integer");
      const uint64_t dim = d.get<uint64_t>();
      if (dim > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, dim, &numel)) {
        fail(filename, where + " has a shape whose size overflows");
      }
      entry.shape.push_back(static_cast<int64_t>(dim));
    }
    for (const auto& o : *offsets_it) {
      if (!o.is_number_unsigned()) fail(filename, where + " has data_offsets that are not non-negative integers");
    }
    const uint64_t begin = (*offsets_it)[0].get<uint64_t>();
    const uint64_t end = (*offsets_it)[1].get<uint64_t>();
    if (begin > end) fail(filename, where + " has data_offsets with begin > end");
    if (end > data_size) {
      fail(filename, where + " ends at byte " + std::to_string(end) + " of the data section, but the file holds only " +
                         std::to_string(data_size) + " data bytes (truncated download?)");
    }
    uint64_t expected = 0;
    if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dtype_size(entry.dtype)), &expected) ||
        expected != end - begin) {
      fail(filename, where + " is " + dtype_it->get<std::string>() + " " + shape_to_string(entry.shape) +
                         " but its data_offsets span " + std::to_string(end - begin) + " bytes");
    }
    entry.begin = static_cast<size_t>(begin);
    entry.end = static_cast<size_t>(end);
    file.entries_.emplace(name, std::move(entry));
  }

  // Tensors must not share bytes: a hostile file could alias weights otherwise.
  std::vector<std::pair<size_t, const std::string*>> by_start;
  for (const auto& [name, e] : file.entries_) {
    if (e.end > e.begin) by_start.emplace_back(e.begin, &name);
  }
  std::sort(by_start.begin(), by_start.end());
  for (size_t i = 1; i < by_start.size(); ++i) {
    const auto& prev = file.entries_.at(*by_start[i - 1].second);
    if (by_start[i].first < prev.end) {
      fail(filename, "tensors \"" + *by_start[i - 1].second + "\" and \"" + *by_start[i].second +
                         "\" overlap");
    }
  }
  return file;
}

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw Error(ErrorCode::MissingTensor, filename_ + ": no tensor named \"" + name + "\"");
  }
  return it->second;
}

Tensor SafetensorsFile::tensor(const std::string& name) const {
  const SafetensorsEntry& e = entry(name);
  return bytes_as(e.dtype, e.shape, e.begin, e.end);
}

Tensor SafetensorsFile::rows(const std::string& name, int64_t begin, int64_t end) const {
  const SafetensorsEntry& e = entry(name);
  if (e.shape.empty() || begin < 0 || end < begin || end > e.shape[0]) {
    throw Error(ErrorCode::InvalidArgument, filename_ + ": rows [" + std::to_string(begin) + ", " +
                                                std::to_string(end) + ") of \"" + name + "\" " +
                                                shape_to_string(e.shape) + " are out of range");
  }
  Shape shape = e.shape;
  shape[0] = end - begin;
  const size_t row_bytes = e.shape[0] ? (e.end - e.begin) / static_cast<size_t>(e.shape[0]) : 0;
  return bytes_as(e.dtype, shape, e.begin + static_cast<size_t>(begin) * row_bytes,
                  e.begin + static_cast<size_t>(end) * row_bytes);
}

Tensor SafetensorsFile::bytes_as(DType dtype, const Shape& shape, size_t begin, size_t end) const {
  if (source_) {
    Tensor copy = Tensor::uninitialized(dtype, shape);
    source_->read(data_start_ + begin, end - begin, static_cast<uint8_t*>(copy.mutable_data()));
    return copy;
  }
  const uint8_t* p = blob_->data() + data_start_ + begin;
  if (reinterpret_cast<uintptr_t>(p) % dtype_size(dtype) == 0) {
    return Tensor::view_of(blob_, p, dtype, shape);
  }
  Tensor copy = Tensor::uninitialized(dtype, shape);
  std::memcpy(copy.mutable_data(), p, end - begin);
  return copy;
}

}  // namespace hubwasm
