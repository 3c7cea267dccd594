// Repos without tokenizer.json: vocab.json + merges.txt (GPT-2 / RoBERTa) and
// tokenizer.model (SentencePiece, through the sentencepiece library) must give
// what the repo's tokenizer.json gives (where the repo has one), and the
// botchan-llama fixture (tokenizer.model only) its reference prompt ids.
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "test_tokenizer_common.h"

using hubwasm::EncodeOptions;
using hubwasm::Tokenizer;
using tokt::ints;
using tokt::json;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> texts;
  const json inputs = tokt::load_json("tokenizer-vectors/swift-transformers-multilingual-conformance/inputs.json");
  for (const auto& in : inputs) texts.push_back(in.at("text"));
  const std::string inp = read_file(shared_path("tokenizer-vectors/llama.cpp/ggml-vocab-gpt-2.gguf.inp"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (size_t start = 0, pos; (pos = inp.find(sep, start)) != std::string::npos; start = pos + sep.size()) {
    texts.push_back(inp.substr(start, pos - start));
  }
  for (const char* t :
       {"<s>Hello</s> world", "  leading and trailing  ", "<|endoftext|>x<|endoftext|>", "a <mask> b",
        "Tab\tnew\nline\r\n", "emoji 👩‍👩‍👧 ZWJ", "e\u0301 combining", "\u00a0nbsp\u00a0"}) {
    texts.emplace_back(t);
  }
  return texts;
}

std::map<std::string, std::string> without(std::map<std::string, std::string> files, const char* name) {
  files.erase(name);
  return files;
}

size_t compare(const Tokenizer& a, const Tokenizer& b, const std::vector<std::string>& texts, bool offsets) {
  size_t n = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    INFO("text " << i << ": " << json(texts[i]).dump());
    const auto ea = a.encode(texts[i]);
    const auto eb = b.encode(texts[i]);
    CHECK(ea.ids == eb.ids);
    CHECK(ea.type_ids == eb.type_ids);
    CHECK(ea.special_tokens_mask == eb.special_tokens_mask);
    if (offsets) CHECK(ea.offsets == eb.offsets);
    CHECK(a.decode(ea.ids) == b.decode(ea.ids));
    CHECK(a.decode(ea.ids, true) == b.decode(ea.ids, true));
    const std::string pair = texts[(i + 1) % texts.size()];
    CHECK(a.encode(texts[i], std::string_view(pair)).ids == b.encode(texts[i], std::string_view(pair)).ids);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("vocab.json + merges.txt equals tokenizer.json (GPT-2, RoBERTa)", "[tokenizer][sources]") {
  const auto texts = corpus();
  for (const char* dir : {"openai-community--gpt2", "FacebookAI--roberta-base", "hubwasm-fixtures--micro-gpt2"}) {
    INFO(dir);
    auto files = tokt::repo_files(
        dir, {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"});
    // roberta-base's tokenizer_config.json names no class: AutoTokenizer goes by config.json.
    if (std::string(dir) == "FacebookAI--roberta-base") files["config.json"] = R"({"model_type": "roberta"})";
    REQUIRE(files.count("tokenizer.json"));
    REQUIRE(files.count("merges.txt"));
    const Tokenizer from_json = Tokenizer::from_files(files);
    const Tokenizer from_bpe = Tokenizer::from_files(without(files, "tokenizer.json"));
    CHECK(from_bpe.vocab_size() == from_json.vocab_size());
    const size_t n = compare(from_json, from_bpe, texts, true);
    if (std::string(dir) == "FacebookAI--roberta-base") {
      // RobertaTokenizer's defaults (the tokenizer.json path has no config naming them).
      CHECK(from_bpe.special_token_id("bos_token") == std::optional<int32_t>(0));
      CHECK(from_bpe.special_token_id("pad_token") == std::optional<int32_t>(1));
      CHECK(from_bpe.special_token_id("eos_token") == std::optional<int32_t>(2));
      CHECK(from_bpe.special_token_id("unk_token") == std::optional<int32_t>(3));
      CHECK(from_bpe.special_token_id("mask_token") == std::optional<int32_t>(50264));
    } else {
      for (const char* role : {"bos_token", "eos_token", "unk_token", "pad_token", "mask_token"}) {
        INFO(role);
        CHECK(from_bpe.special_token_id(role) == from_json.special_token_id(role));
      }
    }
    std::cout << "[tokenizer] " << dir << ": vocab.json+merges.txt = tokenizer.json on " << n << " texts (+pairs)\n";
  }
  // tiny-random-gpt2: vocab.json + merges.txt only, no tokenizer_config.json (GPT-2 defaults).
  const Tokenizer tiny = Tokenizer::from_files(
      tokt::repo_files("hf-internal-testing--tiny-random-gpt2", {"vocab.json", "merges.txt", "tokenizer_config.json"}));
  const auto e = tiny.encode("Hello world, this is a test.");
  CHECK(!e.ids.empty());
  CHECK(tiny.decode(e.ids) == "Hello world, this is a test.");
  CHECK(tiny.special_token("eos_token") == std::optional<std::string>("<|endoftext|>"));
}

TEST_CASE("tokenizer.model (sentencepiece) equals Llama-2 tokenizer.json", "[tokenizer][sources]") {
  const auto files = tokt::repo_files("meta-llama--Llama-2-tokenizer", {"tokenizer.json", "tokenizer_config.json",
                                                                        "special_tokens_map.json", "tokenizer.model"});
  REQUIRE(files.count("tokenizer.model"));
  const Tokenizer from_json = Tokenizer::from_files(files);
  const Tokenizer from_spm = Tokenizer::from_files(without(files, "tokenizer.json"));
  std::vector<std::string> texts;
  // The tokenizer.json copy lost U+00A0 (see test_tokenizer_hub.cpp); the
  // sentencepiece model did not, so NBSP texts are left out of this comparison.
  for (auto& t : corpus()) {
    if (t.find("\xC2\xA0") == std::string::npos) texts.push_back(std::move(t));
  }
  const size_t n = compare(from_json, from_spm, texts, true);
  // llama.cpp llama-spm vectors straight from tokenizer.model.
  const std::string base = "tokenizer-vectors/llama.cpp/ggml-vocab-llama-spm.gguf";
  const std::string inp = read_file(shared_path(base + ".inp"));
  std::istringstream out(read_file(shared_path(base + ".out")));
  const std::string sep = "\n__ggml_vocab_test__\n";
  EncodeOptions raw;
  raw.add_special_tokens = false;
  size_t cases = 0, ok = 0;
  for (size_t start = 0, pos; (pos = inp.find(sep, start)) != std::string::npos; start = pos + sep.size()) {
    const std::string text = inp.substr(start, pos - start);
    std::string line;
    std::getline(out, line);
    std::istringstream ids(line);
    std::vector<int32_t> expected;
    for (int32_t id; ids >> id;) expected.push_back(id);
    INFO(json(text).dump());
    const auto got = from_spm.encode(text, std::nullopt, raw).ids;
    CHECK(got == expected);
    ++cases;
    ok += got == expected;
  }
  std::cout << "[tokenizer] Llama-2 tokenizer.model = tokenizer.json on " << n << " texts (+pairs); llama-spm vectors "
            << ok << "/" << cases << "\n";
}

TEST_CASE("botchan-llama (tokenizer.model only) gives its reference prompt ids", "[tokenizer][sources]") {
  const auto files = tokt::repo_files("hubwasm-fixtures--botchan-llama",
                                      {"tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"});
  REQUIRE_FALSE(files.count("tokenizer.json"));
  const Tokenizer tok = Tokenizer::from_files(files);
  const json ref = tokt::load_json("models/hubwasm-fixtures--botchan-llama/reference/greedy.json");
  size_t n = 0;
  for (const auto& c : ref.at("cases")) {
    const std::string prompt = c.at("prompt");
    INFO(prompt);
    const auto e = tok.encode(prompt);
    CHECK(e.ids == ints(c.at("prompt_ids")));
    CHECK(e.tokens == c.at("prompt_pieces").get<std::vector<std::string>>());
    std::vector<int32_t> all = ints(c.at("prompt_ids"));
    for (int32_t id : ints(c.at("new_ids"))) all.push_back(id);
    CHECK(tok.decode(all, true) == c.at("full_text").get<std::string>());
    ++n;
  }
  CHECK(tok.special_token_id("bos_token") == std::optional<int32_t>(1));
  CHECK(tok.special_token_id("eos_token") == std::optional<int32_t>(2));
  CHECK(tok.special_token_id("unk_token") == std::optional<int32_t>(0));
  CHECK(tok.vocab_size() == 1024);
  CHECK(tok.model_max_length() == std::optional<size_t>(256));
  std::cout << "[tokenizer] botchan-llama tokenizer.model: " << n << " reference prompts checked\n";
}

TEST_CASE("tokenizer_config.json on top of tokenizer.json, as PreTrainedTokenizerFast does", "[tokenizer][sources]") {
  auto files = tokt::repo_files("hubwasm-fixtures--micro-llama", {"tokenizer.json", "tokenizer_config.json"});
  json cfg = json::parse(files.at("tokenizer_config.json"));
  const Tokenizer base = Tokenizer::from_files(files);
  const auto plain = base.encode("hello world");
  CHECK(plain.ids.front() == 1);  // <s>
  CHECK(plain.ids.back() != 2);
  // LlamaTokenizerFast.update_post_processor: add_eos_token adds </s> (type ids follow the template).
  cfg["add_eos_token"] = true;
  files["tokenizer_config.json"] = cfg.dump();
  const Tokenizer with_eos = Tokenizer::from_files(files);
  const auto e = with_eos.encode("hello world");
  CHECK(e.ids.back() == 2);
  CHECK(e.size() == plain.size() + 1);
  const auto p = with_eos.encode("a", std::string_view("b"));
  CHECK(p.ids.front() == 1);
  CHECK(p.ids.back() == 2);
  CHECK(p.type_ids.back() == 1);
  cfg["add_bos_token"] = false;
  files["tokenizer_config.json"] = cfg.dump();
  CHECK(Tokenizer::from_files(files).encode("hello world").ids.front() != 1);
  // added_tokens_decoder entries that tokenizer.json lacks become added tokens.
  cfg["add_bos_token"] = true;
  cfg["add_eos_token"] = false;
  cfg["added_tokens_decoder"]["2000"] = {{"content", "<|user|>"}, {"lstrip", false},      {"rstrip", true},
                                         {"normalized", false},   {"single_word", false}, {"special", true}};
  files["tokenizer_config.json"] = cfg.dump();
  const Tokenizer with_added = Tokenizer::from_files(files);
  const auto u = with_added.encode("<|user|>  hi");
  CHECK(u.ids[1] == 2000);
  CHECK(u.tokens[1] == "<|user|>  ");  // rstrip: the token's text and offsets take the spaces (as in Rust)
  CHECK(u.offsets[1] == std::pair<uint32_t, uint32_t>{0, 10});
  CHECK(with_added.decode(u.ids, true) == with_added.decode(with_added.encode("hi").ids, true));
}

#include "tokenizers/components.h"

namespace {

std::string base64_decode(const std::string& in) {
  std::string out;
  uint32_t val = 0;
  int bits = -8;
  for (unsigned char c : in) {
    int d;
    if (c >= 'A' && c <= 'Z') {
      d = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      d = c - '0' + 52;
    } else if (c == '+') {
      d = 62;
    } else if (c == '/') {
      d = 63;
    } else {
      break;
    }
    val = ((val << 6) | static_cast<uint32_t>(d)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string varint(uint64_t v) {
  std::string s;
  do {
    unsigned char b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    s.push_back(static_cast<char>(b));
  } while (v);
  return s;
}

}  // namespace

TEST_CASE("T5-style spiece.model pipeline = sentencepiece's own normalization (Precompiled charsmap)",
          "[tokenizer][sources]") {
  // No spiece.model of T5 here: botchan-llama's model with T5's
  // precompiled_charsmap (from t5-small's tokenizer.json) merged into its
  // normalizer_spec stands in. Our pipeline (Precompiled normalizer parsed by
  // us + WhitespaceSplit + Metaspace + sentencepiece with normalization off)
  // must give what sentencepiece gives with its own normalizer.
  const std::string model = read_file(shared_path("models/hubwasm-fixtures--botchan-llama/tokenizer.model"));
  const json t5 = tokt::load_json("models/google-t5--t5-small/tokenizer.json");
  const std::string charsmap = base64_decode(t5.at("normalizer").at("precompiled_charsmap").get<std::string>());
  const std::string spec = std::string("\x0A\x08nmt_nfkc") + "\x12" + varint(charsmap.size()) + charsmap;
  const std::string patched = model + "\x1A" + varint(spec.size()) + spec;
  REQUIRE(hubwasm::tok::sentencepiece_charsmap(patched, "spiece.model") == charsmap);
  const Tokenizer ours =
      Tokenizer::from_files({{"spiece.model", patched}, {"tokenizer_config.json", R"({"tokenizer_class": "T5Tokenizer"})"}});
  const auto raw = hubwasm::tok::make_sentencepiece_model(patched, "spiece.model", true);
  std::vector<std::string> texts = corpus();
  for (const char* t : {"ﬁne ①②  Ｈｅｌｌｏ", "Ａ　Ｂ", "x\u00a0y", "caf\u00e9 cafe\u0301", "\u2163 \u33A1 \u00BD"}) texts.emplace_back(t);
  size_t n = 0;
  for (const auto& t : texts) {
    if (t.find("</s>") != std::string::npos) continue;  // an added special token for us, plain text for raw spm
    INFO(json(t).dump());
    const auto e = ours.encode(t);
    REQUIRE(!e.ids.empty());
    CHECK(e.ids.back() == 2);  // "$A </s>"
    std::vector<hubwasm::tok::Token> r;
    raw->tokenize(t, r);
    std::vector<int32_t> expected;
    for (const auto& x : r) expected.push_back(x.id);
    CHECK(std::vector<int32_t>(e.ids.begin(), e.ids.end() - 1) == expected);
    ++n;
  }
  std::cout << "[tokenizer] T5-style spiece.model pipeline = sentencepiece normalization on " << n << " texts\n";
}
