// Weights read through a ByteSource (the file kept outside wasm memory, as the
// npm package does for q8 and fp16 loads) build the same model as the file in
// memory, and each tensor is read once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/byte_source.h"
#include "models/registry.h"
#include "ops/weight_rows.h"
#include "test_decoder_common.h"

using namespace hubwasm;

namespace {

class CountingSource : public ByteSource {
 public:
  explicit CountingSource(std::string bytes) : bytes_(std::move(bytes)) {}
  size_t size() const override { return bytes_.size(); }
  void read(size_t offset, size_t len, uint8_t* dst) const override {
    REQUIRE(offset + len <= bytes_.size());
    std::memcpy(dst, bytes_.data() + offset, len);
    bytes_read += len;
    largest_read = std::max(largest_read, len);
  }
  mutable size_t bytes_read = 0, largest_read = 0;

 private:
  std::string bytes_;
};

// The repo in `dir` with model.safetensors behind a CountingSource.
RepoFiles with_external_weights(const std::string& dir, std::shared_ptr<CountingSource>& source) {
  RepoFiles files = load_repo_dir(dir);
  RepoFiles out;
  for (const auto& [path, blob] : files.all()) {
    if (path == "model.safetensors") {
      source = std::make_shared<CountingSource>(std::string(blob->view()));
      out.add_external(path, source);
    } else {
      out.add(path, blob);
    }
  }
  return out;
}

Tensor prompt_logits(const DecoderModel& model) {
  DecoderInput in;
  in.batch = 1;
  in.seq = 5;
  in.input_ids = {1, 17, 42, 7, 99};
  const DecoderInfo& info = model.info();
  KVCache cache(info.num_layers, 1, info.num_kv_heads, info.head_dim);
  return model.forward(in, cache);
}

}  // namespace

TEST_CASE("decoders load from a byte source as from the file in memory, reading each tensor once", "[weights]") {
  // gpt2: Conv1D weights quantized transposed; botchan: F32 llama; tiny-random-Llama: an F16 file.
  for (const std::string name : {"hubwasm-fixtures--micro-gpt2", "hubwasm-fixtures--botchan-llama",
                                 "hf-internal-testing--tiny-random-LlamaForCausalLM"}) {
    for (const char* dtype : {"fp32", "fp16", "q8"}) {
      DYNAMIC_SECTION(name << " " << dtype) {
        DecoderOptions options;
        options.format = parse_weight_format(dtype);
        const auto in_memory = load_decoder(load_repo_dir(decoder_dir(name)), options);
        std::shared_ptr<CountingSource> source;
        const auto external = load_decoder(with_external_weights(decoder_dir(name), source), options);
        const Tensor a = prompt_logits(*in_memory), b = prompt_logits(*external);
        REQUIRE(a.shape() == b.shape());
        CHECK(std::memcmp(a.data(), b.data(), a.nbytes()) == 0);  // the same weights, bit for bit
        CHECK(source->bytes_read <= source->size());  // the header and every tensor at most once
        CHECK(source->bytes_read > source->size() / 2);
      }
    }
  }
}

TEST_CASE("q8 and fp16 loads read an (out, in) weight from a byte source a band of rows at a time", "[weights]") {
  // Its embedding table and LM head are f16 (32000, 16): 1,024,000 bytes each.
  const std::string dir = decoder_dir("hf-internal-testing--tiny-random-LlamaForCausalLM");
  const size_t band_bytes = static_cast<size_t>(weight_band_rows(16)) * 16 * 2;
  REQUIRE(band_bytes < 1024000);
  for (const char* dtype : {"fp16", "q8"}) {
    DYNAMIC_SECTION(dtype) {
      DecoderOptions options;
      options.format = parse_weight_format(dtype);
      std::shared_ptr<CountingSource> source;
      load_decoder(with_external_weights(dir, source), options);
      CHECK(source->largest_read == band_bytes);
    }
  }
}

TEST_CASE("a truncated safetensors byte source is refused as the file would be", "[weights]") {
  const std::string dir = decoder_dir("hubwasm-fixtures--micro-gpt2");
  RepoFiles files = load_repo_dir(dir);
  const std::string bytes(files.get("model.safetensors")->view());
  RepoFiles cut;
  for (const auto& [path, blob] : files.all()) {
    if (path != "model.safetensors") cut.add(path, blob);
  }
  cut.add_external("model.safetensors", std::make_shared<CountingSource>(bytes.substr(0, bytes.size() - 100)));
  expect_error([&] { load_decoder(cut); }, ErrorCode::InvalidFile, "model.safetensors: invalid safetensors file");
  expect_error([&] { load_decoder(cut); }, ErrorCode::InvalidFile, "truncated download?");
}

namespace {

// The repo in `dir` with tensor `name` of model.safetensors relabelled I32
// (the same 4 bytes per value as its F32, so the file stays consistent).
RepoFiles with_int32_tensor(const std::string& dir, const std::string& name) {
  const RepoFiles files = load_repo_dir(dir);
  RepoFiles out;
  for (const auto& [path, blob] : files.all()) {
    if (path != "model.safetensors") {
      out.add(path, blob);
      continue;
    }
    const std::string bytes(blob->view());
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<uint8_t>(bytes[i]);
    auto header = nlohmann::json::parse(bytes.substr(8, length));
    REQUIRE(header.at(name).at("dtype") == "F32");
    header[name]["dtype"] = "I32";
    out.add(path, Blob::from_string(make_safetensors(header.dump(), 0) + bytes.substr(8 + length), path));
  }
  return out;
}

}  // namespace

TEST_CASE("a weight matrix of an integer dtype is refused in every storage format, naming it", "[weights]") {
  // GPT-2: a Conv1D [in, out] weight and the embedding table; Llama: an nn.Linear [out, in] weight.
  const std::pair<const char*, const char*> cases[] = {
      {"hubwasm-fixtures--micro-gpt2", "transformer.h.0.mlp.c_fc.weight"},
      {"hubwasm-fixtures--micro-gpt2", "transformer.wte.weight"},
      {"hubwasm-fixtures--micro-llama", "model.layers.0.mlp.down_proj.weight"}};
  for (const auto& [model, tensor] : cases) {
    for (const char* dtype : {"fp32", "fp16", "q8"}) {
      DYNAMIC_SECTION(model << " " << tensor << " " << dtype) {
        DecoderOptions options;
        options.format = parse_weight_format(dtype);
        const RepoFiles files = with_int32_tensor(decoder_dir(model), tensor);
        expect_error([&] { load_decoder(files, options); }, ErrorCode::UnsupportedFeature,
                     std::string(tensor) + ": dtype I32 cannot be used as floating point weights");
      }
    }
  }
}
