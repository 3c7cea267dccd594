#include <catch2/catch.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weights.h"
#include "test_repo.h"

using namespace hubwasm;

namespace {

SafetensorsFile parse(const std::string& bytes) {
  return SafetensorsFile::parse(Blob::from_string(bytes, "t.safetensors"), "t.safetensors");
}

// Asserts the parse fails with InvalidFile and a message containing `needle`.
void expect_invalid(const std::string& bytes, const std::string& needle) {
  try {
    parse(bytes);
    FAIL("expected an error containing: " << needle);
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::InvalidFile);
    CHECK_THAT(e.what(), Catch::Contains("t.safetensors") && Catch::Contains(needle));
  }
}

}  // namespace

TEST_CASE("safetensors: reads micro-bert's 39 tensors as views", "[safetensors]") {
  const std::string path = shared_path("models/hubwasm-fixtures--micro-bert/model.safetensors");
  const auto blob = Blob::from_string(read_file(path), "model.safetensors");
  const auto file = SafetensorsFile::parse(blob, "model.safetensors");
  CHECK(file.entries().size() == 39);
  CHECK(file.metadata().at("format") == "pt");
  const Tensor t = file.tensor("embeddings.word_embeddings.weight");
  CHECK(t.shape() == Shape{2000, 32});
  CHECK(t.dtype() == DType::F32);
  // A view: the tensor points into the file's bytes.
  const auto* p = static_cast<const uint8_t*>(t.data());
  CHECK(p >= blob->data());
  CHECK(p + t.nbytes() <= blob->data() + blob->size());
}

TEST_CASE("safetensors: f16 and bf16 widen exactly", "[safetensors]") {
  // 1.0, -2.5, 65504 (f16 max), smallest subnormal 2^-24 as f16; 1.0, -2.5 as bf16.
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}})";
  std::string bytes = make_safetensors(header, 0);
  const unsigned char payload[] = {0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00, 0x80, 0x3f, 0x20, 0xc0};
  bytes.append(reinterpret_cast<const char*>(payload), sizeof payload);
  const auto file = parse(bytes);
  const Tensor h = to_f32(file.tensor("h"), "h");
  CHECK(h.f32()[0] == 1.0f);
  CHECK(h.f32()[1] == -2.5f);
  CHECK(h.f32()[2] == 65504.0f);
  CHECK(h.f32()[3] == std::ldexp(1.0f, -24));
  const Tensor b = to_f32(file.tensor("b"), "b");
  CHECK(b.f32()[0] == 1.0f);
  CHECK(b.f32()[1] == -2.5f);
}

TEST_CASE("safetensors: rejects malformed files with the reason", "[safetensors][errors]") {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  SECTION("shorter than the length prefix") { expect_invalid("abc", "shorter than the 8-byte header length"); }
  SECTION("header length past the end") { expect_invalid(make_safetensors(ok, 8, 1000), "runs past the end"); }
  SECTION("absurd header length") { expect_invalid(make_safetensors(ok, 8, 1ull << 40), "exceeds"); }
  SECTION("truncated data") { expect_invalid(make_safetensors(ok, 4), "truncated"); }
  SECTION("not JSON") { expect_invalid(make_safetensors("{nope", 0), "not valid JSON"); }
  SECTION("not an object") { expect_invalid(make_safetensors("[1,2]", 0), "not a JSON object"); }
  SECTION("unknown dtype") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}})", 8),
                   "unsupported dtype F7");
  }
  SECTION("shape contradicts byte range") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
                   "data_offsets span 8 bytes");
  }
  SECTION("negative dimension") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
                   "non-negative integer");
  }
  SECTION("overflowing shape") {
    expect_invalid(
        make_safetensors(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8),
        "overflows");
  }
  SECTION("begin after end") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})", 8), "begin > end");
  }
  SECTION("overlapping tensors") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                    12),
                   "overlap");
  }
  SECTION("missing data_offsets") {
    expect_invalid(make_safetensors(R"({"a":{"dtype":"F32","shape":[2]}})", 8), "no data_offsets");
  }
}

TEST_CASE("safetensors: a valid file still parses after errors", "[safetensors][errors]") {
  CHECK_THROWS_AS(parse("abc"), Error);
  const auto file = parse(make_safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8));
  CHECK(file.tensor("a").shape() == Shape{2});
}

TEST_CASE("weights: sharded repos resolve through the index", "[safetensors]") {
  RepoFiles files;
  files.add("model.safetensors.index.json",
            Blob::from_string(R"({"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors",)"
                              R"("b":"model-00002-of-00002.safetensors"}})",
                              "index"));
  files.add("model-00001-of-00002.safetensors",
            Blob::from_string(make_safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8), "s1"));
  SECTION("missing shard") {
    CHECK_THROWS_WITH(WeightStore::from_repo(files),
                      Catch::Contains("model-00002-of-00002.safetensors") && Catch::Contains("missing"));
  }
  files.add("model-00002-of-00002.safetensors",
            Blob::from_string(make_safetensors(R"({"b":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}})", 8), "s2"));
  SECTION("both shards") {
    const auto store = WeightStore::from_repo(files);
    CHECK(store.get("a").shape() == Shape{2});
    CHECK(store.get("b").shape() == Shape{1, 2});
    CHECK_THROWS_WITH(store.get("c"), Catch::Contains("\"c\" not found"));
  }
}

TEST_CASE("weights: a repo with only pytorch_model.bin says so", "[safetensors][errors]") {
  RepoFiles files;
  files.add("config.json", Blob::from_string("{}", "config.json"));
  files.add("pytorch_model.bin", Blob::from_string("PK", "pytorch_model.bin"));
  try {
    WeightStore::from_repo(files);
    FAIL("expected MissingFile");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::MissingFile);
    CHECK_THAT(e.what(), Catch::Contains("pytorch_model.bin") && Catch::Contains("safetensors"));
  }
}
