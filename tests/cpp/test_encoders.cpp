// Encoder parity against the torch reference outputs stored with the fixtures
// (ref/, written by the fixture generator from PyTorch), and the load errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <iostream>

#include "core/error.h"
#include "models/registry.h"
#include "test_encoder_batch.h"
#include "test_reference.h"
#include "test_repo.h"

using namespace hubwasm;

namespace {

EncoderInput ref_input(const std::string& dir) {
  const RefTensor ids = load_ref(dir, "encoder", "input_ids");
  const RefTensor mask = load_ref(dir, "encoder", "attention_mask");
  const RefTensor types = load_ref(dir, "encoder", "token_type_ids");
  EncoderInput in;
  in.batch = ids.shape[0];
  in.seq = ids.shape[1];
  for (size_t i = 0; i < ids.i64.size(); ++i) {
    in.input_ids.push_back(static_cast<int32_t>(ids.i64[i]));
    in.attention_mask.push_back(static_cast<int32_t>(mask.i64[i]));
    in.token_type_ids.push_back(static_cast<int32_t>(types.i64[i]));
  }
  return in;
}

// Max abs difference over the rows whose attention mask is 1 (padding is don't-care).
double max_error_unpadded(const Tensor& got, const RefTensor& want, const std::vector<int32_t>& mask) {
  REQUIRE(got.shape() == want.shape);
  const int64_t width = got.dim(2);
  double err = 0;
  for (size_t row = 0; row < mask.size(); ++row) {
    if (!mask[row]) continue;
    for (int64_t j = 0; j < width; ++j) {
      err = std::max(err, std::fabs(double(got.f32()[row * width + j]) - want.f32[row * width + j]));
    }
  }
  return err;
}

double max_error(const Tensor& got, const RefTensor& want) {
  REQUIRE(got.shape() == want.shape);
  double err = 0;
  for (size_t i = 0; i < want.f32.size(); ++i) err = std::max(err, std::fabs(double(got.f32()[i]) - want.f32[i]));
  return err;
}

// Tolerance for f32 parity with torch, as the issue states it.
constexpr double kTolerance = 1e-4;

template <class F>
void expect_error(F&& f, ErrorCode code, const std::string& needle) {
  try {
    f();
    FAIL("expected an error containing: " << needle);
  } catch (const Error& e) {
    CHECK(error_code_name(e.code()) == std::string(error_code_name(code)));
    CHECK_THAT(e.what(), Catch::Contains(needle));
  }
}

}  // namespace

TEST_CASE("bert: micro-bert matches torch", "[encoder][parity]") {
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  const auto model = load_encoder(load_repo_dir(dir), Head::Base);
  const EncoderInput in = ref_input(dir);
  const EncoderOutput out = model->forward(in);
  const double hidden_err = max_error_unpadded(out.last_hidden_state, load_ref(dir, "encoder", "last_hidden_state"),
                                               in.attention_mask);
  const double pooler_err = max_error(out.pooler_output, load_ref(dir, "encoder", "pooler_output"));
  std::cout << "micro-bert max abs error vs torch: last_hidden_state " << hidden_err << ", pooler_output "
            << pooler_err << "\n";
  CHECK(hidden_err < kTolerance);
  CHECK(pooler_err < kTolerance);
}

TEST_CASE("bert: micro-bert-cls logits match torch", "[encoder][parity]") {
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert-cls");
  const auto model = load_encoder(load_repo_dir(dir), Head::SequenceClassification);
  const EncoderOutput out = model->forward(ref_input(dir));
  const double err = max_error(out.logits, load_ref(dir, "encoder", "logits"));
  std::cout << "micro-bert-cls max abs error vs torch: logits " << err << "\n";
  CHECK(err < kTolerance);
}

TEST_CASE("bert: AutoModel on a checkpoint saved with a head reads the bert. prefix", "[encoder]") {
  const auto with_head = load_encoder(load_repo_dir(shared_path("models/hubwasm-fixtures--micro-bert-cls")), Head::Base);
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  const EncoderInput in = ref_input(dir);
  // micro-bert-cls's trunk has exactly micro-bert's weights (MANIFEST.md).
  const double err = max_error_unpadded(with_head->forward(in).last_hidden_state,
                                        load_ref(dir, "encoder", "last_hidden_state"), in.attention_mask);
  CHECK(err < kTolerance);
}

TEST_CASE("distilbert: logits match onnxruntime's recorded outputs", "[encoder][parity]") {
  const std::string dir = shared_path("models/optimum-test-assets--tiny-distilbert-classification");
  const auto model = load_encoder(load_repo_dir(dir), Head::SequenceClassification);
  const auto ref = nlohmann::json::parse(read_file(dir + "/reference/ort_node_outputs.json"));
  int checked = 0;
  for (const auto& c : ref.at("cases")) {
    EncoderInput in;
    in.batch = static_cast<int64_t>(c.at("input_ids").size());
    in.seq = static_cast<int64_t>(c.at("input_ids")[0].size());
    for (const auto& row : c.at("input_ids")) for (const auto& v : row) in.input_ids.push_back(v.get<int32_t>());
    for (const auto& row : c.at("attention_mask")) for (const auto& v : row) in.attention_mask.push_back(v.get<int32_t>());
    const Tensor logits = model->forward(in).logits;
    double err = 0;
    size_t i = 0;
    for (const auto& row : c.at("logits")) {
      for (const auto& v : row) err = std::max(err, std::fabs(double(logits.f32()[i++]) - v.get<double>()));
    }
    CHECK(err < kTolerance);
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE("encoders: load errors name the file, key or tensor", "[encoder][errors]") {
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  RepoFiles files = load_repo_dir(dir);
  const std::string config = read_file(dir + "/config.json");
  auto with_config = [&](const std::string& text) {
    RepoFiles f = files;
    f.add("config.json", Blob::from_string(text, "config.json"));
    return f;
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  };

  SECTION("unknown model_type") {
    expect_error([&] { load_encoder(with_config(replace(config, "\"bert\"", "\"bort\"")), Head::Base); },
                 ErrorCode::UnsupportedModel, "model_type \"bort\" is not supported");
  }
  SECTION("missing config key") {
    expect_error([&] { load_encoder(with_config(replace(config, "\"hidden_size\"", "\"hidden_sizes\"")), Head::Base); },
                 ErrorCode::InvalidConfig, "config.json: missing key \"hidden_size\"");
  }
  SECTION("mistyped config key") {
    expect_error([&] { load_encoder(with_config(replace(config, "\"num_hidden_layers\": 2", "\"num_hidden_layers\": \"2\"")), Head::Base); },
                 ErrorCode::InvalidConfig, "\"num_hidden_layers\" must be an integer");
  }
  SECTION("config contradicts the weights") {
    expect_error([&] { load_encoder(with_config(replace(config, "\"vocab_size\": 2000", "\"vocab_size\": 3000")), Head::Base); },
                 ErrorCode::ConfigMismatch, "\"embeddings.word_embeddings.weight\" in model.safetensors has shape [2000, 32] but config.json implies [3000, 32]");
  }
  SECTION("a layer the config needs is missing") {
    expect_error([&] { load_encoder(with_config(replace(config, "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3")), Head::Base); },
                 ErrorCode::MissingTensor, "encoder.layer.2.attention.self.query.weight");
  }
  SECTION("a head the weights do not have") {
    expect_error([&] { load_encoder(files, Head::SequenceClassification); }, ErrorCode::MissingTensor,
                 "\"classifier.weight\" not found in model.safetensors");
  }
  SECTION("config.json is not JSON") {
    expect_error([&] { load_encoder(with_config("{"), Head::Base); }, ErrorCode::InvalidFile, "config.json: not valid JSON");
  }
  SECTION("no config.json") {
    RepoFiles f;
    expect_error([&] { load_encoder(f, Head::Base); }, ErrorCode::MissingFile, "config.json");
  }
  // After every failure a load of the real repo still works.
  CHECK(load_encoder(files, Head::Base)->max_position_embeddings() == 512);
}

TEST_CASE("encoders: bad input ids are rejected, not read out of bounds", "[encoder][errors]") {
  const auto model = load_encoder(load_repo_dir(shared_path("models/hubwasm-fixtures--micro-bert")), Head::Base);
  EncoderInput in{1, 2, {101, 2000}, {1, 1}, {}};
  expect_error([&] { model->forward(in); }, ErrorCode::InvalidArgument, "input_ids contains 2000");
  in.input_ids = {101, 5};
  in.attention_mask = {1};
  expect_error([&] { model->forward(in); }, ErrorCode::InvalidArgument, "attention_mask");
  in.attention_mask = {1, 1};
  CHECK(model->forward(in).last_hidden_state.shape() == Shape{1, 2, 32});
}

TEST_CASE("a batch larger than one slice runs slice by slice and still matches torch", "[encoder][parity]") {
  // The torch reference batch repeated over three slices, which then cut through copies of it.
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  const auto model = load_encoder(load_repo_dir(dir), Head::Base);
  const EncoderInput one = ref_input(dir);
  REQUIRE((EncoderModel::kSliceTokens / one.seq) % one.batch != 0);
  const EncoderInput many = repeat_over_slices(one, 3);
  const EncoderOutput out = model->forward(many);
  REQUIRE(out.last_hidden_state.shape() == Shape{many.batch, one.seq, out.last_hidden_state.dim(2)});
  REQUIRE(out.pooler_output.dim(0) == many.batch);
  const RefTensor hidden = load_ref(dir, "encoder", "last_hidden_state");
  const RefTensor pooled = load_ref(dir, "encoder", "pooler_output");
  for (int64_t b0 = 0; b0 < many.batch; b0 += one.batch) {
    INFO("copy at row " << b0 << " of " << many.batch);
    const Tensor h = out.last_hidden_state.slice_rows(b0, b0 + one.batch);
    CHECK(max_error_unpadded(h, hidden, one.attention_mask) < kTolerance);
    CHECK(max_error(out.pooler_output.slice_rows(b0, b0 + one.batch), pooled) < kTolerance);
  }
}
