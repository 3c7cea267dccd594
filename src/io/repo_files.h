// The files of one Hub repo that have been fetched so far, by repo path
// ("config.json", "model-00001-of-00002.safetensors", ...): in this module's
// memory (blobs), or, for weight files read tensor by tensor, outside it
// (byte sources).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "io/blob.h"
#include "io/byte_source.h"

namespace hubwasm {

class RepoFiles {
 public:
  void add(const std::string& path, BlobPtr blob) { files_[path] = std::move(blob); }
  void add_external(const std::string& path, ByteSourcePtr source) { external_[path] = std::move(source); }
  bool has(const std::string& path) const { return files_.count(path) != 0 || external_.count(path) != 0; }
  // Throws MissingFile naming the path (also for a file held externally).
  const BlobPtr& get(const std::string& path) const;
  // The file's byte source when it was added with add_external, else null.
  ByteSourcePtr external(const std::string& path) const;
  std::string_view text(const std::string& path) const { return get(path)->view(); }
  const std::map<std::string, BlobPtr>& all() const { return files_; }
  const std::map<std::string, ByteSourcePtr>& all_external() const { return external_; }

 private:
  std::map<std::string, BlobPtr> files_;
  std::map<std::string, ByteSourcePtr> external_;
};

}  // namespace hubwasm
