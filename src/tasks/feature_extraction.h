// The feature-extraction task: token states or pooled sentence embeddings, as
// transformers.js's FeatureExtractionPipeline returns them.
#pragma once

#include <string>
#include <vector>

#include "models/encoder.h"
#include "tokenizers/tokenizer.h"

namespace hubwasm {

enum class Pooling { None, Mean, Cls };

// "none", "mean", "cls" (or "first_token"); InvalidArgument otherwise.
Pooling parse_pooling(const std::string& name);

// (batch, seq, hidden) for Pooling::None, else (batch, hidden); `normalize`
// L2-normalises the last dimension.
Tensor extract_features(const Tokenizer& tokenizer, const EncoderModel& model, const std::vector<std::string>& texts,
                        Pooling pooling, bool normalize);

}  // namespace hubwasm
