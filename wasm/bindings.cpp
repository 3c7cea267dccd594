// Embind bindings: the small surface js/src uses. Every call catches errors at
// this boundary and parks them for `takeError()`, so no C++ exception crosses
// into JavaScript and the module stays usable after any failure.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "core/allocation_budget.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "io/repo_files.h"
#include "models/registry.h"
#include "tasks/generation.h"
#include "tasks/encoder_tasks.h"
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

// Threads the kernels use (js/src/runtime.js sets it once after loading);
// false with the error parked when the count is out of range or a worker
// could not start.
bool set_num_threads(int threads) {
  return guarded([&] {
    parallel::set_num_threads(threads);
    return true;
  }, false);
}

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

// A weight file kept in JavaScript memory: `read(offset, length, address)`
// copies bytes into wasm memory when the loader asks for a tensor.
class JsByteSource final : public ByteSource {
 public:
  JsByteSource(size_t size, val read) : size_(size), read_(std::move(read)) {}
  size_t size() const override { return size_; }
  void read(size_t offset, size_t len, uint8_t* dst) const override {
    read_(static_cast<double>(offset), static_cast<double>(len), static_cast<double>(reinterpret_cast<uintptr_t>(dst)));
  }

 private:
  size_t size_;
  val read_;
};

// A repo's files, filled from JavaScript: `reserve` returns the address where
// JS writes the bytes, so each file exists once in wasm memory; `addExternal`
// registers a weight file that JS keeps and hands over tensor by tensor.
class WasmRepo {
 public:
  void add_external(const std::string& path, double size, val read) {
    files_.add_external(path, std::make_shared<JsByteSource>(static_cast<size_t>(size), std::move(read)));
  }
  double reserve(const std::string& path, double size) {
    return guarded([&] {
      auto blob = Blob::allocate(static_cast<size_t>(size), path);
      const auto address = reinterpret_cast<uintptr_t>(blob->mutable_data());
      files_.add(path, std::move(blob));
      return static_cast<double>(address);
    }, 0.0);
  }
  const RepoFiles& files() const { return files_; }
  // Drops this repo's references to its *.safetensors files, so that their
  // bytes are freed as soon as no loaded model views them (a q8 load keeps
  // none of the large ones): peak memory then stays near the stored size.
  void release_weights() {
    RepoFiles kept;  // external files (in JS) are dropped too
    for (const auto& [path, blob] : files_.all()) {
      const bool weights = path.size() >= 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
      if (!weights) kept.add(path, blob);
    }
    files_ = std::move(kept);
  }

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
  // ragged: true when unpadded rows differ in length (then arrays are empty)};
  // with options.return_offsets, also offsets: Int32Array (batch*seq*2) of
  // UTF-16 code unit offsets into the JS strings (pair tokens: into the pair).
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
      const bool with_offsets = options["return_offsets"].as<bool>();
      bool ragged = false;
      std::vector<int32_t> ids, mask, types, offsets;
      for (size_t row = 0; row < encodings.size(); ++row) {
        const Encoding& e = encodings[row];
        ragged = ragged || e.size() != seq;
        ids.insert(ids.end(), e.ids.begin(), e.ids.end());
        mask.insert(mask.end(), e.attention_mask.begin(), e.attention_mask.end());
        types.insert(types.end(), e.type_ids.begin(), e.type_ids.end());
        if (!with_offsets) continue;
        const std::optional<std::string_view> pair =
            pair_list.empty() ? std::nullopt : std::optional<std::string_view>(pair_list[row]);
        for (const auto& [start, end] : convert_offsets(e, text_list[row], pair, OffsetUnit::Utf16)) {
          offsets.push_back(static_cast<int32_t>(start));
          offsets.push_back(static_cast<int32_t>(end));
        }
      }
      out.set("seq", static_cast<double>(seq));
      out.set("ragged", ragged);
      out.set("input_ids", copy_to_js("Int32Array", ids.data(), ragged ? 0 : ids.size()));
      out.set("attention_mask", copy_to_js("Int32Array", mask.data(), ragged ? 0 : mask.size()));
      out.set("token_type_ids", copy_to_js("Int32Array", types.data(), ragged ? 0 : types.size()));
      if (with_offsets) out.set("offsets", copy_to_js("Int32Array", offsets.data(), ragged ? 0 : offsets.size()));
      return out;
    }, val::null());
  }

  // Ids of one text (and pair), unpadded: encodeBatch's input_ids without
  // its other arrays, for encode().
  // encode() of one text (and pair) without embind's string conversions: JS
  // writes the UTF-8 bytes of the text, then of the pair, at the address
  // text_buffer(capacity) returns, and encode_ids_in_buffer reads them there.
  uintptr_t text_buffer(size_t capacity) {
    text_buffer_.resize(capacity);
    return reinterpret_cast<uintptr_t>(text_buffer_.data());
  }

  // The ids as an Int32Array view of the wasm memory (copy it before the next
  // call), or null on failure; pair_bytes < 0: no pair.
  val encode_ids_in_buffer(size_t text_bytes, int pair_bytes, bool add_special_tokens) {
    return guarded([&] {
      const size_t pair_size = pair_bytes < 0 ? 0 : static_cast<size_t>(pair_bytes);
      if (text_bytes > text_buffer_.size() || pair_size > text_buffer_.size() - text_bytes) {
        throw Error(ErrorCode::InvalidArgument, "encode: the text is longer than the buffer written");
      }
      const std::string_view buffer(text_buffer_);
      std::optional<std::string_view> pair;
      if (pair_bytes >= 0) pair = buffer.substr(text_bytes, pair_size);
      EncodeOptions opts;
      opts.add_special_tokens = add_special_tokens;
      opts.padding = "do_not_pad";
      ids_ = tokenizer_.encode(buffer.substr(0, text_bytes), pair, opts).ids;
      if (text_buffer_.capacity() > kKeptTextBuffer) std::string().swap(text_buffer_);  // a big text's room
      return val(emscripten::typed_memory_view(ids_.size(), ids_.data()));
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

  // Token strings of ids (null for an id outside the vocabulary).
  val ids_to_tokens(const val& ids) const {
    return guarded([&] {
      val out = val::array();
      for (int32_t id : int32_vector(ids)) {
        const auto token = tokenizer_.id_to_token(id);
        out.call<void>("push", token ? val(*token) : val::null());
      }
      return out;
    }, val::null());
  }

  // Ids of token strings (null for a token outside the vocabulary).
  val tokens_to_ids(const val& tokens) const {
    return guarded([&] {
      val out = val::array();
      for (const std::string& token : string_vector(tokens)) {
        const auto id = tokenizer_.token_to_id(token);
        out.call<void>("push", id ? val(*id) : val::null());
      }
      return out;
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
  static constexpr size_t kKeptTextBuffer = size_t(1) << 20;
  std::string text_buffer_;    // encode's input, written by JS
  std::vector<int32_t> ids_;   // encode's output, read by JS
};

// {last_hidden_state, pooler_output?, logits?, start_logits?, end_logits?} as {dims, data}.
val encoder_output_to_js(const EncoderOutput& out) {
  val result = val::object();
  result.set("last_hidden_state", tensor_to_js(out.last_hidden_state));
  if (!out.pooler_output.empty()) result.set("pooler_output", tensor_to_js(out.pooler_output));
  if (!out.logits.empty()) result.set("logits", tensor_to_js(out.logits));
  if (!out.start_logits.empty()) result.set("start_logits", tensor_to_js(out.start_logits));
  if (!out.end_logits.empty()) result.set("end_logits", tensor_to_js(out.end_logits));
  return result;
}

class WasmEncoder {
 public:
  static WasmEncoder* load(const WasmRepo& repo, const std::string& head) {
    return guarded([&]() -> WasmEncoder* {
      return new WasmEncoder(load_encoder(repo.files(), parse_head(head)));
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
      return encoder_output_to_js(model_->forward(in));
    }, val::null());
  }

  int max_position_embeddings() const { return static_cast<int>(model_->max_position_embeddings()); }
  const EncoderModel& get() const { return *model_; }

 private:
  explicit WasmEncoder(std::unique_ptr<EncoderModel> model) : model_(std::move(model)) {}
  std::unique_ptr<EncoderModel> model_;
};

// The model's outputs plus, per token (batch*seq, row-major): input_ids,
// attention_mask, special_tokens_mask, sequence_ids, word_ids, and offsets
// (2 per token, UTF-16 units into texts[row] for sequence 0 and pairs[row]
// for sequence 1), for the pipelines' post-processing in JavaScript.
val encoded_run_to_js(const EncoderModel& model, const EncodedBatch& batch, const std::vector<std::string>& texts,
                      const std::vector<std::string>* pairs) {
  val result = encoder_output_to_js(model.forward(batch.input));
  std::vector<int32_t> special, sequence, words, offsets;
  for (size_t row = 0; row < batch.encodings.size(); ++row) {
    const Encoding& e = batch.encodings[row];
    special.insert(special.end(), e.special_tokens_mask.begin(), e.special_tokens_mask.end());
    sequence.insert(sequence.end(), e.sequence_ids.begin(), e.sequence_ids.end());
    words.insert(words.end(), e.word_ids.begin(), e.word_ids.end());
    const auto first = utf16_offsets(texts[row], e.offsets);
    const auto second = pairs ? utf16_offsets((*pairs)[row], e.offsets) : first;
    for (size_t i = 0; i < e.size(); ++i) {
      const auto& o = e.sequence_ids[i] == 1 ? second[i] : first[i];
      offsets.push_back(static_cast<int32_t>(o.first));
      offsets.push_back(static_cast<int32_t>(o.second));
    }
  }
  const EncoderInput& in = batch.input;
  result.set("batch", static_cast<double>(in.batch));
  result.set("seq", static_cast<double>(in.seq));
  result.set("input_ids", copy_to_js("Int32Array", in.input_ids.data(), in.input_ids.size()));
  result.set("attention_mask", copy_to_js("Int32Array", in.attention_mask.data(), in.attention_mask.size()));
  result.set("special_tokens_mask", copy_to_js("Int32Array", special.data(), special.size()));
  result.set("sequence_ids", copy_to_js("Int32Array", sequence.data(), sequence.size()));
  result.set("word_ids", copy_to_js("Int32Array", words.data(), words.size()));
  result.set("offsets", copy_to_js("Int32Array", offsets.data(), offsets.size()));
  return result;
}

// texts (and pairs, or null) as one padded, truncated batch through the model.
val encoder_run(const WasmTokenizer& tokenizer, const WasmEncoder& model, const val& texts, const val& pairs) {
  return guarded([&] {
    const std::vector<std::string> text_list = string_vector(texts);
    std::vector<std::string> pair_list;
    if (!is_nullish(pairs)) pair_list = string_vector(pairs);
    const std::vector<std::string>* p = is_nullish(pairs) ? nullptr : &pair_list;
    return encoded_run_to_js(model.get(), encode_batch_for(tokenizer.get(), model.get(), text_list, p), text_list, p);
  }, val::null());
}

// One question over a context of any length: the chunks' outputs (see encoded_run_to_js).
val question_answering_run(const WasmTokenizer& tokenizer, const WasmEncoder& model, const std::string& question,
                           const std::string& context, const val& max_length, const val& stride) {
  return guarded([&] {
    const size_t limit = encoder_max_length(tokenizer.get(), model.get());
    const size_t max_len = is_nullish(max_length) ? std::min<size_t>(384, limit)
                                                  : std::min(limit, static_cast<size_t>(max_length.as<double>()));
    const size_t step = is_nullish(stride) ? std::min<size_t>(128, max_len / 2) : static_cast<size_t>(stride.as<double>());
    const EncodedBatch batch = question_answering_chunks(tokenizer.get(), question, context, max_len, step);
    const std::vector<std::string> questions(batch.encodings.size(), question), contexts(batch.encodings.size(), context);
    return encoded_run_to_js(model.get(), batch, questions, &contexts);
  }, val::null());
}

// {token, id} of a special-token role ("mask_token", "sep_token", ...), or null.
val special_token(const WasmTokenizer& tokenizer, const std::string& role) {
  return guarded([&] {
    const auto token = tokenizer.get().special_token(role);
    const auto id = tokenizer.get().special_token_id(role);
    if (!token || !id) return val::null();
    val out = val::object();
    out.set("token", *token);
    out.set("id", *id);
    return out;
  }, val::null());
}

val feature_extraction(const WasmTokenizer& tokenizer, const WasmEncoder& model, const val& texts,
                       const std::string& pooling, bool normalize) {
  return guarded([&] {
    return tensor_to_js(extract_features(tokenizer.get(), model.get(), string_vector(texts),
                                         parse_pooling(pooling), normalize));
  }, val::null());
}


// ---------------------------------------------------------------------------
// Decoders (causal LMs): load, forward, step-wise generation.

// A finite JS number, else InvalidArgument naming the option.
double option_number(const val& v, const std::string& name) {
  if (v.typeOf().as<std::string>() != "number") {
    throw Error(ErrorCode::InvalidArgument, "generation option " + name + " must be a number");
  }
  const double x = v.as<double>();
  if (!std::isfinite(x)) throw Error(ErrorCode::InvalidArgument, "generation option " + name + " must be finite");
  return x;
}

int64_t option_int(const val& v, const std::string& name) {
  const double x = option_number(v, name);
  if (x != std::floor(x) || std::fabs(x) > 9007199254740991.0) {
    throw Error(ErrorCode::InvalidArgument, "generation option " + name + " must be an integer, not " + std::to_string(x));
  }
  return static_cast<int64_t>(x);
}

bool option_bool(const val& v, const std::string& name) {
  if (v.typeOf().as<std::string>() != "boolean") {
    throw Error(ErrorCode::InvalidArgument, "generation option " + name + " must be true or false");
  }
  return v.as<bool>();
}

std::vector<int32_t> option_ids(const val& v, const std::string& name) {
  std::vector<int32_t> out;
  if (v.isArray()) {
    const int n = v["length"].as<int>();
    for (int i = 0; i < n; ++i) out.push_back(static_cast<int32_t>(option_int(v[i], name)));
  } else {
    out.push_back(static_cast<int32_t>(option_int(v, name)));
  }
  return out;
}

// `options` (a plain JS object with transformers' GenerationConfig names)
// applied over `o`. null / undefined values leave the default; an unknown
// name is an InvalidArgument error naming it.
void apply_generation_options(GenerationOptions& o, const val& options) {
  if (is_nullish(options)) return;
  const std::vector<std::string> keys = emscripten::vecFromJSArray<std::string>(val::global("Object").call<val>("keys", options));
  for (const std::string& key : keys) {
    const val v = options[key];
    if (is_nullish(v)) continue;
    if (key == "max_new_tokens") o.max_new_tokens = option_int(v, key);
    else if (key == "max_length") o.max_length = option_int(v, key);
    else if (key == "min_new_tokens") o.min_new_tokens = option_int(v, key);
    else if (key == "min_length") o.min_length = option_int(v, key);
    else if (key == "do_sample") o.do_sample = option_bool(v, key);
    else if (key == "temperature") o.temperature = static_cast<float>(option_number(v, key));
    else if (key == "top_k") o.top_k = option_int(v, key);
    else if (key == "top_p") o.top_p = static_cast<float>(option_number(v, key));
    else if (key == "min_p") o.min_p = static_cast<float>(option_number(v, key));
    else if (key == "repetition_penalty") o.repetition_penalty = static_cast<float>(option_number(v, key));
    else if (key == "no_repeat_ngram_size") o.no_repeat_ngram_size = option_int(v, key);
    else if (key == "eos_token_id") o.eos_token_id = option_ids(v, key);
    else if (key == "pad_token_id") o.pad_token_id = static_cast<int32_t>(option_int(v, key));
    else if (key == "use_cache") o.use_cache = option_bool(v, key);
    else if (key == "seed") {
      const int64_t seed = option_int(v, key);
      if (seed < 0) throw Error(ErrorCode::InvalidArgument, "generation option seed must be a non-negative integer");
      o.seed = static_cast<uint64_t>(seed);
    } else {
      throw Error(ErrorCode::InvalidArgument,
                  "unknown generation option \"" + key + "\" (supported: max_new_tokens, max_length, min_new_tokens, "
                  "min_length, do_sample, temperature, top_k, top_p, min_p, repetition_penalty, no_repeat_ngram_size, "
                  "eos_token_id, pad_token_id, seed, use_cache)");
    }
  }
}

val ids_to_js(const std::vector<int32_t>& ids) { return copy_to_js("Int32Array", ids.data(), ids.size()); }

// One generate() run: step() returns the next token of every row
// (Int32Array), or null with a pending error; done() after the last step or
// stop(); result() gives {batch, length, sequences: Int32Array
// (batch*length), new_tokens, cancelled}.
class WasmGeneration {
 public:
  WasmGeneration(const DecoderModel& model, const GenerationInput& input, const GenerationOptions& options)
      : run_(model, input, options) {}

  val step() {
    return guarded([&] { return ids_to_js(run_.step()); }, val::null());
  }
  bool done() const { return run_.done(); }
  void stop() { run_.stop(); }
  val result() const {
    const GenerationResult r = run_.result();
    val out = val::object();
    out.set("batch", static_cast<double>(r.batch));
    out.set("length", static_cast<double>(r.length));
    out.set("sequences", ids_to_js(r.sequences));
    out.set("new_tokens", static_cast<double>(r.new_tokens));
    out.set("cancelled", r.cancelled);
    return out;
  }

 private:
  Generation run_;
};

class WasmDecoder {
 public:
  static WasmDecoder* load(const WasmRepo& repo, const std::string& dtype) {
    return guarded([&]() -> WasmDecoder* {
      DecoderOptions options;
      options.format = parse_weight_format(dtype);
      auto model = load_decoder(repo.files(), options);
      return new WasmDecoder(std::move(model), generation_defaults(repo.files()));
    }, static_cast<WasmDecoder*>(nullptr));
  }

  // Logits (batch, seq, vocab) of a prompt run on an empty cache. Positions
  // come from `position_ids` when given, else from the attention mask
  // (transformers' cumsum rule, so left padding works).
  val forward(const val& input_ids, const val& attention_mask, const val& position_ids, int batch, int seq) const {
    return guarded([&] {
      DecoderInput in;
      in.batch = batch;
      in.seq = seq;
      in.input_ids = int32_vector(input_ids);
      if (!is_nullish(attention_mask)) in.attention_mask = int32_vector(attention_mask);
      if (!is_nullish(position_ids)) {
        in.position_ids = int32_vector(position_ids);
      } else if (!in.attention_mask.empty()) {
        in.position_ids = position_ids_from_mask(in.attention_mask, batch, seq);
      }
      KVCache cache = model_->new_cache(batch);
      return tensor_to_js(model_->forward(in, cache));
    }, val::null());
  }

  // A generation run driven step by step from JS (see WasmGeneration), so
  // the event loop runs between steps. The decoder must outlive it.
  WasmGeneration* start(const val& input_ids, const val& attention_mask, int batch, int seq,
                        const val& options) const {
    return guarded([&]() -> WasmGeneration* {
      GenerationOptions o = defaults_;
      apply_generation_options(o, options);
      GenerationInput in;
      in.batch = batch;
      in.seq = seq;
      in.input_ids = int32_vector(input_ids);
      if (!is_nullish(attention_mask)) in.attention_mask = int32_vector(attention_mask);
      return new WasmGeneration(*model_, in, o);
    }, static_cast<WasmGeneration*>(nullptr));
  }

  // {model_type, vocab_size, num_layers, max_positions, eos_token_id: [...],
  // bos_token_id?, pad_token_id?, weight_bytes, generation: {defaults}}.
  val info() const {
    return guarded([&] {
      const DecoderInfo& i = model_->info();
      val out = val::object();
      out.set("model_type", i.model_type);
      out.set("vocab_size", static_cast<double>(i.vocab_size));
      out.set("num_layers", static_cast<double>(i.num_layers));
      out.set("max_positions", static_cast<double>(i.max_positions));
      out.set("weight_bytes", static_cast<double>(model_->weight_bytes()));
      val eos = val::array();
      for (int32_t id : i.eos_token_ids) eos.call<void>("push", id);
      out.set("eos_token_id", eos);
      if (i.bos_token_id) out.set("bos_token_id", *i.bos_token_id);
      if (i.pad_token_id) out.set("pad_token_id", *i.pad_token_id);
      const GenerationOptions& d = defaults_;
      val g = val::object();
      if (d.max_new_tokens) g.set("max_new_tokens", static_cast<double>(*d.max_new_tokens));
      g.set("max_length", static_cast<double>(d.max_length));
      g.set("do_sample", d.do_sample);
      if (d.eos_token_id) {
        val e = val::array();
        for (int32_t id : *d.eos_token_id) e.call<void>("push", id);
        g.set("eos_token_id", e);
      }
      if (d.pad_token_id) g.set("pad_token_id", *d.pad_token_id);
      out.set("generation", g);
      return out;
    }, val::null());
  }

 private:
  WasmDecoder(std::unique_ptr<DecoderModel> model, GenerationOptions defaults)
      : model_(std::move(model)), defaults_(std::move(defaults)) {}
  std::unique_ptr<DecoderModel> model_;
  GenerationOptions defaults_;
};

}  // namespace
}  // namespace hubwasm

EMSCRIPTEN_BINDINGS(hubwasm) {
  using namespace emscripten;
  using namespace hubwasm;
  function("takeError", &take_error);
  function("memoryInUse", &memory_in_use);
  function("setNumThreads", &set_num_threads);
  function("numThreads", &parallel::num_threads);
  function("maxThreads", &parallel::max_threads);
  class_<WasmRepo>("Repo")
      .constructor<>()
      .function("reserve", &WasmRepo::reserve)
      .function("addExternal", &WasmRepo::add_external)
      .function("releaseWeights", &WasmRepo::release_weights);
  class_<WasmTokenizer>("Tokenizer")
      .class_function("load", &WasmTokenizer::load, allow_raw_pointers())
      .function("encodeBatch", &WasmTokenizer::encode_batch)
      .function("textBuffer", &WasmTokenizer::text_buffer)
      .function("encodeIdsInBuffer", &WasmTokenizer::encode_ids_in_buffer)
      .function("decode", &WasmTokenizer::decode)
      .function("idsToTokens", &WasmTokenizer::ids_to_tokens)
      .function("tokensToIds", &WasmTokenizer::tokens_to_ids)
      .function("modelMaxLength", &WasmTokenizer::model_max_length);
  function("featureExtraction", &feature_extraction);
  function("encoderRun", &encoder_run);
  function("questionAnsweringRun", &question_answering_run);
  function("specialToken", &special_token);
  class_<WasmEncoder>("Encoder")
      .class_function("load", &WasmEncoder::load, allow_raw_pointers())
      .function("forward", &WasmEncoder::forward)
      .function("maxPositionEmbeddings", &WasmEncoder::max_position_embeddings);
  class_<WasmDecoder>("Decoder")
      .class_function("load", &WasmDecoder::load, allow_raw_pointers())
      .function("forward", &WasmDecoder::forward)
      .function("start", &WasmDecoder::start, allow_raw_pointers())
      .function("info", &WasmDecoder::info);
  class_<WasmGeneration>("Generation")
      .function("step", &WasmGeneration::step)
      .function("done", &WasmGeneration::done)
      .function("stop", &WasmGeneration::stop)
      .function("result", &WasmGeneration::result);
}

// ---- Test hooks: not part of the public JS API (js/ never calls them) ------
// Tests cap the core's allocations (core/allocation_budget.h) to make a load
// fail on purpose at each stage, and read the accounted bytes.
namespace hubwasm {
namespace {

// max_bytes / max_calls < 0 (or Infinity for bytes) mean no limit.
void set_allocation_limit_for_tests(double max_bytes, double max_calls) {
  AllocationLimit limit;
  if (max_bytes >= 0 && max_bytes < static_cast<double>(SIZE_MAX)) limit.max_bytes = static_cast<size_t>(max_bytes);
  if (max_calls >= 0) limit.max_calls = static_cast<int64_t>(max_calls);
  set_allocation_limit(limit);
}

double allocated_bytes_for_tests() { return static_cast<double>(allocated_bytes()); }

}  // namespace
}  // namespace hubwasm

EMSCRIPTEN_BINDINGS(hubwasm_test_hooks) {
  emscripten::function("setAllocationLimitForTests", &hubwasm::set_allocation_limit_for_tests);
  emscripten::function("allocatedBytesForTests", &hubwasm::allocated_bytes_for_tests);
}
