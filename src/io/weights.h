// All tensors of a model, from one model.safetensors or from the shards that
// model.safetensors.index.json lists.
#pragma once

#include <map>
#include <optional>
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
  std::optional<Tensor> find(const std::string& name) const;
  // Throws MissingTensor naming the tensor and the weight files searched.
  Tensor get(const std::string& name) const;
  std::vector<std::string> names() const;
  const std::string& files_description() const { return files_description_; }

 private:
  std::vector<SafetensorsFile> files_;
  std::map<std::string, size_t> where_;  // tensor name -> index into files_
  std::string files_description_;
};

}  // namespace hubwasm
