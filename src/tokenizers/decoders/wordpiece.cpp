// WordPiece decoder (tokenizers decoders/wordpiece.rs): strips the prefix of
// continuation pieces, puts a space before the others, and (cleanup) removes
// tokenization artifacts such as " ." per token.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}

  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i != 0) {
        // Rust: starts_with(prefix) -> replacen(prefix, "", 1) (first occurrence = the prefix).
        if (t.compare(0, prefix_.size(), prefix_) == 0) {
          t.erase(0, prefix_.size());
        } else {
          t.insert(t.begin(), ' ');
        }
      }
      if (cleanup_) wordpiece_cleanup(t);
    }
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

}  // namespace

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (s.size() < from.size()) return;
  size_t pos = s.find(from);
  if (pos == std::string::npos) return;
  std::string out;
  out.reserve(s.size());
  size_t last = 0;
  while (pos != std::string::npos) {
    out.append(s, last, pos - last);
    out.append(to);
    last = pos + from.size();
    pos = s.find(from, last);
  }
  out.append(s, last, std::string::npos);
  s.swap(out);
}

void wordpiece_cleanup(std::string& s) {
  replace_all(s, " .", ".");
  replace_all(s, " ?", "?");
  replace_all(s, " !", "!");
  replace_all(s, " ,", ",");
  replace_all(s, " ' ", "'");
  replace_all(s, " n't", "n't");
  replace_all(s, " 'm", "'m");
  replace_all(s, " do not", " don't");
  replace_all(s, " 's", "'s");
  replace_all(s, " 've", "'ve");
  replace_all(s, " 're", "'re");
}

DecoderPtr make_wordpiece_decoder(const json& j, const JsonLoc& loc) {
  return std::make_shared<WordPieceDecoder>(get_string(j, "prefix", loc, "##"),
                                            get_bool(j, "cleanup", loc, true));
}

}  // namespace hubwasm::tok
