// Reads the torch reference tensors of a shared fixture (ref/<case>.json +
// raw little-endian .bin files, format in ../shared/models/MANIFEST.md).
#pragma once

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_paths.h"

struct RefTensor {
  std::vector<int64_t> shape;
  std::vector<float> f32;    // float32 tensors
  std::vector<int64_t> i64;  // int64 tensors
};

inline RefTensor load_ref(const std::string& model_dir, const std::string& ref_case, const std::string& name) {
  const auto index = nlohmann::json::parse(read_file(model_dir + "/ref/" + ref_case + ".json"));
  const auto& entry = index.at(name);
  RefTensor t;
  t.shape = entry.at("shape").get<std::vector<int64_t>>();
  const std::string bytes = read_file(model_dir + "/ref/" + entry.at("file").get<std::string>());
  if (entry.at("dtype") == "float32") {
    t.f32.resize(bytes.size() / 4);
    std::memcpy(t.f32.data(), bytes.data(), bytes.size());
  } else {
    t.i64.resize(bytes.size() / 8);
    std::memcpy(t.i64.data(), bytes.data(), bytes.size());
  }
  return t;
}
