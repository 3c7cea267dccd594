// All tensors of a model, from one model.safetensors or from the shards that
// model.safetensors.index.json lists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "io/repo_files.h"
#include "io/safetensors.h"

namespace hubwasm {

class WeightStore {
 public:
  // The safetensors files this repo's weights live in: the index's shards, or
  // model.safetensors. A repo with only pickle / TF / Flax weights gets a
  // MissingFile error that says so.
  static std::vector<std::string> weight_files(const RepoFiles& files);
  static WeightStore from_repo(const RepoFiles& files);

  bool has(const std::string& name) const { return where_.count(name) != 0; }
  // Throws MissingTensor naming the tensor and the weight files searched.
  Tensor get(const std::string& name) const;
  // The tensor's dtype and shape from its file's header (no bytes read).
  const SafetensorsEntry& entry(const std::string& name) const;
  // Rows [begin, end) of its first dimension (SafetensorsFile::rows).
  Tensor rows(const std::string& name, int64_t begin, int64_t end) const;
  std::vector<std::string> names() const;
  const std::string& files_description() const { return files_description_; }

 private:
  const SafetensorsFile& file_of(const std::string& name) const;

  std::vector<SafetensorsFile> files_;
  std::map<std::string, size_t> where_;  // tensor name -> index into files_
  std::string files_description_;
};

}  // namespace hubwasm
