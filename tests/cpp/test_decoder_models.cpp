// Decoder parity: logits and cached keys/values against the torch references
// stored with the fixtures (ref/, MANIFEST.md), greedy ids against
// transformers / transformers.js / onnxruntime-genai expectations.
#include <catch2/catch.hpp>
#include <iostream>

#include "test_decoder_common.h"

using namespace hubwasm;

namespace {

// Parity with torch for f32; the tolerance (float error is ~1e-6).
constexpr double kTolerance = 1e-3;

// Prefill of the left-padded 2x7 batch and one cached decode step.
void check_prefill_and_decode(const std::string& dir) {
  const std::string name = dir.substr(dir.rfind('/') + 1);
  const auto model = load_decoder(load_repo_dir(dir));
  const RefTensor ids = load_ref(dir, "prefill", "input_ids");
  const RefTensor mask = load_ref(dir, "prefill", "attention_mask");
  const RefTensor pos = load_ref(dir, "prefill", "position_ids");
  const int64_t B = ids.shape[0], S = ids.shape[1];
  DecoderInput in;
  in.batch = B;
  in.seq = S;
  in.input_ids = to_i32(ids.i64);
  in.attention_mask = to_i32(mask.i64);
  in.position_ids = to_i32(pos.i64);
  KVCache cache = model->new_cache(B);
  const Tensor logits = model->forward(in, cache);
  const RefTensor want = load_ref(dir, "prefill", "logits");
  REQUIRE(logits.shape() == want.shape);
  const int64_t V = want.shape[2];
  double logit_err = 0;
  for (int64_t r = 0; r < B * S; ++r) {
    if (!mask.i64[r]) continue;  // padded positions are don't-care
    for (int64_t v = 0; v < V; ++v) {
      logit_err = std::max(logit_err, std::fabs(double(logits.f32()[r * V + v]) - want.f32[r * V + v]));
    }
  }
  // Cached keys/values of layer >= 1 at unpadded slots (layer 0 only sees embeddings).
  double kv_err = 0;
  for (int64_t layer = 1; layer < model->info().num_layers; ++layer) {
    for (const char* kind : {"key", "value"}) {
      const RefTensor present = load_ref(dir, "prefill", "present." + std::to_string(layer) + "." + kind);
      const int64_t H = present.shape[1], D = present.shape[3];
      REQUIRE(H == cache.kv_heads());
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t h = 0; h < H; ++h) {
          for (int64_t j = 0; j < S; ++j) {
            if (!mask.i64[b * S + j]) continue;
            const float* got = std::string(kind) == "key" ? cache.key_at(layer, b, h, j) : cache.value_at(layer, b, h, j);
            for (int64_t d = 0; d < D; ++d) {
              kv_err = std::max(kv_err, std::fabs(double(got[d]) - present.f32[((b * H + h) * S + j) * D + d]));
            }
          }
        }
      }
    }
  }

  DecoderInput step;
  step.batch = B;
  step.seq = 1;
  step.input_ids = to_i32(load_ref(dir, "decode", "input_ids").i64);
  step.attention_mask = to_i32(load_ref(dir, "decode", "attention_mask").i64);
  step.position_ids = to_i32(load_ref(dir, "decode", "position_ids").i64);
  const Tensor decode_logits = model->forward(step, cache);
  const RefTensor want_decode = load_ref(dir, "decode", "logits");
  REQUIRE(decode_logits.shape() == want_decode.shape);
  double decode_err = 0;
  for (size_t i = 0; i < want_decode.f32.size(); ++i) {
    decode_err = std::max(decode_err, std::fabs(double(decode_logits.f32()[i]) - want_decode.f32[i]));
  }
  std::cout << name << " max abs error vs torch: prefill logits " << logit_err << ", present.* (layers >= 1) "
            << kv_err << ", decode logits " << decode_err << "\n";
  CHECK(logit_err < kTolerance);
  CHECK(kv_err < kTolerance);
  CHECK(decode_err < kTolerance);
}

void check_greedy_16(const std::string& dir) {
  const auto model = load_decoder(load_repo_dir(dir));
  const auto ref = nlohmann::json::parse(read_file(dir + "/ref/greedy.json"));
  const auto prompt = json_ids(ref.at("prompt_ids"));
  const auto want = json_ids(ref.at("greedy_16"));
  CHECK(greedy(*model, prompt, 16, /*use_cache=*/true) == want);
  CHECK(greedy(*model, prompt, 16, /*use_cache=*/false) == want);
}

}  // namespace

TEST_CASE("gpt2: micro-gpt2 prefill and decode match torch", "[decoder][parity]") {
  check_prefill_and_decode(decoder_dir("hubwasm-fixtures--micro-gpt2"));
}

TEST_CASE("llama: micro-llama prefill and decode match torch", "[decoder][parity]") {
  check_prefill_and_decode(decoder_dir("hubwasm-fixtures--micro-llama"));
}

TEST_CASE("gpt2: micro-gpt2 greedy ids, cached and recomputed", "[decoder][parity]") {
  check_greedy_16(decoder_dir("hubwasm-fixtures--micro-gpt2"));
}

TEST_CASE("llama: micro-llama greedy ids, cached and recomputed", "[decoder][parity]") {
  check_greedy_16(decoder_dir("hubwasm-fixtures--micro-llama"));
}

// Generated fixtures (tests/fixtures/make_decoder_fixtures.py): mistral with a
// sliding window of 4 (the 7-token prefill and the 16-token run slide),
// qwen2 with q/k/v biases, gemma (scaled embeddings, 1 + weight RMSNorm,
// GeGLU, tied head), phi3 (fused qkv_proj and gate_up_proj).
TEST_CASE("mistral: micro-mistral (sliding window 4) prefill, decode and greedy ids match torch", "[decoder][parity]") {
  check_prefill_and_decode(fixtures_path("micro-mistral"));
  check_greedy_16(fixtures_path("micro-mistral"));
}

TEST_CASE("gemma: micro-gemma prefill, decode and greedy ids match torch", "[decoder][parity]") {
  check_prefill_and_decode(fixtures_path("micro-gemma"));
  check_greedy_16(fixtures_path("micro-gemma"));
}

TEST_CASE("phi3: micro-phi3 (fused projections) prefill, decode and greedy ids match torch", "[decoder][parity]") {
  check_prefill_and_decode(fixtures_path("micro-phi3"));
  check_greedy_16(fixtures_path("micro-phi3"));
  // The fused tensors split row-wise also for fp16 / q8 storage: logits near torch's, with the tolerances
  // of the fp16 / q8 agreement tests (1e-2, 0.25).
  const std::string dir = fixtures_path("micro-phi3");
  const RefTensor ids = load_ref(dir, "prefill", "input_ids");
  const RefTensor want = load_ref(dir, "prefill", "logits");
  for (const auto& [format, tolerance] : {std::pair{WeightFormat::F16, 1e-2}, std::pair{WeightFormat::Q8, 0.25}}) {
    DecoderOptions options;
    options.format = format;
    const auto model = load_decoder(load_repo_dir(dir), options);
    DecoderInput in;
    in.batch = ids.shape[0];
    in.seq = ids.shape[1];
    in.input_ids = to_i32(ids.i64);
    in.attention_mask = to_i32(load_ref(dir, "prefill", "attention_mask").i64);
    in.position_ids = to_i32(load_ref(dir, "prefill", "position_ids").i64);
    KVCache cache = model->new_cache(in.batch);
    const Tensor logits = model->forward(in, cache);
    double err = 0;
    const int64_t V = want.shape[2];
    for (int64_t r = 0; r < in.batch * in.seq; ++r) {
      if (!in.attention_mask[r]) continue;
      for (int64_t v = 0; v < V; ++v) err = std::max(err, std::fabs(double(logits.f32()[r * V + v]) - want.f32[r * V + v]));
    }
    std::cout << "micro-phi3 " << (format == WeightFormat::F16 ? "fp16" : "q8") << " prefill logits max abs error vs torch "
              << err << "\n";
    CHECK(err < tolerance);
  }
}

TEST_CASE("qwen2: micro-qwen2 (q/k/v biases) prefill, decode and greedy ids match torch", "[decoder][parity]") {
  check_prefill_and_decode(fixtures_path("micro-qwen2"));
  check_greedy_16(fixtures_path("micro-qwen2"));
}

TEST_CASE("llama: tiny-random-LlamaForCausalLM (F16) matches transformers.js", "[decoder][parity]") {
  const std::string dir = decoder_dir("hf-internal-testing--tiny-random-LlamaForCausalLM");
  const auto model = load_decoder(load_repo_dir(dir));
  const auto ref = nlohmann::json::parse(read_file(dir + "/reference/transformers_js_expected.json"));
  for (const char* key : {"greedy_batch1", "greedy_batch2_left_padded"}) {
    const auto& c = ref.at(key);
    GenerationInput in;
    in.batch = static_cast<int64_t>(c.at("input_ids").size());
    in.seq = static_cast<int64_t>(c.at("input_ids")[0].size());
    for (const auto& row : c.at("input_ids")) for (int32_t id : json_ids(row)) in.input_ids.push_back(id);
    for (const auto& row : c.at("attention_mask")) for (int32_t m : json_ids(row)) in.attention_mask.push_back(m);
    GenerationOptions o;  // config's eos_token_id (1), as transformers.js
    o.max_length = c.at("max_length").get<int64_t>();
    for (bool use_cache : {true, false}) {
      o.use_cache = use_cache;
      const auto r = generate(*model, in, o);
      std::vector<int32_t> want;
      for (const auto& row : c.at("expected_sequences")) for (int32_t id : json_ids(row)) want.push_back(id);
      INFO(key << " use_cache " << use_cache);
      CHECK(r.sequences == want);
    }
  }
}

TEST_CASE("gpt2: tiny-random-gpt2 matches onnxruntime-genai", "[decoder][parity]") {
  const std::string dir = decoder_dir("hf-internal-testing--tiny-random-gpt2");
  const auto model = load_decoder(load_repo_dir(dir));
  const auto ref = nlohmann::json::parse(read_file(dir + "/reference/ort_genai_expected.json"));
  // Greedy, batch of 2, no padding (id 0 is a real token), max_length 10, eos 98.
  const auto& g = ref.at("greedy");
  GenerationInput in;
  in.batch = 2;
  in.seq = 4;
  for (const auto& row : g.at("input_ids")) for (int32_t id : json_ids(row)) in.input_ids.push_back(id);
  GenerationOptions o;
  o.max_length = g.at("max_length").get<int64_t>();
  std::vector<int32_t> want;
  for (const auto& row : g.at("expected_sequences")) for (int32_t id : json_ids(row)) want.push_back(id);
  for (bool use_cache : {true, false}) {
    o.use_cache = use_cache;
    CHECK(generate(*model, in, o).sequences == want);
  }
  // Logits of the prompt, sampled every 200th value of the flattened (2, 4, 1000).
  DecoderInput fwd;
  fwd.batch = 2;
  fwd.seq = 4;
  fwd.input_ids = in.input_ids;
  KVCache cache = model->new_cache(2);
  const Tensor logits = model->forward(fwd, cache);
  const auto& sampled = ref.at("sampled_logits_prompt");
  const double tol = sampled.at("tolerance").get<double>();
  double err = 0;
  const auto values = sampled.at("values").get<std::vector<double>>();
  for (size_t i = 0; i < values.size(); ++i) err = std::max(err, std::fabs(logits.f32()[i * 200] - values[i]));
  std::cout << "tiny-random-gpt2 sampled prompt logits max abs error vs ORT: " << err << "\n";
  CHECK(err < tol);
}

TEST_CASE("llama: botchan-llama greedy ids and logits match torch", "[decoder][parity]") {
  const std::string dir = decoder_dir("hubwasm-fixtures--botchan-llama");
  const auto model = load_decoder(load_repo_dir(dir));
  const auto ref = nlohmann::json::parse(read_file(dir + "/reference/greedy.json"));
  double err = 0;
  for (const auto& c : ref.at("cases")) {
    const auto prompt = json_ids(c.at("prompt_ids"));
    const auto want = json_ids(c.at("new_ids"));
    INFO(c.at("prompt").get<std::string>());
    CHECK(greedy(*model, prompt, static_cast<int64_t>(want.size()), true) == want);
    CHECK(greedy(*model, prompt, static_cast<int64_t>(want.size()), false) == want);
    DecoderInput in;
    in.batch = 1;
    in.seq = static_cast<int64_t>(prompt.size());
    in.input_ids = prompt;
    in.last_logits_only = true;
    KVCache cache = model->new_cache(1);
    const Tensor logits = model->forward(in, cache);
    const auto first16 = c.at("last_prompt_logits_first16").get<std::vector<double>>();
    for (size_t i = 0; i < first16.size(); ++i) err = std::max(err, std::fabs(logits.f32()[i] - first16[i]));
    CHECK(argmax_index(logits) == c.at("last_prompt_argmax").get<int64_t>());
  }
  std::cout << "botchan-llama last-position logits max abs error vs torch: " << err << "\n";
  CHECK(err < kTolerance);
}
