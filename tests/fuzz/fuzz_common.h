// Shared helpers for the libFuzzer targets in tests/fuzz/.
//
// Contract under test: for ANY input bytes, the parsers either succeed or throw
// hubwasm::Error (the typed errors surfaced to JavaScript as HubwasmError).
// Any other exception, a crash, a sanitizer report, a leak or a huge
// allocation is a finding.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace fuzz {

// Several files in one input are joined by this marker (also in the
// dictionaries, so that mutations can create and move it).
inline constexpr std::string_view kSeparator = "\n--8<--\n";

// Splits `data` at the first `parts - 1` separators; missing parts are empty.
inline std::vector<std::string> split(const uint8_t* data, size_t size, size_t parts) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  while (out.size() + 1 < parts) {
    const size_t at = rest.find(kSeparator);
    if (at == std::string_view::npos) break;
    out.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + kSeparator.size());
  }
  out.emplace_back(rest);
  out.resize(parts);
  return out;
}

// HUBWASM_FUZZ_VERBOSE=1 prints the errors thrown (to check that seeds load).
inline void note(const hubwasm::Error& e) {
  static const bool verbose = [] {
    const char* v = std::getenv("HUBWASM_FUZZ_VERBOSE");
    return v && *v && *v != '0';
  }();
  if (verbose) std::fprintf(stderr, "hubwasm::Error %s: %s\n", hubwasm::error_code_name(e.code()), e.what());
}

// Aborts (a finding) unless the encoding's arrays agree in length and every
// offset lies inside `text`.
template <class Encoding>
void check_encoding(const Encoding& enc, std::string_view text) {
  if (enc.ids.size() != enc.offsets.size() || enc.ids.size() != enc.tokens.size()) std::abort();
  for (const auto& [begin, end] : enc.offsets) {
    if (begin > end || end > text.size()) std::abort();
  }
}

inline void ok(const char* what) {
  if (const char* v = std::getenv("HUBWASM_FUZZ_VERBOSE"); v && *v && *v != '0') std::fprintf(stderr, "ok: %s\n", what);
}

}  // namespace fuzz
