#include "tokenizers/json_util.h"

#include <cstdint>

namespace hubwasm::tok {

const char* json_type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

json parse_json(std::string_view bytes, const std::string& file) {
  try {
    return json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& e) {
    throw Error(ErrorCode::InvalidFile, file + ": malformed JSON (" + e.what() + ")");
  }
}

const json* find_member(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

static std::string got(const json& j) { return std::string(" (got ") + json_type_name(j) + ")"; }

const json& expect_object(const json& j, const JsonLoc& loc) {
  if (!j.is_object()) loc.fail(ErrorCode::InvalidFile, "must be an object" + got(j));
  return j;
}

const json& expect_array(const json& j, const JsonLoc& loc) {
  if (!j.is_array()) loc.fail(ErrorCode::InvalidFile, "must be an array" + got(j));
  return j;
}

std::string as_string(const json& j, const JsonLoc& loc) {
  if (!j.is_string()) loc.fail(ErrorCode::InvalidFile, "must be a string" + got(j));
  return j.get<std::string>();
}

uint64_t as_uint(const json& j, const JsonLoc& loc) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer()) {
    const auto v = j.get<int64_t>();
    if (v >= 0) return static_cast<uint64_t>(v);
  }
  loc.fail(ErrorCode::InvalidFile,
           "must be a non-negative integer" + (j.is_number() ? std::string() : got(j)));
}

int32_t as_token_id(const json& j, const JsonLoc& loc) {
  const uint64_t v = as_uint(j, loc);
  if (v > 0x7FFFFFFFull) loc.fail(ErrorCode::InvalidFile, "is too large for a token id");
  return static_cast<int32_t>(v);
}

std::string get_string(const json& obj, std::string_view key, const JsonLoc& loc,
                       const std::string& fallback) {
  const json* v = find_member(obj, key);
  if (!v || v->is_null()) return fallback;
  return as_string(*v, loc[key]);
}

bool get_bool(const json& obj, std::string_view key, const JsonLoc& loc, bool fallback) {
  return get_opt_bool(obj, key, loc).value_or(fallback);
}

std::optional<bool> get_opt_bool(const json& obj, std::string_view key, const JsonLoc& loc) {
  const json* v = find_member(obj, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_boolean()) loc[key].fail(ErrorCode::InvalidFile, "must be a boolean" + got(*v));
  return v->get<bool>();
}

uint64_t get_uint(const json& obj, std::string_view key, const JsonLoc& loc, uint64_t fallback) {
  return get_opt_uint(obj, key, loc).value_or(fallback);
}

std::optional<uint64_t> get_opt_uint(const json& obj, std::string_view key, const JsonLoc& loc) {
  const json* v = find_member(obj, key);
  if (!v || v->is_null()) return std::nullopt;
  return as_uint(*v, loc[key]);
}

size_t as_size(const json& j, const JsonLoc& loc) {
  const uint64_t v = as_uint(j, loc);
  if (v > static_cast<uint64_t>(SIZE_MAX)) loc.fail(ErrorCode::InvalidFile, "is too large");
  return static_cast<size_t>(v);
}

size_t get_size(const json& obj, std::string_view key, const JsonLoc& loc, size_t fallback) {
  return get_opt_size(obj, key, loc).value_or(fallback);
}

std::optional<size_t> get_opt_size(const json& obj, std::string_view key, const JsonLoc& loc) {
  const json* v = find_member(obj, key);
  if (!v || v->is_null()) return std::nullopt;
  return as_size(*v, loc[key]);
}

std::string require_string(const json& obj, std::string_view key, const JsonLoc& loc) {
  const json* v = find_member(obj, key);
  if (!v) loc[key].fail(ErrorCode::InvalidFile, "is missing");
  return as_string(*v, loc[key]);
}

uint64_t require_uint(const json& obj, std::string_view key, const JsonLoc& loc) {
  const json* v = find_member(obj, key);
  if (!v) loc[key].fail(ErrorCode::InvalidFile, "is missing");
  return as_uint(*v, loc[key]);
}

}  // namespace hubwasm::tok
