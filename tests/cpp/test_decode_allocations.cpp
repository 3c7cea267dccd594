// Heap allocations while decoding: once a run has taken its first decode
// step, further steps allocate nothing (weights stay as loaded, activations
// and logits come from the KV cache's workspace, the sampling scratch is
// reserved up front), and a whole generate() call allocates as often for 32
// new tokens as for 8. Counted: every global operator new of this test
// binary (replaced below: std::vector, std::function, std::string, ...);
// natively (glibc, no sanitizer) also every malloc / calloc / realloc of the
// process, interposed below (the core's tensors and KV cache, any kernel
// scratch); under sanitizers, whose allocator must stay in place, the
// core's accounted allocations instead (tensor storage, KV cache; see
// allocation_budget.h).
#include <catch2/catch.hpp>
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/allocation_budget.h"
#include "test_decoder_common.h"
#include "test_thread_scope.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HUBWASM_TEST_ASAN 1
#endif
#endif
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(HUBWASM_TEST_ASAN)
#define HUBWASM_COUNT_C_ALLOCATIONS 1
#endif

namespace {

std::atomic<int64_t> g_operator_news{0};
std::atomic<int64_t> g_c_allocations{0};

}  // namespace

#ifdef HUBWASM_COUNT_C_ALLOCATIONS
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void* malloc(size_t size) {
  ++g_c_allocations;
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  ++g_c_allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* p, size_t size) {
  ++g_c_allocations;
  return __libc_realloc(p, size);
}
}
#endif

namespace {

// The malloc behind operator new, not counted a second time.
void* uncounted_malloc(size_t size) {
#ifdef HUBWASM_COUNT_C_ALLOCATIONS
  return __libc_malloc(size);
#else
  return std::malloc(size);
#endif
}

void* counted_alloc(size_t size, size_t alignment) {
  ++g_operator_news;
  size = size ? size : 1;
  if (alignment <= alignof(std::max_align_t)) return uncounted_malloc(size);
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

void* counted_alloc_or_throw(size_t size, size_t alignment) {
  void* p = counted_alloc(size, alignment);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(size_t n) { return counted_alloc_or_throw(n, 0); }
void* operator new[](size_t n) { return counted_alloc_or_throw(n, 0); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n, 0); }
void* operator new(size_t n, std::align_val_t a) { return counted_alloc_or_throw(n, static_cast<size_t>(a)); }
void* operator new[](size_t n, std::align_val_t a) { return counted_alloc_or_throw(n, static_cast<size_t>(a)); }
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<size_t>(a));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_alloc(n, static_cast<size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

using namespace hubwasm;

namespace {

int64_t allocations() {
#ifdef HUBWASM_COUNT_C_ALLOCATIONS
  return g_operator_news.load() + g_c_allocations.load();
#else
  return g_operator_news.load() + accounted_allocations();
#endif
}

// A left-padded batch of two prompts (row 0 shorter) of ids below `vocab`.
GenerationInput padded_batch(int64_t vocab) {
  GenerationInput in;
  in.batch = 2;
  in.seq = 6;
  for (int64_t i = 0; i < 12; ++i) in.input_ids.push_back(static_cast<int32_t>((7 + 13 * i) % vocab));
  in.attention_mask = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  return in;
}

// Every logits processor and sampling, as a chatty sampled run would use them.
GenerationOptions sampled_options(int64_t max_new_tokens) {
  GenerationOptions o;
  o.max_new_tokens = max_new_tokens;
  o.eos_token_id = std::vector<int32_t>{};  // run to max_new_tokens
  o.do_sample = true;
  o.seed = 1234;
  o.temperature = 0.8f;
  o.top_k = 40;
  o.top_p = 0.9f;
  o.min_p = 0.02f;
  o.repetition_penalty = 1.2f;
  o.no_repeat_ngram_size = 3;
  return o;
}

GenerationOptions greedy_options(int64_t max_new_tokens) {
  GenerationOptions o;
  o.max_new_tokens = max_new_tokens;
  o.eos_token_id = std::vector<int32_t>{};
  return o;
}

// Allocations of `steps` decode steps after the prefill and one warm-up step.
int64_t steady_state_allocations(const DecoderModel& model, const GenerationInput& in, const GenerationOptions& o,
                                 int steps) {
  Generation run(model, in, o);
  run.step();  // prefill: the workspace takes the prompt's shapes
  run.step();  // first decode step: the workspace takes the decode shapes
  const int64_t before = allocations();
  for (int i = 0; i < steps; ++i) run.step();
  const int64_t during = allocations() - before;
  REQUIRE_FALSE(run.done());  // every counted step was a real forward
  return during;
}

// Allocations of a whole generate() of `new_tokens` tokens with a streaming callback.
int64_t generate_allocations(const DecoderModel& model, const GenerationInput& in, const GenerationOptions& o) {
  int64_t streamed = 0;
  const TokenCallback callback = [&](const std::vector<int32_t>&) { return ++streamed > 0; };
  const int64_t before = allocations();
  const GenerationResult result = generate(model, in, o, callback);
  const int64_t count = allocations() - before;
  REQUIRE(result.new_tokens == *o.max_new_tokens);
  REQUIRE(streamed == result.new_tokens);
  return count;
}

void check_decode_allocations(const std::string& dir) {
  for (const char* dtype : {"fp32", "fp16", "q8"}) {
    DecoderOptions options;
    options.format = parse_weight_format(dtype);
    const auto model = load_decoder(load_repo_dir(dir), options);
    const GenerationInput batch = padded_batch(model->info().vocab_size);
    GenerationInput single;
    single.batch = 1;
    single.seq = 5;
    single.input_ids = {1, 5, 9, 14, 20};
    INFO(dir << " " << dtype);
    for (int n : {1, 2}) {
      const Threads threads(n);
      INFO(n << " threads");
      CHECK(steady_state_allocations(*model, single, greedy_options(40), 24) == 0);
      CHECK(steady_state_allocations(*model, batch, sampled_options(40), 24) == 0);
      // Per-thread kernel scratch grows to its largest size in a first run.
      generate_allocations(*model, batch, sampled_options(32));
      const int64_t short_run = generate_allocations(*model, batch, sampled_options(8));
      const int64_t long_run = generate_allocations(*model, batch, sampled_options(32));
      INFO("generate() allocations: 8 tokens " << short_run << ", 32 tokens " << long_run);
      CHECK(short_run > 0);  // the counter sees a run's own allocations (cache, result)
      CHECK(short_run == long_run);
      CHECK(generate_allocations(*model, single, greedy_options(8)) ==
            generate_allocations(*model, single, greedy_options(32)));
    }
  }
}

}  // namespace

TEST_CASE("gpt2: decode steps allocate nothing, generate() allocations do not grow with tokens", "[decoder][memory]") {
  check_decode_allocations(decoder_dir("hubwasm-fixtures--micro-gpt2"));
}

TEST_CASE("llama: decode steps allocate nothing, generate() allocations do not grow with tokens", "[decoder][memory]") {
  check_decode_allocations(decoder_dir("hubwasm-fixtures--botchan-llama"));
}
