// ByteLevel pre-tokenizer (tokenizers pre_tokenizers/byte_level.rs): optional
// prefix space, optional GPT-2 regex split (Isolated), then every byte mapped
// to its bytes_to_unicode char.
#include <optional>

#include "tokenizers/byte_level.h"

#include "tokenizers/components.h"
#include "tokenizers/regex.h"

namespace hubwasm::tok {

namespace {

class ByteLevelPreTokenizer final : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    // Compiled per tokenizer, not cached for the process: a long-lived block allocated in the
    // middle of a load would outlive the load's scratch memory and keep wasm memory from reusing it.
    if (use_regex) re_.emplace(byte_level::kGpt2Pattern);
  }

  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](size_t, NormalizedString&& n) {
      if (add_prefix_space_ && (n.get().empty() || n.get()[0] != ' ')) n.prepend(" ");
      if (re_) return n.split(re_->find_matches(n.get()), SplitDelimiterBehavior::Isolated);
      std::vector<NormalizedString> one;
      one.push_back(std::move(n));
      return one;
    });
    s.normalize([](NormalizedString& n) { byte_level_transform(n); });
  }

 private:
  bool add_prefix_space_;
  std::optional<Regex> re_;
};

}  // namespace

PreTokenizerPtr make_byte_level_pre_tokenizer(const json& j, const JsonLoc& loc) {
  return std::make_shared<ByteLevelPreTokenizer>(get_bool(j, "add_prefix_space", loc, true),
                                                 get_bool(j, "use_regex", loc, true));
}

}  // namespace hubwasm::tok
