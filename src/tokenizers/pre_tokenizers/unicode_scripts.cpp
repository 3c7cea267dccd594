// UnicodeScripts pre-tokenizer (tokenizers pre_tokenizers/unicode_scripts):
// a new piece starts wherever the Unicode script changes. Hiragana, Katakana
// and U+30FC count as Han; a space belongs to any script (it never starts a
// piece and joins the piece before it). Scripts come from PCRE2's Unicode
// tables (\p{Script}); chars of no listed script are "Unknown".
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <sstream>
#include <unordered_map>

#include "tokenizers/components.h"

namespace hubwasm::tok {

namespace {

// Script names PCRE2 10.42 knows (Unicode 15), most frequent first.
const char* const kScripts =
    "Common Latin Han Hiragana Katakana Inherited Greek Cyrillic Arabic Hebrew Hangul Devanagari Bengali Thai "
    "Adlam Ahom Anatolian_Hieroglyphs Armenian Avestan Balinese Bamum Bassa_Vah Batak Bhaiksuki Bopomofo Brahmi "
    "Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian "
    "Coptic Cuneiform Cypriot Cypro_Minoan Deseret Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan "
    "Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Gujarati Gunjala_Gondi Gurmukhi Hanifi_Rohingya "
    "Hanunoo Hatran Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada "
    "Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Lepcha Limbu Linear_A Linear_B Lisu "
    "Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek "
    "Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean "
    "Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian "
    "Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur "
    "Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic "
    "Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese "
    "Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana "
    "Tibetan Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square Kawi";

constexpr int kAny = -1;

class ScriptTable {
 public:
  ScriptTable() {
    std::istringstream in(kScripts);
    std::string name, pattern;
    while (in >> name) {
      int err = 0;
      PCRE2_SIZE off = 0;
      const std::string one = "\\p{" + name + "}";
      // Skip names this PCRE2 build does not know (older Unicode tables).
      pcre2_code* probe = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(one.data()), one.size(), PCRE2_UTF, &err, &off,
                                        nullptr);
      if (!probe) continue;
      pcre2_code_free(probe);
      pattern += (pattern.empty() ? "(" : "|(") + one + ")";
    }
    int err = 0;
    PCRE2_SIZE off = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_ANCHORED,
                          &err, &off, nullptr);
    if (!code_) throw Error(ErrorCode::UnsupportedFeature, "UnicodeScripts: PCRE2 cannot compile the script table");
    han_ = script(U'\u4E00');
    hiragana_ = script(U'\u3042');
    katakana_ = script(U'\u30A2');
    for (char32_t c = 0; c < kAscii; ++c) ascii_[c] = fixed(c, script(c));
  }
  ~ScriptTable() { pcre2_code_free(code_); }
  ScriptTable(const ScriptTable&) = delete;
  ScriptTable& operator=(const ScriptTable&) = delete;

  // tokenizers' fixed_script; `seen` remembers the non-ASCII chars of one call
  // (the table is made with its tokenizer and keeps nothing that grows).
  int fixed_script(char32_t c, std::unordered_map<char32_t, int>& seen) const {
    if (c < kAscii) return ascii_[c];
    if (auto it = seen.find(c); it != seen.end()) return it->second;
    const int id = fixed(c, script(c));
    seen.emplace(c, id);
    return id;
  }

 private:
  static constexpr char32_t kAscii = 128;

  int fixed(char32_t c, int script) const {
    if (c == 0x30FC) return han_;
    if (c == U' ') return kAny;
    return (script == hiragana_ || script == katakana_) ? han_ : script;
  }

  // 1 + the index of the char's script in kScripts, 0 for Unknown.
  int script(char32_t c) const {
    std::string s;
    unicode::append_utf8(s, c);
    struct Md {
      pcre2_match_data* md;
      ~Md() { pcre2_match_data_free(md); }
    } md{pcre2_match_data_create_from_pattern(code_, nullptr)};
    int id = 0;
    const int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, PCRE2_NO_UTF_CHECK, md.md,
                               nullptr);
    if (rc > 1) id = rc - 1;  // the highest group that matched is the only one set
    return id;
  }

  pcre2_code* code_ = nullptr;
  int han_ = 0, hiragana_ = 0, katakana_ = 0;
  int ascii_[kAscii] = {};
};

class UnicodeScripts final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    std::unordered_map<char32_t, int> seen;
    s.split([&](size_t, NormalizedString&& n) {
      const std::string& t = n.get();
      std::vector<size_t> cuts{0};
      std::optional<int> last;
      for (size_t i = 0; i < t.size();) {
        const size_t b = i;
        const int script = table_.fixed_script(unicode::decode_utf8(t, i), seen);
        if (script != kAny && last && *last != kAny && *last != script && b > 0) cuts.push_back(b);
        if (script != kAny) last = script;
      }
      cuts.push_back(t.size());
      std::vector<NormalizedString> out;
      for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        if (auto piece = n.slice(cuts[k], cuts[k + 1])) out.push_back(std::move(*piece));
      }
      return out;
    });
  }

 private:
  const ScriptTable table_;  // compiled with the tokenizer, not once for the process (see ByteLevelPreTokenizer)
};

}  // namespace

PreTokenizerPtr make_unicode_scripts_pre_tokenizer(const json&, const JsonLoc&) {
  return std::make_shared<UnicodeScripts>();
}

}  // namespace hubwasm::tok
