// Hostile config.json values found while writing tests/fuzz (reproduced with
// fuzz_config, kept in tests/fuzz/regressions/fuzz_config/): each must be
// refused with InvalidConfig before anything is allocated or indexed from it.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/config.h"
#include "models/decoder.h"
#include "models/gpt2.h"
#include "models/llama.h"

using namespace hubwasm;

namespace {

const char* kLlama = R"("vocab_size": 4, "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2)";

Config config(const std::string& body) { return Config::parse("{" + body + "}"); }

void require_invalid(const std::function<void()>& fn, const std::string& fragment) {
  try {
    fn();
    FAIL("no error; expected one mentioning " << fragment);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::InvalidConfig);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
  }
}

}  // namespace

TEST_CASE("decoder configs: sizes are bounded before use", "[config][fuzz]") {
  require_invalid([] { LlamaConfig::from(config(R"("model_type": "llama", )" + std::string(kLlama) +
                                                R"(, "num_hidden_layers": 20000000000)")); },
                  "num_hidden_layers");
  require_invalid([] { LlamaConfig::from(config(R"("model_type": "llama", )" + std::string(kLlama) +
                                                R"(, "head_dim": 4000000000000)")); },
                  "head_dim");
  require_invalid([] { LlamaConfig::from(config(R"("model_type": "llama", )" + std::string(kLlama) +
                                                R"(, "partial_rotary_factor": 1e300)")); },
                  "partial_rotary_factor");
  require_invalid([] {
    LlamaConfig::from(config(R"("model_type": "llama", )" + std::string(kLlama) +
                             R"(, "rope_scaling": {"type": "llama3", "factor": 2, "low_freq_factor": 1,)"
                             R"( "high_freq_factor": 4, "original_max_position_embeddings": 1e300})"));
  }, "original_max_position_embeddings");
  require_invalid([] { Gpt2Config::from(config(R"("vocab_size": 4, "n_embd": 4611686018427387904, "n_layer": 1, "n_head": 1)")); },
                  "n_embd");
  require_invalid([] { read_token_ids(config(R"("eos_token_id": [2, 99999999999])"), "eos_token_id"); },
                  "eos_token_id");
  require_invalid([] { read_token_id(config(R"("bos_token_id": -3000000000)"), "bos_token_id"); },
                  "bos_token_id");
}

TEST_CASE("qwen2: a negative max_window_layers slides every layer", "[config][fuzz]") {
  const LlamaConfig l = LlamaConfig::from(config(R"("model_type": "qwen2", )" + std::string(kLlama) +
                                                 R"(, "use_sliding_window": true, "sliding_window": 16, "max_window_layers": -5)"));
  REQUIRE(l.layer_sliding_window == std::vector<int64_t>{16, 16});
  const LlamaConfig m = LlamaConfig::from(config(R"("model_type": "qwen2", )" + std::string(kLlama) +
                                                 R"(, "use_sliding_window": true, "sliding_window": 16, "max_window_layers": 1)"));
  REQUIRE(m.layer_sliding_window == std::vector<int64_t>{0, 16});
}
