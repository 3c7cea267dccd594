#include "tasks/logits_process.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hubwasm {

namespace {
constexpr float kRemoved = -INFINITY;
}

void softmax_into(const float* scores, int64_t vocab, std::vector<float>& probs) {
  probs.resize(static_cast<size_t>(vocab));
  float max = -INFINITY;
  for (int64_t i = 0; i < vocab; ++i) max = std::max(max, scores[i]);
  float sum = 0;
  for (int64_t i = 0; i < vocab; ++i) {
    probs[i] = scores[i] == -INFINITY ? 0.0f : std::exp(scores[i] - max);
    sum += probs[i];
  }
  for (int64_t i = 0; i < vocab; ++i) probs[i] /= sum;
}

void apply_repetition_penalty(ScoresRow row, const int32_t* ids, int64_t n, float penalty) {
  // Gather first, then scatter: a token repeated in `ids` is penalised once.
  for (int64_t i = 0; i < n; ++i) {
    const int32_t t = ids[i];
    if (t < 0 || t >= row.vocab) continue;
    bool seen = false;
    for (int64_t j = 0; j < i && !seen; ++j) seen = ids[j] == t;
    if (seen) continue;
    float& s = row.scores[t];
    s = s < 0 ? s * penalty : s / penalty;
  }
}

void apply_no_repeat_ngram(ScoresRow row, const int32_t* ids, int64_t n, int64_t ngram_size) {
  if (ngram_size <= 0 || n + 1 < ngram_size) return;
  // The last ngram_size-1 tokens; any earlier n-gram starting with them bans its last token.
  const int64_t prefix = ngram_size - 1;
  const int32_t* tail = ids + n - prefix;
  for (int64_t start = 0; start + ngram_size <= n; ++start) {
    if (std::equal(ids + start, ids + start + prefix, tail)) {
      const int32_t banned = ids[start + prefix];
      if (banned >= 0 && banned < row.vocab) row.scores[banned] = kRemoved;
    }
  }
}

void suppress_tokens(ScoresRow row, const std::vector<int32_t>& tokens) {
  for (int32_t t : tokens) {
    if (t >= 0 && t < row.vocab) row.scores[t] = kRemoved;
  }
}

void apply_temperature(ScoresRow row, float temperature) {
  for (int64_t i = 0; i < row.vocab; ++i) row.scores[i] /= temperature;
}

void apply_top_k(ScoresRow row, int64_t top_k, std::vector<float>& scratch) {
  const int64_t k = std::min(std::max<int64_t>(top_k, 1), row.vocab);
  scratch.assign(row.scores, row.scores + row.vocab);
  std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), std::greater<float>());
  const float kth = scratch[k - 1];
  for (int64_t i = 0; i < row.vocab; ++i) {
    if (row.scores[i] < kth) row.scores[i] = kRemoved;
  }
}

void apply_top_p(ScoresRow row, float top_p, std::vector<int32_t>& order, std::vector<float>& probs) {
  order.resize(static_cast<size_t>(row.vocab));
  std::iota(order.begin(), order.end(), 0);
  // Ascending, as torch.sort(descending=False): NaN last, equal scores in
  // index order. A strict total order, so std::sort gives a stable sort's
  // result without the buffer std::stable_sort allocates.
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const float x = row.scores[a], y = row.scores[b];
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) == std::isnan(y) ? a < b : std::isnan(y);
    return x < y || (x == y && a < b);
  });
  softmax_into(row.scores, row.vocab, probs);
  float cumulative = 0;
  for (int64_t r = 0; r + 1 < row.vocab; ++r) {  // the last (most likely) token is always kept
    const int32_t t = order[r];
    cumulative += probs[t];
    if (cumulative <= 1.0f - top_p) row.scores[t] = kRemoved;
  }
}

void apply_min_p(ScoresRow row, float min_p, std::vector<float>& probs) {
  softmax_into(row.scores, row.vocab, probs);
  int64_t best = 0;
  for (int64_t i = 1; i < row.vocab; ++i) {
    if (probs[i] > probs[best]) best = i;
  }
  const float threshold = min_p * probs[best];
  for (int64_t i = 0; i < row.vocab; ++i) {
    if (i != best && probs[i] < threshold) row.scores[i] = kRemoved;
  }
}

}  // namespace hubwasm
