#include "tasks/sampling.h"

#include "tasks/logits_process.h"

namespace hubwasm {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

int32_t argmax(const float* scores, int64_t vocab) {
  int64_t best = 0;
  for (int64_t i = 1; i < vocab; ++i) {
    if (scores[i] > scores[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

int32_t sample(const float* scores, int64_t vocab, Rng& rng, std::vector<float>& probs) {
  softmax_into(scores, vocab, probs);
  double total = 0;
  for (int64_t i = 0; i < vocab; ++i) total += probs[i];
  const double target = rng.next_double() * total;
  double cumulative = 0;
  int64_t last_possible = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    if (probs[i] <= 0) continue;
    last_possible = i;
    cumulative += probs[i];
    if (target < cumulative) return static_cast<int32_t>(i);
  }
  return static_cast<int32_t>(last_possible);  // rounding at the very top end
}

}  // namespace hubwasm
