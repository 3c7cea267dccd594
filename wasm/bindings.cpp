// Embind bindings: the small surface js/src uses. Every call catches errors at
// this boundary and parks them for `takeError()`, so no C++ exception crosses
// into JavaScript and the module stays usable after any failure.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "core/error.h"
#include "io/repo_files.h"
#include "models/registry.h"
#include "tasks/feature_extraction.h"
#include "tokenizers/tokenizer.h"

using emscripten::val;

namespace hubwasm {
namespace {

struct PendingError {
  std::string code, message;
};
std::optional<PendingError> g_error;

// Runs `f`; on failure records the error and returns `fallback`.
template <class F>
auto guarded(F&& f, decltype(f()) fallback) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    g_error = PendingError{error_code_name(e.code()), e.what()};
  } catch (const std::bad_alloc&) {
    g_error = PendingError{"OUT_OF_MEMORY", "out of WebAssembly memory"};
  } catch (const std::exception& e) {
    g_error = PendingError{"INTERNAL", e.what()};
  }
  return fallback;
}

// Bytes currently allocated from the heap: what a leak check compares.
double memory_in_use() { return static_cast<double>(mallinfo().uordblks); }

val take_error() {
  if (!g_error) return val::null();
  val e = val::object();
  e.set("code", g_error->code);
  e.set("message", g_error->message);
  g_error.reset();
  return e;
}

template <class T>
val copy_to_js(const char* array_type, const T* data, size_t n) {
  return val::global(array_type).new_(emscripten::typed_memory_view(n, data));
}

val tensor_to_js(const Tensor& t) {
  val out = val::object();
  val dims = val::array();
  for (int64_t d : t.shape()) dims.call<void>("push", static_cast<double>(d));
  out.set("dims", dims);
  out.set("data", copy_to_js("Float32Array", t.f32(), static_cast<size_t>(t.numel())));
  return out;
}

std::vector<int32_t> int32_vector(const val& array) {
  return emscripten::convertJSArrayToNumberVector<int32_t>(array);
}

// A repo's files, filled from JavaScript: `reserve` returns the address where
// JS writes the bytes, so each file exists once in wasm memory.
class WasmRepo {
 public:
  double reserve(const std::string& path, double size) {
    return guarded([&] {
      auto blob = Blob::allocate(static_cast<size_t>(size), path);
      const auto address = reinterpret_cast<uintptr_t>(blob->mutable_data());
      files_.add(path, std::move(blob));
      return static_cast<double>(address);
    }, 0.0);
  }
  const RepoFiles& files() const { return files_; }

 private:
  RepoFiles files_;
};

std::vector<std::string> string_vector(const val& array) {
  return emscripten::vecFromJSArray<std::string>(array);
}

bool is_nullish(const val& v) { return v.isNull() || v.isUndefined(); }

class WasmTokenizer {
 public:
  static WasmTokenizer* load(const WasmRepo& repo) {
    return guarded([&] {
      std::map<std::string, std::string> files;
      for (const auto& [path, blob] : repo.files().all()) files.emplace(path, std::string(blob->view()));
      return new WasmTokenizer(Tokenizer::from_files(files));
    }, static_cast<WasmTokenizer*>(nullptr));
  }

  // {input_ids, attention_mask, token_type_ids: Int32Array (batch*seq), seq,
  // ragged: true when unpadded rows differ in length (then arrays are empty)}.
  val encode_batch(const val& texts, const val& pairs, const val& options) const {
    return guarded([&] {
      EncodeOptions opts;
      opts.add_special_tokens = options["add_special_tokens"].as<bool>();
      opts.padding = options["padding"].as<std::string>();
      if (!is_nullish(options["truncation"])) opts.truncation = options["truncation"].as<bool>();
      if (!is_nullish(options["max_length"])) {
        const double max_length = options["max_length"].as<double>();
        if (!(max_length >= 1)) throw Error(ErrorCode::InvalidArgument, "max_length must be a positive integer");
        opts.max_length = static_cast<size_t>(max_length);
      }
      const std::vector<std::string> text_list = string_vector(texts);
      std::vector<std::string> pair_list;
      if (!is_nullish(pairs)) pair_list = string_vector(pairs);
      const auto encodings = tokenizer_.encode_batch(text_list, is_nullish(pairs) ? nullptr : &pair_list, opts);
      val out = val::object();
      const size_t seq = encodings.empty() ? 0 : encodings[0].size();
      bool ragged = false;
      std::vector<int32_t> ids, mask, types;
      for (const Encoding& e : encodings) {
        ragged = ragged || e.size() != seq;
        ids.insert(ids.end(), e.ids.begin(), e.ids.end());
        mask.insert(mask.end(), e.attention_mask.begin(), e.attention_mask.end());
        types.insert(types.end(), e.type_ids.begin(), e.type_ids.end());
      }
      out.set("seq", static_cast<double>(seq));
      out.set("ragged", ragged);
      out.set("input_ids", copy_to_js("Int32Array", ids.data(), ragged ? 0 : ids.size()));
      out.set("attention_mask", copy_to_js("Int32Array", mask.data(), ragged ? 0 : mask.size()));
      out.set("token_type_ids", copy_to_js("Int32Array", types.data(), ragged ? 0 : types.size()));
      return out;
    }, val::null());
  }

  val decode(const val& ids, bool skip_special_tokens, const val& clean_up) const {
    return guarded([&] {
      // transformers.js cleans up unless tokenizer_config.json says otherwise.
      const bool cleanup = is_nullish(clean_up) ? tokenizer_.clean_up_tokenization_spaces().value_or(true)
                                                : clean_up.as<bool>();
      return val(tokenizer_.decode(int32_vector(ids), skip_special_tokens, cleanup));
    }, val::null());
  }

  val model_max_length() const {
    const auto n = tokenizer_.model_max_length();
    return n ? val(static_cast<double>(*n)) : val::null();
  }

  const Tokenizer& get() const { return tokenizer_; }

 private:
  explicit WasmTokenizer(Tokenizer tokenizer) : tokenizer_(std::move(tokenizer)) {}
  Tokenizer tokenizer_;
};

class WasmEncoder {
 public:
  static WasmEncoder* load(const WasmRepo& repo, const std::string& head) {
    return guarded([&]() -> WasmEncoder* {
      Head h;
      if (head == "base") h = Head::Base;
      else if (head == "sequence-classification") h = Head::SequenceClassification;
      else throw Error(ErrorCode::InvalidArgument, "unknown model head \"" + head + "\"");
      return new WasmEncoder(load_encoder(repo.files(), h));
    }, static_cast<WasmEncoder*>(nullptr));
  }

  // Returns {last_hidden_state, pooler_output?, logits?} as {dims, data}, or null on error.
  val forward(const val& input_ids, const val& attention_mask, const val& token_type_ids, int batch, int seq) const {
    return guarded([&] {
      EncoderInput in;
      in.batch = batch;
      in.seq = seq;
      in.input_ids = int32_vector(input_ids);
      in.attention_mask = int32_vector(attention_mask);
      if (!token_type_ids.isNull() && !token_type_ids.isUndefined()) in.token_type_ids = int32_vector(token_type_ids);
      const EncoderOutput out = model_->forward(in);
      val result = val::object();
      result.set("last_hidden_state", tensor_to_js(out.last_hidden_state));
      if (!out.pooler_output.empty()) result.set("pooler_output", tensor_to_js(out.pooler_output));
      if (!out.logits.empty()) result.set("logits", tensor_to_js(out.logits));
      return result;
    }, val::null());
  }

  int max_position_embeddings() const { return static_cast<int>(model_->max_position_embeddings()); }
  const EncoderModel& get() const { return *model_; }

 private:
  explicit WasmEncoder(std::unique_ptr<EncoderModel> model) : model_(std::move(model)) {}
  std::unique_ptr<EncoderModel> model_;
};

val feature_extraction(const WasmTokenizer& tokenizer, const WasmEncoder& model, const val& texts,
                       const std::string& pooling, bool normalize) {
  return guarded([&] {
    return tensor_to_js(extract_features(tokenizer.get(), model.get(), string_vector(texts),
                                         parse_pooling(pooling), normalize));
  }, val::null());
}

}  // namespace
}  // namespace hubwasm

EMSCRIPTEN_BINDINGS(hubwasm) {
  using namespace emscripten;
  using namespace hubwasm;
  function("takeError", &take_error);
  function("memoryInUse", &memory_in_use);
  class_<WasmRepo>("Repo")
      .constructor<>()
      .function("reserve", &WasmRepo::reserve);
  class_<WasmTokenizer>("Tokenizer")
      .class_function("load", &WasmTokenizer::load, allow_raw_pointers())
      .function("encodeBatch", &WasmTokenizer::encode_batch)
      .function("decode", &WasmTokenizer::decode)
      .function("modelMaxLength", &WasmTokenizer::model_max_length);
  function("featureExtraction", &feature_extraction);
  class_<WasmEncoder>("Encoder")
      .class_function("load", &WasmEncoder::load, allow_raw_pointers())
      .function("forward", &WasmEncoder::forward)
      .function("maxPositionEmbeddings", &WasmEncoder::max_position_embeddings);
}
