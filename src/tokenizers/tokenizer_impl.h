// Internal state of a Tokenizer (shared, immutable once built).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "tokenizers/added_vocabulary.h"
#include "tokenizers/components.h"

namespace hubwasm::tok {

enum class TruncationStrategy { LongestFirst, OnlyFirst, OnlySecond };

struct TruncationParams {
  size_t max_length = 512;
  TruncationStrategy strategy = TruncationStrategy::LongestFirst;
  size_t stride = 0;
  bool left = false;  // direction Left: drop tokens from the start
};

struct PaddingParams {
  std::optional<size_t> fixed;  // nullopt = BatchLongest
  bool left = false;
  std::optional<size_t> pad_to_multiple_of;
  int32_t pad_id = 0;
  int32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

struct TokenizerImpl {
  NormalizerPtr normalizer;
  PreTokenizerPtr pre_tokenizer;
  ModelPtr model;
  PostProcessorPtr post_processor;
  DecoderPtr decoder;
  AddedVocabulary added;
  std::optional<TruncationParams> truncation;  // tokenizer.json defaults
  std::optional<PaddingParams> padding;

  // transformers-level settings (tokenizer_config.json / special_tokens_map.json).
  std::map<std::string, std::optional<std::string>> roles;  // nullopt = explicitly none
  std::optional<size_t> model_max_length;
  std::optional<bool> clean_up_tokenization_spaces;
  bool padding_left = false;     // padding_side
  bool truncation_left = false;  // truncation_side

  // Loads tokenizer.json (already parsed).
  static std::shared_ptr<TokenizerImpl> from_json(const json& root, const std::string& filename);
  // Fills in roles not set explicitly, from the vocabulary and components.
  void infer_roles();

  std::optional<int32_t> token_to_id(std::string_view token) const;
  Encoding encode_single(std::string_view text, int32_t type_id) const;
  Encoding post_process(Encoding e, std::optional<Encoding> pair, bool add_special_tokens,
                        const std::optional<TruncationParams>& trunc,
                        const std::optional<PaddingParams>& pad) const;
};

// Reads a tokenizer_config.json / special_tokens_map.json pair into impl
// (roles, model_max_length, sides, clean-up flag). Either may be null.
void apply_hf_configs(TokenizerImpl& impl, const json* tokenizer_config, const json* special_tokens_map,
                      const std::string& config_name, const std::string& map_name);

}  // namespace hubwasm::tok
