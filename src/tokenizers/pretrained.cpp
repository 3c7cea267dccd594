// Tokenizer::from_files: a Hub repo's tokenizer files -> Tokenizer, following
// transformers' AutoTokenizer conventions: tokenizer.json when present, else a
// BertTokenizerFast built from vocab.txt the way convert_slow_tokenizer's
// BertConverter does; tokenizer_config.json / special_tokens_map.json for the
// special-token roles, model_max_length, padding/truncation sides and the BERT
// normalizer flags.
#include <set>

#include "tokenizers/tokenizer.h"
#include "tokenizers/tokenizer_impl.h"

namespace hubwasm {

using tok::json;
using tok::JsonLoc;
using tok::TokenizerImpl;

namespace tok {

namespace {

// transformers' SPECIAL_TOKENS_ATTRIBUTES order (minus additional_special_tokens).
const char* const kRoles[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                              "pad_token", "cls_token", "mask_token"};

// A special token given in a config: "[CLS]" or {"content": "[CLS]", "lstrip": ..}.
struct ConfigToken {
  std::optional<std::string> content;  // nullopt = explicitly null
  AddedToken flags;                    // content/flags when given as an object
};

ConfigToken parse_config_token(const json& v, const JsonLoc& loc) {
  ConfigToken t;
  t.flags.normalized = false;
  t.flags.special = true;
  if (v.is_null()) return t;
  if (v.is_string()) {
    t.content = v.get<std::string>();
  } else if (v.is_object()) {
    t.content = require_string(v, "content", loc);
    t.flags.single_word = get_bool(v, "single_word", loc, false);
    t.flags.lstrip = get_bool(v, "lstrip", loc, false);
    t.flags.rstrip = get_bool(v, "rstrip", loc, false);
    t.flags.normalized = get_bool(v, "normalized", loc, false);
    t.flags.special = get_bool(v, "special", loc, true);
  } else {
    loc.fail(ErrorCode::InvalidFile,
             std::string("must be a string or an object (got ") + json_type_name(v) + ")");
  }
  t.flags.content = t.content.value_or("");
  return t;
}

// Role -> token from special_tokens_map.json, falling back to tokenizer_config.json
// (transformers lets the map override the config's init kwargs).
std::map<std::string, ConfigToken> read_roles(const json* config, const json* map,
                                              const std::string& config_name, const std::string& map_name) {
  std::map<std::string, ConfigToken> roles;
  for (const char* role : kRoles) {
    if (map) {
      if (const json* v = find_member(*map, role)) {
        roles[role] = parse_config_token(*v, JsonLoc(map_name)[role]);
        continue;
      }
    }
    if (config) {
      if (const json* v = find_member(*config, role))
        roles[role] = parse_config_token(*v, JsonLoc(config_name)[role]);
    }
  }
  return roles;
}

std::optional<size_t> read_model_max_length(const json* config, const std::string& config_name) {
  if (!config) return std::nullopt;
  const json* v = find_member(*config, "model_max_length");
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_number()) {
    JsonLoc(config_name)["model_max_length"].fail(ErrorCode::InvalidFile, "must be a number");
  }
  // transformers stores "no limit" as VERY_LARGE_INTEGER (int(1e30)); treat
  // anything absurdly large as unknown.
  const double d = v->get<double>();
  if (!(d >= 1) || d >= 1e18) return std::nullopt;
  if (v->is_number_unsigned()) return static_cast<size_t>(v->get<uint64_t>());
  if (v->is_number_integer()) return static_cast<size_t>(v->get<int64_t>());
  return static_cast<size_t>(d);
}

const json* parse_config(const std::map<std::string, std::string>& files, const std::string& name,
                         json& storage) {
  auto it = files.find(name);
  if (it == files.end()) return nullptr;
  storage = parse_json(it->second, name);
  expect_object(storage, JsonLoc(name));
  return &storage;
}

bool side_is_left(const json* config, const char* key, const std::string& config_name) {
  if (!config) return false;
  const std::string side = get_string(*config, key, JsonLoc(config_name), "right");
  if (side != "left" && side != "right") {
    JsonLoc(config_name)[key].fail(ErrorCode::InvalidFile,
                                   "must be \"left\" or \"right\" (got \"" + side + "\")");
  }
  return side == "left";
}

bool is_bert_fast_class(const std::string& cls) {
  static const std::set<std::string> kClasses = {"BertTokenizer",       "BertTokenizerFast",
                                                 "DistilBertTokenizer", "DistilBertTokenizerFast",
                                                 "ElectraTokenizer",    "ElectraTokenizerFast"};
  return kClasses.count(cls) > 0;
}

// vocab.txt lines as transformers' load_vocab reads them (text mode, universal
// newlines, trailing "\n" stripped); later duplicates win.
std::vector<std::pair<std::string, int32_t>> read_vocab_txt(const std::string& bytes,
                                                            const std::string& name) {
  if (const size_t bad = unicode::first_invalid_utf8(bytes); bad != std::string::npos) {
    throw Error(ErrorCode::InvalidFile, name + ": not valid UTF-8 (at byte " + std::to_string(bad) + ")");
  }
  std::vector<std::pair<std::string, int32_t>> entries;
  size_t i = 0;
  int32_t index = 0;
  while (i < bytes.size()) {
    size_t e = i;
    while (e < bytes.size() && bytes[e] != '\n' && bytes[e] != '\r') ++e;
    entries.emplace_back(bytes.substr(i, e - i), index++);
    if (e < bytes.size() && bytes[e] == '\r' && e + 1 < bytes.size() && bytes[e + 1] == '\n') ++e;
    i = e + 1;
  }
  if (entries.empty()) throw Error(ErrorCode::InvalidFile, name + ": the vocabulary is empty");
  return entries;
}

std::shared_ptr<TokenizerImpl> build_bert_from_vocab(const std::string& vocab_bytes, const json* config,
                                                     const std::map<std::string, ConfigToken>& roles,
                                                     const std::string& config_name) {
  const std::string vocab_name = "vocab.txt";
  auto entries = read_vocab_txt(vocab_bytes, vocab_name);
  const JsonLoc cl(config_name);
  bool lowercase = true, chinese = true;
  std::optional<bool> strip_accents;
  if (config) {
    lowercase = get_bool(*config, "do_lower_case", cl, true);
    chinese = get_bool(*config, "tokenize_chinese_chars", cl, true);
    strip_accents = get_opt_bool(*config, "strip_accents", cl);
    if (!get_bool(*config, "do_basic_tokenize", cl, true)) {
      // BertConverter reads these from the slow tokenizer's basic_tokenizer, which
      // does not exist without do_basic_tokenize: all off.
      lowercase = false, chinese = false, strip_accents = false;
    }
  }
  auto role_content = [&](const char* role, const char* fallback) -> std::optional<std::string> {
    auto it = roles.find(role);
    if (it == roles.end()) return std::string(fallback);
    return it->second.content;
  };
  const auto unk = role_content("unk_token", "[UNK]");
  const auto cls = role_content("cls_token", "[CLS]");
  const auto sep = role_content("sep_token", "[SEP]");

  auto impl = std::make_shared<TokenizerImpl>();
  std::unordered_map<std::string, int32_t> vocab_ids;
  vocab_ids.reserve(entries.size() * 2);
  int32_t vocab_end = 0;
  for (const auto& [token, id] : entries) {
    vocab_ids[token] = id;
    vocab_end = std::max(vocab_end, id + 1);
  }
  impl->model = make_wordpiece_from_vocab(
      std::move(entries), unk.value_or("[UNK]"), "##", 100,
      vocab_name + ": unk_token \"" + unk.value_or("[UNK]") +
          "\" is not in the vocabulary (needed to encode a word that has no WordPiece split)");

  json normalizer = {{"type", "BertNormalizer"},
                     {"clean_text", true},
                     {"handle_chinese_chars", chinese},
                     {"strip_accents", strip_accents ? json(*strip_accents) : json(nullptr)},
                     {"lowercase", lowercase}};
  impl->normalizer = make_normalizer(normalizer, JsonLoc(vocab_name)["normalizer"]);
  impl->pre_tokenizer =
      make_pre_tokenizer(json{{"type", "BertPreTokenizer"}}, JsonLoc(vocab_name)["pre_tokenizer"]);
  impl->decoder = make_decoder(json{{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}},
                               JsonLoc(vocab_name)["decoder"]);

  // Added tokens: tokenizer_config's added_tokens_decoder, then every special
  // role (ids from the vocabulary, new ids after it otherwise), then
  // additional_special_tokens.
  int32_t next_id = vocab_end;
  auto id_for = [&](const std::string& content) -> int32_t {
    if (auto a = impl->added.token_to_id(content)) return *a;
    if (auto it = vocab_ids.find(content); it != vocab_ids.end()) return it->second;
    return next_id++;
  };
  if (config) {
    if (const json* atd = find_member(*config, "added_tokens_decoder"); atd && !atd->is_null()) {
      const JsonLoc al = cl["added_tokens_decoder"];
      expect_object(*atd, al);
      for (auto it = atd->begin(); it != atd->end(); ++it) {
        const JsonLoc tl = al[it.key()];
        int32_t id = 0;
        try {
          size_t used = 0;
          const long v = std::stol(it.key(), &used);
          if (used != it.key().size() || v < 0 || v > 0x7FFFFFFF) throw std::invalid_argument("id");
          id = static_cast<int32_t>(v);
        } catch (const std::exception&) {
          tl.fail(ErrorCode::InvalidFile, "key must be a token id");
        }
        ConfigToken t = parse_config_token(it.value(), tl);
        if (!t.content) tl.fail(ErrorCode::InvalidFile, "must not be null");
        t.flags.special = it.value().is_object() ? get_bool(it.value(), "special", tl, false) : false;
        impl->added.add(t.flags, id);
        next_id = std::max(next_id, id + 1);
      }
    }
  }
  for (const char* role :
       {"unk_token", "sep_token", "pad_token", "cls_token", "mask_token", "bos_token", "eos_token"}) {
    std::optional<std::string> content;
    AddedToken flags;
    flags.normalized = false;
    flags.special = true;
    if (auto it = roles.find(role); it != roles.end()) {
      content = it->second.content;
      flags = it->second.flags;
    } else if (std::string(role) == "unk_token") {
      content = "[UNK]";
    } else if (std::string(role) == "sep_token") {
      content = "[SEP]";
    } else if (std::string(role) == "pad_token") {
      content = "[PAD]";
    } else if (std::string(role) == "cls_token") {
      content = "[CLS]";
    } else if (std::string(role) == "mask_token") {
      content = "[MASK]";
    }
    if (!content || content->empty() || impl->added.token_to_id(*content)) continue;
    flags.content = *content;
    impl->added.add(flags, id_for(*content));
  }
  if (config) {
    if (const json* extra = find_member(*config, "additional_special_tokens"); extra && extra->is_array()) {
      for (size_t i = 0; i < extra->size(); ++i) {
        ConfigToken t = parse_config_token((*extra)[i], cl["additional_special_tokens"][i]);
        if (!t.content || impl->added.token_to_id(*t.content)) continue;
        impl->added.add(t.flags, id_for(*t.content));
      }
    }
  }
  impl->added.build(impl->normalizer.get());

  if (!cls || !sep) {
    throw Error(ErrorCode::InvalidFile,
                config_name + ": cls_token and sep_token are needed for a BERT vocab.txt tokenizer");
  }
  auto cls_id = impl->token_to_id(*cls);
  auto sep_id = impl->token_to_id(*sep);
  json special = json::object();
  special[*cls] = {{"id", *cls}, {"ids", {*cls_id}}, {"tokens", {*cls}}};
  special[*sep] = {{"id", *sep}, {"ids", {*sep_id}}, {"tokens", {*sep}}};
  auto piece = [](const char* kind, const std::string& id, int type_id) {
    return json{{kind, {{"id", id}, {"type_id", type_id}}}};
  };
  json post = {
      {"type", "TemplateProcessing"},
      {"single", {piece("SpecialToken", *cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", *sep, 0)}},
      {"pair",
       {piece("SpecialToken", *cls, 0), piece("Sequence", "A", 0), piece("SpecialToken", *sep, 0),
        piece("Sequence", "B", 1), piece("SpecialToken", *sep, 1)}},
      {"special_tokens", special}};
  impl->post_processor = make_post_processor(post, JsonLoc(vocab_name)["post_processor"]);
  return impl;
}

// transformers' BertTokenizerFast.__init__ rebuilds the backend normalizer when
// tokenizer_config's do_lower_case / strip_accents / tokenize_chinese_chars
// disagree with tokenizer.json. Applied only when the config names one of
// these flags (with transformers' defaults for the others).
void apply_bert_normalizer_override(json& root, const json* config, const std::string& config_name) {
  if (!config) return;
  const JsonLoc cl(config_name);
  if (!is_bert_fast_class(get_string(*config, "tokenizer_class", cl, ""))) return;
  if (!find_member(*config, "do_lower_case") && !find_member(*config, "strip_accents") &&
      !find_member(*config, "tokenize_chinese_chars")) {
    return;
  }
  json* norm = root.is_object() && root.contains("normalizer") ? &root["normalizer"] : nullptr;
  if (!norm || !norm->is_object() || norm->value("type", "") != "BertNormalizer") return;
  const bool lower = get_bool(*config, "do_lower_case", cl, true);
  const bool chinese = get_bool(*config, "tokenize_chinese_chars", cl, true);
  const std::optional<bool> strip = get_opt_bool(*config, "strip_accents", cl);
  const json strip_json = strip ? json(*strip) : json(nullptr);
  if (norm->value("lowercase", lower) != lower ||
      (norm->contains("strip_accents") ? (*norm)["strip_accents"] : strip_json) != strip_json ||
      norm->value("handle_chinese_chars", chinese) != chinese) {
    (*norm)["lowercase"] = lower;
    (*norm)["strip_accents"] = strip_json;
    (*norm)["handle_chinese_chars"] = chinese;
  }
}

}  // namespace

void apply_hf_configs(TokenizerImpl& impl, const json* config, const json* map,
                      const std::string& config_name, const std::string& map_name) {
  for (auto& [role, t] : read_roles(config, map, config_name, map_name)) impl.roles[role] = t.content;
  impl.model_max_length = read_model_max_length(config, config_name);
  if (config) {
    impl.clean_up_tokenization_spaces =
        get_opt_bool(*config, "clean_up_tokenization_spaces", JsonLoc(config_name));
  }
  impl.padding_left = side_is_left(config, "padding_side", config_name);
  impl.truncation_left = side_is_left(config, "truncation_side", config_name);
}

}  // namespace tok

Tokenizer Tokenizer::from_files(const std::map<std::string, std::string>& files) {
  const std::string config_name = "tokenizer_config.json";
  const std::string map_name = "special_tokens_map.json";
  json config_storage, map_storage;
  const json* config = tok::parse_config(files, config_name, config_storage);
  const json* map = tok::parse_config(files, map_name, map_storage);

  std::shared_ptr<TokenizerImpl> impl;
  if (auto it = files.find("tokenizer.json"); it != files.end()) {
    json root = tok::parse_json(it->second, "tokenizer.json");
    tok::apply_bert_normalizer_override(root, config, config_name);
    impl = TokenizerImpl::from_json(root, "tokenizer.json");
  } else if (auto v = files.find("vocab.txt"); v != files.end()) {
    impl = tok::build_bert_from_vocab(v->second, config, tok::read_roles(config, map, config_name, map_name),
                                      config_name);
  } else {
    std::string have;
    for (const auto& [name, bytes] : files) have += (have.empty() ? "" : ", ") + name;
    std::string hint;
    if (files.count("tokenizer.model")) hint = " (tokenizer.model / SentencePiece is not supported yet)";
    if (files.count("vocab.json") && files.count("merges.txt"))
      hint = " (vocab.json + merges.txt / BPE is not supported yet)";
    throw Error(ErrorCode::MissingFile,
                "no tokenizer found: looked for tokenizer.json, then vocab.txt; the repo has: " +
                    (have.empty() ? std::string("no files") : have) + hint);
  }
  tok::apply_hf_configs(*impl, config, map, config_name, map_name);
  impl->infer_roles();
  return Tokenizer(std::move(impl));
}

}  // namespace hubwasm
