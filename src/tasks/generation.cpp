#include "tasks/generation.h"

#include <algorithm>
#include <random>

#include "core/error.h"
#include "tasks/logits_process.h"
#include "tasks/sampling.h"

namespace hubwasm {
namespace {

[[noreturn]] void bad_option(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

void validate(const GenerationOptions& o) {
  if (o.max_new_tokens && *o.max_new_tokens <= 0) {
    bad_option("max_new_tokens must be greater than 0, but is " + std::to_string(*o.max_new_tokens));
  }
  if (o.min_new_tokens < 0) bad_option("min_new_tokens must be a non-negative integer");
  if (o.min_length < 0) bad_option("min_length must be a non-negative integer");
  if (o.repetition_penalty <= 0) bad_option("repetition_penalty must be a strictly positive float");
  if (o.no_repeat_ngram_size < 0) bad_option("no_repeat_ngram_size must be a non-negative integer");
  if (o.do_sample) {
    if (!(o.temperature > 0)) {
      bad_option("temperature must be a strictly positive float when do_sample is true (for greedy decoding set do_sample "
                 "to false)");
    }
    if (o.top_k < 0) bad_option("top_k must be a non-negative integer");
    if (!(o.top_p >= 0 && o.top_p <= 1)) bad_option("top_p must be a float in [0, 1]");
    if (!(o.min_p >= 0 && o.min_p <= 1)) bad_option("min_p must be a float in [0, 1]");
  }
}

bool contains(const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Scratch space reused at every step, so decoding allocates nothing here.
struct Workspace {
  std::vector<float> floats, probs;
  std::vector<int32_t> order;
};

// transformers' _get_logits_processor order: penalties, length constraints,
// then (when sampling) temperature, top-k, top-p, min-p.
void process_row(ScoresRow row, const std::vector<int32_t>& ids, int64_t prompt_len, const GenerationOptions& o,
                 const std::vector<int32_t>& eos, Workspace& ws) {
  const auto n = static_cast<int64_t>(ids.size());
  if (o.repetition_penalty != 1.0f) apply_repetition_penalty(row, ids.data(), n, o.repetition_penalty);
  if (o.no_repeat_ngram_size > 0) apply_no_repeat_ngram(row, ids.data(), n, o.no_repeat_ngram_size);
  if (o.min_length > 0 && n < o.min_length) suppress_tokens(row, eos);
  if (o.min_new_tokens > 0 && n - prompt_len < o.min_new_tokens) suppress_tokens(row, eos);
  if (!o.do_sample) return;
  if (o.temperature != 1.0f) apply_temperature(row, o.temperature);
  if (o.top_k != 0) apply_top_k(row, o.top_k, ws.floats);
  if (o.top_p < 1.0f) apply_top_p(row, o.top_p, ws.order, ws.probs);
  if (o.min_p > 0.0f) apply_min_p(row, o.min_p, ws.probs);
}

}  // namespace

GenerationOptions generation_defaults(const RepoFiles& files) {
  GenerationOptions o;
  const bool has_gen = files.has("generation_config.json");
  const Config c = Config::parse(files.text(has_gen ? "generation_config.json" : "config.json"),
                                 has_gen ? "generation_config.json" : "config.json");
  if (c.has("eos_token_id")) o.eos_token_id = read_token_ids(c, "eos_token_id");
  if (c.has("pad_token_id")) o.pad_token_id = static_cast<int32_t>(c.get_int("pad_token_id"));
  if (!has_gen) return o;
  if (c.has("max_new_tokens")) o.max_new_tokens = c.get_int("max_new_tokens");
  o.max_length = c.get_int("max_length", o.max_length);
  o.min_new_tokens = c.get_int("min_new_tokens", o.min_new_tokens);
  o.min_length = c.get_int("min_length", o.min_length);
  o.do_sample = c.get_bool("do_sample", o.do_sample);
  o.temperature = static_cast<float>(c.get_float("temperature", o.temperature));
  o.top_k = c.get_int("top_k", o.top_k);
  o.top_p = static_cast<float>(c.get_float("top_p", o.top_p));
  o.min_p = static_cast<float>(c.get_float("min_p", o.min_p));
  o.repetition_penalty = static_cast<float>(c.get_float("repetition_penalty", o.repetition_penalty));
  o.no_repeat_ngram_size = c.get_int("no_repeat_ngram_size", o.no_repeat_ngram_size);
  return o;
}

GenerationResult generate(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& o,
                          const TokenCallback& callback) {
  validate(o);
  const DecoderInfo& info = model.info();
  const int64_t B = input.batch, P = input.seq, V = info.vocab_size;
  if (B <= 0 || P <= 0) bad_option("input_ids must not be empty");
  if (static_cast<int64_t>(input.input_ids.size()) != B * P) bad_option("input_ids must have batch*seq entries");
  std::vector<int32_t> prompt_mask = input.attention_mask.empty() ? std::vector<int32_t>(B * P, 1) : input.attention_mask;
  if (static_cast<int64_t>(prompt_mask.size()) != B * P) bad_option("attention_mask must have the shape of input_ids");

  const int64_t max_new = o.max_new_tokens ? *o.max_new_tokens : o.max_length - P;
  if (max_new <= 0) {
    bad_option("the prompt has " + std::to_string(P) + " tokens but max_length is " + std::to_string(o.max_length) +
               "; set max_new_tokens");
  }
  // Real (unpadded) tokens per row: positions run 0..count-1.
  std::vector<int32_t> count(B, 0);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t s = 0; s < P; ++s) count[b] += prompt_mask[b * P + s] ? 1 : 0;
  }
  const int64_t longest = *std::max_element(count.begin(), count.end());
  if (longest > info.max_positions) {
    bad_option("the prompt has " + std::to_string(longest) + " tokens, more than the context window of " +
               std::to_string(info.max_positions) + " tokens");
  }
  if (longest + max_new > info.max_positions) {
    bad_option("the prompt (" + std::to_string(longest) + " tokens) plus max_new_tokens " + std::to_string(max_new) +
               " exceeds the context window of " + std::to_string(info.max_positions) + " tokens");
  }

  const std::vector<int32_t> eos = o.eos_token_id ? *o.eos_token_id : info.eos_token_ids;
  const int32_t pad = o.pad_token_id ? *o.pad_token_id
                      : info.pad_token_id ? *info.pad_token_id
                      : eos.empty() ? 0 : eos[0];
  Rng rng(o.seed ? *o.seed : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}());

  // Sequences so far and the attention mask, with room for every step.
  const int64_t capacity = P + max_new;
  std::vector<std::vector<int32_t>> rows(B);
  for (int64_t b = 0; b < B; ++b) {
    rows[b].reserve(capacity);
    rows[b].assign(input.input_ids.begin() + b * P, input.input_ids.begin() + (b + 1) * P);
  }
  std::vector<int32_t> mask = prompt_mask;
  mask.reserve(B * capacity);
  std::vector<char> unfinished(B, 1);
  std::vector<int32_t> next(B);
  Workspace ws;
  ws.floats.reserve(V);
  ws.probs.reserve(V);
  ws.order.reserve(V);

  KVCache cache = model.new_cache(B);
  cache.reserve(o.use_cache ? capacity : P);
  DecoderInput step;
  step.batch = B;
  step.last_logits_only = true;
  step.input_ids = input.input_ids;
  step.attention_mask = mask;
  step.seq = P;
  step.position_ids = position_ids_from_mask(mask, B, P);
  step.input_ids.reserve(B * capacity);
  step.attention_mask.reserve(B * capacity);
  step.position_ids.reserve(B * capacity);

  GenerationResult result;
  result.batch = B;
  int64_t generated = 0;
  while (true) {
    Tensor logits = model.forward(step, cache);  // (B, 1, V)
    float* scores = logits.f32();
    for (int64_t b = 0; b < B; ++b) {
      ScoresRow row{scores + b * V, V};
      process_row(row, rows[b], P, o, eos, ws);
      int32_t token = o.do_sample ? sample(row.scores, V, rng, ws.probs) : argmax(row.scores, V);
      if (!unfinished[b]) token = pad;  // finished rows are padded, as transformers does
      next[b] = token;
    }
    // Append the new column to the sequences and the mask.
    const int64_t width = P + generated;
    mask.resize(B * (width + 1));
    for (int64_t b = B - 1; b >= 0; --b) {
      std::copy_backward(mask.begin() + b * width, mask.begin() + (b + 1) * width, mask.begin() + b * (width + 1) + width);
      mask[b * (width + 1) + width] = 1;
      rows[b].push_back(next[b]);
      if (unfinished[b] && contains(eos, next[b])) unfinished[b] = 0;
    }
    ++generated;
    const bool keep_going = !callback || callback(next);
    if (!keep_going) result.cancelled = true;
    const bool all_done = std::none_of(unfinished.begin(), unfinished.end(), [](char u) { return u != 0; });
    if (!keep_going || all_done || generated >= max_new) break;

    // The next forward: only the new tokens with the cache, everything without it.
    if (o.use_cache) {
      step.seq = 1;
      step.input_ids.assign(next.begin(), next.end());
      step.position_ids.resize(B);
      for (int64_t b = 0; b < B; ++b) step.position_ids[b] = count[b]++;
    } else {
      cache.clear();
      step.seq = width + 1;
      step.input_ids.clear();
      for (int64_t b = 0; b < B; ++b) step.input_ids.insert(step.input_ids.end(), rows[b].begin(), rows[b].end());
      step.position_ids = position_ids_from_mask(mask, B, width + 1);
    }
    step.attention_mask.assign(mask.begin(), mask.end());
  }

  result.new_tokens = generated;
  result.length = P + generated;
  result.sequences.reserve(B * result.length);
  for (const auto& r : rows) result.sequences.insert(result.sequences.end(), r.begin(), r.end());
  return result;
}

}  // namespace hubwasm
