// Logits processors of transformers' generation/logits_process.py, one row
// of scores at a time (a row = the next-token scores of one sequence, `ids`
// = that sequence so far, prompt and padding included, as transformers
// passes input_ids). Removed tokens get -inf, as filter_value does there.
#pragma once

#include <cstdint>
#include <vector>

namespace hubwasm {

struct ScoresRow {
  float* scores;
  int64_t vocab;
};

// RepetitionPenaltyLogitsProcessor: every token present in `ids` (once each):
// score < 0 ? score * penalty : score / penalty.
void apply_repetition_penalty(ScoresRow row, const int32_t* ids, int64_t n, float penalty);
// NoRepeatNGramLogitsProcessor: bans each token that would complete an
// n-gram already present in `ids`.
void apply_no_repeat_ngram(ScoresRow row, const int32_t* ids, int64_t n, int64_t ngram_size);
// MinLength / MinNewTokensLength: the eos tokens get -inf.
void suppress_tokens(ScoresRow row, const std::vector<int32_t>& tokens);
// TemperatureLogitsWarper: scores / temperature.
void apply_temperature(ScoresRow row, float temperature);
// TopKLogitsWarper: removes scores below the k-th largest (ties kept).
void apply_top_k(ScoresRow row, int64_t top_k, std::vector<float>& scratch);
// TopPLogitsWarper: sorts ascending, removes tokens whose cumulative
// probability is <= 1 - top_p, always keeping the most likely token.
void apply_top_p(ScoresRow row, float top_p, std::vector<int32_t>& order, std::vector<float>& probs);
// MinPLogitsWarper: removes tokens with probability < min_p * max
// probability, always keeping the most likely token.
void apply_min_p(ScoresRow row, float min_p, std::vector<float>& probs);

// softmax(scores) into probs (float32, max-subtracted as torch does).
void softmax_into(const float* scores, int64_t vocab, std::vector<float>& probs);

}  // namespace hubwasm
