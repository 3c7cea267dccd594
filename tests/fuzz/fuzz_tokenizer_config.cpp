// tokenizer_config.json and special_tokens_map.json, with a fixed small
// tokenizer.json or a vocab.txt-only BERT repo, then special-token lookups
// and an encode with the config's padding/truncation settings.
// Input: tokenizer_config.json SEP special_tokens_map.json SEP vocab.txt
// (no vocab.txt part: the built-in tokenizer.json is used).
#include "fuzz_common.h"
#include "tokenizers/tokenizer.h"

namespace {

const char* const kTokenizerJson = R"({
  "version": "1.0", "truncation": null, "padding": null,
  "added_tokens": [
    {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "##s": 6, "the": 7, "cat": 8, ".": 9}}
})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubwasm;
  const auto parts = fuzz::split(data, size, 3);
  std::map<std::string, std::string> files{{"tokenizer_config.json", parts[0]}};
  if (!parts[1].empty()) files["special_tokens_map.json"] = parts[1];
  if (!parts[2].empty()) {
    files["vocab.txt"] = parts[2];
  } else {
    files["tokenizer.json"] = kTokenizerJson;
  }
  std::optional<Tokenizer> tokenizer;
  try {
    tokenizer = Tokenizer::from_files(files);
  } catch (const Error& e) {
    fuzz::note(e);
    return 0;
  }
  fuzz::ok("loaded");
  for (const char* role : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"}) {
    (void)tokenizer->special_token(role);
    (void)tokenizer->special_token_id(role);
  }
  (void)tokenizer->model_max_length();
  (void)tokenizer->clean_up_tokenization_spaces();
  (void)tokenizer->vocab_size();
  try {
    EncodeOptions options;
    options.truncation = true;
    options.padding = "max_length";
    options.max_length = 12;
    const auto batch = tokenizer->encode_batch({"Hello the cats.", "[CLS] world [SEP] [MASK] <s>"}, nullptr, options);
    for (const auto& enc : batch) (void)tokenizer->decode(enc.ids, true, true);
    (void)tokenizer->encode("hello", std::string_view("world"));
    fuzz::ok("encoded");
  } catch (const Error& e) {
    fuzz::note(e);
  }
  return 0;
}
