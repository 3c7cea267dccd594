#include "models/encoder.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.h"

namespace hubwasm {

void validate_encoder_input(const EncoderInput& in, int64_t max_positions) {
  const auto n = static_cast<size_t>(in.batch * in.seq);
  if (in.batch <= 0 || in.seq <= 0) throw Error(ErrorCode::InvalidArgument, "input_ids must not be empty");
  if (in.input_ids.size() != n) throw Error(ErrorCode::InvalidArgument, "input_ids has the wrong size");
  if (in.attention_mask.size() != n) {
    throw Error(ErrorCode::InvalidArgument, "attention_mask must have the same shape as input_ids");
  }
  if (!in.token_type_ids.empty() && in.token_type_ids.size() != n) {
    throw Error(ErrorCode::InvalidArgument, "token_type_ids must have the same shape as input_ids");
  }
  if (in.seq > max_positions) {
    throw Error(ErrorCode::InvalidArgument, "input of " + std::to_string(in.seq) +
                                                " tokens is longer than max_position_embeddings " +
                                                std::to_string(max_positions));
  }
}

namespace {

// Sequences [b0, b1) of `in`.
EncoderInput slice_batch(const EncoderInput& in, int64_t b0, int64_t b1) {
  const auto rows = [&](const std::vector<int32_t>& v) {
    return v.empty() ? v : std::vector<int32_t>(v.begin() + b0 * in.seq, v.begin() + b1 * in.seq);
  };
  return {b1 - b0, in.seq, rows(in.input_ids), rows(in.attention_mask), rows(in.token_type_ids)};
}

}  // namespace

void stack_slice(const Tensor& part, int64_t b0, int64_t batch, Tensor& whole) {
  if (part.empty()) return;
  if (whole.empty()) {
    Shape shape = part.shape();
    shape[0] = batch;
    whole = Tensor::uninitialized(part.dtype(), shape);
  }
  const size_t per_sequence = part.nbytes() / static_cast<size_t>(part.dim(0));
  std::memcpy(static_cast<char*>(whole.mutable_data()) + static_cast<size_t>(b0) * per_sequence, part.data(),
              part.nbytes());
}

void EncoderModel::forward_slices(const EncoderInput& in,
                                  FunctionRef<void(int64_t b0, int64_t b1, EncoderOutput& part)> each) const {
  // The sizes, before slicing; each architecture checks the length against its positions.
  validate_encoder_input(in, std::numeric_limits<int64_t>::max());
  const int64_t per_slice = std::max<int64_t>(1, kSliceTokens / in.seq);
  if (in.batch <= per_slice) {
    EncoderOutput out = forward_batch(in);
    each(0, in.batch, out);
    return;
  }
  for (int64_t b0 = 0; b0 < in.batch; b0 += per_slice) {
    const int64_t b1 = std::min(in.batch, b0 + per_slice);
    EncoderOutput part = forward_batch(slice_batch(in, b0, b1));
    each(b0, b1, part);
  }
}

EncoderOutput EncoderModel::forward(const EncoderInput& in) const {
  EncoderOutput out;
  forward_slices(in, [&](int64_t b0, int64_t b1, EncoderOutput& part) {
    if (b1 - b0 == in.batch) {  // one slice: its outputs are the batch's, no copy
      out = std::move(part);
      return;
    }
    for (Tensor EncoderOutput::*field : {&EncoderOutput::last_hidden_state, &EncoderOutput::pooler_output,
                                         &EncoderOutput::logits, &EncoderOutput::start_logits,
                                         &EncoderOutput::end_logits}) {
      stack_slice(part.*field, b0, in.batch, out.*field);
    }
  });
  return out;
}

EncoderDims EncoderDims::from(const Config& c, int64_t default_max_positions, const std::string& default_act,
                              double default_eps) {
  EncoderDims d;
  d.vocab_size = c.get_int("vocab_size");
  d.hidden_size = c.get_int("hidden_size");
  d.num_hidden_layers = c.get_int("num_hidden_layers");
  d.num_attention_heads = c.get_int("num_attention_heads");
  d.intermediate_size = c.get_int("intermediate_size");
  d.max_position_embeddings = c.get_int("max_position_embeddings", default_max_positions);
  d.hidden_act = c.get_string("hidden_act", default_act);
  d.layer_norm_eps = c.get_float("layer_norm_eps", default_eps);
  if (d.num_attention_heads <= 0 || d.hidden_size <= 0 || d.hidden_size % d.num_attention_heads != 0) {
    throw Error(ErrorCode::InvalidConfig, c.filename() + ": hidden_size " + std::to_string(d.hidden_size) +
                                              " is not a multiple of num_attention_heads " +
                                              std::to_string(d.num_attention_heads));
  }
  require_positive_sizes(c, {d.vocab_size, d.num_hidden_layers, d.intermediate_size, d.max_position_embeddings});
  return d;
}

void require_absolute_positions(const Config& c) {
  const std::string position_type = c.get_string("position_embedding_type", "absolute");
  if (position_type != "absolute") {
    throw Error(ErrorCode::UnsupportedFeature,
                c.filename() + ": position_embedding_type \"" + position_type + "\" is not supported");
  }
}

void require_positive_sizes(const Config& c, std::initializer_list<int64_t> sizes) {
  for (int64_t v : sizes) {
    if (v <= 0) throw Error(ErrorCode::InvalidConfig, c.filename() + ": sizes must be positive");
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
