// Typed access to tokenizer JSON with errors that name the file and the JSON
// path of the problem, e.g.
//   tokenizer.json: normalizer.type "Foo" is not supported
//   tokenizer.json: model.vocab must be an object (got array)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace hubwasm::tok {

using json = nlohmann::json;

// Where a JSON value lives: file name plus JSON path ("" = top level).
class JsonLoc {
 public:
  JsonLoc(const std::string& file, std::string path = {}) : file_(&file), path_(std::move(path)) {}

  JsonLoc operator[](std::string_view key) const {
    return JsonLoc(*file_, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
  }
  JsonLoc operator[](size_t index) const {
    return JsonLoc(*file_, path_ + "[" + std::to_string(index) + "]");
  }

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  // "tokenizer.json: model.vocab" (or just the file name at the top level).
  std::string where() const { return path_.empty() ? *file_ : *file_ + ": " + path_; }

  [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
    throw Error(code, path_.empty() ? *file_ + ": " + what : *file_ + ": " + path_ + " " + what);
  }
  // "<path>.type \"X\" is not supported" (UnsupportedFeature).
  [[noreturn]] void unsupported_type(const std::string& type, const std::string& kind) const {
    (*this)["type"].fail(ErrorCode::UnsupportedFeature,
                         "\"" + type + "\" is not supported (unsupported " + kind + " type)");
  }

 private:
  const std::string* file_;
  std::string path_;
};

const char* json_type_name(const json& j);

// Parses bytes as JSON; malformed input -> InvalidFile naming the file.
json parse_json(std::string_view bytes, const std::string& file);

// Member lookup on an object (nullptr when absent). `obj` must be an object.
const json* find_member(const json& obj, std::string_view key);

// Requires `j` to be an object.
const json& expect_object(const json& j, const JsonLoc& loc);
const json& expect_array(const json& j, const JsonLoc& loc);

// Optional typed members: absent or null -> fallback; wrong type -> InvalidFile.
std::string get_string(const json& obj, std::string_view key, const JsonLoc& loc,
                       const std::string& fallback);
bool get_bool(const json& obj, std::string_view key, const JsonLoc& loc, bool fallback);
std::optional<bool> get_opt_bool(const json& obj, std::string_view key, const JsonLoc& loc);
uint64_t get_uint(const json& obj, std::string_view key, const JsonLoc& loc, uint64_t fallback);
std::optional<uint64_t> get_opt_uint(const json& obj, std::string_view key, const JsonLoc& loc);
// Same, as a size (fails when it does not fit size_t, i.e. on wasm32).
size_t get_size(const json& obj, std::string_view key, const JsonLoc& loc, size_t fallback);
std::optional<size_t> get_opt_size(const json& obj, std::string_view key, const JsonLoc& loc);
size_t as_size(const json& j, const JsonLoc& loc);

// Required typed members: absent -> InvalidFile "<path> is missing".
std::string require_string(const json& obj, std::string_view key, const JsonLoc& loc);
uint64_t require_uint(const json& obj, std::string_view key, const JsonLoc& loc);

// Value conversions with location-aware errors.
std::string as_string(const json& j, const JsonLoc& loc);
uint64_t as_uint(const json& j, const JsonLoc& loc);
int32_t as_token_id(const json& j, const JsonLoc& loc);

}  // namespace hubwasm::tok
