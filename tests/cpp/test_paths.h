// Where the shared test data lives: $HUBWASM_SHARED, else ../shared next to the repo.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

inline std::string shared_path(const std::string& rel) {
  const char* env = std::getenv("HUBWASM_SHARED");
  return std::string(env && *env ? env : HUBWASM_DEFAULT_SHARED) + "/" + rel;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
