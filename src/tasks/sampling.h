// Token choice: argmax (greedy) or a draw from softmax(scores) with a small
// seeded generator, so that a seed gives the same tokens on every platform
// (std::mt19937 streams are portable, but the std distributions are not).
#pragma once

#include <cstdint>
#include <vector>

namespace hubwasm {

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double next_double();

 private:
  uint64_t s_[4];
};

// The first index of the largest score, as torch.argmax.
int32_t argmax(const float* scores, int64_t vocab);
// Draws an index with probability softmax(scores); -inf scores are never drawn.
int32_t sample(const float* scores, int64_t vocab, Rng& rng, std::vector<float>& probs);

}  // namespace hubwasm
