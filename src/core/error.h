// Typed errors for everything that can go wrong with user-supplied input.
// Each error carries a stable code (surfaced to JavaScript as `err.code`) and a
// message that names the file or argument at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace hubwasm {

enum class ErrorCode {
  InvalidArgument,     // a caller passed something unusable
  InvalidFile,         // bytes that do not parse: truncated, corrupt, malformed
  MissingFile,         // a repo lacks a file we need
  InvalidConfig,       // config.json is missing a key or has the wrong type
  ConfigMismatch,      // config and weights disagree
  MissingTensor,       // a tensor the architecture needs is absent
  UnsupportedModel,    // unknown model_type / architecture
  UnsupportedFeature,  // a known format using something we do not implement
  OutOfMemory,         // allocation failed or would exceed the memory limit
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace hubwasm
