// Component interfaces of the tokenization pipeline (normalizer ->
// pre-tokenizer -> model -> post-processor, and decoder), each built from its
// tokenizer.json object by a factory keyed on "type". Every concrete component
// lives in its own .cpp under normalizers/, pre_tokenizers/, models/,
// processors/, decoders/ and registers through the make_* function declared
// here. Components are immutable once built.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizers/json_util.h"
#include "tokenizers/normalized_string.h"
#include "tokenizers/tokenizer.h"

namespace hubwasm::tok {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the tokens of one pre-tokenized word (offsets relative to `word`).
  virtual void tokenize(std::string_view word, std::vector<Token>& out) const = 0;
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string_view> id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
  // The unknown token, when the model has one (used to infer "unk_token").
  virtual std::optional<std::string> unk_token() const { return std::nullopt; }
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual size_t added_tokens(bool is_pair) const = 0;
  virtual Encoding process(Encoding encoding, std::optional<Encoding> pair,
                           bool add_special_tokens) const = 0;
  // Rust `process_encodings` (what Sequence chains). The default runs
  // process() on the first one or two encodings.
  virtual std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const;
  // For special-token role inference (BertProcessing's cls/sep).
  virtual std::optional<std::string> cls_token() const { return std::nullopt; }
  virtual std::optional<std::string> sep_token() const { return std::nullopt; }
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Rust `decode_chain`: rewrites the tokens; the results are concatenated.
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
};

// Rust's PostProcessor::process for processors defined by process_encodings:
// sequence and type ids = input index, process_encodings, then merge.
Encoding process_via_encodings(const PostProcessor& p, Encoding encoding, std::optional<Encoding> pair,
                               bool add_special_tokens);

enum class PrependScheme { Always, First, Never };

using NormalizerPtr = std::shared_ptr<const Normalizer>;
using PreTokenizerPtr = std::shared_ptr<const PreTokenizer>;
using ModelPtr = std::shared_ptr<const Model>;
using PostProcessorPtr = std::shared_ptr<const PostProcessor>;
using DecoderPtr = std::shared_ptr<const Decoder>;

// Factories: `j` is the component object (null -> nullptr for the optional
// components), `loc` its location for error messages.
NormalizerPtr make_normalizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_pre_tokenizer(const json& j, const JsonLoc& loc);
ModelPtr make_model(const json& j, const JsonLoc& loc);
PostProcessorPtr make_post_processor(const json& j, const JsonLoc& loc);
DecoderPtr make_decoder(const json& j, const JsonLoc& loc);

// Concrete constructors (one per component file).
NormalizerPtr make_bert_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_sequence_normalizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_bert_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_sequence_pre_tokenizer(const json& j, const JsonLoc& loc);
ModelPtr make_wordpiece_model(const json& j, const JsonLoc& loc);
// WordPiece from (token, id) entries, e.g. read from vocab.txt. The message is
// the error raised when a word needs the unk token and it is not in entries.
ModelPtr make_wordpiece_from_vocab(std::vector<std::pair<std::string, int32_t>> entries,
                                   std::string unk_token, std::string prefix, size_t max_chars,
                                   std::string missing_unk_message);
PostProcessorPtr make_template_processing(const json& j, const JsonLoc& loc);
PostProcessorPtr make_bert_processing(const json& j, const JsonLoc& loc);
DecoderPtr make_wordpiece_decoder(const json& j, const JsonLoc& loc);

// Normalizers.
NormalizerPtr make_unicode_form_normalizer(const std::string& type);  // NFC, NFD, NFKC, NFKD
NormalizerPtr make_lowercase_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_strip_accents_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_strip_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_replace_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_prepend_normalizer(const json& j, const JsonLoc& loc);
NormalizerPtr make_precompiled_normalizer(const json& j, const JsonLoc& loc);  // nullptr when the map is empty
NormalizerPtr make_precompiled_from_bytes(std::string_view blob, const JsonLoc& loc);
NormalizerPtr make_byte_level_normalizer(const json& j, const JsonLoc& loc);
// Each byte of s -> its bytes_to_unicode char (ByteLevel normalizer / pre-tokenizer).
void byte_level_transform(NormalizedString& s);

// Pre-tokenizers.
PreTokenizerPtr make_byte_level_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_metaspace_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_split_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_whitespace_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_whitespace_split_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_punctuation_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_digits_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_char_delimiter_pre_tokenizer(const json& j, const JsonLoc& loc);
PreTokenizerPtr make_unicode_scripts_pre_tokenizer(const json& j, const JsonLoc& loc);
SplitDelimiterBehavior parse_behavior(const json& j, const JsonLoc& loc, SplitDelimiterBehavior fallback);
PrependScheme parse_prepend_scheme(const json& j, const JsonLoc& loc);
// A one-char string member (absent/null -> fallback).
char32_t parse_single_char(const json& j, std::string_view key, const JsonLoc& loc, char32_t fallback);

// Models.
struct BpeConfig {
  std::vector<std::pair<std::string, int32_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix, end_of_word_suffix;
  bool fuse_unk = false, byte_fallback = false, ignore_merges = false;
  std::string unk_error;                                         // message prefix when unk is not in vocab
  std::function<void(size_t, const std::string&)> fail_merge;    // merge i uses a token not in vocab (throws)
};
ModelPtr make_bpe(BpeConfig config);
ModelPtr make_bpe_model(const json& j, const JsonLoc& loc);
ModelPtr make_unigram_model(const json& j, const JsonLoc& loc);
ModelPtr make_wordlevel_model(const json& j, const JsonLoc& loc);
// A serialized SentencePiece ModelProto (tokenizer.model bytes), run by the
// sentencepiece library. add_dummy_prefix=false also turns the model's own
// normalization off (identity), for pipelines that normalize themselves.
ModelPtr make_sentencepiece_model(const std::string& serialized, const std::string& file_name, bool add_dummy_prefix);
// The normalizer_spec.precompiled_charsmap of a serialized ModelProto ("" if none).
std::string sentencepiece_charsmap(const std::string& serialized, const std::string& file_name);

// Post-processors.
PostProcessorPtr make_roberta_processing(const json& j, const JsonLoc& loc);
PostProcessorPtr make_byte_level_processing(const json& j, const JsonLoc& loc);
PostProcessorPtr make_sequence_processing(const json& j, const JsonLoc& loc);
// ByteLevel trim_offsets (processors/byte_level.rs process_offsets).
void byte_level_process_offsets(Encoding& e, bool add_prefix_space);

// Decoders.
DecoderPtr make_byte_level_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_metaspace_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_byte_fallback_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_fuse_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_strip_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_replace_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_bpe_decoder(const json& j, const JsonLoc& loc);
DecoderPtr make_ctc_decoder(const json& j, const JsonLoc& loc);
// WordPiece decoder's cleanup (" ." -> "." etc.), also used by CTC.
void wordpiece_cleanup(std::string& s);
// Every occurrence of `from` in s (left to right, not overlapping) replaced by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to);
DecoderPtr make_sequence_decoder(const json& j, const JsonLoc& loc);

// Encoding helpers shared by the post-processors (tokenizer/encoding.rs).
namespace encoding_ops {
// Appends `other` to `e` (offsets unchanged, as Rust's merge_with(.., false)).
void merge_into(Encoding& e, const Encoding& other);
// Sets every token's type id.
void set_type_ids(Encoding& e, int32_t type_id);
// Marks every token as belonging to sequence `seq`.
void set_sequence_id(Encoding& e, int32_t seq);
// `n` special tokens (ids/tokens), with the given type id.
Encoding special_tokens(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens,
                        int32_t type_id);
// Rust PostProcessor::default_process (no post-processor / no special tokens).
Encoding default_process(Encoding e, std::optional<Encoding> pair);
}  // namespace encoding_ops

}  // namespace hubwasm::tok
