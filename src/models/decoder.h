// What every decoder architecture (GPT-2, Llama family) takes and returns,
// and how its weights are stored once loaded.
#pragma once

#include <climits>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/config.h"
#include "io/weights.h"
#include "models/kv_cache.h"
#include "models/weight_loader.h"
#include "ops/projection.h"

namespace hubwasm {

// New tokens for every row of a batch, row-major (batch, seq).
struct DecoderInput {
  int64_t batch = 0;
  int64_t seq = 0;
  std::vector<int32_t> input_ids;       // (batch, seq)
  // (batch, past + seq): 1 = token, 0 = padding (left padding). Empty = all ones.
  std::vector<int32_t> attention_mask;
  // (batch, seq). Empty = past, past+1, ... for every row.
  std::vector<int32_t> position_ids;
  // Only the logits of the last new token of each row: (batch, 1, vocab).
  bool last_logits_only = false;
};

// How to store the weights: as the file has them (widened to float32),
// linear layers and embedding tables as IEEE half precision (F16: f16 kept,
// f32 / bf16 rounded while loading), or quantized to int8 blocks (Q8). F16
// and Q8 copy every other tensor (norms, biases, position tables) out of the
// file, so the safetensors bytes can be freed once the model is loaded.
enum class WeightFormat { F32, F16, Q8 };

struct DecoderOptions {
  WeightFormat format = WeightFormat::F32;
  int64_t q8_block = kQ8DefaultBlock;  // input features per int8 scale
  // Q8 only: also quantize embedding tables / the LM head (the largest
  // tensors of small-vocabulary-heavy models), at some cost in accuracy.
  bool q8_embeddings = true;
};

// "fp32" / "float32" / "auto" -> F32, "fp16" / "float16" -> F16,
// "q8" / "int8" -> Q8; InvalidArgument otherwise.
WeightFormat parse_weight_format(const std::string& dtype);

// What generation needs to know about a loaded decoder.
struct DecoderInfo {
  std::string model_type;
  int64_t vocab_size = 0, num_layers = 0, num_kv_heads = 0, head_dim = 0;
  int64_t max_positions = 0;         // position ids must stay below this
  std::vector<int32_t> eos_token_ids;  // from config.json
  std::optional<int32_t> bos_token_id, pad_token_id;
};

class DecoderModel {
 public:
  virtual ~DecoderModel() = default;
  // Runs the new tokens, appending their keys and values to `cache`, and
  // returns their logits (batch, seq, vocab). The cache must come from
  // new_cache() with the same batch; it holds past = cache.length() tokens.
  // Activations and the logits live in the cache's workspace, so a decode
  // step allocates nothing: the returned tensor is overwritten by the next
  // forward with this cache (copy the values to keep them); a copy of the
  // Tensor keeps the memory itself alive past the cache.
  virtual const Tensor& forward(const DecoderInput& input, KVCache& cache) const = 0;
  virtual const DecoderInfo& info() const = 0;
  // Bytes held by the weights as stored (after widening or quantizing).
  virtual size_t weight_bytes() const = 0;

  KVCache new_cache(int64_t batch) const;
};

// Checks the arrays against batch, seq and the cache, and returns the
// position ids to use (the given ones, or past..past+seq-1), kept in
// cache.workspace().positions.
const std::vector<int32_t>& validate_decoder_input(const DecoderInput& input, KVCache& cache, const DecoderInfo& info);

// The hidden state of every row's last new token: x (batch*seq, hidden) into
// out (batch, hidden), for logits of the last tokens only. Returns out.
Tensor& last_token_rows(const Tensor& x, int64_t batch, int64_t seq, Tensor& out);

// transformers' rule for left-padded batches: position = cumsum(mask) - 1,
// with padded slots set to 1. mask: (batch, seq).
std::vector<int32_t> position_ids_from_mask(const std::vector<int32_t>& mask, int64_t batch, int64_t seq);

// eos_token_id from a config (an int or a list of ints); empty when absent.
// InvalidConfig for ids outside int32.
std::vector<int32_t> read_token_ids(const Config& config, const std::string& key);
// bos_token_id / pad_token_id: one int32 id, nullopt when absent or null.
std::optional<int32_t> read_token_id(const Config& config, const std::string& key);

// Sanity bounds on config sizes, far above any real checkpoint: they keep
// products of two sizes inside int64 and stop a hostile config.json from
// making the loader allocate per-layer or per-dimension tables of gigabytes
// before the weights are checked against it.
constexpr int64_t kMaxConfigDim = INT32_MAX;        // vocab, hidden, intermediate, positions, heads
constexpr int64_t kMaxConfigLayers = 1 << 16;       // num_hidden_layers / n_layer
constexpr int64_t kMaxConfigHeadDim = 1 << 16;      // head_dim (RoPE tables are per dimension)

// Loads a decoder's layers in the requested storage format. Names are
// relative to the base model prefix, as WeightLoader resolves them.
class DecoderWeights {
 public:
  DecoderWeights(const WeightStore& store, std::string base_prefix, const DecoderOptions& options)
      : store_(store), loader_(store, std::move(base_prefix)), options_(options) {}

  const DecoderOptions& options() const { return options_; }
  bool has_base(const std::string& name) const { return loader_.has_base(name); }

  // nn.Linear "<prefix>.weight" (out, in) and, when `bias`, "<prefix>.bias".
  Projection linear(const std::string& prefix, int64_t in, int64_t out, bool bias) const;
  // Rows [begin, end) of a fused nn.Linear "<prefix>.weight" (total_out, in)
  // without bias (Phi-3's qkv_proj and gate_up_proj), as its own layer.
  Projection linear_rows(const std::string& prefix, int64_t in, int64_t total_out, int64_t begin, int64_t end) const;
  // GPT-2 Conv1D "<prefix>.weight" (in, out) + "<prefix>.bias".
  Projection conv1d(const std::string& prefix, int64_t in, int64_t out) const;
  // An embedding table (rows, dim), usable as an LM head too.
  Projection table(const std::string& name, int64_t rows, int64_t dim) const;
  // A head tensor named from the model root ("lm_head.weight"), (rows, dim).
  Projection head_table(const std::string& name, int64_t rows, int64_t dim) const;
  bool has_head(const std::string& name) const { return store_.has(name); }
  // A small float32 tensor (norm weight, position table): a view of the file
  // in F32 format, an owned copy otherwise.
  Tensor tensor(const std::string& name, const Shape& shape) const;
  LayerNorm layer_norm(const std::string& prefix, int64_t hidden, float eps) const;

 private:
  // A 2-D weight of the files, `rows` x `cols` from row `first` on (a slice of
  // a fused weight), read only when stored.
  struct StoredMatrix {
    std::string name;  // as stored
    int64_t first, rows, cols;
  };
  // weight: (out, in), or (in, out) when `transposed`. Weights stored as
  // (out, in) are converted a band of rows at a time (ops/weight_rows.h).
  Projection store(const StoredMatrix& weight, Tensor bias, bool transposed) const;
  Projection store_table(const StoredMatrix& table) const;
  // Its rows [begin, end).
  Tensor rows(const StoredMatrix& weight, int64_t begin, int64_t end) const;

  const WeightStore& store_;
  WeightLoader loader_;
  DecoderOptions options_;
};

}  // namespace hubwasm
