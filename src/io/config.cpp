#include "io/config.h"

#include <cmath>

#include "core/error.h"

namespace hubwasm {

Config Config::parse(std::string_view text, const std::string& filename) {
  Config c;
  c.filename_ = filename;
  c.json_ = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (c.json_.is_discarded()) throw Error(ErrorCode::InvalidFile, filename + ": not valid JSON");
  if (!c.json_.is_object()) throw Error(ErrorCode::InvalidFile, filename + ": not a JSON object");
  return c;
}

bool Config::has(const std::string& key) const {
  const auto it = json_.find(key);
  return it != json_.end() && !it->is_null();
}

const nlohmann::json& Config::require(const std::string& key) const {
  if (!has(key)) throw Error(ErrorCode::InvalidConfig, filename_ + ": missing key \"" + key + "\"");
  return json_.at(key);
}

void Config::mistyped(const std::string& key, const char* expected) const {
  throw Error(ErrorCode::InvalidConfig, filename_ + ": \"" + key + "\" must be " + expected + ", got " +
                                            json_.at(key).dump());
}

int64_t Config::get_int(const std::string& key) const {
  const auto& v = require(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  // Some writers emit 12.0 for integers; accept exact whole numbers only.
  if (v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>() &&
      std::fabs(v.get<double>()) < 9.0e15) {
    return static_cast<int64_t>(v.get<double>());
  }
  mistyped(key, "an integer");
}

double Config::get_float(const std::string& key) const {
  const auto& v = require(key);
  if (!v.is_number()) mistyped(key, "a number");
  return v.get<double>();
}

std::string Config::get_string(const std::string& key) const {
  const auto& v = require(key);
  if (!v.is_string()) mistyped(key, "a string");
  return v.get<std::string>();
}

int64_t Config::get_int(const std::string& key, int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}

double Config::get_float(const std::string& key, double fallback) const {
  return has(key) ? get_float(key) : fallback;
}

std::string Config::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

bool Config::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = json_.at(key);
  if (!v.is_boolean()) mistyped(key, "true or false");
  return v.get<bool>();
}

std::vector<std::string> Config::architectures() const {
  std::vector<std::string> out;
  if (!has("architectures")) return out;
  const auto& v = json_.at("architectures");
  if (!v.is_array()) mistyped("architectures", "a list of strings");
  for (const auto& a : v) {
    if (!a.is_string()) mistyped("architectures", "a list of strings");
    out.push_back(a.get<std::string>());
  }
  return out;
}

std::map<int64_t, std::string> Config::id2label() const {
  std::map<int64_t, std::string> out;
  if (!has("id2label")) return out;
  const auto& v = json_.at("id2label");
  if (!v.is_object()) mistyped("id2label", "an object");
  for (const auto& [key, label] : v.items()) {
    char* end = nullptr;
    const long long id = std::strtoll(key.c_str(), &end, 10);
    if (key.empty() || *end != '\0' || id < 0 || !label.is_string()) {
      throw Error(ErrorCode::InvalidConfig, filename_ + ": id2label entry \"" + key + "\" must map an index to a string");
    }
    out[id] = label.get<std::string>();
  }
  return out;
}

void Config::check_range(const std::string& key, int64_t value, int64_t lo, int64_t hi) const {
  if (value < lo || value > hi) {
    throw Error(ErrorCode::InvalidConfig, filename_ + ": \"" + key + "\" is " + std::to_string(value) +
                                              ", outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
}

int64_t Config::num_labels() const {
  const auto labels = id2label();
  if (!labels.empty()) return static_cast<int64_t>(labels.size());
  return get_int("num_labels", 2);
}

}  // namespace hubwasm
