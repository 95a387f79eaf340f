// khobor/feeds/entities.cpp — the HTML 4 named character references (plus &apos;),
// sorted by name for binary search. Generated once from the HTML 4.01 entity sets.
#include "feeds/entities.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace khobor::feeds::detail {

namespace {

struct NamedEntity {
  std::string_view name;
  char32_t code;
};

constexpr std::array<NamedEntity, 253> k_entities{{
    {"AElig", 198},    {"Aacute", 193},  {"Acirc", 194},   {"Agrave", 192},  {"Alpha", 913},
    {"Aring", 197},    {"Atilde", 195},  {"Auml", 196},    {"Beta", 914},    {"Ccedil", 199},
    {"Chi", 935},      {"Dagger", 8225}, {"Delta", 916},   {"ETH", 208},     {"Eacute", 201},
    {"Ecirc", 202},    {"Egrave", 200},  {"Epsilon", 917}, {"Eta", 919},     {"Euml", 203},
    {"Gamma", 915},    {"Iacute", 205},  {"Icirc", 206},   {"Igrave", 204},  {"Iota", 921},
    {"Iuml", 207},     {"Kappa", 922},   {"Lambda", 923},  {"Mu", 924},      {"Ntilde", 209},
    {"Nu", 925},       {"OElig", 338},   {"Oacute", 211},  {"Ocirc", 212},   {"Ograve", 210},
    {"Omega", 937},    {"Omicron", 927}, {"Oslash", 216},  {"Otilde", 213},  {"Ouml", 214},
    {"Phi", 934},      {"Pi", 928},      {"Prime", 8243},  {"Psi", 936},     {"Rho", 929},
    {"Scaron", 352},   {"Sigma", 931},   {"THORN", 222},   {"Tau", 932},     {"Theta", 920},
    {"Uacute", 218},   {"Ucirc", 219},   {"Ugrave", 217},  {"Upsilon", 933}, {"Uuml", 220},
    {"Xi", 926},       {"Yacute", 221},  {"Yuml", 376},    {"Zeta", 918},    {"aacute", 225},
    {"acirc", 226},    {"acute", 180},   {"aelig", 230},   {"agrave", 224},  {"alefsym", 8501},
    {"alpha", 945},    {"amp", 38},      {"and", 8743},    {"ang", 8736},    {"apos", 39},
    {"aring", 229},    {"asymp", 8776},  {"atilde", 227},  {"auml", 228},    {"bdquo", 8222},
    {"beta", 946},     {"brvbar", 166},  {"bull", 8226},   {"cap", 8745},    {"ccedil", 231},
    {"cedil", 184},    {"cent", 162},    {"chi", 967},     {"circ", 710},    {"clubs", 9827},
    {"cong", 8773},    {"copy", 169},    {"crarr", 8629},  {"cup", 8746},    {"curren", 164},
    {"dArr", 8659},    {"dagger", 8224}, {"darr", 8595},   {"deg", 176},     {"delta", 948},
    {"diams", 9830},   {"divide", 247},  {"eacute", 233},  {"ecirc", 234},   {"egrave", 232},
    {"empty", 8709},   {"emsp", 8195},   {"ensp", 8194},   {"epsilon", 949}, {"equiv", 8801},
    {"eta", 951},      {"eth", 240},     {"euml", 235},    {"euro", 8364},   {"exist", 8707},
    {"fnof", 402},     {"forall", 8704}, {"frac12", 189},  {"frac14", 188},  {"frac34", 190},
    {"frasl", 8260},   {"gamma", 947},   {"ge", 8805},     {"gt", 62},       {"hArr", 8660},
    {"harr", 8596},    {"hearts", 9829}, {"hellip", 8230}, {"iacute", 237},  {"icirc", 238},
    {"iexcl", 161},    {"igrave", 236},  {"image", 8465},  {"infin", 8734},  {"int", 8747},
    {"iota", 953},     {"iquest", 191},  {"isin", 8712},   {"iuml", 239},    {"kappa", 954},
    {"lArr", 8656},    {"lambda", 955},  {"lang", 9001},   {"laquo", 171},   {"larr", 8592},
    {"lceil", 8968},   {"ldquo", 8220},  {"le", 8804},     {"lfloor", 8970}, {"lowast", 8727},
    {"loz", 9674},     {"lrm", 8206},    {"lsaquo", 8249}, {"lsquo", 8216},  {"lt", 60},
    {"macr", 175},     {"mdash", 8212},  {"micro", 181},   {"middot", 183},  {"minus", 8722},
    {"mu", 956},       {"nabla", 8711},  {"nbsp", 160},    {"ndash", 8211},  {"ne", 8800},
    {"ni", 8715},      {"not", 172},     {"notin", 8713},  {"nsub", 8836},   {"ntilde", 241},
    {"nu", 957},       {"oacute", 243},  {"ocirc", 244},   {"oelig", 339},   {"ograve", 242},
    {"oline", 8254},   {"omega", 969},   {"omicron", 959}, {"oplus", 8853},  {"or", 8744},
    {"ordf", 170},     {"ordm", 186},    {"oslash", 248},  {"otilde", 245},  {"otimes", 8855},
    {"ouml", 246},     {"para", 182},    {"part", 8706},   {"permil", 8240}, {"perp", 8869},
    {"phi", 966},      {"pi", 960},      {"piv", 982},     {"plusmn", 177},  {"pound", 163},
    {"prime", 8242},   {"prod", 8719},   {"prop", 8733},   {"psi", 968},     {"quot", 34},
    {"rArr", 8658},    {"radic", 8730},  {"rang", 9002},   {"raquo", 187},   {"rarr", 8594},
    {"rceil", 8969},   {"rdquo", 8221},  {"real", 8476},   {"reg", 174},     {"rfloor", 8971},
    {"rho", 961},      {"rlm", 8207},    {"rsaquo", 8250}, {"rsquo", 8217},  {"sbquo", 8218},
    {"scaron", 353},   {"sdot", 8901},   {"sect", 167},    {"shy", 173},     {"sigma", 963},
    {"sigmaf", 962},   {"sim", 8764},    {"spades", 9824}, {"sub", 8834},    {"sube", 8838},
    {"sum", 8721},     {"sup", 8835},    {"sup1", 185},    {"sup2", 178},    {"sup3", 179},
    {"supe", 8839},    {"szlig", 223},   {"tau", 964},     {"there4", 8756}, {"theta", 952},
    {"thetasym", 977}, {"thinsp", 8201}, {"thorn", 254},   {"tilde", 732},   {"times", 215},
    {"trade", 8482},   {"uArr", 8657},   {"uacute", 250},  {"uarr", 8593},   {"ucirc", 251},
    {"ugrave", 249},   {"uml", 168},     {"upsih", 978},   {"upsilon", 965}, {"uuml", 252},
    {"weierp", 8472},  {"xi", 958},      {"yacute", 253},  {"yen", 165},     {"yuml", 255},
    {"zeta", 950},     {"zwj", 8205},    {"zwnj", 8204},
}};

}  // namespace

std::optional<char32_t> lookup_entity(std::string_view name) {
  auto it = std::lower_bound(k_entities.begin(), k_entities.end(), name,
                             [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  if (it != k_entities.end() && it->name == name) {
    return it->code;
  }
  return std::nullopt;
}

}  // namespace khobor::feeds::detail

namespace khobor::feeds::detail {

void append_utf8(std::string& out, char32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = 0xFFFD;
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Windows-1252 meanings of the C1 range, as HTML parsers apply them to &#128;…&#159;.
constexpr char32_t k_cp1252_c1[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

}  // namespace

char32_t cp1252_c1(unsigned char c) {
  return c >= 0x80 && c <= 0x9F ? k_cp1252_c1[c - 0x80] : c;
}

size_t decode_reference(std::string_view s, std::string& out) {
  if (s.size() < 3 || s[0] != '&') {
    return 0;
  }
  if (s[1] == '#') {
    size_t i = 2;
    bool hex = false;
    if (i < s.size() && (s[i] == 'x' || s[i] == 'X')) {
      hex = true;
      ++i;
    }
    size_t start = i;
    uint32_t cp = 0;
    while (i < s.size() && i - start < 8) {
      char c = s[i];
      int d = -1;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (hex && c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (hex && c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      }
      if (d < 0) {
        break;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      ++i;
    }
    if (i == start) {
      return 0;
    }
    if (i < s.size() && s[i] == ';') {
      ++i;
    }
    if (cp >= 0x80 && cp < 0xA0) {
      cp = k_cp1252_c1[cp - 0x80];
    }
    append_utf8(out, cp);
    return i;
  }
  size_t i = 1;
  while (i < s.size() && i < 12 && is_alnum(s[i])) {
    ++i;
  }
  if (i == 1) {
    return 0;
  }
  auto code = lookup_entity(s.substr(1, i - 1));
  if (!code) {
    return 0;
  }
  if (i < s.size() && s[i] == ';') {
    ++i;
  }
  append_utf8(out, *code);
  return i;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, amp - i));
    size_t used = decode_reference(s.substr(amp), out);
    if (used == 0) {
      out.push_back('&');
      i = amp + 1;
    } else {
      i = amp + used;
    }
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    return 1;
  }
  size_t n = 0;
  uint32_t min = 0;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  uint32_t cp = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

bool is_valid_utf8_portable(std::string_view s, bool* has_control) {
  // 1 for the C0 controls XML forbids (all but tab, LF, CR).
  static constexpr auto k_bad = [] {
    std::array<unsigned char, 256> t{};
    for (size_t c = 0; c < 0x20; ++c) {
      t[c] = 1;
    }
    t['\t'] = t['\n'] = t['\r'] = 0;
    return t;
  }();
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  unsigned control = 0;
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ULL) == 0) {  // eight ASCII bytes, branch-free control check
        control |= k_bad[p[0]] | k_bad[p[1]] | k_bad[p[2]] | k_bad[p[3]] | k_bad[p[4]] |
                   k_bad[p[5]] | k_bad[p[6]] | k_bad[p[7]];
        p += 8;
        continue;
      }
      // Bengali (U+0980…U+09FF is E0 A6 xx / E0 A7 xx): a run of them, one test each.
      auto w32 = static_cast<uint32_t>(w);
      if ((w32 & 0xC0FEFFu) == 0x80A6E0u) {
        p += 3;
        while (end - p >= 4) {
          uint32_t x;
          std::memcpy(&x, p, 4);
          if ((x & 0xC0FEFFu) != 0x80A6E0u) {
            break;
          }
          p += 3;
        }
        continue;
      }
    }
    unsigned c = *p;
    if (c < 0x80) {
      control |= k_bad[c];
      ++p;
      continue;
    }
    if (c >= 0xE0 && c <= 0xEF) {  // other three-byte characters
      if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
          (c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)) {
        return false;
      }
      p += 3;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (end - p < 2 || (p[1] & 0xC0) != 0x80) {
        return false;
      }
      p += 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80 ||
          (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)) {
        return false;
      }
      p += 4;
    } else {
      return false;
    }
  }
  if (has_control != nullptr) {
    *has_control = control != 0;
  }
  return true;
}

#if defined(__x86_64__) || defined(__i386__)

namespace {

// UTF-8 validation sixteen bytes at a time (SSSE3), after Keiser and Lemire,
// "Validating UTF-8 in less than one instruction per byte" (2021): each byte pair
// (previous byte, byte) is classified by three 16-entry table look-ups (high nibble
// of the previous byte, its low nibble, high nibble of the byte); a non-zero AND of
// the three names an error, except that two continuation bytes in a row are right
// exactly where the byte two or three back was a 3- or 4-byte lead.
constexpr uint8_t k_too_short = 1 << 0;       // lead or ASCII where a continuation must be
constexpr uint8_t k_too_long = 1 << 1;        // continuation after ASCII
constexpr uint8_t k_overlong_3 = 1 << 2;      // E0 80..9F
constexpr uint8_t k_too_large = 1 << 3;       // F4 90..BF, F5.. any
constexpr uint8_t k_surrogate = 1 << 4;       // ED A0..BF
constexpr uint8_t k_overlong_2 = 1 << 5;      // C0, C1
constexpr uint8_t k_too_large_1000 = 1 << 6;  // F5..FF 80..8F
constexpr uint8_t k_overlong_4 = 1 << 6;      // F0 80..8F
constexpr uint8_t k_two_conts = 1 << 7;       // continuation after continuation
constexpr uint8_t k_carry = k_too_short | k_too_long | k_two_conts;

// The three nibble tables of the check (Keiser and Lemire), shared by the SSSE3 and
// AVX2 paths: by the high nibble of the byte before, by its low nibble, and by the
// high nibble of the byte itself; each entry is the set of errors that nibble allows.
constexpr char k_c = static_cast<char>(k_carry);
constexpr char k_c_large = static_cast<char>(k_carry | k_too_large);
constexpr char k_c_larger = static_cast<char>(k_carry | k_too_large | k_too_large_1000);
constexpr char k_cont_8 = static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_overlong_3 |
                                            k_too_large_1000 | k_overlong_4);
constexpr char k_cont_9 =
    static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_overlong_3 | k_too_large);
constexpr char k_cont_ab =
    static_cast<char>(k_too_long | k_overlong_2 | k_two_conts | k_surrogate | k_too_large);
alignas(16) constexpr char k_byte_1_high[16] = {
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    k_too_long,
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    static_cast<char>(k_two_conts),
    k_too_short | k_overlong_2,
    k_too_short,
    k_too_short | k_overlong_3 | k_surrogate,
    k_too_short | k_too_large | k_too_large_1000 | k_overlong_4};
alignas(16) constexpr char k_byte_1_low[16] = {
    static_cast<char>(k_carry | k_overlong_3 | k_overlong_2 | k_overlong_4),
    static_cast<char>(k_carry | k_overlong_2),
    k_c,
    k_c,
    k_c_large,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    k_c_larger,
    static_cast<char>(k_carry | k_too_large | k_too_large_1000 | k_surrogate),
    k_c_larger,
    k_c_larger};
alignas(16) constexpr char k_byte_2_high[16] = {k_too_short, k_too_short, k_too_short, k_too_short,
                                                k_too_short, k_too_short, k_too_short, k_too_short,
                                                k_cont_8,    k_cont_9,    k_cont_ab,   k_cont_ab,
                                                k_too_short, k_too_short, k_too_short, k_too_short};

inline __m128i load_table(const char (&t)[16]) {
  return _mm_load_si128(reinterpret_cast<const __m128i*>(t));
}

struct Utf8State {
  __m128i error;
  __m128i prev;
  __m128i prev_incomplete;
  __m128i control;
};

__attribute__((target("ssse3"))) inline __m128i nibble_lookup(__m128i table, __m128i index) {
  return _mm_shuffle_epi8(table, index);
}

__attribute__((target("ssse3"))) inline void utf8_block(Utf8State& st, __m128i in,
                                                        bool want_control) {
  if (want_control) {
    // C0 controls other than tab, LF and CR.
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(in, _mm_set1_epi8(0x1F)), in);
    __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(in, _mm_set1_epi8('\t')),
                                                _mm_cmpeq_epi8(in, _mm_set1_epi8('\n'))),
                                   _mm_cmpeq_epi8(in, _mm_set1_epi8('\r')));
    st.control = _mm_or_si128(st.control, _mm_andnot_si128(allowed, low));
  }
  if (_mm_movemask_epi8(in) == 0) {
    // All ASCII: only a sequence cut at the end of the previous block is wrong.
    st.error = _mm_or_si128(st.error, st.prev_incomplete);
    st.prev = in;
    st.prev_incomplete = _mm_setzero_si128();
    return;
  }
  const __m128i t1 = load_table(k_byte_1_high);
  const __m128i t2 = load_table(k_byte_1_low);
  const __m128i t3 = load_table(k_byte_2_high);
  const __m128i nibble = _mm_set1_epi8(0x0F);
  __m128i prev1 = _mm_alignr_epi8(in, st.prev, 15);
  __m128i special = _mm_and_si128(
      _mm_and_si128(nibble_lookup(t1, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),
                    nibble_lookup(t2, _mm_and_si128(prev1, nibble))),
      nibble_lookup(t3, _mm_and_si128(_mm_srli_epi16(in, 4), nibble)));
  __m128i prev2 = _mm_alignr_epi8(in, st.prev, 14);
  __m128i prev3 = _mm_alignr_epi8(in, st.prev, 13);
  // Bit 7 set where prev2 >= E0 or prev3 >= F0: a continuation must be here.
  __m128i must23 =
      _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8(static_cast<char>(0xE0 - 0x80))),
                   _mm_subs_epu8(prev3, _mm_set1_epi8(static_cast<char>(0xF0 - 0x80))));
  __m128i must23_80 = _mm_and_si128(must23, _mm_set1_epi8(static_cast<char>(0x80)));
  st.error = _mm_or_si128(st.error, _mm_xor_si128(must23_80, special));
  // A lead byte in the last three positions that its sequence cannot fit behind.
  const __m128i k_max =
      _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xF0 - 1),
                    static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  st.prev_incomplete = _mm_subs_epu8(in, k_max);
  st.prev = in;
}

__attribute__((target("ssse3"))) bool valid_utf8_ssse3(std::string_view s, bool* has_control) {
  Utf8State st{_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
  const bool want_control = has_control != nullptr;
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    utf8_block(st, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), want_control);
    if ((i & 0xFFF) == 0 &&
        _mm_movemask_epi8(_mm_cmpeq_epi8(st.error, _mm_setzero_si128())) != 0xFFFF) {
      return false;  // stop early on a long invalid body
    }
  }
  // The tail, padded with spaces (ASCII, no control): a sequence cut by the end of
  // the text meets a space where its continuation should be.
  alignas(16) char tail[16];
  std::memset(tail, ' ', sizeof tail);
  if (n > i) {
    std::memcpy(tail, p + i, n - i);
  }
  utf8_block(st, _mm_load_si128(reinterpret_cast<const __m128i*>(tail)), want_control);
  st.error = _mm_or_si128(st.error, st.prev_incomplete);
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(st.error, _mm_setzero_si128())) != 0xFFFF) {
    return false;
  }
  if (want_control) {
    *has_control = _mm_movemask_epi8(st.control) != 0;
  }
  return true;
}

// The same thirty-two bytes at a time (AVX2): the tables repeat in both 128-bit
// lanes, and the bytes before each lane come from the lane below (or `prev`).
struct Utf8State256 {
  __m256i error;
  __m256i prev;
  __m256i prev_incomplete;
  __m256i control;
};

__attribute__((target("avx2"))) inline __m256i lanes(__m128i t) {
  return _mm256_broadcastsi128_si256(t);
}

__attribute__((target("avx2"))) inline void utf8_block256(Utf8State256& st, __m256i in,
                                                          bool want_control) {
  if (want_control) {
    __m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(in, _mm256_set1_epi8(0x1F)), in);
    __m256i allowed =
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(in, _mm256_set1_epi8('\t')),
                                        _mm256_cmpeq_epi8(in, _mm256_set1_epi8('\n'))),
                        _mm256_cmpeq_epi8(in, _mm256_set1_epi8('\r')));
    st.control = _mm256_or_si256(st.control, _mm256_andnot_si256(allowed, low));
  }
  if (_mm256_movemask_epi8(in) == 0) {
    st.error = _mm256_or_si256(st.error, st.prev_incomplete);
    st.prev = in;
    st.prev_incomplete = _mm256_setzero_si256();
    return;
  }
  const __m128i t1 = load_table(k_byte_1_high);
  const __m128i t2 = load_table(k_byte_1_low);
  const __m128i t3 = load_table(k_byte_2_high);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  // [prev's upper lane, in's lower lane]: what precedes each lane of `in`.
  __m256i before = _mm256_permute2x128_si256(st.prev, in, 0x21);
  __m256i prev1 = _mm256_alignr_epi8(in, before, 15);
  __m256i special = _mm256_and_si256(
      _mm256_and_si256(
          _mm256_shuffle_epi8(lanes(t1), _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble)),
          _mm256_shuffle_epi8(lanes(t2), _mm256_and_si256(prev1, nibble))),
      _mm256_shuffle_epi8(lanes(t3), _mm256_and_si256(_mm256_srli_epi16(in, 4), nibble)));
  __m256i prev2 = _mm256_alignr_epi8(in, before, 14);
  __m256i prev3 = _mm256_alignr_epi8(in, before, 13);
  __m256i must23 =
      _mm256_or_si256(_mm256_subs_epu8(prev2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80))),
                      _mm256_subs_epu8(prev3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80))));
  __m256i must23_80 = _mm256_and_si256(must23, _mm256_set1_epi8(static_cast<char>(0x80)));
  st.error = _mm256_or_si256(st.error, _mm256_xor_si256(must23_80, special));
  const __m256i k_max =
      _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xF0 - 1),
                       static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  st.prev_incomplete = _mm256_subs_epu8(in, k_max);
  st.prev = in;
}

// With `out`, every block is also stored there (validation and copy in one pass).
__attribute__((target("avx2"))) bool valid_utf8_avx2(std::string_view s, bool* has_control,
                                                     char* out = nullptr) {
  Utf8State256 st{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                  _mm256_setzero_si256()};
  const bool want_control = has_control != nullptr;
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    if (out != nullptr) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), in);
    }
    utf8_block256(st, in, want_control);
    if ((i & 0xFFF) == 0 && !_mm256_testz_si256(st.error, st.error)) {
      return false;
    }
  }
  alignas(32) char tail[32];
  std::memset(tail, ' ', sizeof tail);
  if (n > i) {
    std::memcpy(tail, p + i, n - i);
    if (out != nullptr) {
      std::memcpy(out + i, p + i, n - i);
    }
  }
  utf8_block256(st, _mm256_load_si256(reinterpret_cast<const __m256i*>(tail)), want_control);
  st.error = _mm256_or_si256(st.error, st.prev_incomplete);
  if (!_mm256_testz_si256(st.error, st.error)) {
    return false;
  }
  if (want_control) {
    *has_control = _mm256_movemask_epi8(st.control) != 0;
  }
  return true;
}

}  // namespace

bool is_valid_utf8_using(Utf8Impl impl, std::string_view s, bool* has_control) {
  static const bool k_avx2 = __builtin_cpu_supports("avx2");
  static const bool k_ssse3 = __builtin_cpu_supports("ssse3");
  if (impl == Utf8Impl::avx2 && k_avx2) {
    return valid_utf8_avx2(s, has_control);
  }
  if (impl != Utf8Impl::portable && k_ssse3) {
    return valid_utf8_ssse3(s, has_control);
  }
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8(std::string_view s, bool* has_control) {
  return is_valid_utf8_using(Utf8Impl::avx2, s, has_control);
}

bool is_valid_utf8_copy(std::string_view s, char* out, bool* has_control) {
  static const bool k_avx2 = __builtin_cpu_supports("avx2");
  if (k_avx2) {
    return valid_utf8_avx2(s, has_control, out);
  }
  if (!is_valid_utf8(s, has_control)) {
    return false;
  }
  if (!s.empty()) {
    std::memcpy(out, s.data(), s.size());
  }
  return true;
}

#else

bool is_valid_utf8_using(Utf8Impl, std::string_view s, bool* has_control) {
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8(std::string_view s, bool* has_control) {
  return is_valid_utf8_portable(s, has_control);
}

bool is_valid_utf8_copy(std::string_view s, char* out, bool* has_control) {
  if (!is_valid_utf8_portable(s, has_control)) {
    return false;
  }
  if (!s.empty()) {
    std::memcpy(out, s.data(), s.size());
  }
  return true;
}

#endif

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace khobor::feeds::detail
