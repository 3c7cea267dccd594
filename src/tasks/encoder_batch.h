// Turns texts into a padded encoder batch the model can take.
#pragma once

#include <string>
#include <vector>

#include "models/encoder.h"
#include "tokenizers/tokenizer.h"

namespace hubwasm {

// Pads to the longest text and truncates to what both the tokenizer
// (model_max_length) and the model (max_position_embeddings) accept.
EncoderInput encode_for_encoder(const Tokenizer& tokenizer, const EncoderModel& model,
                                const std::vector<std::string>& texts,
                                const std::vector<std::string>* pairs = nullptr);

// A batch from encodings that already have one length (padded).
EncoderInput encoder_input_from(const std::vector<Encoding>& encodings);

}  // namespace hubwasm
