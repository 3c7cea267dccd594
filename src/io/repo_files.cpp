#include "io/repo_files.h"

#include "core/error.h"

namespace hubwasm {

const BlobPtr& RepoFiles::get(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    throw Error(ErrorCode::MissingFile, path + (external_.count(path) ? ": file is held outside wasm memory, as weights"
                                                                      : ": file not found in the repo"));
  }
  return it->second;
}

ByteSourcePtr RepoFiles::external(const std::string& path) const {
  const auto it = external_.find(path);
  return it == external_.end() ? nullptr : it->second;
}

}  // namespace hubwasm
