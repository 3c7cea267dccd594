#include "models/registry.h"

#include "core/error.h"
#include "models/albert.h"
#include "models/bert.h"
#include "models/deberta_v2.h"
#include "models/distilbert.h"
#include "models/gpt2.h"
#include "models/llama.h"
#include "models/mpnet.h"

namespace hubwasm {
namespace {

using Loader = std::unique_ptr<EncoderModel> (*)(const Config&, const WeightStore&, Head);

struct Entry {
  const char* model_type;
  Loader load;
};

// BERT checkpoints cover MiniLM, BGE, E5, GTE and most sentence-transformers.
constexpr Entry kArchitectures[] = {
    {"bert", load_bert},
    {"distilbert", load_distilbert},
    {"roberta", load_roberta},
    {"xlm-roberta", load_roberta},
    {"electra", load_electra},
    {"albert", load_albert},
    {"mpnet", load_mpnet},
    {"deberta-v2", load_deberta_v2},
};

Loader find_loader(const Config& config) {
  const std::string type = config.model_type();
  for (const auto& e : kArchitectures) {
    if (type == e.model_type) return e.load;
  }
  std::string supported;
  for (const auto& name : supported_model_types()) supported += (supported.empty() ? "" : ", ") + name;
  throw Error(ErrorCode::UnsupportedModel,
              config.filename() + ": model_type \"" + type + "\" is not supported (supported: " + supported + ")");
}

}  // namespace

std::unique_ptr<EncoderModel> load_encoder(const Config& config, const WeightStore& weights, Head head) {
  return find_loader(config)(config, weights, head);
}

std::unique_ptr<EncoderModel> load_encoder(const RepoFiles& files, Head head) {
  const Config config = Config::parse(files.text("config.json"), "config.json");
  const Loader load = find_loader(config);  // before parsing weights: the more useful error first
  return load(config, WeightStore::from_repo(files), head);
}

std::vector<std::string> supported_model_types() {
  std::vector<std::string> out;
  for (const auto& e : kArchitectures) out.push_back(e.model_type);
  return out;
}

// Decoders ------------------------------------------------------------------

namespace {

using DecoderLoader = std::unique_ptr<DecoderModel> (*)(const Config&, const WeightStore&, const DecoderOptions&);

struct DecoderEntry {
  const char* model_type;
  DecoderLoader load;
};

// Mistral, Qwen2, Gemma and Phi-3 share Llama's forward; their configs differ (see llama.h).
constexpr DecoderEntry kDecoders[] = {
    {"gpt2", load_gpt2},
    {"llama", load_llama},
    {"mistral", load_llama},
    {"qwen2", load_llama},
    {"gemma", load_llama},
    {"phi3", load_llama},
};

DecoderLoader find_decoder_loader(const Config& config) {
  const std::string type = config.model_type();
  for (const auto& e : kDecoders) {
    if (type == e.model_type) return e.load;
  }
  std::string supported;
  for (const auto& name : supported_decoder_types()) supported += (supported.empty() ? "" : ", ") + name;
  throw Error(ErrorCode::UnsupportedModel, config.filename() + ": model_type \"" + type +
                                               "\" is not supported for text generation (supported: " + supported + ")");
}

}  // namespace

std::unique_ptr<DecoderModel> load_decoder(const Config& config, const WeightStore& weights,
                                           const DecoderOptions& options) {
  return find_decoder_loader(config)(config, weights, options);
}

std::unique_ptr<DecoderModel> load_decoder(const RepoFiles& files, const DecoderOptions& options) {
  const Config config = Config::parse(files.text("config.json"), "config.json");
  const DecoderLoader load = find_decoder_loader(config);  // the more useful error first
  return load(config, WeightStore::from_repo(files), options);
}

std::vector<std::string> supported_decoder_types() {
  std::vector<std::string> out;
  for (const auto& e : kDecoders) out.push_back(e.model_type);
  return out;
}

}  // namespace hubwasm
