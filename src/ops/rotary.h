// Rotary position embeddings as transformers' Llama family applies them
// (rotate-half layout: the first and second halves of each head form the
// pairs), with the inverse frequencies of modeling_rope_utils.py for the
// rope_scaling types default, linear, dynamic (NTK) and llama3.
#pragma once

#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/config.h"

namespace hubwasm {

enum class RopeType { Default, Linear, Dynamic, Llama3 };

struct RopeConfig {
  RopeType type = RopeType::Default;
  double theta = 10000.0;                 // rope_theta
  int64_t dim = 0;                        // rotated dims per head (head_dim)
  int64_t max_position_embeddings = 0;
  double factor = 1.0;                    // linear, dynamic, llama3
  double low_freq_factor = 1.0;           // llama3
  double high_freq_factor = 4.0;          // llama3
  int64_t original_max_position_embeddings = 0;  // llama3

  // rope_theta and rope_scaling ({"rope_type" or "type": ..., "factor": ...})
  // from config.json; errors name the key. Unknown types are UnsupportedFeature.
  static RopeConfig from(const Config& config, int64_t head_dim);
};

class RotaryEmbedding {
 public:
  RotaryEmbedding() = default;
  explicit RotaryEmbedding(const RopeConfig& config);

  // inv_freq (dim/2 values, into `out`, reusing its memory) for a forward
  // whose largest position is seq_len - 1: fixed except for "dynamic", which
  // rescales the base once seq_len exceeds max_position_embeddings, as
  // transformers does.
  void inv_freq(int64_t seq_len, std::vector<float>& out) const;

  // x: (rows, heads*head_dim); row r is rotated by positions[r]. inv_freq:
  // from inv_freq() for the largest of the positions + 1.
  void apply_inplace(Tensor& x, int64_t heads, const std::vector<int32_t>& positions,
                     const std::vector<float>& inv_freq) const;

  const RopeConfig& config() const { return config_; }

 private:
  RopeConfig config_;
  std::vector<float> base_inv_freq_;
};

}  // namespace hubwasm
