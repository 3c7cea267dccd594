// Tokenizer: loading tokenizer.json, the encode pipeline (added tokens ->
// normalizer -> pre-tokenizer -> model -> truncation -> post-processor ->
// padding) and decoding. Semantics follow tokenizers' tokenizer/mod.rs,
// utils/truncation.rs and utils/padding.rs; per-call option resolution
// follows transformers' PreTrainedTokenizerFast.
#include "tokenizers/tokenizer.h"

#include <algorithm>

#include "tokenizers/tokenizer_impl.h"

namespace hubwasm {

using tok::json;
using tok::JsonLoc;
using tok::PaddingParams;
using tok::TokenizerImpl;
using tok::TruncationParams;
using tok::TruncationStrategy;

namespace tok {

namespace {

TruncationParams parse_truncation(const json& j, const JsonLoc& loc) {
  expect_object(j, loc);
  TruncationParams p;
  p.max_length = get_size(j, "max_length", loc, 512);
  p.stride = get_size(j, "stride", loc, 0);
  const std::string strategy = get_string(j, "strategy", loc, "LongestFirst");
  if (strategy == "LongestFirst") {
    p.strategy = TruncationStrategy::LongestFirst;
  } else if (strategy == "OnlyFirst") {
    p.strategy = TruncationStrategy::OnlyFirst;
  } else if (strategy == "OnlySecond") {
    p.strategy = TruncationStrategy::OnlySecond;
  } else {
    loc["strategy"].fail(ErrorCode::InvalidFile, "\"" + strategy + "\" is not a truncation strategy");
  }
  const std::string direction = get_string(j, "direction", loc, "Right");
  if (direction != "Right" && direction != "Left") {
    loc["direction"].fail(ErrorCode::InvalidFile,
                          "must be \"Left\" or \"Right\" (got \"" + direction + "\")");
  }
  p.left = direction == "Left";
  return p;
}

PaddingParams parse_padding(const json& j, const JsonLoc& loc) {
  expect_object(j, loc);
  PaddingParams p;
  if (const json* s = find_member(j, "strategy"); s && !s->is_null()) {
    const JsonLoc sl = loc["strategy"];
    if (s->is_string() && s->get<std::string>() == "BatchLongest") {
      p.fixed = std::nullopt;
    } else if (s->is_object() && s->size() == 1 && s->contains("Fixed")) {
      p.fixed = as_size((*s)["Fixed"], sl["Fixed"]);
    } else {
      sl.fail(ErrorCode::InvalidFile, "must be \"BatchLongest\" or {\"Fixed\": length}");
    }
  }
  const std::string direction = get_string(j, "direction", loc, "Right");
  if (direction != "Right" && direction != "Left") {
    loc["direction"].fail(ErrorCode::InvalidFile,
                          "must be \"Left\" or \"Right\" (got \"" + direction + "\")");
  }
  p.left = direction == "Left";
  p.pad_to_multiple_of = get_opt_size(j, "pad_to_multiple_of", loc);
  if (const json* v = find_member(j, "pad_id"); v && !v->is_null()) p.pad_id = as_token_id(*v, loc["pad_id"]);
  if (const json* v = find_member(j, "pad_type_id"); v && !v->is_null()) {
    p.pad_type_id = as_token_id(*v, loc["pad_type_id"]);
  }
  p.pad_token = get_string(j, "pad_token", loc, "[PAD]");
  return p;
}

// Encoding::truncate without overflowing parts (they are dropped).
void truncate_encoding(Encoding& e, size_t max_len, size_t stride, bool left) {
  const size_t n = e.ids.size();
  if (max_len >= n) return;
  if (max_len > 0 && stride >= max_len) {
    throw Error(ErrorCode::InvalidArgument, "truncation stride (" + std::to_string(stride) +
                                                ") must be smaller than the truncated length (" +
                                                std::to_string(max_len) + ")");
  }
  auto cut = [&](auto& v) {
    if (left) {
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n - max_len));
    } else {
      v.resize(max_len);
    }
  };
  cut(e.ids);
  cut(e.type_ids);
  cut(e.attention_mask);
  cut(e.special_tokens_mask);
  cut(e.tokens);
  cut(e.offsets);
  cut(e.sequence_ids);
  cut(e.word_ids);
}

// utils/truncation.rs truncate_encodings.
void truncate_encodings(Encoding& e, std::optional<Encoding>& pair, const TruncationParams& p) {
  if (p.max_length == 0) {
    truncate_encoding(e, 0, p.stride, p.left);
    if (pair) truncate_encoding(*pair, 0, p.stride, p.left);
    return;
  }
  const size_t total = e.ids.size() + (pair ? pair->ids.size() : 0);
  if (total <= p.max_length) return;
  const size_t to_remove = total - p.max_length;
  switch (p.strategy) {
    case TruncationStrategy::LongestFirst: {
      if (!pair) {
        truncate_encoding(e, total - to_remove, p.stride, p.left);
        return;
      }
      size_t n1 = e.ids.size(), n2 = pair->ids.size();
      const bool swap = n1 > n2;
      if (swap) std::swap(n1, n2);
      if (n1 > p.max_length) {
        n2 = n1;
      } else {
        n2 = std::max(n1, p.max_length - n1);
      }
      if (n1 + n2 > p.max_length) {
        n1 = p.max_length / 2;
        n2 = n1 + p.max_length % 2;
      }
      if (swap) std::swap(n1, n2);
      truncate_encoding(e, n1, p.stride, p.left);
      truncate_encoding(*pair, n2, p.stride, p.left);
      return;
    }
    case TruncationStrategy::OnlyFirst:
    case TruncationStrategy::OnlySecond: {
      Encoding* target = nullptr;
      if (p.strategy == TruncationStrategy::OnlyFirst) {
        target = &e;
      } else if (pair) {
        target = &*pair;
      } else {
        throw Error(ErrorCode::InvalidArgument, "truncation strategy only_second needs a pair of texts");
      }
      const size_t len = target->ids.size();
      if (len <= to_remove) {
        throw Error(ErrorCode::InvalidArgument,
                    "truncation: the sequence to truncate is too short to respect max_length " +
                        std::to_string(p.max_length));
      }
      truncate_encoding(*target, len - to_remove, p.stride, p.left);
      return;
    }
  }
}

void pad_encoding(Encoding& e, size_t target, const PaddingParams& p) {
  const size_t n = e.ids.size();
  if (n >= target) return;
  if (target > (size_t{1} << 26)) {
    throw Error(ErrorCode::InvalidArgument, "padding length " + std::to_string(target) + " is too large");
  }
  const size_t k = target - n;
  auto pad = [&](auto& v, const auto& value) {
    if (p.left) {
      v.insert(v.begin(), k, value);
    } else {
      v.insert(v.end(), k, value);
    }
  };
  pad(e.ids, p.pad_id);
  pad(e.type_ids, p.pad_type_id);
  pad(e.attention_mask, 0);
  pad(e.special_tokens_mask, 1);
  pad(e.tokens, p.pad_token);
  pad(e.offsets, std::pair<uint32_t, uint32_t>{0, 0});
  pad(e.sequence_ids, -1);
  pad(e.word_ids, -1);
}

// Far above any model's context; a larger padded length (from a hostile
// tokenizer.json or a caller's max_length) would only exhaust memory.
constexpr size_t kMaxPaddedLength = size_t{1} << 20;

// utils/padding.rs pad_encodings.
void pad_encodings(std::vector<Encoding>& encodings, const PaddingParams& p) {
  if (encodings.empty()) return;
  size_t len = 0;
  if (p.fixed) {
    len = *p.fixed;
  } else {
    for (const auto& e : encodings) len = std::max(len, e.ids.size());
  }
  if (p.pad_to_multiple_of && *p.pad_to_multiple_of > 0 && len % *p.pad_to_multiple_of > 0) {
    if (*p.pad_to_multiple_of > kMaxPaddedLength) len = kMaxPaddedLength + 1;
    else len += *p.pad_to_multiple_of - len % *p.pad_to_multiple_of;
  }
  if (len > kMaxPaddedLength) {
    throw Error(ErrorCode::InvalidArgument, "padding: a padded length of " + std::to_string(len) +
                                                " tokens exceeds the limit of " + std::to_string(kMaxPaddedLength));
  }
  for (auto& e : encodings) pad_encoding(e, len, p);
}

// transformers' PreTrainedTokenizerBase.clean_up_tokenization.
std::string clean_up_tokenization(std::string s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
  };
  for (const auto& [from, to] : kRules) replace_all(s, from, to);
  return s;
}

}  // namespace

std::shared_ptr<TokenizerImpl> TokenizerImpl::from_json(const json& root, const std::string& filename) {
  const JsonLoc loc(filename);
  expect_object(root, loc);
  if (const json* v = find_member(root, "version"); v && !v->is_null()) {
    const std::string version = as_string(*v, loc["version"]);
    if (version != "1.0")
      loc["version"].fail(ErrorCode::UnsupportedFeature, "\"" + version + "\" is not supported");
  }
  auto impl = std::make_shared<TokenizerImpl>();
  static const json kNull;
  auto member = [&](const char* key) -> const json& {
    const json* m = find_member(root, key);
    return m ? *m : kNull;
  };
  impl->model = make_model(member("model"), loc["model"]);
  impl->normalizer = make_normalizer(member("normalizer"), loc["normalizer"]);
  impl->pre_tokenizer = make_pre_tokenizer(member("pre_tokenizer"), loc["pre_tokenizer"]);
  impl->post_processor = make_post_processor(member("post_processor"), loc["post_processor"]);
  impl->decoder = make_decoder(member("decoder"), loc["decoder"]);

  if (const json& added = member("added_tokens"); !added.is_null()) {
    const JsonLoc al = loc["added_tokens"];
    expect_array(added, al);
    for (size_t i = 0; i < added.size(); ++i) {
      const JsonLoc tl = al[i];
      const json& t = expect_object(added[i], tl);
      AddedToken token;
      token.content = require_string(t, "content", tl);
      as_token_id(find_member(t, "id") ? t["id"] : kNull, tl["id"]);  // validated, but see below
      token.special = get_bool(t, "special", tl, false);
      token.single_word = get_bool(t, "single_word", tl, false);
      token.lstrip = get_bool(t, "lstrip", tl, false);
      token.rstrip = get_bool(t, "rstrip", tl, false);
      token.normalized = get_bool(t, "normalized", tl, !token.special);
      // Rust's deserializer re-adds each token (AddedVocabulary::add_tokens) and only
      // warns when the resulting id differs from the stored one: an existing token
      // keeps its id (added tokens first, then the model vocabulary), a new one
      // gets the next id after the model vocabulary / the largest added id.
      int32_t id;
      if (auto existing = impl->token_to_id(token.content)) {
        id = *existing;
      } else {
        const auto vocab = static_cast<int32_t>(impl->model->vocab_size());
        const auto max_added = impl->added.max_id();
        id = !max_added ? vocab : (*max_added >= vocab || vocab == 0) ? *max_added + 1 : vocab;
      }
      impl->added.add(token, id);
    }
  }
  impl->added.build(impl->normalizer.get());

  if (const json& t = member("truncation"); !t.is_null())
    impl->truncation = parse_truncation(t, loc["truncation"]);
  if (const json& p = member("padding"); !p.is_null()) impl->padding = parse_padding(p, loc["padding"]);
  return impl;
}

void TokenizerImpl::infer_roles() {
  auto set_if_absent = [&](const std::string& role, std::optional<std::string> value) {
    if (roles.count(role) || !value) return;
    roles[role] = std::move(value);
  };
  auto if_known = [&](const char* token) -> std::optional<std::string> {
    if (token_to_id(token)) return std::string(token);
    return std::nullopt;
  };
  set_if_absent("unk_token", model->unk_token());
  set_if_absent("unk_token", if_known("[UNK]"));
  set_if_absent("cls_token", if_known("[CLS]"));
  set_if_absent("sep_token", if_known("[SEP]"));
  if (post_processor) {
    set_if_absent("cls_token", post_processor->cls_token());
    set_if_absent("sep_token", post_processor->sep_token());
  }
  set_if_absent("pad_token", if_known("[PAD]"));
  if (padding) set_if_absent("pad_token", padding->pad_token);
  set_if_absent("mask_token", if_known("[MASK]"));
}

std::optional<int32_t> TokenizerImpl::token_to_id(std::string_view token) const {
  if (auto id = added.token_to_id(token)) return id;
  return model->token_to_id(token);
}

Encoding TokenizerImpl::encode_single(std::string_view text, int32_t type_id) const {
  if (const size_t bad = unicode::first_invalid_utf8(text); bad != std::string_view::npos) {
    throw Error(ErrorCode::InvalidArgument, "text is not valid UTF-8 (at byte " + std::to_string(bad) + ")");
  }
  PreTokenizedString pts = added.extract_and_normalize(normalizer.get(), text);
  if (pre_tokenizer) pre_tokenizer->pre_tokenize(pts);

  Encoding e;
  std::vector<Token> scratch;
  auto& splits = pts.splits();
  for (size_t idx = 0; idx < splits.size(); ++idx) {
    Split& split = splits[idx];
    std::vector<Token>* tokens = nullptr;
    if (split.tokens) {
      tokens = &*split.tokens;
    } else {
      scratch.clear();
      model->tokenize(split.normalized.get(), scratch);
      tokens = &scratch;
    }
    const size_t shift = split.normalized.offsets_original().first;
    for (Token& t : *tokens) {
      Offsets off = t.offsets;
      if (auto conv = split.normalized.normalized_to_original(t.offsets.first, t.offsets.second)) {
        off = {shift + conv->first, shift + conv->second};
      }
      e.ids.push_back(t.id);
      e.tokens.push_back(std::move(t.value));  // pts is not used after this loop
      e.offsets.emplace_back(static_cast<uint32_t>(off.first), static_cast<uint32_t>(off.second));
      e.word_ids.push_back(static_cast<int32_t>(idx));
    }
  }
  const size_t n = e.ids.size();
  e.type_ids.assign(n, type_id);
  e.attention_mask.assign(n, 1);
  e.special_tokens_mask.assign(n, 0);
  e.sequence_ids.assign(n, type_id);
  return e;
}

Encoding TokenizerImpl::post_process(Encoding e, std::optional<Encoding> pair, bool add_special_tokens,
                                     const std::optional<TruncationParams>& trunc,
                                     const std::optional<PaddingParams>& pad) const {
  if (trunc) {
    const size_t n_added = post_processor ? post_processor->added_tokens(pair.has_value()) : 0;
    TruncationParams p = *trunc;
    if (add_special_tokens && n_added > 0) {
      if (n_added > p.max_length) {
        throw Error(ErrorCode::InvalidArgument, "truncation max_length " + std::to_string(p.max_length) +
                                                    " is smaller than the " + std::to_string(n_added) +
                                                    " special tokens the post-processor adds");
      }
      p.max_length -= n_added;
    }
    truncate_encodings(e, pair, p);
  }
  Encoding out = post_processor ? post_processor->process(std::move(e), std::move(pair), add_special_tokens)
                                : encoding_ops::default_process(std::move(e), std::move(pair));
  if (pad) {
    std::vector<Encoding> one;
    one.push_back(std::move(out));
    pad_encodings(one, *pad);
    out = std::move(one[0]);
  }
  return out;
}

}  // namespace tok

// ---- per-call option resolution (transformers PreTrainedTokenizerFast) ----

namespace {

std::optional<TruncationParams> resolve_truncation(const TokenizerImpl& impl, const EncodeOptions& o) {
  std::optional<TruncationParams> t;
  const bool padding_max = o.padding == "max_length";
  if (o.truncation.has_value()) {
    if (!*o.truncation) return std::nullopt;
    t = impl.truncation.value_or(TruncationParams{});
    if (o.max_length) {
      t->max_length = *o.max_length;
    } else if (!impl.truncation) {
      if (!impl.model_max_length) return std::nullopt;  // transformers: no max length known -> no truncation
      t->max_length = *impl.model_max_length;
    }
    if (!impl.truncation) t->left = impl.truncation_left;
  } else if (impl.truncation) {
    t = impl.truncation;
    if (o.max_length) t->max_length = *o.max_length;
  } else if (o.max_length && !padding_max && (o.padding.empty() || o.padding == "do_not_pad")) {
    t = TruncationParams{};
    t->max_length = *o.max_length;
    t->left = impl.truncation_left;
  } else {
    return std::nullopt;
  }
  if (!o.truncation_strategy.empty()) {
    if (o.truncation_strategy == "longest_first") {
      t->strategy = TruncationStrategy::LongestFirst;
    } else if (o.truncation_strategy == "only_first") {
      t->strategy = TruncationStrategy::OnlyFirst;
    } else if (o.truncation_strategy == "only_second") {
      t->strategy = TruncationStrategy::OnlySecond;
    } else {
      throw Error(ErrorCode::InvalidArgument, "truncation_strategy \"" + o.truncation_strategy +
                                                  "\" is not one of longest_first, only_first, only_second");
    }
  }
  if (o.stride) t->stride = *o.stride;
  if (!o.truncation_side.empty()) {
    if (o.truncation_side != "left" && o.truncation_side != "right") {
      throw Error(ErrorCode::InvalidArgument, "truncation_side must be \"left\" or \"right\"");
    }
    t->left = o.truncation_side == "left";
  }
  return t;
}

std::optional<PaddingParams> resolve_padding(const TokenizerImpl& impl, const EncodeOptions& o) {
  std::optional<PaddingParams> p;
  if (o.padding == "do_not_pad") return std::nullopt;
  if (o.padding.empty()) {
    if (!impl.padding) return std::nullopt;
    p = impl.padding;
  } else if (o.padding == "longest" || o.padding == "max_length") {
    if (impl.padding) {
      p = impl.padding;
    } else {
      p = PaddingParams{};
      auto role = impl.roles.find("pad_token");
      if (role == impl.roles.end() || !role->second) {
        throw Error(ErrorCode::InvalidArgument, "padding requested but the tokenizer has no pad_token");
      }
      auto id = impl.token_to_id(*role->second);
      if (!id) {
        throw Error(ErrorCode::InvalidArgument,
                    "padding requested but pad_token \"" + *role->second + "\" is not in the vocabulary");
      }
      p->pad_token = *role->second;
      p->pad_id = *id;
      p->left = impl.padding_left;
    }
    if (o.padding == "longest") {
      p->fixed = std::nullopt;
    } else {
      std::optional<size_t> len = o.max_length;
      if (!len) len = impl.model_max_length;
      if (!len) {
        throw Error(ErrorCode::InvalidArgument,
                    "padding=\"max_length\" needs max_length (the tokenizer has no model_max_length)");
      }
      p->fixed = *len;
    }
  } else {
    throw Error(ErrorCode::InvalidArgument,
                "padding \"" + o.padding + "\" is not one of \"\", longest, max_length, do_not_pad");
  }
  if (o.pad_to_multiple_of) p->pad_to_multiple_of = *o.pad_to_multiple_of;
  if (!o.padding_side.empty()) {
    if (o.padding_side != "left" && o.padding_side != "right") {
      throw Error(ErrorCode::InvalidArgument, "padding_side must be \"left\" or \"right\"");
    }
    p->left = o.padding_side == "left";
  }
  return p;
}

}  // namespace

Tokenizer Tokenizer::from_json(std::string_view json_bytes, const std::string& filename) {
  const json root = tok::parse_json(json_bytes, filename);
  auto impl = TokenizerImpl::from_json(root, filename);
  impl->infer_roles();
  return Tokenizer(std::move(impl));
}

Encoding Tokenizer::encode(std::string_view text, const std::optional<std::string_view>& pair,
                           const EncodeOptions& options) const {
  const auto trunc = resolve_truncation(*impl_, options);
  const auto pad = resolve_padding(*impl_, options);
  Encoding e = impl_->encode_single(text, 0);
  std::optional<Encoding> p;
  if (pair) p = impl_->encode_single(*pair, 1);
  return impl_->post_process(std::move(e), std::move(p), options.add_special_tokens, trunc, pad);
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts,
                                              const std::vector<std::string>* pairs,
                                              const EncodeOptions& options) const {
  if (pairs && pairs->size() != texts.size()) {
    throw Error(ErrorCode::InvalidArgument, "encode_batch: " + std::to_string(texts.size()) + " texts but " +
                                                std::to_string(pairs->size()) + " pairs");
  }
  const auto trunc = resolve_truncation(*impl_, options);
  const auto pad = resolve_padding(*impl_, options);
  std::vector<Encoding> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    Encoding e = impl_->encode_single(texts[i], 0);
    std::optional<Encoding> p;
    if (pairs) p = impl_->encode_single((*pairs)[i], 1);
    out.push_back(impl_->post_process(std::move(e), std::move(p), options.add_special_tokens, trunc, pad));
  }
  if (pad) tok::pad_encodings(out, *pad);
  return out;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens,
                              bool clean_up_tokenization_spaces) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (const tok::AddedToken* t = impl_->added.token_for_id(id)) {
      if (skip_special_tokens && t->special) continue;
      tokens.push_back(t->content);
    } else if (auto s = impl_->model->id_to_token(id)) {
      if (skip_special_tokens && impl_->added.is_special(*s)) continue;
      tokens.emplace_back(*s);
    }
  }
  std::string text;
  if (impl_->decoder) {
    impl_->decoder->decode_chain(tokens);
    size_t total = 0;
    for (const auto& t : tokens) total += t.size();
    text.reserve(total);
    for (const auto& t : tokens) text += t;
  } else {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) text += ' ';
      text += tokens[i];
    }
  }
  return clean_up_tokenization_spaces ? tok::clean_up_tokenization(std::move(text)) : text;
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  return impl_->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int32_t id) const {
  if (const tok::AddedToken* t = impl_->added.token_for_id(id)) return t->content;
  if (auto s = impl_->model->id_to_token(id)) return std::string(*s);
  return std::nullopt;
}

size_t Tokenizer::vocab_size(bool with_added_tokens) const {
  size_t n = impl_->model->vocab_size();
  if (!with_added_tokens) return n;
  for (const auto& [id, t] : impl_->added.tokens()) {
    auto model_id = impl_->model->token_to_id(t.content);
    if (!model_id) ++n;  // tokens already in the model vocabulary are not counted twice
  }
  return n;
}

std::optional<std::string> Tokenizer::special_token(const std::string& role) const {
  auto it = impl_->roles.find(role);
  if (it == impl_->roles.end()) return std::nullopt;
  return it->second;
}

std::optional<int32_t> Tokenizer::special_token_id(const std::string& role) const {
  auto t = special_token(role);
  if (!t) return std::nullopt;
  return impl_->token_to_id(*t);
}

std::optional<size_t> Tokenizer::model_max_length() const { return impl_->model_max_length; }

std::optional<bool> Tokenizer::clean_up_tokenization_spaces() const {
  return impl_->clean_up_tokenization_spaces;
}

}  // namespace hubwasm
