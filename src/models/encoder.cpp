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

Head parse_head(const std::string& name) {
  if (name == "base") return Head::Base;
  if (name == "sequence-classification") return Head::SequenceClassification;
  if (name == "token-classification") return Head::TokenClassification;
  if (name == "masked-lm") return Head::MaskedLM;
  if (name == "question-answering") return Head::QuestionAnswering;
  throw Error(ErrorCode::InvalidArgument, "unknown model head \"" + name + "\"");
}

}  // namespace hubwasm
