// Looks up an architecture's tensors the way transformers' from_pretrained
// does: names relative to the base model are found with or without the base
// model prefix ("bert."), legacy LayerNorm gamma/beta names are accepted, and
// every tensor is checked against the shape the config implies.
#pragma once

#include <optional>
#include <string>

#include "core/tensor.h"
#include "io/weights.h"
#include "ops/layer_norm.h"
#include "ops/linear.h"

namespace hubwasm {

class WeightLoader {
 public:
  WeightLoader(const WeightStore& store, std::string base_prefix)
      : store_(store), base_prefix_(std::move(base_prefix)) {}

  // A base-model tensor ("embeddings.word_embeddings.weight"), as float32.
  // Throws MissingTensor, or ConfigMismatch when the shape differs.
  Tensor base(const std::string& name, const Shape& shape) const;
  bool has_base(const std::string& name) const;
  // The same, shape-checked, in the file's dtype (a view of the file's bytes).
  Tensor raw_base(const std::string& name, const Shape& shape) const;
  // The name it is stored under, shape-checked from the header (no bytes read).
  std::string stored_base(const std::string& name, const Shape& shape) const;
  // A head tensor, named from the model root ("classifier.weight").
  Tensor head(const std::string& name, const Shape& shape) const;
  bool has_head(const std::string& name) const { return store_.has(name); }
  Tensor raw_head(const std::string& name, const Shape& shape) const;
  std::string stored_head(const std::string& name, const Shape& shape) const;

  Linear base_linear(const std::string& prefix, int64_t in, int64_t out) const;
  Linear head_linear(const std::string& prefix, int64_t in, int64_t out) const;
  LayerNorm base_layer_norm(const std::string& prefix, int64_t hidden, float eps) const;

 private:
  // The name `name` is stored under (with or without the prefix, or legacy).
  std::optional<std::string> stored_base_name(const std::string& name) const;
  // `stored`, after checking its shape against the one config.json implies.
  const std::string& checked_shape(const std::string& stored, const std::string& name, const Shape& shape) const;

  const WeightStore& store_;
  std::string base_prefix_;
};

}  // namespace hubwasm
