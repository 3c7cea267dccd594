#include "core/error.h"

namespace hubwasm {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::InvalidFile: return "INVALID_FILE";
    case ErrorCode::MissingFile: return "MISSING_FILE";
    case ErrorCode::InvalidConfig: return "INVALID_CONFIG";
    case ErrorCode::ConfigMismatch: return "CONFIG_MISMATCH";
    case ErrorCode::MissingTensor: return "MISSING_TENSOR";
    case ErrorCode::UnsupportedModel: return "UNSUPPORTED_MODEL";
    case ErrorCode::UnsupportedFeature: return "UNSUPPORTED_FEATURE";
    case ErrorCode::OutOfMemory: return "OUT_OF_MEMORY";
  }
  return "UNKNOWN";
}

}  // namespace hubwasm
