// Helpers shared by the decoder tests: fixture paths, generation shortcuts.
#pragma once

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "models/registry.h"
#include "tasks/generation.h"
#include "test_reference.h"
#include "test_repo.h"

inline std::string decoder_dir(const std::string& name) { return shared_path("models/" + name); }

inline std::vector<int32_t> to_i32(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

template <class T>
inline std::vector<int32_t> json_ids(const T& j) {
  return j.template get<std::vector<int32_t>>();
}

// Greedy generation of `n` new tokens for one prompt, no EOS stopping.
inline std::vector<int32_t> greedy(const hubwasm::DecoderModel& model, const std::vector<int32_t>& prompt, int64_t n,
                                   bool use_cache = true) {
  hubwasm::GenerationInput in;
  in.batch = 1;
  in.seq = static_cast<int64_t>(prompt.size());
  in.input_ids = prompt;
  hubwasm::GenerationOptions o;
  o.max_new_tokens = n;
  o.eos_token_id = std::vector<int32_t>{};
  o.use_cache = use_cache;
  const auto r = hubwasm::generate(model, in, o);
  return {r.sequences.begin() + in.seq, r.sequences.end()};
}

inline int64_t argmax_index(const hubwasm::Tensor& row) {
  const float* v = row.f32();
  return std::max_element(v, v + row.numel()) - v;
}

template <class F>
void expect_error(F&& f, hubwasm::ErrorCode code, const std::string& needle) {
  try {
    f();
    FAIL("expected an error containing: " << needle);
  } catch (const hubwasm::Error& e) {
    CHECK(std::string(hubwasm::error_code_name(e.code())) == hubwasm::error_code_name(code));
    CHECK_THAT(e.what(), Catch::Contains(needle));
  }
}
