#include "tokenizers/fuzz.h"

#include <string>

#include "core/error.h"
#include "tokenizers/tokenizer.h"

namespace hubwasm {

int fuzz_tokenizer(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::map<std::string, std::string> files;
  switch (data[0] % 5) {
    case 0:
      files["tokenizer.json"] = bytes;
      break;
    case 1:
      files["vocab.txt"] = bytes;
      break;
    case 2:
      files["tokenizer.model"] = bytes;
      break;
    case 3: {
      const size_t nul = bytes.find('\0');
      files["vocab.json"] = bytes.substr(0, nul);
      files["merges.txt"] = nul == std::string::npos ? std::string() : bytes.substr(nul + 1);
      break;
    }
    default:
      files["tokenizer.json"] = bytes;
      files["tokenizer_config.json"] = bytes;
      break;
  }
  try {
    const Tokenizer tok = Tokenizer::from_files(files);
    EncodeOptions opts;
    const char* texts[] = {"Hello world, the quick brown fox!", "  \t\n", "",
                           "Déjà vu 日本語 👩‍👩‍👧 e\u0301 [MASK] <s>"};
    for (const char* t : texts) {
      try {
        const auto e = tok.encode(t, std::string_view("pair text"), opts);
        (void)tok.decode(e.ids, false, true);
        (void)tok.decode(e.ids, true, false);
        EncodeOptions trunc;
        trunc.truncation = true;
        trunc.max_length = 8;
        trunc.padding = "max_length";
        (void)tok.encode(t, std::nullopt, trunc);
      } catch (const Error&) {
      }
    }
    (void)tok.decode({0, 1, 2, 3, -1, 1 << 30}, true, true);
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace hubwasm
