// Architectures by config.json "model_type".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/repo_files.h"
#include "models/decoder.h"
#include "models/encoder.h"

namespace hubwasm {

// Throws UnsupportedModel naming the model_type and the supported ones.
std::unique_ptr<EncoderModel> load_encoder(const Config& config, const WeightStore& weights, Head head);
// config.json + safetensors weights from a repo's files.
std::unique_ptr<EncoderModel> load_encoder(const RepoFiles& files, Head head);
std::vector<std::string> supported_model_types();

// Decoders (causal LMs) by model_type. Throws UnsupportedModel naming the
// model_type and the supported decoder types.
std::unique_ptr<DecoderModel> load_decoder(const Config& config, const WeightStore& weights,
                                           const DecoderOptions& options = {});
std::unique_ptr<DecoderModel> load_decoder(const RepoFiles& files, const DecoderOptions& options = {});
std::vector<std::string> supported_decoder_types();

}  // namespace hubwasm
