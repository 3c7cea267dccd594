#include "models/decoder.h"

#include <cstring>

#include "core/error.h"

namespace hubwasm {

WeightFormat parse_weight_format(const std::string& dtype) {
  if (dtype == "fp32" || dtype == "float32" || dtype == "auto" || dtype.empty()) return WeightFormat::F32;
  if (dtype == "fp16" || dtype == "float16") return WeightFormat::F16;
  if (dtype == "q8" || dtype == "int8") return WeightFormat::Q8;
  throw Error(ErrorCode::InvalidArgument, "dtype \"" + dtype + "\" is not supported (supported: fp32, fp16, q8)");
}

KVCache DecoderModel::new_cache(int64_t batch) const {
  const DecoderInfo& i = info();
  return KVCache(i.num_layers, batch, i.num_kv_heads, i.head_dim);
}

std::vector<int32_t> position_ids_from_mask(const std::vector<int32_t>& mask, int64_t batch, int64_t seq) {
  if (static_cast<int64_t>(mask.size()) != batch * seq) {
    throw Error(ErrorCode::InvalidArgument, "attention_mask must have batch*seq entries");
  }
  std::vector<int32_t> pos(mask.size());
  for (int64_t b = 0; b < batch; ++b) {
    int32_t count = 0;
    for (int64_t s = 0; s < seq; ++s) {
      const size_t i = static_cast<size_t>(b * seq + s);
      count += mask[i] ? 1 : 0;
      pos[i] = mask[i] ? count - 1 : 1;
    }
  }
  return pos;
}

const std::vector<int32_t>& validate_decoder_input(const DecoderInput& in, KVCache& cache, const DecoderInfo& info) {
  if (in.batch <= 0 || in.seq <= 0) throw Error(ErrorCode::InvalidArgument, "input_ids must not be empty");
  const int64_t past = cache.length(), total = past + in.seq;
  if (cache.batch() != in.batch || cache.layers() != info.num_layers) {
    throw Error(ErrorCode::InvalidArgument, "the KV cache was made for a batch of " + std::to_string(cache.batch()) +
                                                ", not " + std::to_string(in.batch));
  }
  if (static_cast<int64_t>(in.input_ids.size()) != in.batch * in.seq) {
    throw Error(ErrorCode::InvalidArgument, "input_ids has the wrong size");
  }
  if (!in.attention_mask.empty() && static_cast<int64_t>(in.attention_mask.size()) != in.batch * total) {
    throw Error(ErrorCode::InvalidArgument, "attention_mask must cover the cached and the new tokens: (batch, " +
                                                std::to_string(total) + ")");
  }
  for (int32_t id : in.input_ids) {
    if (id < 0 || id >= info.vocab_size) {
      throw Error(ErrorCode::InvalidArgument, "input_ids contains " + std::to_string(id) + ", outside the vocabulary of " +
                                                  std::to_string(info.vocab_size));
    }
  }
  std::vector<int32_t>& pos = cache.workspace().positions;
  if (in.position_ids.empty()) {
    pos.resize(in.input_ids.size());
    for (int64_t i = 0; i < in.batch * in.seq; ++i) pos[i] = static_cast<int32_t>(past + i % in.seq);
  } else if (static_cast<int64_t>(in.position_ids.size()) != in.batch * in.seq) {
    throw Error(ErrorCode::InvalidArgument, "position_ids must have the same shape as input_ids");
  } else {
    pos.assign(in.position_ids.begin(), in.position_ids.end());
  }
  for (int32_t p : pos) {
    if (p < 0 || p >= info.max_positions) {
      throw Error(ErrorCode::InvalidArgument, "position " + std::to_string(p) + " is outside the context window of " +
                                                  std::to_string(info.max_positions) + " tokens");
    }
  }
  return pos;
}

Tensor& last_token_rows(const Tensor& x, int64_t batch, int64_t seq, Tensor& out) {
  const int64_t hidden = x.dim(1);
  check_output(out, batch, hidden, "last_token_rows");
  for (int64_t b = 0; b < batch; ++b) {
    std::memcpy(out.f32() + b * hidden, x.f32() + ((b + 1) * seq - 1) * hidden, hidden * sizeof(float));
  }
  return out;
}

std::vector<int32_t> read_token_ids(const Config& config, const std::string& key) {
  std::vector<int32_t> out;
  if (!config.has(key)) return out;
  const auto& v = config.json().at(key);
  // get<int32_t>() would silently wrap ids outside int32 (4294967298 -> 2).
  const auto id = [&](const nlohmann::json& e) {
    if (e.is_number_unsigned() ? e.get<uint64_t>() > static_cast<uint64_t>(INT32_MAX)
                               : e.get<int64_t>() < INT32_MIN || e.get<int64_t>() > INT32_MAX) {
      throw Error(ErrorCode::InvalidConfig, config.filename() + ": \"" + key + "\" holds " + e.dump() +
                                                ", which is not a 32-bit token id");
    }
    return static_cast<int32_t>(e.get<int64_t>());
  };
  if (v.is_number_integer()) {
    out.push_back(id(v));
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_number_integer()) {
        throw Error(ErrorCode::InvalidConfig, config.filename() + ": \"" + key + "\" must be an integer or a list of integers");
      }
      out.push_back(id(e));
    }
  } else {
    throw Error(ErrorCode::InvalidConfig, config.filename() + ": \"" + key + "\" must be an integer or a list of integers");
  }
  return out;
}

std::optional<int32_t> read_token_id(const Config& config, const std::string& key) {
  if (!config.has(key)) return std::nullopt;
  const int64_t id = config.get_int(key);
  config.check_range(key, id, INT32_MIN, INT32_MAX);
  return static_cast<int32_t>(id);
}

namespace {

Tensor owned_copy(const Tensor& t) {
  Tensor copy = Tensor::zeros(t.dtype(), t.shape());
  std::memcpy(copy.mutable_data(), t.data(), t.nbytes());
  return copy;
}

}  // namespace

Tensor DecoderWeights::tensor(const std::string& name, const Shape& shape) const {
  const Tensor t = loader_.base(name, shape);
  return options_.format == WeightFormat::F32 ? t : owned_copy(t);
}

LayerNorm DecoderWeights::layer_norm(const std::string& prefix, int64_t hidden, float eps) const {
  return {tensor(prefix + ".weight", {hidden}), tensor(prefix + ".bias", {hidden}), eps};
}

Tensor DecoderWeights::rows(const StoredMatrix& weight, int64_t begin, int64_t end) const {
  return store_.rows(weight.name, weight.first + begin, weight.first + end);
}

Projection DecoderWeights::store(const StoredMatrix& weight, Tensor bias, bool transposed) const {
  const DType dtype = store_.entry(weight.name).dtype;
  const auto read = [&](int64_t begin, int64_t end) { return rows(weight, begin, end); };
  const auto whole = [&] { return rows(weight, 0, weight.rows); };
  switch (options_.format) {
    case WeightFormat::Q8: {
      const int64_t block = options_.q8_block;
      return Projection::from_q8(transposed ? quantize_q8(whole(), true, block, weight.name)
                                            : quantize_q8_rows(weight.rows, weight.cols, read, block, weight.name),
                                 std::move(bias));
    }
    case WeightFormat::F16:
      return Projection::from_f16(transposed ? to_linear_f16(whole(), true, weight.name)
                                             : to_linear_f16_rows(weight.rows, weight.cols, dtype, read, weight.name),
                                  std::move(bias));
    case WeightFormat::F32: break;
  }
  const Tensor w = to_f32(whole(), weight.name);
  return transposed ? Projection::from_conv1d({w, std::move(bias)}) : Projection::from_linear({w, std::move(bias)});
}

Projection DecoderWeights::linear(const std::string& prefix, int64_t in, int64_t out, bool bias) const {
  Tensor b = bias ? tensor(prefix + ".bias", {out}) : Tensor();
  return store({loader_.stored_base(prefix + ".weight", {out, in}), 0, out, in}, std::move(b), false);
}

Projection DecoderWeights::linear_rows(const std::string& prefix, int64_t in, int64_t total_out, int64_t begin,
                                       int64_t end) const {
  return store({loader_.stored_base(prefix + ".weight", {total_out, in}), begin, end - begin, in}, Tensor(), false);
}

Projection DecoderWeights::conv1d(const std::string& prefix, int64_t in, int64_t out) const {
  return store({loader_.stored_base(prefix + ".weight", {in, out}), 0, in, out}, tensor(prefix + ".bias", {out}), true);
}

Projection DecoderWeights::table(const std::string& name, int64_t rows, int64_t dim) const {
  return store_table({loader_.stored_base(name, {rows, dim}), 0, rows, dim});
}

Projection DecoderWeights::head_table(const std::string& name, int64_t rows, int64_t dim) const {
  return store_table({loader_.stored_head(name, {rows, dim}), 0, rows, dim});
}

Projection DecoderWeights::store_table(const StoredMatrix& table) const {
  if (!options_.q8_embeddings && options_.format == WeightFormat::Q8) {
    // Owned either way: 16-bit tables are widened into a new tensor, f32 ones copied out of the file.
    const Tensor t = rows(table, 0, table.rows);
    return Projection::from_linear({t.dtype() == DType::F32 ? owned_copy(t) : to_f32(t, table.name), Tensor()});
  }
  return store(table, Tensor(), false);
}

}  // namespace hubwasm
