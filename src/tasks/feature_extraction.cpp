#include "tasks/feature_extraction.h"

#include "core/error.h"
#include "ops/pooling.h"
#include "tasks/encoder_batch.h"

namespace hubwasm {

Pooling parse_pooling(const std::string& name) {
  if (name == "none") return Pooling::None;
  if (name == "mean") return Pooling::Mean;
  if (name == "cls" || name == "first_token") return Pooling::Cls;
  throw Error(ErrorCode::InvalidArgument,
              "pooling \"" + name + "\" is not supported (use \"none\", \"mean\" or \"cls\")");
}

Tensor extract_features(const Tokenizer& tokenizer, const EncoderModel& model, const std::vector<std::string>& texts,
                        Pooling pooling, bool normalize) {
  const EncoderInput in = encode_for_encoder(tokenizer, model, texts);
  Tensor features;
  if (pooling == Pooling::None) {
    features = model.forward(in).last_hidden_state;
  } else {
    // Pooled slice by slice: the token states of the whole batch are never held at once.
    model.forward_slices(in, [&](int64_t b0, int64_t b1, EncoderOutput& part) {
      const bool whole = b1 - b0 == in.batch;
      std::vector<int32_t> slice_mask;
      if (!whole) slice_mask.assign(in.attention_mask.begin() + b0 * in.seq, in.attention_mask.begin() + b1 * in.seq);
      const std::vector<int32_t>& mask = whole ? in.attention_mask : slice_mask;
      Tensor pooled = pooling == Pooling::Mean ? mean_pool(part.last_hidden_state, mask) : cls_pool(part.last_hidden_state);
      if (whole) {
        features = std::move(pooled);
      } else {
        stack_slice(pooled, b0, in.batch, features);
      }
    });
  }
  if (normalize) l2_normalize_rows_inplace(features);
  return features;
}

}  // namespace hubwasm
