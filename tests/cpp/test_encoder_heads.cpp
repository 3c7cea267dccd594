// Encoder heads (masked LM, token classification, question answering,
// RoBERTa/ELECTRA sequence classification) and architectures (roberta,
// xlm-roberta, electra) against the torch outputs that
// tests/fixtures/make_encoder_fixtures.py writes with each fixture (`make
// fixtures` -> build/fixtures, or $HUBWASM_FIXTURES); the pipelines' task
// inputs (QA chunks, UTF-16 offsets).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "models/mpnet.h"
#include "models/registry.h"
#include "tasks/encoder_tasks.h"
#include "test_encoder_batch.h"
#include "test_reference.h"
#include "test_repo.h"

using namespace hubwasm;

namespace {


EncoderInput fixture_input(const std::string& dir, const std::string& ref_case = "encoder") {
  const RefTensor ids = load_ref(dir, ref_case, "input_ids");
  const RefTensor mask = load_ref(dir, ref_case, "attention_mask");
  EncoderInput in;
  in.batch = ids.shape[0];
  in.seq = ids.shape[1];
  for (size_t i = 0; i < ids.i64.size(); ++i) {
    in.input_ids.push_back(static_cast<int32_t>(ids.i64[i]));
    in.attention_mask.push_back(static_cast<int32_t>(mask.i64[i]));
  }
  const auto index = nlohmann::json::parse(read_file(dir + "/ref/" + ref_case + ".json"));
  if (index.contains("token_type_ids")) {
    for (int64_t v : load_ref(dir, ref_case, "token_type_ids").i64)
      in.token_type_ids.push_back(static_cast<int32_t>(v));
  }
  return in;
}

// Max abs difference; for per-token outputs only over tokens whose mask is 1.
double max_err(const Tensor& got, const RefTensor& want, const std::vector<int32_t>& mask, bool per_token) {
  REQUIRE(got.shape() == want.shape);
  const int64_t tokens = per_token ? static_cast<int64_t>(mask.size()) : 1;
  const int64_t width = got.numel() / tokens;
  double err = 0;
  for (int64_t t = 0; t < tokens; ++t) {
    if (per_token && !mask[t]) continue;
    for (int64_t j = 0; j < width; ++j) {
      err = std::max(err, std::fabs(double(got.f32()[t * width + j]) - want.f32[t * width + j]));
    }
  }
  return err;
}

}  // namespace

TEST_CASE("encoder heads match torch on the generated fixtures", "[encoder][parity][heads]") {
  const std::vector<std::pair<std::string, Head>> cases = {
      {"bert-mlm", Head::MaskedLM},
      {"bert-ner", Head::TokenClassification},
      {"bert-qa", Head::QuestionAnswering},
      {"bert-nli", Head::SequenceClassification},
      {"distilbert-mlm", Head::MaskedLM},
      {"distilbert-ner", Head::TokenClassification},
      {"distilbert-qa", Head::QuestionAnswering},
      {"roberta-mlm", Head::MaskedLM},
      {"roberta-cls", Head::SequenceClassification},
      {"xlm-roberta-ner", Head::TokenClassification},
      {"xlm-roberta-qa", Head::QuestionAnswering},
      {"electra-mlm", Head::MaskedLM},
      {"electra-cls", Head::SequenceClassification},
      {"electra-ner", Head::TokenClassification},
      {"electra-qa", Head::QuestionAnswering},
      {"albert-mlm", Head::MaskedLM},
      {"albert-cls", Head::SequenceClassification},
      {"albert-ner", Head::TokenClassification},
      {"albert-qa", Head::QuestionAnswering},
      {"mpnet-mlm", Head::MaskedLM},
      {"mpnet-cls", Head::SequenceClassification},
      {"mpnet-ner", Head::TokenClassification},
      {"mpnet-qa", Head::QuestionAnswering},
      {"deberta-v3-mlm", Head::MaskedLM},
      {"deberta-v3-nli", Head::SequenceClassification},
      {"deberta-v3-ner", Head::TokenClassification},
      {"deberta-v3-qa", Head::QuestionAnswering},
      {"deberta-v2-mlm", Head::MaskedLM},
  };
  for (const auto& name_head : cases) {
    const std::string& name = name_head.first;
    const Head head = name_head.second;  // a structured binding cannot be captured in C++17
    const std::string dir = fixtures_path("micro-" + name);
    if (!std::filesystem::exists(dir)) FAIL("missing fixture " << dir << ": run `make fixtures`");
    INFO(name);
    const auto model = load_encoder(load_repo_dir(dir), head);
    // The head's outputs for sequences [b0, b0 + in.batch) of `out` against the reference of `in`.
    const auto head_error = [&](const EncoderOutput& out, int64_t b0, const EncoderInput& in,
                                const std::string& ref_case) {
      const auto rows = [&](const Tensor& t) { return t.slice_rows(b0, b0 + in.batch); };
      if (head == Head::QuestionAnswering) {
        return std::max(max_err(rows(out.start_logits), load_ref(dir, ref_case, "start_logits"), in.attention_mask, true),
                        max_err(rows(out.end_logits), load_ref(dir, ref_case, "end_logits"), in.attention_mask, true));
      }
      return max_err(rows(out.logits), load_ref(dir, ref_case, "logits"), in.attention_mask,
                     head != Head::SequenceClassification);
    };
    double err = 0;
    for (const std::string ref_case : {"encoder", "long"}) {  // padded batch of 3 x 9; one row of 60 tokens
      const EncoderInput in = fixture_input(dir, ref_case);
      err = std::max(err, head_error(model->forward(in), 0, in, ref_case));
    }
    std::cout << "micro-" << name << " max abs error vs torch: " << err << "\n";
    CHECK(err < 1e-4);
    // Copies of the reference batch over three slices of EncoderModel::forward: every copy matches torch.
    const EncoderInput in = fixture_input(dir);
    const EncoderInput many = repeat_over_slices(in, 3);
    const EncoderOutput sliced = model->forward(many);
    double sliced_err = 0;
    for (int64_t b0 = 0; b0 < many.batch; b0 += in.batch) sliced_err = std::max(sliced_err, head_error(sliced, b0, in, "encoder"));
    CHECK(sliced_err < 1e-4);
    // The trunk of a checkpoint saved with a head loads as the base model too.
    CHECK(load_encoder(load_repo_dir(dir), Head::Base)->forward(in).last_hidden_state.shape() ==
          Shape{in.batch, in.seq, 32});
  }
}

TEST_CASE("encoder heads: a head missing from the weights names the tensor", "[encoder][errors][heads]") {
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  const RepoFiles files = load_repo_dir(dir);
  auto expect = [&](Head head, const std::string& needle) {
    try {
      load_encoder(files, head);
      FAIL("expected MissingTensor");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::MissingTensor);
      CHECK_THAT(e.what(), Catch::Contains(needle));
    }
  };
  expect(Head::MaskedLM, "\"cls.predictions.transform.dense.weight\" not found in model.safetensors");
  expect(Head::TokenClassification, "\"classifier.weight\" not found");
  expect(Head::QuestionAnswering, "\"qa_outputs.weight\" not found");
  CHECK_THROWS_AS(parse_head("sequence_classification"), Error);
}

TEST_CASE("roberta: positions start after padding_idx, so the usable length is max_position_embeddings - pad - 1",
          "[encoder][heads]") {
  const auto model = load_encoder(load_repo_dir(fixtures_path("micro-roberta-mlm")), Head::Base);
  CHECK(model->max_position_embeddings() == 65);  // 66 positions, padding_idx 0
  EncoderInput in{1, 66, std::vector<int32_t>(66, 105), std::vector<int32_t>(66, 1), {}};
  CHECK_THROWS_WITH(model->forward(in), Catch::Contains("longer than max_position_embeddings 65"));
  // type_vocab_size 1: token types (type 1 on a pair's second sequence) are not used, as transformers never gets them.
  EncoderInput pair{1, 6, {101, 200, 102, 102, 300, 102}, std::vector<int32_t>(6, 1), {0, 0, 0, 1, 1, 1}};
  const Tensor with_types = model->forward(pair).last_hidden_state;
  pair.token_type_ids.clear();
  const Tensor without = model->forward(pair).last_hidden_state;
  for (int64_t i = 0; i < with_types.numel(); ++i) CHECK(with_types.f32()[i] == without.f32()[i]);
}

TEST_CASE("mpnet: relative position buckets as modeling_mpnet.py", "[encoder][heads]") {
  // Values of relative_position_bucket(torch.arange(-200, 201)) at a few points (32 buckets, max_distance 128).
  CHECK(mpnet_relative_position_bucket(0) == 0);
  CHECK(mpnet_relative_position_bucket(-1) == 1);
  CHECK(mpnet_relative_position_bucket(1) == 17);
  CHECK(mpnet_relative_position_bucket(-7) == 7);
  CHECK(mpnet_relative_position_bucket(-8) == 8);
  CHECK(mpnet_relative_position_bucket(8) == 24);
  CHECK(mpnet_relative_position_bucket(-200) == 15);
  CHECK(mpnet_relative_position_bucket(200) == 31);
}

TEST_CASE("utf16 offsets count surrogate pairs and multi-byte characters", "[encoder][tasks]") {
  const std::string text = "a\xC3\xA9 \xF0\x9F\x98\x80 x";  // "aé 😀 x"
  const auto got = utf16_offsets(text, {{0, 3}, {4, 8}, {9, 10}, {0, 0}});
  CHECK(got == std::vector<std::pair<uint32_t, uint32_t>>{{0, 2}, {3, 5}, {6, 7}, {0, 0}});
}

TEST_CASE("question answering chunks cover a long context with overlapping windows", "[encoder][tasks]") {
  const std::string dir = shared_path("models/hubwasm-fixtures--micro-bert");
  const Tokenizer tokenizer = Tokenizer::from_json(read_file(dir + "/tokenizer.json"));
  std::string context;
  for (int i = 0; i < 40; ++i) context += "word" + std::to_string(i) + " ";
  EncodeOptions whole;
  whole.add_special_tokens = false;
  const Encoding ctx = tokenizer.encode(context, std::nullopt, whole);
  const Encoding q = tokenizer.encode("what is it?", std::nullopt, whole);
  const size_t max_len = 32, stride = 8;
  const EncodedBatch batch = question_answering_chunks(tokenizer, "what is it?", context, max_len, stride);
  REQUIRE(batch.encodings.size() > 1);
  const size_t window = max_len - q.size() - 3;
  std::vector<int> seen(ctx.size(), 0);
  size_t previous_start = 0;
  for (size_t c = 0; c < batch.encodings.size(); ++c) {
    const Encoding& e = batch.encodings[c];
    CHECK(static_cast<int64_t>(e.size()) == batch.input.seq);
    CHECK(e.size() <= max_len);
    CHECK(e.ids[0] == 101);  // [CLS] question [SEP] context-window [SEP]
    // Context tokens of this chunk are a contiguous run of the whole context's tokens.
    std::vector<size_t> at;
    for (size_t i = 0; i < e.size(); ++i) {
      if (e.sequence_ids[i] != 1) continue;
      size_t k = 0;
      while (k < ctx.size() && ctx.offsets[k] != e.offsets[i]) ++k;
      REQUIRE(k < ctx.size());
      CHECK(ctx.ids[k] == e.ids[i]);
      at.push_back(k);
      seen[k] = 1;
    }
    REQUIRE(!at.empty());
    CHECK(at.back() - at.front() + 1 == at.size());
    CHECK(at.size() <= window);
    if (c > 0) CHECK(at.front() == previous_start + window - stride);
    previous_start = at.front();
  }
  for (int s : seen) CHECK(s == 1);
  // A question that leaves no room for the context is an error.
  CHECK_THROWS_WITH(question_answering_chunks(tokenizer, context, "short", 16, 4), Catch::Contains("no room"));
}
