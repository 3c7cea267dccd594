#include "ops/rotary.h"

#include <climits>
#include <cmath>

#include "core/error.h"

namespace hubwasm {
namespace {

constexpr double kPi = 3.14159265358979323846;

// 1 / base^(arange(0, dim, 2) / dim), in float32 as torch computes it.
void default_inv_freq(double base, int64_t dim, std::vector<float>& out) {
  out.resize(static_cast<size_t>(dim / 2));
  for (int64_t i = 0; i < dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(dim);
    out[i] = 1.0f / static_cast<float>(std::pow(base, static_cast<double>(exponent)));
  }
}

double rope_number(const nlohmann::json& scaling, const std::string& key, const Config& config) {
  const auto it = scaling.find(key);
  if (it == scaling.end() || it->is_null()) {
    throw Error(ErrorCode::InvalidConfig, config.filename() + ": rope_scaling is missing \"" + key + "\"");
  }
  if (!it->is_number()) {
    throw Error(ErrorCode::InvalidConfig, config.filename() + ": rope_scaling." + key + " must be a number");
  }
  return it->get<double>();
}

}  // namespace

RopeConfig RopeConfig::from(const Config& config, int64_t head_dim) {
  RopeConfig r;
  r.theta = config.get_float("rope_theta", 10000.0);
  // transformers requires 0 < partial_rotary_factor <= 1; outside that the
  // float -> int conversion below is undefined for huge values.
  const double partial = config.get_float("partial_rotary_factor", 1.0);
  if (!(partial > 0.0 && partial <= 1.0)) {
    throw Error(ErrorCode::InvalidConfig, config.filename() + ": partial_rotary_factor " + nlohmann::json(partial).dump() +
                                              " must be in (0, 1]");
  }
  r.dim = static_cast<int64_t>(static_cast<double>(head_dim) * partial);
  r.max_position_embeddings = config.get_int("max_position_embeddings", 2048);
  if (r.dim <= 0 || r.dim % 2 != 0) {
    throw Error(ErrorCode::InvalidConfig, config.filename() + ": rotary dimension " + std::to_string(r.dim) +
                                              " must be positive and even");
  }
  if (!config.has("rope_scaling")) return r;
  const nlohmann::json& s = config.json().at("rope_scaling");
  if (!s.is_object()) throw Error(ErrorCode::InvalidConfig, config.filename() + ": rope_scaling must be an object");
  // "type" is the older spelling of "rope_type".
  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    if (s.contains(key) && s.at(key).is_string()) {
      type = s.at(key).get<std::string>();
      break;
    }
  }
  if (type == "default") {
    r.type = RopeType::Default;
  } else if (type == "linear") {
    r.type = RopeType::Linear;
    r.factor = rope_number(s, "factor", config);
  } else if (type == "dynamic") {
    r.type = RopeType::Dynamic;
    r.factor = rope_number(s, "factor", config);
  } else if (type == "llama3") {
    r.type = RopeType::Llama3;
    r.factor = rope_number(s, "factor", config);
    r.low_freq_factor = rope_number(s, "low_freq_factor", config);
    r.high_freq_factor = rope_number(s, "high_freq_factor", config);
    const double original = rope_number(s, "original_max_position_embeddings", config);
    if (!(original >= 1.0 && original <= static_cast<double>(INT32_MAX))) {
      throw Error(ErrorCode::InvalidConfig, config.filename() +
                                                ": rope_scaling.original_max_position_embeddings must be in [1, 2^31)");
    }
    r.original_max_position_embeddings = static_cast<int64_t>(original);
  } else {
    throw Error(ErrorCode::UnsupportedFeature, config.filename() + ": rope_scaling type \"" + type +
                                                   "\" is not supported (supported: default, linear, dynamic, llama3)");
  }
  return r;
}

RotaryEmbedding::RotaryEmbedding(const RopeConfig& c) : config_(c) {
  std::vector<float> f;
  default_inv_freq(c.theta, c.dim, f);
  switch (c.type) {
    case RopeType::Default:
    case RopeType::Dynamic:  // at seq_len <= max_position_embeddings the base is unchanged
      break;
    case RopeType::Linear:
      // Scaling the frequencies equals scaling the positions.
      for (float& v : f) v = static_cast<float>(v / c.factor);
      break;
    case RopeType::Llama3: {
      // Long wavelengths are divided by factor, short ones kept, the band between interpolated.
      const double low_wavelen = c.original_max_position_embeddings / c.low_freq_factor;
      const double high_wavelen = c.original_max_position_embeddings / c.high_freq_factor;
      for (float& v : f) {
        const double wavelen = 2 * kPi / v;
        float scaled = wavelen > low_wavelen ? static_cast<float>(v / c.factor) : v;
        if (!(wavelen < high_wavelen) && !(wavelen > low_wavelen)) {
          const double smooth = (c.original_max_position_embeddings / wavelen - c.low_freq_factor) /
                                (c.high_freq_factor - c.low_freq_factor);
          scaled = static_cast<float>((1 - smooth) * scaled / c.factor + smooth * scaled);
        }
        v = scaled;
      }
      break;
    }
  }
  base_inv_freq_ = std::move(f);
}

void RotaryEmbedding::inv_freq(int64_t seq_len, std::vector<float>& out) const {
  if (config_.type != RopeType::Dynamic || seq_len <= config_.max_position_embeddings) {
    out.assign(base_inv_freq_.begin(), base_inv_freq_.end());
    return;
  }
  // NTK-aware: grow the base with the sequence length.
  const double dim = static_cast<double>(config_.dim);
  const double base =
      config_.theta * std::pow(config_.factor * static_cast<double>(seq_len) / config_.max_position_embeddings -
                                   (config_.factor - 1),
                               dim / (dim - 2));
  default_inv_freq(base, config_.dim, out);
}

void RotaryEmbedding::apply_inplace(Tensor& x, int64_t heads, const std::vector<int32_t>& positions,
                                    const std::vector<float>& inv_freq) const {
  const int64_t rows = x.dim(0), width = x.dim(1);
  const int64_t head_dim = heads > 0 ? width / heads : 0;
  const int64_t half = config_.dim / 2;
  if (heads <= 0 || head_dim * heads != width || head_dim < config_.dim ||
      static_cast<int64_t>(positions.size()) != rows || static_cast<int64_t>(inv_freq.size()) != half) {
    throw Error(ErrorCode::InvalidArgument, "rotary: inconsistent shapes");
  }
  float* data = x.f32();
  for (int64_t r = 0; r < rows; ++r) {
    const auto pos = static_cast<float>(positions[r]);
    for (int64_t i = 0; i < half; ++i) {
      const float angle = inv_freq[i] * pos;  // float32 product, as torch's matmul of inv_freq and positions
      const float c = std::cos(angle), s = std::sin(angle);
      // q*cos + rotate_half(q)*sin with rotate_half(x) = cat(-x2, x1), pair i of every head.
      for (int64_t h = 0; h < heads; ++h) {
        float* v = data + r * width + h * head_dim;
        const float a = v[i], b = v[i + half];
        v[i] = a * c - b * s;
        v[i + half] = b * c + a * s;
      }
    }
  }
}

}  // namespace hubwasm
