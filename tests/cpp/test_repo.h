// Builds RepoFiles from a folder of ../shared/models, and safetensors bytes
// from a header, for tests.
#pragma once

#include <filesystem>
#include <string>

#include "io/repo_files.h"
#include "test_paths.h"

inline hubwasm::RepoFiles load_repo_dir(const std::string& dir) {
  hubwasm::RepoFiles files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(entry.path(), dir).generic_string();
    files.add(rel, hubwasm::Blob::from_string(read_file(entry.path().string()), rel));
  }
  return files;
}

// 8-byte little-endian length + header + `data_bytes` bytes of payload.
inline std::string make_safetensors(const std::string& header, size_t data_bytes, uint64_t claimed_len = 0) {
  const uint64_t len = claimed_len ? claimed_len : header.size();
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((len >> (8 * i)) & 0xff);
  out += header;
  out += std::string(data_bytes, '\x01');
  return out;
}
