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
  const Tensor hidden = model.forward(in).last_hidden_state;
  Tensor features;
  switch (pooling) {
    case Pooling::None: features = hidden; break;
    case Pooling::Mean: features = mean_pool(hidden, in.attention_mask); break;
    case Pooling::Cls: features = cls_pool(hidden); break;
  }
  if (normalize) l2_normalize_rows_inplace(features);
  return features;
}

}  // namespace hubwasm
