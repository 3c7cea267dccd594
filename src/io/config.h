// config.json with typed accessors. Every error names the file and the key.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hubwasm {

class Config {
 public:
  // Throws InvalidFile when the text is not a JSON object.
  static Config parse(std::string_view text, const std::string& filename = "config.json");

  bool has(const std::string& key) const;  // present and not null
  // Required keys throw InvalidConfig when missing or of the wrong type.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  // Optional keys: the default when missing or null, InvalidConfig when mistyped.
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;

  std::string model_type() const { return get_string("model_type"); }
  std::vector<std::string> architectures() const;
  // id2label as {index: label}; empty when absent.
  std::map<int64_t, std::string> id2label() const;
  // As transformers derives it: len(id2label), else num_labels, else 2.
  int64_t num_labels() const;
  // Throws InvalidConfig unless lo <= value <= hi ("key" names the value's source).
  // For sizes read from a config: bounds them before anything is allocated or
  // multiplied from them.
  void check_range(const std::string& key, int64_t value, int64_t lo, int64_t hi) const;
  const std::string& filename() const { return filename_; }
  const nlohmann::json& json() const { return json_; }

 private:
  const nlohmann::json& require(const std::string& key) const;
  [[noreturn]] void mistyped(const std::string& key, const char* expected) const;

  nlohmann::json json_;
  std::string filename_;
};

}  // namespace hubwasm
