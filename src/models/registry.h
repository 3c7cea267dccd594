// Architectures by config.json "model_type".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/repo_files.h"
#include "models/encoder.h"

namespace hubwasm {

// Throws UnsupportedModel naming the model_type and the supported ones.
std::unique_ptr<EncoderModel> load_encoder(const Config& config, const WeightStore& weights, Head head);
// config.json + safetensors weights from a repo's files.
std::unique_ptr<EncoderModel> load_encoder(const RepoFiles& files, Head head);
std::vector<std::string> supported_model_types();

}  // namespace hubwasm
