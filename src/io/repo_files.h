// The files of one Hub repo that have been fetched so far, by repo path
// ("config.json", "model-00001-of-00002.safetensors", ...).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "io/blob.h"

namespace hubwasm {

class RepoFiles {
 public:
  void add(const std::string& path, BlobPtr blob) { files_[path] = std::move(blob); }
  bool has(const std::string& path) const { return files_.count(path) != 0; }
  // Throws MissingFile naming the path.
  const BlobPtr& get(const std::string& path) const;
  std::string_view text(const std::string& path) const { return get(path)->view(); }
  const std::map<std::string, BlobPtr>& all() const { return files_; }

 private:
  std::map<std::string, BlobPtr> files_;
};

}  // namespace hubwasm
