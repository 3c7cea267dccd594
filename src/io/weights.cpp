#include "io/weights.h"

#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace hubwasm {
namespace {

constexpr const char* kIndexFile = "model.safetensors.index.json";
constexpr const char* kSingleFile = "model.safetensors";

// Reads the shard file names from the index and checks its structure.
std::map<std::string, std::string> read_weight_map(const RepoFiles& files) {
  const auto index = nlohmann::json::parse(files.text(kIndexFile), nullptr, false);
  if (index.is_discarded() || !index.is_object()) {
    throw Error(ErrorCode::InvalidFile, std::string(kIndexFile) + ": not a JSON object");
  }
  const auto map_it = index.find("weight_map");
  if (map_it == index.end() || !map_it->is_object()) {
    throw Error(ErrorCode::InvalidFile, std::string(kIndexFile) + ": missing \"weight_map\" object");
  }
  std::map<std::string, std::string> weight_map;
  for (const auto& [tensor, shard] : map_it->items()) {
    if (!shard.is_string()) {
      throw Error(ErrorCode::InvalidFile,
                  std::string(kIndexFile) + ": weight_map[\"" + tensor + "\"] is not a file name");
    }
    const auto name = shard.get<std::string>();
    // Shards are siblings of the index; anything else would escape the repo.
    if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos) {
      throw Error(ErrorCode::InvalidFile, std::string(kIndexFile) + ": shard name \"" + name + "\" is not a plain file name");
    }
    weight_map[tensor] = name;
  }
  return weight_map;
}

}  // namespace

std::vector<std::string> WeightStore::weight_files(const RepoFiles& files) {
  if (files.has(kIndexFile)) {
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : read_weight_map(files)) shards.insert(shard);
    return {shards.begin(), shards.end()};
  }
  if (files.has(kSingleFile)) return {kSingleFile};
  for (const char* other : {"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5",
                            "flax_model.msgpack", "onnx/model.onnx"}) {
    if (files.has(other)) {
      throw Error(ErrorCode::MissingFile,
                  std::string("repo has ") + other + " but no model.safetensors: hubwasm reads safetensors " +
                      "weights only (pickle, TF and Flax files are not loaded); use a revision that has " +
                      "model.safetensors or convert the weights");
    }
  }
  throw Error(ErrorCode::MissingFile, "repo has neither model.safetensors nor model.safetensors.index.json");
}

WeightStore WeightStore::from_repo(const RepoFiles& files) {
  WeightStore store;
  for (const auto& name : weight_files(files)) {
    if (!files.has(name)) throw Error(ErrorCode::MissingFile, name + ": shard listed in " + kIndexFile + " is missing");
    const ByteSourcePtr source = files.external(name);
    store.files_.push_back(source ? SafetensorsFile::parse(source, name) : SafetensorsFile::parse(files.get(name), name));
    if (!store.files_description_.empty()) store.files_description_ += ", ";
    store.files_description_ += name;
  }
  for (size_t i = 0; i < store.files_.size(); ++i) {
    for (const auto& [tensor, entry] : store.files_[i].entries()) {
      if (!store.where_.emplace(tensor, i).second) {
        throw Error(ErrorCode::InvalidFile, "tensor \"" + tensor + "\" appears in both " +
                                                store.files_[store.where_[tensor]].filename() + " and " +
                                                store.files_[i].filename());
      }
    }
  }
  if (files.has(kIndexFile)) {
    for (const auto& [tensor, shard] : read_weight_map(files)) {
      const auto it = store.where_.find(tensor);
      if (it == store.where_.end() || store.files_[it->second].filename() != shard) {
        throw Error(ErrorCode::InvalidFile, std::string(kIndexFile) + " places \"" + tensor + "\" in " + shard +
                                                ", which does not contain it");
      }
    }
  }
  return store;
}

const SafetensorsFile& WeightStore::file_of(const std::string& name) const {
  const auto it = where_.find(name);
  if (it == where_.end()) {
    throw Error(ErrorCode::MissingTensor, "tensor \"" + name + "\" not found in " + files_description_);
  }
  return files_[it->second];
}

Tensor WeightStore::get(const std::string& name) const { return file_of(name).tensor(name); }

const SafetensorsEntry& WeightStore::entry(const std::string& name) const { return file_of(name).entry(name); }

Tensor WeightStore::rows(const std::string& name, int64_t begin, int64_t end) const {
  return file_of(name).rows(name, begin, end);
}

std::vector<std::string> WeightStore::names() const {
  std::vector<std::string> out;
  for (const auto& [name, i] : where_) out.push_back(name);
  return out;
}

}  // namespace hubwasm
