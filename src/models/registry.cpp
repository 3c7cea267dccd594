#include "models/registry.h"

#include "core/error.h"
#include "models/bert.h"
#include "models/distilbert.h"

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

}  // namespace hubwasm
