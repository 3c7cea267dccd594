#include "io/repo_files.h"

#include "core/error.h"

namespace hubwasm {

const BlobPtr& RepoFiles::get(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) throw Error(ErrorCode::MissingFile, path + ": file not found in the repo");
  return it->second;
}

}  // namespace hubwasm
