#include "models/weight_loader.h"

#include "core/error.h"

namespace hubwasm {
namespace {

// "x.LayerNorm.weight" -> "x.LayerNorm.gamma" (checkpoints from TF-era BERT ports).
std::string legacy_name(const std::string& name) {
  const auto dot = name.rfind('.');
  const std::string leaf = name.substr(dot + 1);
  if (leaf == "weight") return name.substr(0, dot + 1) + "gamma";
  if (leaf == "bias") return name.substr(0, dot + 1) + "beta";
  return name;
}

}  // namespace

std::optional<std::string> WeightLoader::stored_base_name(const std::string& name) const {
  for (const std::string& candidate : {base_prefix_ + name, name}) {
    if (store_.has(candidate)) return candidate;
    if (candidate.find("LayerNorm") != std::string::npos && store_.has(legacy_name(candidate))) {
      return legacy_name(candidate);
    }
  }
  return std::nullopt;
}

bool WeightLoader::has_base(const std::string& name) const { return stored_base_name(name).has_value(); }

const std::string& WeightLoader::checked_shape(const std::string& stored, const std::string& name,
                                              const Shape& shape) const {
  const Shape& actual = store_.entry(stored).shape;
  if (actual != shape) {
    throw Error(ErrorCode::ConfigMismatch, "tensor \"" + name + "\" in " + store_.files_description() +
                                               " has shape " + shape_to_string(actual) +
                                               " but config.json implies " + shape_to_string(shape));
  }
  return stored;
}

Tensor WeightLoader::base(const std::string& name, const Shape& shape) const {
  return to_f32(raw_base(name, shape), "tensor \"" + name + "\"");
}

std::string WeightLoader::stored_base(const std::string& name, const Shape& shape) const {
  const auto stored = stored_base_name(name);
  if (!stored) {
    throw Error(ErrorCode::MissingTensor, "tensor \"" + base_prefix_ + name + "\" (or \"" + name +
                                              "\") not found in " + store_.files_description());
  }
  return checked_shape(*stored, name, shape);
}

Tensor WeightLoader::raw_base(const std::string& name, const Shape& shape) const {
  return store_.get(stored_base(name, shape));
}

Tensor WeightLoader::head(const std::string& name, const Shape& shape) const {
  return to_f32(raw_head(name, shape), "tensor \"" + name + "\"");
}

std::string WeightLoader::stored_head(const std::string& name, const Shape& shape) const {
  return checked_shape(name, name, shape);
}

Tensor WeightLoader::raw_head(const std::string& name, const Shape& shape) const {
  return store_.get(stored_head(name, shape));
}

Linear WeightLoader::base_linear(const std::string& prefix, int64_t in, int64_t out) const {
  return {base(prefix + ".weight", {out, in}), base(prefix + ".bias", {out})};
}

Linear WeightLoader::head_linear(const std::string& prefix, int64_t in, int64_t out) const {
  return {head(prefix + ".weight", {out, in}), head(prefix + ".bias", {out})};
}

LayerNorm WeightLoader::base_layer_norm(const std::string& prefix, int64_t hidden, float eps) const {
  return {base(prefix + ".weight", {hidden}), base(prefix + ".bias", {hidden}), eps};
}

}  // namespace hubwasm
