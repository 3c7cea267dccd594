// Tokenizer::from_files: a Hub repo's tokenizer files -> Tokenizer, following
// transformers' AutoTokenizer conventions: tokenizer.json when present, else a
// BertTokenizerFast built from vocab.txt the way convert_slow_tokenizer's
// BertConverter does; tokenizer_config.json / special_tokens_map.json for the
// special-token roles, model_max_length, padding/truncation sides and the BERT
// normalizer flags.
#include <algorithm>
#include <iterator>
#include <cctype>
#include <set>
#include <string_view>

#include "core/allocation_budget.h"
#include "tokenizers/tokenizer.h"
#include "tokenizers/tokenizer_impl.h"

namespace hubwasm {

using tok::json;
using tok::JsonLoc;
using tok::TokenizerImpl;

namespace tok {

namespace {

// Whether `name` is in a fixed list. The lists are arrays, not static std::sets: those
// would be allocated in the middle of the first load and, in wasm memory, keep the
// load's scratch memory below them from being reused for the weights.
template <size_t N>
bool one_of(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

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

// A key of added_tokens_decoder: a token id in decimal, 0 to 2^31 - 1.
int32_t token_id_key(const std::string& key, const JsonLoc& loc) {
  try {
    size_t used = 0;
    const long v = std::stol(key, &used);
    if (used == key.size() && v >= 0 && v <= 0x7FFFFFFF) return static_cast<int32_t>(v);
  } catch (const std::exception&) {  // not a number at all: refused below
  }
  loc.fail(ErrorCode::InvalidFile, "key must be a token id");
}

// tokenizer_config.json's added_tokens_decoder ({"<id>": token}) into
// impl.added; returns the first id after both them and `next_id`.
int32_t add_tokens_decoder(TokenizerImpl& impl, const json& config, const JsonLoc& cl, int32_t next_id) {
  const json* atd = find_member(config, "added_tokens_decoder");
  if (!atd || atd->is_null()) return next_id;
  const JsonLoc al = cl["added_tokens_decoder"];
  expect_object(*atd, al);
  for (auto it = atd->begin(); it != atd->end(); ++it) {
    const JsonLoc tl = al[it.key()];
    const int32_t id = token_id_key(it.key(), tl);
    ConfigToken t = parse_config_token(it.value(), tl);
    if (!t.content) tl.fail(ErrorCode::InvalidFile, "must not be null");
    t.flags.special = it.value().is_object() ? get_bool(it.value(), "special", tl, false) : false;
    impl.added.add(t.flags, id);
    next_id = std::max(next_id, id + 1);
  }
  return next_id;
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
  constexpr std::string_view kClasses[] = {"BertTokenizer",       "BertTokenizerFast",
                                           "DistilBertTokenizer", "DistilBertTokenizerFast",
                                           "ElectraTokenizer",    "ElectraTokenizerFast"};
  return one_of(kClasses, cls);
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
  if (config) next_id = add_tokens_decoder(*impl, *config, cl, next_id);
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

// Special tokens the way a converted (slow -> fast) transformers tokenizer
// gets them: tokenizer_config's added_tokens_decoder, then every special role
// (configured, else the class default), then additional_special_tokens; ids
// from the vocabulary when the content is in it, else new ids after it.
void add_hf_special_tokens(TokenizerImpl& impl, const json* config, const std::string& config_name,
                           const std::map<std::string, ConfigToken>& roles,
                           const std::map<std::string, AddedToken>& defaults, int32_t vocab_end) {
  const JsonLoc cl(config_name);
  int32_t next_id = vocab_end;
  auto id_for = [&](const std::string& content) -> int32_t {
    if (auto id = impl.token_to_id(content)) return *id;
    return next_id++;
  };
  if (config) next_id = add_tokens_decoder(impl, *config, cl, next_id);
  for (const char* role : kRoles) {
    AddedToken flags;
    std::optional<std::string> content;
    if (auto it = roles.find(role); it != roles.end()) {
      content = it->second.content;
      flags = it->second.flags;
    } else if (auto d = defaults.find(role); d != defaults.end()) {
      flags = d->second;
      content = flags.content;
    }
    if (!content || content->empty() || impl.added.token_to_id(*content)) continue;
    flags.content = *content;
    impl.added.add(flags, id_for(*content));
  }
  if (config) {
    if (const json* extra = find_member(*config, "additional_special_tokens"); extra && extra->is_array()) {
      for (size_t i = 0; i < extra->size(); ++i) {
        ConfigToken t = parse_config_token((*extra)[i], cl["additional_special_tokens"][i]);
        if (!t.content || impl.added.token_to_id(*t.content)) continue;
        impl.added.add(t.flags, id_for(*t.content));
      }
    }
  }
  impl.added.build(impl.normalizer.get());
}

AddedToken special(const std::string& content, bool lstrip = false) {
  AddedToken t;
  t.content = content;
  t.special = true;
  t.normalized = false;
  t.lstrip = lstrip;
  return t;
}

std::optional<std::string> role_content(const std::map<std::string, ConfigToken>& roles,
                                        const std::map<std::string, AddedToken>& defaults, const char* role) {
  if (auto it = roles.find(role); it != roles.end()) return it->second.content;
  if (auto d = defaults.find(role); d != defaults.end()) return d->second.content;
  return std::nullopt;
}

// bos/eos TemplateProcessing as LlamaTokenizerFast.update_post_processor /
// GPT2 (add_bos_token) build it.
json bos_eos_template(const TokenizerImpl& impl, const std::optional<std::string>& bos,
                      const std::optional<std::string>& eos, bool add_bos, bool add_eos, const std::string& where) {
  json special = json::object();
  auto piece = [](const char* kind, const std::string& id, int type_id) {
    return json{{kind, {{"id", id}, {"type_id", type_id}}}};
  };
  auto need = [&](const std::optional<std::string>& t, const char* what) {
    if (!t) throw Error(ErrorCode::InvalidFile, where + ": add_" + what + "_token is set but there is no " + what + "_token");
    auto id = impl.token_to_id(*t);
    if (!id) throw Error(ErrorCode::InvalidFile, where + ": " + what + "_token \"" + *t + "\" is not in the vocabulary");
    special[*t] = {{"id", *t}, {"ids", {*id}}, {"tokens", {*t}}};
  };
  json single = json::array(), pair = json::array();
  if (add_bos) need(bos, "bos");
  if (add_eos) need(eos, "eos");
  for (int seq = 0; seq < 2; ++seq) {
    json& t = seq == 0 ? single : pair;
    for (int part = 0; part <= seq; ++part) {
      if (add_bos) t.push_back(piece("SpecialToken", *bos, part));
      t.push_back(piece("Sequence", part == 0 ? "A" : "B", part));
      if (add_eos) t.push_back(piece("SpecialToken", *eos, part));
    }
  }
  return {{"type", "TemplateProcessing"}, {"single", single}, {"pair", pair}, {"special_tokens", special}};
}

bool config_bool(const json* config, const char* key, const std::string& config_name, bool fallback) {
  if (!config) return fallback;
  return get_bool(*config, key, JsonLoc(config_name), fallback);
}

std::string config_class(const json* config, const std::string& config_name) {
  if (!config) return "";
  return get_string(*config, "tokenizer_class", JsonLoc(config_name), "");
}

// The tokenizer class AutoTokenizer would pick from config.json's model_type
// when tokenizer_config.json does not name one ("" when unknown).
std::string class_for_model_type(const std::map<std::string, std::string>& files) {
  auto it = files.find("config.json");
  if (it == files.end()) return "";
  json cfg;
  try {
    cfg = json::parse(it->second);
  } catch (const json::exception&) {
    return "";  // config.json problems are the model loader's to report
  }
  if (!cfg.is_object() || !cfg.contains("model_type") || !cfg["model_type"].is_string()) return "";
  constexpr std::pair<std::string_view, std::string_view> kByModelType[] = {
      {"roberta", "RobertaTokenizer"}, {"bart", "BartTokenizer"}, {"longformer", "LongformerTokenizer"},
      {"t5", "T5Tokenizer"},           {"mt5", "T5Tokenizer"},    {"gpt2", "GPT2Tokenizer"},
      {"llama", "LlamaTokenizer"},     {"mistral", "LlamaTokenizer"}};
  const std::string model_type = cfg["model_type"].get<std::string>();
  for (const auto& [type, cls] : kByModelType) {
    if (type == model_type) return std::string(cls);
  }
  return "";
}

// vocab.json + merges.txt as GPT2Converter / RobertaConverter build them.
std::shared_ptr<TokenizerImpl> build_byte_level_bpe(const std::string& vocab_bytes, const std::string& merges_bytes,
                                                    const json* config, const std::map<std::string, ConfigToken>& roles,
                                                    const std::string& config_name) {
  const std::string vocab_name = "vocab.json", merges_name = "merges.txt";
  const json vocab = parse_json(vocab_bytes, vocab_name);
  expect_object(vocab, JsonLoc(vocab_name));
  BpeConfig c;
  int32_t vocab_end = 0;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const int32_t id = as_token_id(it.value(), JsonLoc(vocab_name)[it.key()]);
    c.vocab.emplace_back(it.key(), id);
    vocab_end = std::max(vocab_end, id + 1);
  }
  // GPT2Tokenizer: read().split("\n")[1:-1], each line split on whitespace;
  // bpe_ranks keeps the first rank of a repeated merge.
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t nl = merges_bytes.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(merges_bytes.substr(start));
      break;
    }
    lines.push_back(merges_bytes.substr(start, nl - start));
    start = nl + 1;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    std::vector<std::string> parts;
    size_t k = 0;
    const std::string& l = lines[i];
    while (k < l.size()) {
      while (k < l.size() && std::isspace(static_cast<unsigned char>(l[k]))) ++k;
      size_t e = k;
      while (e < l.size() && !std::isspace(static_cast<unsigned char>(l[e]))) ++e;
      if (e > k) parts.push_back(l.substr(k, e - k));
      k = e;
    }
    if (parts.empty()) continue;
    if (parts.size() != 2) {
      throw Error(ErrorCode::InvalidFile, merges_name + ": line " + std::to_string(i + 1) + " is not \"left right\"");
    }
    auto pr = std::make_pair(parts[0], parts[1]);
    if (seen.insert(pr).second) c.merges.push_back(std::move(pr));
  }
  c.unk_error = vocab_name + ": cannot encode a char that is not in the vocabulary";
  c.fail_merge = [merges_name](size_t i, const std::string& token) {
    throw Error(ErrorCode::InvalidFile, merges_name + ": merge " + std::to_string(i + 1) + " uses \"" + token +
                                            "\", which is not in vocab.json");
  };
  const std::string cls = config_class(config, config_name);
  const bool roberta = cls.find("Roberta") != std::string::npos || cls.find("Bart") != std::string::npos ||
                       cls.find("Longformer") != std::string::npos;
  const bool add_prefix_space = config_bool(config, "add_prefix_space", config_name, false);

  auto impl = std::make_shared<TokenizerImpl>();
  impl->model = make_bpe(std::move(c));
  const JsonLoc l(vocab_name);
  impl->pre_tokenizer = make_pre_tokenizer(
      json{{"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space}, {"trim_offsets", true}, {"use_regex", true}},
      l["pre_tokenizer"]);
  impl->decoder = make_decoder(json{{"type", "ByteLevel"}}, l["decoder"]);

  std::map<std::string, AddedToken> defaults;
  if (roberta) {
    defaults = {{"bos_token", special("<s>")},   {"eos_token", special("</s>")}, {"sep_token", special("</s>")},
                {"cls_token", special("<s>")},   {"unk_token", special("<unk>")}, {"pad_token", special("<pad>")},
                {"mask_token", special("<mask>", true)}};
  } else {
    defaults = {{"bos_token", special("<|endoftext|>")},
                {"eos_token", special("<|endoftext|>")},
                {"unk_token", special("<|endoftext|>")}};
  }
  add_hf_special_tokens(*impl, config, config_name, roles, defaults, vocab_end);
  if (roberta) {
    const auto sep = role_content(roles, defaults, "sep_token").value_or("</s>");
    const auto cls_t = role_content(roles, defaults, "cls_token").value_or("<s>");
    auto sep_id = impl->token_to_id(sep), cls_id = impl->token_to_id(cls_t);
    if (!sep_id || !cls_id) throw Error(ErrorCode::InvalidFile, vocab_name + ": the cls/sep tokens are not in the vocabulary");
    impl->post_processor = make_post_processor(json{{"type", "RobertaProcessing"},
                                                    {"sep", {sep, *sep_id}},
                                                    {"cls", {cls_t, *cls_id}},
                                                    {"trim_offsets", config_bool(config, "trim_offsets", config_name, true)},
                                                    {"add_prefix_space", add_prefix_space}},
                                               l["post_processor"]);
    // special_tokens_map roles default to the class defaults.
    for (const auto& [role, t] : defaults) {
      if (!roles.count(role)) impl->roles[role] = t.content;
    }
  } else {
    if (config_bool(config, "add_bos_token", config_name, false)) {
      impl->post_processor =
          make_post_processor(bos_eos_template(*impl, role_content(roles, defaults, "bos_token"), std::nullopt, true,
                                               false, config_name),
                              l["post_processor"]);
    } else {
      impl->post_processor = make_post_processor(
          json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}},
          l["post_processor"]);
    }
    for (const auto& [role, t] : defaults) {
      if (!roles.count(role)) impl->roles[role] = t.content;
    }
  }
  return impl;
}

// tokenizer.model / spiece.model through sentencepiece. Llama-style classes
// (the default) get LlamaConverter's pipeline with sentencepiece in place of
// the BPE model (its dummy prefix off): legacy (default) = Prepend("▁") +
// Replace(" ", "▁") normalizers; legacy=false = Metaspace(prepend_scheme
// first, split false);
// decoder Replace/ByteFallback/Fuse/Strip; bos/eos from add_bos_token (default
// true) / add_eos_token. T5-style classes: Precompiled (the model's charsmap)
// + WhitespaceSplit + Metaspace, "$A </s>" and a Metaspace decoder.
std::shared_ptr<TokenizerImpl> build_sentencepiece(const std::string& model_bytes, const std::string& model_name,
                                                   const json* config, const std::map<std::string, ConfigToken>& roles,
                                                   const std::string& config_name) {
  const std::string cls = config_class(config, config_name);
  const bool t5 = cls.find("T5") != std::string::npos;
  bool legacy = true;
  if (config) {
    if (auto v = get_opt_bool(*config, "legacy", JsonLoc(config_name))) legacy = *v;
  }
  auto impl = std::make_shared<TokenizerImpl>();
  const JsonLoc l(model_name);
  // LlamaConverter: the dummy prefix comes from the pipeline (Prepend or
  // Metaspace), never from sentencepiece itself.
  impl->model = make_sentencepiece_model(model_bytes, model_name, false);
  if (t5) {
    // As the Hub's converted T5 tokenizer.json: Precompiled(charsmap) +
    // WhitespaceSplit + Metaspace(always).
    const std::string charsmap = sentencepiece_charsmap(model_bytes, model_name);
    if (!charsmap.empty()) impl->normalizer = make_precompiled_from_bytes(charsmap, l["normalizer_spec"]);
    impl->pre_tokenizer = make_pre_tokenizer(
        json{{"type", "Sequence"},
             {"pretokenizers",
              {{{"type", "WhitespaceSplit"}},
               {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}}}}},
        l["pre_tokenizer"]);
  } else if (legacy) {
    impl->normalizer = make_normalizer(
        json{{"type", "Sequence"},
             {"normalizers",
              {{{"type", "Prepend"}, {"prepend", "\u2581"}},
               {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}}}}},
        l["normalizer"]);
  } else {
    impl->pre_tokenizer = make_pre_tokenizer(
        json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "first"}, {"split", false}},
        l["pre_tokenizer"]);
  }
  if (t5) {
    impl->decoder = make_decoder(json{{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", "always"}},
                                 l["decoder"]);
  } else {
    impl->decoder = make_decoder(
        json{{"type", "Sequence"},
             {"decoders",
              {{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
               {{"type", "ByteFallback"}},
               {{"type", "Fuse"}},
               {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}},
        l["decoder"]);
  }
  std::map<std::string, AddedToken> defaults;
  if (t5) {
    defaults = {{"eos_token", special("</s>")}, {"unk_token", special("<unk>")}, {"pad_token", special("<pad>")}};
  } else {
    defaults = {{"bos_token", special("<s>")}, {"eos_token", special("</s>")}, {"unk_token", special("<unk>")}};
  }
  add_hf_special_tokens(*impl, config, config_name, roles, defaults,
                        static_cast<int32_t>(impl->model->vocab_size()));
  const bool add_bos = config_bool(config, "add_bos_token", config_name, !t5);
  const bool add_eos = config_bool(config, "add_eos_token", config_name, t5);
  if (add_bos || add_eos) {
    impl->post_processor = make_post_processor(
        bos_eos_template(*impl, role_content(roles, defaults, "bos_token"), role_content(roles, defaults, "eos_token"),
                         add_bos, add_eos, config_name),
        l["post_processor"]);
  }
  for (const auto& [role, t] : defaults) {
    if (!roles.count(role)) impl->roles[role] = t.content;
  }
  return impl;
}

// What PreTrainedTokenizerFast.__init__ does on top of tokenizer.json:
// tokenizer_config's added_tokens_decoder entries whose id is not an added
// token yet are added, then every special-role token that is not an added
// token yet (as special). Llama/Gemma fast tokenizers then rebuild their
// post-processor from add_bos_token (default true) / add_eos_token (default
// false) (LlamaTokenizerFast.update_post_processor).
void apply_fast_tokenizer_init(TokenizerImpl& impl, const json* config, const std::map<std::string, ConfigToken>& roles,
                               const std::string& config_name) {
  const JsonLoc cl(config_name);
  bool changed = false;
  int32_t next_id = static_cast<int32_t>(impl.model->vocab_size());
  if (auto m = impl.added.max_id()) next_id = std::max(next_id, *m + 1);
  if (config) {
    if (const json* atd = find_member(*config, "added_tokens_decoder"); atd && atd->is_object()) {
      std::vector<std::pair<int32_t, ConfigToken>> entries;
      for (auto it = atd->begin(); it != atd->end(); ++it) {
        const JsonLoc tl = cl["added_tokens_decoder"][it.key()];
        const int32_t id = token_id_key(it.key(), tl);
        if (impl.added.token_for_id(id)) continue;
        ConfigToken t = parse_config_token(it.value(), tl);
        if (!t.content) continue;
        t.flags.special = it.value().is_object() ? get_bool(it.value(), "special", tl, false) : false;
        entries.emplace_back(id, std::move(t));
      }
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (auto& [id, t] : entries) {
        // Rust add_tokens: an existing token keeps its id, a new one gets the next.
        int32_t use = id;
        if (auto existing = impl.token_to_id(*t.content)) {
          use = *existing;
        } else {
          use = next_id++;
        }
        impl.added.add(t.flags, use);
        changed = true;
      }
    }
  }
  for (const char* role : kRoles) {
    auto it = roles.find(role);
    if (it == roles.end() || !it->second.content || it->second.content->empty()) continue;
    if (impl.added.token_to_id(*it->second.content)) continue;
    AddedToken flags = it->second.flags;
    flags.special = true;
    int32_t use;
    if (auto existing = impl.token_to_id(*it->second.content)) {
      use = *existing;
    } else {
      use = next_id++;
    }
    impl.added.add(flags, use);
    changed = true;
  }
  if (changed) impl.added.build(impl.normalizer.get());

  constexpr std::string_view kRebuild[] = {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
                                           "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"};
  if (config && one_of(kRebuild, config_class(config, config_name))) {
    const bool add_bos = config_bool(config, "add_bos_token", config_name, true);
    const bool add_eos = config_bool(config, "add_eos_token", config_name, false);
    const bool gemma = config_class(config, config_name).rfind("Gemma", 0) == 0;
    auto role = [&](const char* r) -> std::optional<std::string> {
      auto it = roles.find(r);
      if (it != roles.end()) return it->second.content;
      // The class's __init__ defaults.
      if (std::string(r) == "bos_token") return std::string(gemma ? "<bos>" : "<s>");
      return std::string(gemma ? "<eos>" : "</s>");
    };
    impl.post_processor = make_post_processor(bos_eos_template(impl, role("bos_token"), role("eos_token"), add_bos,
                                                               add_eos, config_name),
                                              cl["post_processor"]);
  }
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
  // The tokenizer's tables take about as much as the files they come from.
  size_t table_bytes = 0;
  for (const auto& [name, bytes] : files) {
    const bool weights = name.size() >= 12 && name.compare(name.size() - 12, 12, ".safetensors") == 0;
    if (!weights) table_bytes += bytes.size();
  }
  check_allocation(table_bytes, "tokenizer");
  const std::string config_name = "tokenizer_config.json";
  const std::string map_name = "special_tokens_map.json";
  json config_storage, map_storage;
  const json* config = tok::parse_config(files, config_name, config_storage);
  const json* map = tok::parse_config(files, map_name, map_storage);
  if (!files.count("tokenizer.json")) {
    // Converted tokenizers depend on the class: take it from config.json's
    // model_type when tokenizer_config.json does not name it.
    const std::string cls = tok::class_for_model_type(files);
    if (!cls.empty() && tok::config_class(config, config_name).empty()) {
      if (!config) config_storage = json::object();
      config_storage["tokenizer_class"] = cls;
      config = &config_storage;
    }
  }

  std::shared_ptr<TokenizerImpl> impl;
  if (auto it = files.find("tokenizer.json"); it != files.end()) {
    json root = tok::parse_json(it->second, "tokenizer.json");
    tok::apply_bert_normalizer_override(root, config, config_name);
    impl = TokenizerImpl::from_json(root, "tokenizer.json");
    tok::apply_fast_tokenizer_init(*impl, config, tok::read_roles(config, map, config_name, map_name), config_name);
  } else if (auto v = files.find("vocab.txt"); v != files.end()) {
    impl = tok::build_bert_from_vocab(v->second, config, tok::read_roles(config, map, config_name, map_name),
                                      config_name);
  } else if (auto sp = files.find("tokenizer.model"); sp != files.end()) {
    impl = tok::build_sentencepiece(sp->second, "tokenizer.model", config,
                                    tok::read_roles(config, map, config_name, map_name), config_name);
  } else if (auto sp2 = files.find("spiece.model"); sp2 != files.end()) {
    impl = tok::build_sentencepiece(sp2->second, "spiece.model", config,
                                    tok::read_roles(config, map, config_name, map_name), config_name);
  } else if (files.count("vocab.json") && files.count("merges.txt")) {
    impl = tok::build_byte_level_bpe(files.at("vocab.json"), files.at("merges.txt"), config,
                                     tok::read_roles(config, map, config_name, map_name), config_name);
  } else {
    std::string have;
    for (const auto& [name, bytes] : files) have += (have.empty() ? "" : ", ") + name;
    std::string hint;
    if (files.count("vocab.json") && !files.count("merges.txt")) hint = " (vocab.json needs merges.txt)";
    throw Error(ErrorCode::MissingFile,
                "no tokenizer found: looked for tokenizer.json, vocab.txt, tokenizer.model, spiece.model, "
                "vocab.json + merges.txt; the repo has: " +
                    (have.empty() ? std::string("no files") : have) + hint);
  }
  tok::apply_hf_configs(*impl, config, map, config_name, map_name);
  impl->infer_roles();
  return Tokenizer(std::move(impl));
}

}  // namespace hubwasm
