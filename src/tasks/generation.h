// Text generation over a decoder, with transformers' generate() semantics:
// greedy or sampled decoding, its logits processors in its order, left-padded
// batches, EOS stopping with pad tokens for finished rows, a per-step
// callback for streaming that can stop the run (cancellation).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "io/repo_files.h"
#include "models/decoder.h"

namespace hubwasm {

// transformers' GenerationConfig names and defaults.
struct GenerationOptions {
  std::optional<int64_t> max_new_tokens;  // wins over max_length when set
  int64_t max_length = 20;                // prompt + new tokens
  int64_t min_new_tokens = 0;
  int64_t min_length = 0;                 // prompt + new tokens
  bool do_sample = false;
  float temperature = 1.0f;
  int64_t top_k = 50;                     // 0 = off; only with do_sample
  float top_p = 1.0f;
  float min_p = 0.0f;                     // 0 = off
  float repetition_penalty = 1.0f;
  int64_t no_repeat_ngram_size = 0;
  // nullopt: the model's eos_token_id; an empty list: never stop early.
  std::optional<std::vector<int32_t>> eos_token_id;
  std::optional<int32_t> pad_token_id;    // default: the model's, else the first eos
  std::optional<uint64_t> seed;           // default: a random seed
  bool use_cache = true;                  // false: full recompute at every step
};

// Defaults from generation_config.json when the repo has one (else the eos /
// pad ids of config.json), as from_pretrained loads them.
GenerationOptions generation_defaults(const RepoFiles& files);

// A batch of prompts, left-padded to one length (batch, seq).
struct GenerationInput {
  int64_t batch = 0, seq = 0;
  std::vector<int32_t> input_ids;
  std::vector<int32_t> attention_mask;  // empty = all ones
};

// Called after every step with one new token per row (pad_token_id for rows
// already finished). Returning false stops generation (cancellation).
using TokenCallback = std::function<bool(const std::vector<int32_t>& tokens)>;

struct GenerationResult {
  int64_t batch = 0, length = 0;    // sequences is (batch, length): prompt + new tokens
  std::vector<int32_t> sequences;
  int64_t new_tokens = 0;
  bool cancelled = false;
};

// One generation run, one step at a time, so that a caller can do other
// work between steps (the JS bindings return to the event loop, where an
// AbortSignal can fire). generate() below is this loop with a callback.
// The model must outlive the run; it is only read, so it stays usable
// whenever the run is stopped.
class Generation {
 public:
  // Checks everything before any forward pass: InvalidArgument for bad
  // options (naming the option, with transformers' rules: max_new_tokens > 0,
  // temperature > 0 when sampling, ...) and for a prompt that does not fit
  // the model's context window.
  Generation(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& options);
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  bool done() const;
  // Runs one forward pass and returns the new token of every row (pad for
  // finished rows). Must not be called once done().
  const std::vector<int32_t>& step();
  // Ends the run early (cancellation): done() from now on.
  void stop();
  // Prompt + tokens so far; `cancelled` when stop() ended it.
  GenerationResult result() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Generation run to the end, calling `callback` after every step.
GenerationResult generate(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& options,
                          const TokenCallback& callback = nullptr);

}  // namespace hubwasm
