// Generation: logits processors on hand-computed vectors (transformers'
// documented formulas), seeded sampling, batching with left padding,
// streaming/cancellation, q8 weights, RoPE scaling, and bad input.
#include <catch2/catch.hpp>
#include <iostream>

#include "ops/rotary.h"
#include "tasks/logits_process.h"
#include "tasks/sampling.h"
#include "test_decoder_common.h"

using namespace hubwasm;

namespace {

const std::string kMicroGpt2 = "hubwasm-fixtures--micro-gpt2";
const std::string kMicroLlama = "hubwasm-fixtures--micro-llama";
const std::string kBotchan = "hubwasm-fixtures--botchan-llama";

bool removed(float v) { return v == -INFINITY; }

GenerationInput one_prompt(const std::vector<int32_t>& ids) {
  GenerationInput in;
  in.batch = 1;
  in.seq = static_cast<int64_t>(ids.size());
  in.input_ids = ids;
  return in;
}

std::vector<int32_t> new_ids(const GenerationResult& r, int64_t row = 0) {
  const auto begin = r.sequences.begin() + row * r.length;
  return {begin + (r.length - r.new_tokens), begin + r.length};
}

}  // namespace

TEST_CASE("logits processors follow transformers' formulas", "[decoder][generation]") {
  SECTION("repetition penalty: negative scores multiplied, positive divided, once per token") {
    std::vector<float> s = {1.0f, -1.0f, 2.0f, 0.5f};
    const std::vector<int32_t> ids = {0, 1, 1};
    apply_repetition_penalty({s.data(), 4}, ids.data(), 3, 2.0f);
    CHECK(s == std::vector<float>{0.5f, -2.0f, 2.0f, 0.5f});
  }
  SECTION("no_repeat_ngram bans the token that would repeat an n-gram") {
    std::vector<float> s(5, 0.0f);
    const std::vector<int32_t> ids = {1, 2, 3, 1, 2};  // (1, 2) was followed by 3
    apply_no_repeat_ngram({s.data(), 5}, ids.data(), 5, 3);
    CHECK(removed(s[3]));
    CHECK(std::count_if(s.begin(), s.end(), removed) == 1);
    std::vector<float> t(5, 0.0f);
    apply_no_repeat_ngram({t.data(), 5}, ids.data(), 5, 2);  // 2 was followed by 3
    CHECK(removed(t[3]));
    std::vector<float> u(5, 0.0f);
    apply_no_repeat_ngram({u.data(), 5}, ids.data(), 1, 3);  // too short: nothing banned
    CHECK(std::none_of(u.begin(), u.end(), removed));
  }
  SECTION("temperature divides") {
    std::vector<float> s = {1.0f, 2.0f};
    apply_temperature({s.data(), 2}, 0.5f);
    CHECK(s == std::vector<float>{2.0f, 4.0f});
  }
  SECTION("top_k keeps scores >= the k-th largest (ties kept)") {
    std::vector<float> scratch;
    std::vector<float> s = {1, 3, 2, 3, 0};
    apply_top_k({s.data(), 5}, 2, scratch);
    CHECK(removed(s[0]));
    CHECK(s[1] == 3);
    CHECK(removed(s[2]));
    CHECK(s[3] == 3);
    CHECK(removed(s[4]));
    std::vector<float> t = {1, 3, 2, 3, 0};
    apply_top_k({t.data(), 5}, 3, scratch);
    CHECK(std::count_if(t.begin(), t.end(), removed) == 2);
  }
  SECTION("top_p removes tokens whose ascending cumulative probability is <= 1 - top_p") {
    std::vector<int32_t> order;
    std::vector<float> probs;
    const std::vector<float> p = {0.1f, 0.2f, 0.3f, 0.4f};
    std::vector<float> s(4);
    for (int i = 0; i < 4; ++i) s[i] = std::log(p[i]);
    auto t = s;
    apply_top_p({t.data(), 4}, 0.5f, order, probs);  // cumsum 0.1, 0.3 <= 0.5 removed
    CHECK((removed(t[0]) && removed(t[1]) && !removed(t[2]) && !removed(t[3])));
    t = s;
    apply_top_p({t.data(), 4}, 0.75f, order, probs);  // only 0.1 <= 0.25
    CHECK((removed(t[0]) && !removed(t[1])));
    t = s;
    apply_top_p({t.data(), 4}, 0.0f, order, probs);  // the most likely token always stays
    CHECK((removed(t[2]) && !removed(t[3])));
  }
  SECTION("min_p removes probabilities below min_p * the top probability") {
    std::vector<float> probs;
    const std::vector<float> p = {0.5f, 0.3f, 0.15f, 0.05f};
    std::vector<float> s(4);
    for (int i = 0; i < 4; ++i) s[i] = std::log(p[i]);
    auto t = s;
    apply_min_p({t.data(), 4}, 0.2f, probs);  // threshold 0.1
    CHECK((!removed(t[2]) && removed(t[3])));
    t = s;
    apply_min_p({t.data(), 4}, 0.5f, probs);  // threshold 0.25
    CHECK((!removed(t[1]) && removed(t[2]) && removed(t[3])));
  }
  SECTION("min length suppression sets the eos scores to -inf") {
    std::vector<float> s = {1, 2, 3};
    suppress_tokens({s.data(), 3}, {2});
    CHECK(removed(s[2]));
  }
}

TEST_CASE("sampling is reproducible with a seed; top_k=1 equals greedy", "[decoder][generation]") {
  const auto model = load_decoder(load_repo_dir(decoder_dir(kBotchan)));
  const GenerationInput in = one_prompt({1, 270, 741, 276, 265, 463});
  GenerationOptions o;
  o.max_new_tokens = 24;
  o.do_sample = true;
  o.seed = 1234;
  o.eos_token_id = std::vector<int32_t>{};
  const auto a = generate(*model, in, o);
  const auto b = generate(*model, in, o);
  CHECK(a.sequences == b.sequences);
  o.seed = 99;
  CHECK(generate(*model, in, o).sequences != a.sequences);  // 24 draws from a trained model
  o.top_k = 1;
  o.temperature = 0.7f;
  CHECK(new_ids(generate(*model, in, o)) == greedy(*model, in.input_ids, 24));
  // Every option together still runs and respects the length.
  o = GenerationOptions{};
  o.max_new_tokens = 12;
  o.do_sample = true;
  o.seed = 7;
  o.temperature = 0.8f;
  o.top_k = 20;
  o.top_p = 0.9f;
  o.min_p = 0.05f;
  o.repetition_penalty = 1.3f;
  o.no_repeat_ngram_size = 2;
  o.eos_token_id = std::vector<int32_t>{};
  const auto r = generate(*model, in, o);
  CHECK(r.new_tokens == 12);
  // no_repeat_ngram_size 2: no bigram appears twice in the whole sequence.
  for (int64_t i = 0; i + 1 < r.length; ++i) {
    for (int64_t j = i + 1; j + 1 < r.length; ++j) {
      CHECK_FALSE((r.sequences[i] == r.sequences[j] && r.sequences[i + 1] == r.sequences[j + 1]));
    }
  }
}

TEST_CASE("eos stopping, min_new_tokens and padding of finished rows", "[decoder][generation]") {
  const auto model = load_decoder(load_repo_dir(decoder_dir(kBotchan)));
  const GenerationInput in = one_prompt({1, 353});
  // The greedy continuation's 3rd token as eos: generation stops right there.
  const auto free_run = greedy(*model, in.input_ids, 8);
  GenerationOptions o;
  o.max_new_tokens = 8;
  o.eos_token_id = std::vector<int32_t>{free_run[2]};
  auto r = generate(*model, in, o);
  CHECK(new_ids(r) == std::vector<int32_t>(free_run.begin(), free_run.begin() + 3));
  // min_new_tokens forbids it until enough tokens exist.
  o.min_new_tokens = 8;
  r = generate(*model, in, o);
  CHECK(r.new_tokens == 8);
  for (size_t i = 0; i < 7; ++i) CHECK(new_ids(r)[i] != free_run[2]);
}

TEST_CASE("left-padded batches give each row the ids it gets alone", "[decoder][generation]") {
  for (const std::string& name : {kMicroGpt2, kMicroLlama, kBotchan}) {
    const auto model = load_decoder(load_repo_dir(decoder_dir(name)));
    const std::vector<int32_t> a = {11, 25, 300, 42, 7, 99, 150}, b = {5, 600, 33};
    GenerationInput in;
    in.batch = 2;
    in.seq = 7;
    in.input_ids = a;
    in.attention_mask = std::vector<int32_t>(7, 1);
    for (int i = 0; i < 4; ++i) {
      in.input_ids.push_back(0);
      in.attention_mask.push_back(0);
    }
    in.input_ids.insert(in.input_ids.end(), b.begin(), b.end());
    for (int i = 0; i < 3; ++i) in.attention_mask.push_back(1);
    GenerationOptions o;
    o.max_new_tokens = 16;
    o.eos_token_id = std::vector<int32_t>{};
    for (bool use_cache : {true, false}) {
      o.use_cache = use_cache;
      const auto r = generate(*model, in, o);
      INFO(name << " use_cache " << use_cache);
      CHECK(new_ids(r, 0) == greedy(*model, a, 16));
      CHECK(new_ids(r, 1) == greedy(*model, b, 16));
    }
  }
}

TEST_CASE("streaming callback sees every step; cancelling leaves the model usable", "[decoder][generation]") {
  const auto model = load_decoder(load_repo_dir(decoder_dir(kMicroLlama)));
  const GenerationInput in = one_prompt({1114, 1159, 1587, 883});
  GenerationOptions o;
  o.max_new_tokens = 10;
  o.eos_token_id = std::vector<int32_t>{};
  std::vector<int32_t> streamed;
  const auto full = generate(*model, in, o, [&](const std::vector<int32_t>& t) {
    streamed.push_back(t[0]);
    return true;
  });
  CHECK(streamed == new_ids(full));
  int calls = 0;
  const auto cut = generate(*model, in, o, [&](const std::vector<int32_t>&) { return ++calls < 3; });
  CHECK(cut.cancelled);
  CHECK(cut.new_tokens == 3);
  CHECK(new_ids(cut) == std::vector<int32_t>(streamed.begin(), streamed.begin() + 3));
  CHECK(generate(*model, in, o).sequences == full.sequences);  // same model, same result after a cancel
}

TEST_CASE("Generation steps one token at a time as generate() does; stop() cancels; no step after the end",
          "[decoder][generation]") {
  const auto model = load_decoder(load_repo_dir(decoder_dir(kBotchan)));
  const GenerationInput in = one_prompt({1, 270, 741, 276});
  GenerationOptions o;
  o.max_new_tokens = 6;
  o.eos_token_id = std::vector<int32_t>{};
  const auto whole = generate(*model, in, o);
  Generation run(*model, in, o);
  std::vector<int32_t> stepped;
  while (!run.done()) stepped.push_back(run.step()[0]);
  CHECK(stepped == new_ids(whole));
  CHECK(run.result().sequences == whole.sequences);
  CHECK_FALSE(run.result().cancelled);
  expect_error([&] { run.step(); }, ErrorCode::InvalidArgument, "after the run ended");
  Generation cut(*model, in, o);
  cut.step();
  cut.stop();
  CHECK(cut.done());
  CHECK(cut.result().cancelled);
  CHECK(cut.result().new_tokens == 1);
}

TEST_CASE("fp16 and q8 weights: greedy ids agree with f32 over a 64-token run", "[decoder][q8][f16]") {
  for (const std::string& name : {kMicroGpt2, kMicroLlama, kBotchan})
  for (const WeightFormat format : {WeightFormat::F16, WeightFormat::Q8}) {
    const RepoFiles files = load_repo_dir(decoder_dir(name));
    const auto f32 = load_decoder(files);
    DecoderOptions low_options;
    low_options.format = format;
    const auto q8 = load_decoder(files, low_options);  // q8 or fp16
    const std::string label = format == WeightFormat::Q8 ? "q8 (block " + std::to_string(kQ8DefaultBlock) + ")" : "fp16";
    const std::vector<int32_t> prompt =
        name == kBotchan ? std::vector<int32_t>{1, 270, 741, 276, 265, 463}
                         : json_ids(nlohmann::json::parse(read_file(decoder_dir(name) + "/ref/greedy.json")).at("prompt_ids"));
    const auto want = greedy(*f32, prompt, 64);
    const auto got = greedy(*q8, prompt, 64);
    int same = 0, first_diff = -1;
    for (size_t i = 0; i < want.size(); ++i) {
      same += want[i] == got[i];
      if (first_diff < 0 && want[i] != got[i]) first_diff = static_cast<int>(i);
    }
    // Teacher-forced over the f32 run (same prefix for both): per-position
    // argmax agreement, the logit error, and f32's top-2 margin per step.
    DecoderInput in;
    in.batch = 1;
    in.input_ids = prompt;
    in.input_ids.insert(in.input_ids.end(), want.begin(), want.end());
    in.seq = static_cast<int64_t>(in.input_ids.size());
    KVCache c1 = f32->new_cache(1), c2 = q8->new_cache(1);
    const Tensor l1 = f32->forward(in, c1), l2 = q8->forward(in, c2);
    const int64_t V = f32->info().vocab_size, P = static_cast<int64_t>(prompt.size());
    double err = 0;
    int teacher_same = 0;
    for (int64_t i = 0; i < l1.numel(); ++i) err = std::max(err, std::fabs(double(l1.f32()[i]) - l2.f32()[i]));
    std::vector<double> margin;
    for (int64_t s = P - 1; s < in.seq - 1; ++s) {  // the 64 generation steps
      const float* a = l1.f32() + s * V;
      teacher_same += argmax(a, V) == argmax(l2.f32() + s * V, V);
      std::vector<float> top(a, a + V);
      std::partial_sort(top.begin(), top.begin() + 2, top.end(), std::greater<float>());
      margin.push_back(top[0] - top[1]);
    }
    const double diverge_margin = first_diff >= 0 ? margin[first_diff] : 0;
    std::cout << name << " " << label << " vs f32: greedy agreement " << same << "/64"
              << (first_diff >= 0 ? ", first divergence at step " + std::to_string(first_diff) +
                                        " where f32's top-2 margin is " + std::to_string(diverge_margin)
                                  : std::string())
              << "; teacher-forced argmax agreement " << teacher_same << "/64; max abs logit error " << err
              << "; weights " << q8->weight_bytes() << " vs " << f32->weight_bytes() << " bytes\n";
    CHECK(teacher_same >= 58);  // 90% of 64 steps
    // Free-running agreement >= 90%, unless the run forks at a near-tie:
    // a step whose f32 top-2 margin is within the measured q8 logit error.
    CHECK((same >= 58 || diverge_margin < 2 * err));
    // q8: 1 byte + a 4-byte scale per 16 weights (0.31 of f32) plus the f32 norms; fp16: half, plus norms.
    CHECK(q8->weight_bytes() < f32->weight_bytes() * (format == WeightFormat::Q8 ? 0.35 : 0.55));
  }
}

static std::vector<float> inv_freq(const RopeConfig& config, int64_t seq_len) {
  std::vector<float> out;
  RotaryEmbedding(config).inv_freq(seq_len, out);
  return out;
}

TEST_CASE("rope inverse frequencies for each rope_scaling type", "[decoder][rope]") {
  RopeConfig base;
  base.theta = 500000.0;
  base.dim = 64;
  base.max_position_embeddings = 8192;
  const std::vector<float> plain = inv_freq(base, 1);
  CHECK(plain[0] == 1.0f);
  CHECK(plain[1] == Approx(1.0 / std::pow(500000.0, 2.0 / 64)).epsilon(1e-6));

  RopeConfig linear = base;
  linear.type = RopeType::Linear;
  linear.factor = 4.0;
  const auto lin = inv_freq(linear, 1);
  for (size_t i = 0; i < lin.size(); ++i) CHECK(lin[i] == Approx(plain[i] / 4.0).epsilon(1e-6));

  RopeConfig dynamic = base;
  dynamic.type = RopeType::Dynamic;
  dynamic.factor = 2.0;
  CHECK(inv_freq(dynamic, 8192) == plain);  // unchanged within the trained length
  const auto longer = inv_freq(dynamic, 16384);
  // base' = base * (factor * 16384 / 8192 - (factor - 1))^(dim / (dim - 2)) = base * 3^(64/62)
  const double grown = 500000.0 * std::pow(3.0, 64.0 / 62.0);
  CHECK(longer[1] == Approx(1.0 / std::pow(grown, 2.0 / 64)).epsilon(1e-6));

  RopeConfig llama3 = base;  // Llama 3.1's published values
  llama3.type = RopeType::Llama3;
  llama3.factor = 8.0;
  llama3.low_freq_factor = 1.0;
  llama3.high_freq_factor = 4.0;
  llama3.original_max_position_embeddings = 8192;
  const auto l3 = inv_freq(llama3, 1);
  const double pi = 3.14159265358979323846;
  for (size_t i = 0; i < l3.size(); ++i) {
    const double wavelen = 2 * pi / plain[i];
    if (wavelen < 8192.0 / 4) {
      CHECK(l3[i] == plain[i]);  // high frequencies untouched
    } else if (wavelen > 8192.0) {
      CHECK(l3[i] == Approx(plain[i] / 8.0).epsilon(1e-6));  // low frequencies divided by factor
    } else {
      const double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
      CHECK(l3[i] == Approx((1 - smooth) * plain[i] / 8.0 + smooth * plain[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("decoder bad input: clear errors", "[decoder][errors]") {
  const RepoFiles files = load_repo_dir(decoder_dir(kMicroGpt2));
  const auto model = load_decoder(files);
  SECTION("max_new_tokens 0 is rejected, as transformers' GenerationConfig does") {
    GenerationOptions o;
    o.max_new_tokens = 0;
    expect_error([&] { generate(*model, one_prompt({1, 2, 3}), o); }, ErrorCode::InvalidArgument,
                 "max_new_tokens must be greater than 0");
  }
  SECTION("a prompt longer than the context window") {
    GenerationOptions o;
    o.max_new_tokens = 1;
    expect_error([&] { generate(*model, one_prompt(std::vector<int32_t>(129, 5)), o); }, ErrorCode::InvalidArgument,
                 "more than the context window of 128 tokens");
    o.max_new_tokens = 10;
    expect_error([&] { generate(*model, one_prompt(std::vector<int32_t>(120, 5)), o); }, ErrorCode::InvalidArgument,
                 "exceeds the context window of 128 tokens");
  }
  SECTION("sampling with temperature 0") {
    GenerationOptions o;
    o.do_sample = true;
    o.temperature = 0;
    expect_error([&] { generate(*model, one_prompt({1}), o); }, ErrorCode::InvalidArgument, "temperature");
  }
  SECTION("token ids outside the vocabulary") {
    expect_error([&] { generate(*model, one_prompt({1, 2000}), GenerationOptions{}); }, ErrorCode::InvalidArgument,
                 "outside the vocabulary of 2000");
  }
  SECTION("vocab_size contradicting the embedding tensor") {
    RepoFiles bad = files;
    auto config = nlohmann::json::parse(files.text("config.json"));
    config["vocab_size"] = 1999;
    bad.add("config.json", Blob::from_string(config.dump(), "config.json"));
    expect_error([&] { load_decoder(bad); }, ErrorCode::ConfigMismatch, "wte.weight");
  }
  SECTION("an encoder model_type") {
    expect_error([&] { load_decoder(load_repo_dir(decoder_dir("hubwasm-fixtures--micro-bert"))); },
                 ErrorCode::UnsupportedModel, "supported: gpt2, llama, mistral, qwen2, gemma, phi3");
  }
  SECTION("an unknown rope_scaling type") {
    RepoFiles bad = load_repo_dir(decoder_dir(kMicroLlama));
    auto config = nlohmann::json::parse(bad.text("config.json"));
    config["rope_scaling"] = {{"rope_type", "su"}, {"factor", 2.0}};
    bad.add("config.json", Blob::from_string(config.dump(), "config.json"));
    expect_error([&] { load_decoder(bad); }, ErrorCode::UnsupportedFeature, "rope_scaling type \"su\"");
  }
  SECTION("a missing config key is named") {
    RepoFiles bad = load_repo_dir(decoder_dir(kMicroLlama));
    auto config = nlohmann::json::parse(bad.text("config.json"));
    config.erase("intermediate_size");
    bad.add("config.json", Blob::from_string(config.dump(), "config.json"));
    expect_error([&] { load_decoder(bad); }, ErrorCode::InvalidConfig, "intermediate_size");
  }
}
