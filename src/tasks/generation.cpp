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
struct SamplingScratch {
  std::vector<float> scores;  // (batch, vocab): the step's logits, processed in place
  std::vector<float> floats, probs;
  std::vector<int32_t> order;
};

// transformers' _get_logits_processor order: penalties, length constraints,
// then (when sampling) temperature, top-k, top-p, min-p.
void process_row(ScoresRow row, const std::vector<int32_t>& ids, int64_t prompt_len, const GenerationOptions& o,
                 const std::vector<int32_t>& eos, SamplingScratch& scratch) {
  const auto n = static_cast<int64_t>(ids.size());
  if (o.repetition_penalty != 1.0f) apply_repetition_penalty(row, ids.data(), n, o.repetition_penalty);
  if (o.no_repeat_ngram_size > 0) apply_no_repeat_ngram(row, ids.data(), n, o.no_repeat_ngram_size);
  if (o.min_length > 0 && n < o.min_length) suppress_tokens(row, eos);
  if (o.min_new_tokens > 0 && n - prompt_len < o.min_new_tokens) suppress_tokens(row, eos);
  if (!o.do_sample) return;
  if (o.temperature != 1.0f) apply_temperature(row, o.temperature);
  if (o.top_k != 0) apply_top_k(row, o.top_k, scratch.floats);
  if (o.top_p < 1.0f) apply_top_p(row, o.top_p, scratch.order, scratch.probs);
  if (o.min_p > 0.0f) apply_min_p(row, o.min_p, scratch.probs);
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

struct Generation::State {
  const DecoderModel& model;
  GenerationOptions o;
  int64_t B = 0, P = 0, V = 0, max_new = 0, generated = 0;
  std::vector<int32_t> eos;
  int32_t pad = 0;
  Rng rng;
  std::vector<int32_t> count;               // real (unpadded) tokens per row: positions run 0..count-1
  std::vector<std::vector<int32_t>> rows;   // sequences so far, with room for every step
  std::vector<int32_t> mask;                // attention mask so far
  std::vector<char> unfinished;
  std::vector<int32_t> next;
  SamplingScratch scratch;
  KVCache cache;
  DecoderInput input;                       // the next forward pass
  bool stopped = false, cancelled = false;

  State(const DecoderModel& m, const GenerationOptions& options, uint64_t seed)
      : model(m), o(options), rng(seed) {}
};

Generation::Generation(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& o) {
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

  state_ = std::make_unique<State>(
      model, o, o.seed ? *o.seed : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}());
  State& st = *state_;
  st.B = B;
  st.P = P;
  st.V = V;
  st.max_new = max_new;
  st.eos = o.eos_token_id ? *o.eos_token_id : info.eos_token_ids;
  st.pad = o.pad_token_id ? *o.pad_token_id : info.pad_token_id ? *info.pad_token_id : st.eos.empty() ? 0 : st.eos[0];
  st.count = std::move(count);

  const int64_t capacity = P + max_new;
  st.rows.resize(B);
  for (int64_t b = 0; b < B; ++b) {
    st.rows[b].reserve(capacity);
    st.rows[b].assign(input.input_ids.begin() + b * P, input.input_ids.begin() + (b + 1) * P);
  }
  st.mask = prompt_mask;
  st.mask.reserve(B * capacity);
  st.unfinished.assign(B, 1);
  st.next.resize(B);
  st.scratch.scores.resize(B * V);
  st.scratch.floats.reserve(V);
  st.scratch.probs.reserve(V);
  st.scratch.order.reserve(V);

  st.cache = model.new_cache(B);
  st.cache.reserve(o.use_cache ? capacity : P);
  DecoderInput& step = st.input;
  step.batch = B;
  step.last_logits_only = true;
  step.input_ids = input.input_ids;
  step.attention_mask = st.mask;
  step.seq = P;
  step.position_ids = position_ids_from_mask(st.mask, B, P);
  step.input_ids.reserve(B * capacity);
  step.attention_mask.reserve(B * capacity);
  step.position_ids.reserve(B * capacity);
}

Generation::~Generation() = default;

bool Generation::done() const { return state_->stopped; }

void Generation::stop() {
  if (!state_->stopped) state_->cancelled = true;
  state_->stopped = true;
}

const std::vector<int32_t>& Generation::step() {
  State& st = *state_;
  if (st.stopped) throw Error(ErrorCode::InvalidArgument, "generation: step() after the run ended");
  const int64_t B = st.B, P = st.P, V = st.V;
  const GenerationOptions& o = st.o;
  // (B, 1, V) in the cache's workspace; copied, as the processors edit it.
  const Tensor& logits = st.model.forward(st.input, st.cache);
  float* scores = st.scratch.scores.data();
  std::copy_n(logits.f32(), B * V, scores);
  for (int64_t b = 0; b < B; ++b) {
    ScoresRow row{scores + b * V, V};
    process_row(row, st.rows[b], P, o, st.eos, st.scratch);
    int32_t token = o.do_sample ? sample(row.scores, V, st.rng, st.scratch.probs) : argmax(row.scores, V);
    if (!st.unfinished[b]) token = st.pad;  // finished rows are padded, as transformers does
    st.next[b] = token;
  }
  // Append the new column to the sequences and the mask.
  const int64_t width = P + st.generated;
  std::vector<int32_t>& mask = st.mask;
  mask.resize(B * (width + 1));
  for (int64_t b = B - 1; b >= 0; --b) {
    std::copy_backward(mask.begin() + b * width, mask.begin() + (b + 1) * width, mask.begin() + b * (width + 1) + width);
    mask[b * (width + 1) + width] = 1;
    st.rows[b].push_back(st.next[b]);
    if (st.unfinished[b] && contains(st.eos, st.next[b])) st.unfinished[b] = 0;
  }
  ++st.generated;
  const bool all_done = std::none_of(st.unfinished.begin(), st.unfinished.end(), [](char u) { return u != 0; });
  if (all_done || st.generated >= st.max_new) {
    st.stopped = true;
    return st.next;
  }

  // The next forward: only the new tokens with the cache, everything without it.
  DecoderInput& step = st.input;
  if (o.use_cache) {
    step.seq = 1;
    step.input_ids.assign(st.next.begin(), st.next.end());
    step.position_ids.resize(B);
    for (int64_t b = 0; b < B; ++b) step.position_ids[b] = st.count[b]++;
  } else {
    st.cache.clear();
    step.seq = width + 1;
    step.input_ids.clear();
    for (int64_t b = 0; b < B; ++b) step.input_ids.insert(step.input_ids.end(), st.rows[b].begin(), st.rows[b].end());
    step.position_ids = position_ids_from_mask(mask, B, width + 1);
  }
  step.attention_mask.assign(mask.begin(), mask.end());
  return st.next;
}

GenerationResult Generation::result() const {
  const State& st = *state_;
  GenerationResult result;
  result.batch = st.B;
  result.new_tokens = st.generated;
  result.length = st.P + st.generated;
  result.cancelled = st.cancelled;
  result.sequences.reserve(st.B * result.length);
  for (const auto& r : st.rows) result.sequences.insert(result.sequences.end(), r.begin(), r.end());
  return result;
}

GenerationResult generate(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& o,
                          const TokenCallback& callback) {
  Generation run(model, input, o);
  while (!run.done()) {
    const std::vector<int32_t>& tokens = run.step();
    if (callback && !callback(tokens)) run.stop();
  }
  return run.result();
}

}  // namespace hubwasm
