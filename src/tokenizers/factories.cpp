// Factories keyed on the "type" field of each tokenizer.json component.
// Adding a component = one file with its make_* function + one line here.
#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

std::string component_type(const json& j, const JsonLoc& loc) {
  expect_object(j, loc);
  return require_string(j, "type", loc);
}

}  // namespace

NormalizerPtr make_normalizer(const json& j, const JsonLoc& loc) {
  if (j.is_null()) return nullptr;
  const std::string type = component_type(j, loc);
  if (type == "BertNormalizer") return make_bert_normalizer(j, loc);
  if (type == "Sequence") return make_sequence_normalizer(j, loc);
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") return make_unicode_form_normalizer(type);
  if (type == "Lowercase") return make_lowercase_normalizer(j, loc);
  if (type == "StripAccents") return make_strip_accents_normalizer(j, loc);
  if (type == "Strip") return make_strip_normalizer(j, loc);
  if (type == "Replace") return make_replace_normalizer(j, loc);
  if (type == "Prepend") return make_prepend_normalizer(j, loc);
  if (type == "Precompiled") return make_precompiled_normalizer(j, loc);
  if (type == "ByteLevel") return make_byte_level_normalizer(j, loc);
  loc.unsupported_type(type, "normalizer");
}

PreTokenizerPtr make_pre_tokenizer(const json& j, const JsonLoc& loc) {
  if (j.is_null()) return nullptr;
  const std::string type = component_type(j, loc);
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer(j, loc);
  if (type == "Sequence") return make_sequence_pre_tokenizer(j, loc);
  if (type == "ByteLevel") return make_byte_level_pre_tokenizer(j, loc);
  if (type == "Metaspace") return make_metaspace_pre_tokenizer(j, loc);
  if (type == "Split") return make_split_pre_tokenizer(j, loc);
  if (type == "Whitespace") return make_whitespace_pre_tokenizer(j, loc);
  if (type == "WhitespaceSplit") return make_whitespace_split_pre_tokenizer(j, loc);
  if (type == "Punctuation") return make_punctuation_pre_tokenizer(j, loc);
  if (type == "Digits") return make_digits_pre_tokenizer(j, loc);
  if (type == "CharDelimiterSplit") return make_char_delimiter_pre_tokenizer(j, loc);
  if (type == "UnicodeScripts") return make_unicode_scripts_pre_tokenizer(j, loc);
  loc.unsupported_type(type, "pre-tokenizer");
}

ModelPtr make_model(const json& j, const JsonLoc& loc) {
  if (j.is_null()) loc.fail(ErrorCode::InvalidFile, "is missing");
  expect_object(j, loc);
  std::string type;
  if (const json* t = find_member(j, "type")) {
    type = as_string(*t, loc["type"]);
  } else if (find_member(j, "max_input_chars_per_word")) {
    type = "WordPiece";  // older files omit the tag (Rust deserializes them untagged, by shape)
  } else if (find_member(j, "merges")) {
    type = "BPE";
  } else if (const json* v = find_member(j, "vocab"); v && v->is_array()) {
    type = "Unigram";
  } else if (v && v->is_object()) {
    type = "WordLevel";
  } else {
    loc["type"].fail(ErrorCode::InvalidFile, "is missing");
  }
  if (type == "WordPiece") return make_wordpiece_model(j, loc);
  if (type == "BPE") return make_bpe_model(j, loc);
  if (type == "Unigram") return make_unigram_model(j, loc);
  if (type == "WordLevel") return make_wordlevel_model(j, loc);
  loc.unsupported_type(type, "model");
}

PostProcessorPtr make_post_processor(const json& j, const JsonLoc& loc) {
  if (j.is_null()) return nullptr;
  const std::string type = component_type(j, loc);
  if (type == "TemplateProcessing") return make_template_processing(j, loc);
  if (type == "BertProcessing") return make_bert_processing(j, loc);
  if (type == "RobertaProcessing") return make_roberta_processing(j, loc);
  if (type == "ByteLevel") return make_byte_level_processing(j, loc);
  if (type == "Sequence") return make_sequence_processing(j, loc);
  loc.unsupported_type(type, "post-processor");
}

DecoderPtr make_decoder(const json& j, const JsonLoc& loc) {
  if (j.is_null()) return nullptr;
  const std::string type = component_type(j, loc);
  if (type == "WordPiece") return make_wordpiece_decoder(j, loc);
  if (type == "Sequence") return make_sequence_decoder(j, loc);
  if (type == "ByteLevel") return make_byte_level_decoder(j, loc);
  if (type == "Metaspace") return make_metaspace_decoder(j, loc);
  if (type == "ByteFallback") return make_byte_fallback_decoder(j, loc);
  if (type == "Fuse") return make_fuse_decoder(j, loc);
  if (type == "Strip") return make_strip_decoder(j, loc);
  if (type == "Replace") return make_replace_decoder(j, loc);
  if (type == "BPEDecoder") return make_bpe_decoder(j, loc);
  if (type == "CTC") return make_ctc_decoder(j, loc);
  loc.unsupported_type(type, "decoder");
}

}  // namespace hubwasm::tok
