// Helpers shared by the tokenizer tests ([tokenizer]).
#pragma once

#include <utf8proc.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_paths.h"
#include "tokenizers/tokenizer.h"

namespace tokt {

using nlohmann::json;

inline json load_json(const std::string& rel) { return json::parse(read_file(shared_path(rel))); }

// A repo folder's tokenizer files, as Tokenizer::from_files takes them.
inline std::map<std::string, std::string> repo_files(const std::string& model_dir,
                                                     const std::vector<std::string>& names) {
  std::map<std::string, std::string> files;
  for (const auto& n : names) {
    std::ifstream probe(shared_path("models/" + model_dir + "/" + n), std::ios::binary);
    if (probe) files[n] = read_file(shared_path("models/" + model_dir + "/" + n));
  }
  return files;
}

// bert-base-uncased from its vocab.txt only (the BertTokenizerFast conversion).
inline const hubwasm::Tokenizer& bert_uncased() {
  static const hubwasm::Tokenizer tok =
      hubwasm::Tokenizer::from_files(repo_files("google-bert--bert-base-uncased", {"vocab.txt"}));
  return tok;
}

inline std::vector<int32_t> ints(const json& j) { return j.get<std::vector<int32_t>>(); }

// "11110000" -> {1,1,1,1,0,0,0,0}. Masks are spelled this way because GCC 12.2
// with -march=native on AVX-512 machines miscompiles the literal
// std::vector<int32_t>{1, 1, 1, 1, 0, 0, 0, 0} (the SLP vectorizer emits a
// broadcast of 1 to all eight lanes; -fno-tree-slp-vectorize avoids it).
inline std::vector<int32_t> bits(const std::string& s) {
  std::vector<int32_t> v;
  for (char c : s) v.push_back(c - '0');
  return v;
}

// Test-side reference normalization for the offsets property: NFD, drop Mn,
// lowercase each code point (utf8proc directly, not the code under test).
inline std::string lower_strip(const std::string& s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                              static_cast<utf8proc_ssize_t>(s.size()), &out, UTF8PROC_DECOMPOSE);
  std::string result;
  if (n < 0) return result;
  const utf8proc_uint8_t* p = out;
  utf8proc_ssize_t left = n;
  while (left > 0) {
    utf8proc_int32_t cp;
    const auto len = utf8proc_iterate(p, left, &cp);
    if (len <= 0) break;
    p += len;
    left -= len;
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_MN) continue;
    cp = utf8proc_tolower(cp);
    utf8proc_uint8_t buf[4];
    const auto w = utf8proc_encode_char(cp, buf);
    result.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(w));
  }
  free(out);
  return result;
}

// Offsets property for an uncased WordPiece encoding of `text` (single
// sequence): each non-special, non-[UNK] token lies inside the input and its
// text (without "##") appears in the lowercased, accent-stripped substring.
// Returns the number of tokens checked.
inline size_t check_offsets_property(const std::string& text, const hubwasm::Encoding& e,
                                     const std::string& unk = "[UNK]") {
  size_t checked = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    const auto [s, t] = e.offsets[i];
    INFO("token " << i << " '" << e.tokens[i] << "' offsets (" << s << ", " << t << ") in: " << text);
    REQUIRE(s <= t);
    REQUIRE(t <= text.size());
    if (e.special_tokens_mask[i] || e.tokens[i] == unk) continue;
    std::string piece = e.tokens[i];
    if (piece.rfind("##", 0) == 0) piece = piece.substr(2);
    const std::string sub = lower_strip(text.substr(s, t - s));
    INFO("normalized substring '" << sub << "'");
    CHECK(sub.find(piece) != std::string::npos);
    ++checked;
  }
  return checked;
}

// llama.cpp's tokenizer test vectors: the .inp file's texts, each followed by
// "\n__ggml_vocab_test__\n", and the .out file's ids, one line per text.
inline std::vector<std::string> split_ggml_texts(const std::string& inp) {
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t pos; (pos = inp.find(sep, start)) != std::string::npos; start = pos + sep.size()) {
    out.push_back(inp.substr(start, pos - start));
  }
  return out;
}

inline std::vector<std::vector<int32_t>> read_ggml_ids(const std::string& out) {
  std::vector<std::vector<int32_t>> rows;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ids(line);
    std::vector<int32_t> row;
    for (int32_t id; ids >> id;) row.push_back(id);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace tokt
