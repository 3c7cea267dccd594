// Allocation failure on purpose (the AllocationLimit test hook) at every
// accounted allocation of a load, stage by stage: file buffers, safetensors
// parse, weights (q8 quantization buffers), tokenizer, model build and the
// first inference (activations, KV cache). Each failure must be a typed
// OutOfMemory error that frees everything the load took (accounted bytes back
// to zero; LeakSanitizer checks the rest in the sanitizer run), and the next
// load must work and give the same logits as a load without a limit.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "core/allocation_budget.h"
#include "models/kv_cache.h"
#include "test_decoder_common.h"
#include "tokenizers/tokenizer.h"

using namespace hubwasm;

namespace {

// Lifts the limit when a test ends, even when it fails.
struct LimitGuard {
  explicit LimitGuard(const AllocationLimit& limit) { set_allocation_limit(limit); }
  ~LimitGuard() { set_allocation_limit({}); }
};

// The micro Llama in q8, loaded stage by stage, then one forward pass of the
// tokenized prompt. `stage` is set before each stage starts; returns the
// logits of the last position.
std::vector<float> load_and_run(std::string& stage) {
  const std::string dir = decoder_dir("hubwasm-fixtures--micro-llama");
  stage = "file buffers";
  RepoFiles files;
  for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
    files.add(name, Blob::from_string(read_file(dir + "/" + name), name));
  }
  stage = "safetensors parse";
  const WeightStore weights = WeightStore::from_repo(files);
  stage = "weights and model build";
  DecoderOptions options;
  options.format = WeightFormat::Q8;
  const auto model = load_decoder(Config::parse(files.text("config.json")), weights, options);
  stage = "tokenizer";
  std::map<std::string, std::string> tokenizer_files;
  for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) tokenizer_files[name] = std::string(files.text(name));
  const Tokenizer tokenizer = Tokenizer::from_files(tokenizer_files);
  stage = "first inference";
  const Encoding enc = tokenizer.encode("The quick brown fox");
  DecoderInput in;
  in.batch = 1;
  in.seq = static_cast<int64_t>(enc.ids.size());
  in.input_ids = enc.ids;
  KVCache cache = model->new_cache(1);
  const Tensor logits = model->forward(in, cache);
  const int64_t vocab = logits.shape().back();
  const float* last = logits.f32() + logits.numel() - vocab;
  return {last, last + vocab};
}

}  // namespace

TEST_CASE("allocation failure at each stage of a load is a typed error that frees everything",
          "[hardening][allocation]") {
  std::string stage;
  const size_t baseline = allocated_bytes();
  const std::vector<float> expected = load_and_run(stage);
  REQUIRE(allocated_bytes() == baseline);

  std::map<std::string, int> failures;  // stage -> failed allocations
  std::vector<float> got;
  for (int64_t calls = 0; got.empty(); ++calls) {
    REQUIRE(calls < 100000);
    LimitGuard guard({SIZE_MAX, calls});
    try {
      got = load_and_run(stage);
    } catch (const Error& e) {
      INFO("allocation " << calls << " in stage " << stage << ": " << e.what());
      REQUIRE(e.code() == ErrorCode::OutOfMemory);
      CHECK_THAT(e.what(), Catch::Contains("cannot allocate"));
      ++failures[stage];
    }
    REQUIRE(allocated_bytes() == baseline);
  }
  for (const auto& [name, n] : failures) INFO(name << ": " << n << " failed allocations");
  for (const char* name : {"file buffers", "safetensors parse", "weights and model build", "tokenizer", "first inference"}) {
    INFO("stage " << name);
    CHECK(failures[name] > 0);
  }
  // After all those failures a load works and computes the same logits.
  CHECK(got == expected);
  CHECK(load_and_run(stage) == expected);
}

TEST_CASE("a byte cap below what a load needs fails with OutOfMemory, the next load works", "[hardening][allocation]") {
  std::string stage;
  const size_t baseline = allocated_bytes();
  const std::vector<float> expected = load_and_run(stage);
  // The micro Llama's model.safetensors alone is 1.3 MB: 1 MB cannot hold it.
  {
    LimitGuard guard({1 << 20, -1});
    try {
      (void)load_and_run(stage);
      FAIL("no error under a 1 MB cap");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::OutOfMemory);
      CHECK_THAT(e.what(), Catch::Contains("model.safetensors: cannot allocate 1322344 bytes"));
      CHECK(stage == "file buffers");
    }
  }
  CHECK(allocated_bytes() == baseline);
  CHECK(load_and_run(stage) == expected);
}
