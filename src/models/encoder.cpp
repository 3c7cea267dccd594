#include "models/encoder.h"

#include "core/error.h"

namespace hubwasm {

void validate_encoder_input(const EncoderInput& in) {
  const auto n = static_cast<size_t>(in.batch * in.seq);
  if (in.batch <= 0 || in.seq <= 0) throw Error(ErrorCode::InvalidArgument, "input_ids must not be empty");
  if (in.input_ids.size() != n) throw Error(ErrorCode::InvalidArgument, "input_ids has the wrong size");
  if (in.attention_mask.size() != n) {
    throw Error(ErrorCode::InvalidArgument, "attention_mask must have the same shape as input_ids");
  }
  if (!in.token_type_ids.empty() && in.token_type_ids.size() != n) {
    throw Error(ErrorCode::InvalidArgument, "token_type_ids must have the same shape as input_ids");
  }
}

}  // namespace hubwasm
