// khobor/text/normalize.cpp — the one normaliser (see normalize.h, docs/text.md).
//
// Two passes over UTF-8:
//
//  1. Our own pass, one code point at a time, keeping for every output byte the
//     input offset of the code point it came from. Its steps, in order:
//     a. Invalid UTF-8 becomes U+FFFD:        "\xff" → "\uFFFD"
//     b. Khanda-ta, before joiners go:        ত + ্ + ZWJ (উত্‍সব) → ৎ
//     (উৎসব)
//     c. ZWJ and ZWNJ are removed:            রাশিয়া‌র (ZWNJ) →
//     রাশিয়ার; র‍্যাব → র্যাব
//        and so is the soft hyphen U+00AD (invisible, inside words).
//     d. Nukta letters take one form, the decomposed one that NFC itself
//        produces (U+09DC, U+09DD, U+09DF are composition exclusions):
//                                             য় U+09DF → য U+09AF + ় U+09BC
//                                             ড় U+09DC → ড U+09A1 + ়;  ঢ় U+09DD → ঢ U+09A2 + ়
//     e. Bengali digits fold to ASCII:        ১৩ সেপ্টেম্বর → 13 সেপ্টেম্বর
//     f. Case folding (simple, one code point to one; Latin and other cased
//        scripts):                            PUTIN → putin; Ärger → ärger
//     g. Typographic apostrophes to ASCII:    Putin’s → putin's (U+2019, U+02BC)
//  2. ICU NFC (Normalizer2::getNFCInstance(), fetched once), only when pass 1
//     could not prove its output NFC already (UAX #15's quick check, with ICU's
//     quick-check and combining-class data): it composes the two-part vowel signs
//                                             ে + া → ো (U+09CB); ে + ৗ → ৌ (U+09CC)
//     and puts combining marks in canonical order. The offsets are carried
//     through ICU's Edits.
//
// Danda (।, U+0964) and double danda (॥, U+0965) are left in the text: they are
// sentence punctuation, which the tokenizer never makes part of a word.
//
// Why NFC and not NFKC_Casefold: NFKC would also rewrite compatibility characters
// (ligatures, full-width forms, superscripts) that carry no Bengali variation, and
// full case folding changes lengths (ß → ss); NFC plus simple folding is enough
// for every variant in docs/text.md and keeps offsets simple. The output is
// stable: normalize(normalize(x)) == normalize(x) (tested).
#include "text/normalize.h"

#include <unicode/bytestream.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace khobor::text {
namespace {

constexpr char32_t k_replacement = 0xFFFD;
constexpr char32_t k_zwnj = 0x200C;
constexpr char32_t k_zwj = 0x200D;
constexpr char32_t k_soft_hyphen = 0x00AD;
constexpr char32_t k_ta = 0x09A4;
constexpr char32_t k_hasanta = 0x09CD;
constexpr char32_t k_khanda_ta = 0x09CE;
constexpr char32_t k_nukta = 0x09BC;

// The one place a UErrorCode becomes our error: ICU failing on valid UTF-8 is a
// broken invariant (its data is linked in), so it throws.
void check_icu(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) {
    throw std::runtime_error(std::string("ICU ") + what + ": " + u_errorName(status));
  }
}

const icu::Normalizer2& nfc() {
  static const icu::Normalizer2* const k_nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
    check_icu(status, "getNFCInstance");
    return n;
  }();
  return *k_nfc;
}

// Decodes one code point at `s[i]`, advancing i; invalid sequences (overlong,
// surrogates, truncated, > U+10FFFF) yield U+FFFD and consume one byte.
char32_t decode(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    ++i;
    return k_replacement;
  }
  if (i + len > s.size()) {
    ++i;
    return k_replacement;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return k_replacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return k_replacement;
  }
  i += len;
  return cp;
}

// For U+0000–U+2FFF: 255 when ICU's NFC quick check is not "yes" for the code
// point, else its canonical combining class. Lets pass 1 prove that its output
// is NFC already (the quick-check algorithm of UAX #15), so that ICU runs only
// on text that needs it. Code points above go to ICU whenever they appear.
constexpr char32_t k_nfc_table_size = 0x3000;
constexpr uint8_t k_not_nfc = 255;

const std::array<uint8_t, k_nfc_table_size>& nfc_table() {
  static const std::array<uint8_t, k_nfc_table_size> k_table = [] {
    std::array<uint8_t, k_nfc_table_size> t{};
    for (char32_t c = 0; c < k_nfc_table_size; ++c) {
      const auto cp = static_cast<UChar32>(c);
      const bool yes = u_getIntPropertyValue(cp, UCHAR_NFC_QUICK_CHECK) == UNORM_YES;
      const uint8_t ccc = u_getCombiningClass(cp);
      t[c] = (!yes || ccc == k_not_nfc) ? k_not_nfc : ccc;
    }
    return t;
  }();
  return k_table;
}

// The code points of the Bengali block that pass 1 copies unchanged with no
// check: all but ত (khanda-ta), the nukta letters, the digits, the second parts
// of ো/ৌ, and the three combining marks (nukta, hasanta, sandhi mark).
constexpr std::array<bool, 128> k_plain_bengali = [] {
  std::array<bool, 128> t{};
  for (char32_t c = 0x0980; c < 0x0A00; ++c) {
    t[c - 0x0980] =
        !(c == k_ta || c == 0x09DC || c == 0x09DD || c == 0x09DF || (c >= 0x09E6 && c <= 0x09EF) ||
          c == 0x09BE || c == 0x09D7 || c == k_nukta || c == k_hasanta || c == 0x09FE);
  }
  return t;
}();

// What pass 1 records of where its output came from: nothing, one source
// offset per output byte (normalize_mapped), or the points where the difference
// between input and output offsets changes (OffsetMap).
enum class MapKind : uint8_t { none, dense, sparse };

// How the fast path of pass 1 treats each code point of the Bengali block:
// copied (plain); ত, unless ্ + ZWJ follow (khanda-ta); the second parts of ো/ৌ,
// unless right after ে in the run; nukta (combining class 7), unless right after
// hasanta; hasanta (class 9); the others stop the run (nukta letters, digits,
// U+09FE). A combining mark at the start of a run stops it too: the code point
// before it was not the run's.
enum class RunKind : uint8_t { plain, ta, second_part, nukta, hasanta, stop };

constexpr std::array<RunKind, 128> k_run_kind = [] {
  std::array<RunKind, 128> t{};
  for (char32_t c = 0x0980; c < 0x0A00; ++c) {
    RunKind k = RunKind::plain;
    if (c == k_ta) {
      k = RunKind::ta;
    } else if (c == 0x09BE || c == 0x09D7) {
      k = RunKind::second_part;
    } else if (c == k_nukta) {
      k = RunKind::nukta;
    } else if (c == k_hasanta) {
      k = RunKind::hasanta;
    } else if (c == 0x09DC || c == 0x09DD || c == 0x09DF || (c >= 0x09E6 && c <= 0x09EF) ||
               c == 0x09FE) {
      k = RunKind::stop;
    }
    t[c - 0x0980] = k;
  }
  return t;
}();

// Output of pass 1: bytes and the map of kind `Kind`, written through raw
// pointers into buffers sized for the worst case (2 bytes out per byte in: a
// nukta letter's 3 bytes become 6). Each public call writes one code point that
// came from input offset `from`.
template <MapKind Kind>
class Writer {
 public:
  Writer(std::string& out, std::vector<uint32_t>* map, OffsetMap* sparse, size_t in_size)
      : m_out(out), m_map(map), m_sparse(sparse) {
    // The bytes go to a per-thread scratch buffer that is never cleared, then
    // are copied out once: growing `out` to the worst case would first fill it
    // with zeros, twice the input's size on every call.
    thread_local std::unique_ptr<char[]> scratch;
    thread_local size_t scratch_size = 0;
    if (scratch_size < in_size * 2 + 4) {
      scratch_size = std::max(in_size * 2 + 4, scratch_size * 2);
      scratch = std::make_unique_for_overwrite<char[]>(scratch_size);
    }
    m_base = scratch.get();
    m_o = m_base;
    if constexpr (Kind == MapKind::dense) {
      map->resize(in_size * 2 + 5);
      m_m = map->data();
    }
  }
  void byte(char c, uint32_t from) {
    start(from);
    raw(c, from);
  }
  void three(const unsigned char* p, uint32_t from) {
    start(from);
    std::memcpy(m_o, p, 3);
    m_o += 3;
    if constexpr (Kind == MapKind::dense) {
      m_m[0] = m_m[1] = m_m[2] = from;
      m_m += 3;
    }
  }
  // `len` bytes at `p` that are whole code points, copied unchanged (not for
  // the dense map, which needs each code point's offset).
  void run(const unsigned char* p, size_t len, uint32_t from) {
    static_assert(Kind != MapKind::dense);
    start(from);
    std::memcpy(m_o, p, len);
    m_o += len;
  }
  void code_point(char32_t cp, uint32_t from) {
    start(from);
    if (cp < 0x80) {
      raw(static_cast<char>(cp), from);
    } else if (cp < 0x800) {
      raw(static_cast<char>(0xC0 | (cp >> 6)), from);
      raw(static_cast<char>(0x80 | (cp & 0x3F)), from);
    } else if (cp < 0x10000) {
      raw(static_cast<char>(0xE0 | (cp >> 12)), from);
      raw(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), from);
      raw(static_cast<char>(0x80 | (cp & 0x3F)), from);
    } else {
      raw(static_cast<char>(0xF0 | (cp >> 18)), from);
      raw(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)), from);
      raw(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), from);
      raw(static_cast<char>(0x80 | (cp & 0x3F)), from);
    }
  }
  void finish(size_t in_size) {
    const auto size = static_cast<size_t>(m_o - m_base);
    if constexpr (Kind == MapKind::sparse) {
      m_sparse->note(static_cast<uint32_t>(size), static_cast<uint32_t>(in_size));
    }
    m_out.assign(m_base, size);
    if constexpr (Kind == MapKind::dense) {
      m_map->resize(static_cast<size_t>(m_m - m_map->data()));
    }
  }

 private:
  void start(uint32_t from) {
    if constexpr (Kind == MapKind::sparse) {
      m_sparse->note(static_cast<uint32_t>(m_o - m_base), from);
    }
  }
  void raw(char c, uint32_t from) {
    *m_o++ = c;
    if constexpr (Kind == MapKind::dense) {
      *m_m++ = from;
    }
  }

  std::string& m_out;
  std::vector<uint32_t>* m_map;
  OffsetMap* m_sparse;
  char* m_base = nullptr;
  char* m_o = nullptr;
  uint32_t* m_m = nullptr;
};

// What pass 1 carries from one code point to the next.
struct PassState {
  bool needs_nfc = false;
  uint8_t prev_ccc = 0;  // combining class of the last code point written
  char32_t prev_cp = 0;  // the last code point written
};

// The fast path of pass 1: the end of the run from `i` that no step changes
// (ASCII but the capitals, the plain code points of the Bengali block). `prev`
// gets the run's last code point: its index in the Bengali block, or 128.
size_t plain_run_end(const unsigned char* s, size_t i, size_t n, int& prev) {
  size_t run = i;
  prev = -1;
  for (;;) {
    if (run < n && s[run] < 0x80) {
      if (static_cast<unsigned>(s[run] - 'A') < 26U) {
        return run;
      }
      ++run;
      prev = 128;
      continue;
    }
    if (run + 2 >= n || s[run] != 0xE0 || (s[run + 1] & 0xFE) != 0xA6 ||
        (s[run + 2] & 0xC0) != 0x80) {
      return run;
    }
    const unsigned k = ((s[run + 1] & 1U) << 6) | (s[run + 2] & 0x3FU);
    const RunKind kind = k_run_kind[k];
    if (kind == RunKind::stop ||
        (kind == RunKind::ta && run + 9 <= n && s[run + 3] == 0xE0 && s[run + 4] == 0xA7 &&
         s[run + 5] == 0x8D && s[run + 6] == 0xE2 && s[run + 7] == 0x80 && s[run + 8] == 0x8D) ||
        (kind == RunKind::second_part && (prev < 0 || prev == 0x47)) ||
        (kind == RunKind::nukta && (prev < 0 || prev == 0x4D)) ||
        (kind == RunKind::hasanta && prev < 0)) {
      return run;  // the per-code-point path decides
    }
    prev = static_cast<int>(k);
    run += 3;
  }
}

// Pass 1 on one code point of the Bengali block (U+0980–U+09FF, three bytes at
// s + i): steps b, d, e, and whether NFC has work. Moves `i` past what it read.
template <MapKind Kind>
void bengali_code_point(Writer<Kind>& w, const unsigned char* s, size_t n, size_t& i,
                        PassState& st) {
  const auto from = static_cast<uint32_t>(i);
  const char32_t cp = 0x0980 + (static_cast<char32_t>(s[i + 1] - 0xA6) << 6) + (s[i + 2] & 0x3F);
  i += 3;
  if (k_plain_bengali[cp - 0x0980]) {  // most code points: copied as they are
    w.three(s + i - 3, from);
    st.prev_ccc = 0;
    st.prev_cp = cp;
    return;
  }
  if (cp == k_ta && i + 6 <= n && s[i] == 0xE0 && s[i + 1] == 0xA7 && s[i + 2] == 0x8D &&
      s[i + 3] == 0xE2 && s[i + 4] == 0x80 && s[i + 5] == 0x8D) {  // step b: ত ্ ZWJ
    w.code_point(k_khanda_ta, from);
    i += 6;
    st.prev_ccc = 0;
    st.prev_cp = k_khanda_ta;
    return;
  }
  if (cp == 0x09DC || cp == 0x09DD || cp == 0x09DF) {  // step d
    w.code_point(cp == 0x09DC ? 0x09A1 : cp == 0x09DD ? 0x09A2 : 0x09AF, from);
    w.code_point(k_nukta, from);
    st.prev_ccc = 7;
    st.prev_cp = k_nukta;
    return;
  }
  if (cp >= 0x09E6 && cp <= 0x09EF) {  // step e
    w.byte(static_cast<char>('0' + (cp - 0x09E6)), from);
    st.prev_ccc = 0;
    st.prev_cp = cp;
    return;
  }
  // The two-part vowel signs compose only right after ে (U+09C7); the
  // other Bengali code points are NFC-stable, three of them combining.
  if ((cp == 0x09BE || cp == 0x09D7) && st.prev_cp == 0x09C7) {
    st.needs_nfc = true;
  }
  const uint8_t ccc = cp == k_nukta ? 7 : cp == k_hasanta ? 9 : cp == 0x09FE ? 230 : 0;
  if (ccc != 0 && st.prev_ccc > ccc) {
    st.needs_nfc = true;
  }
  w.three(s + i - 3, from);
  st.prev_ccc = ccc;
  st.prev_cp = cp;
}

// Pass 1 on any other code point outside ASCII: steps a, c, f, g, and whether
// NFC has work (from the quick-check table). Moves `i` past it.
template <MapKind Kind>
void other_code_point(Writer<Kind>& w, std::string_view in, size_t& i, PassState& st) {
  const auto from = static_cast<uint32_t>(i);
  char32_t cp = decode(in, i);                               // step a
  if (cp == k_zwj || cp == k_zwnj || cp == k_soft_hyphen) {  // step c
    return;
  }
  if (cp == 0x2019 || cp == 0x02BC) {  // step g
    cp = U'\'';
  } else {  // step f
    cp = static_cast<char32_t>(u_foldCase(static_cast<UChar32>(cp), U_FOLD_CASE_DEFAULT));
  }
  if (cp < k_nfc_table_size) {
    const uint8_t info = nfc_table()[cp];
    if (info == k_not_nfc || (info != 0 && st.prev_ccc > info)) {
      st.needs_nfc = true;
    }
    st.prev_ccc = info == k_not_nfc ? 0 : info;
  } else {
    st.needs_nfc = true;  // rare in our text: ICU decides
    st.prev_ccc = 0;
  }
  st.prev_cp = cp;
  w.code_point(cp, from);
}

// Pass 1 (steps a–g above). Returns true when the output may not be NFC.
template <MapKind Kind>
bool first_pass(std::string_view in, std::string& out, std::vector<uint32_t>* map,
                OffsetMap* sparse = nullptr) {
  Writer<Kind> w(out, map, sparse, in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  PassState st;
  size_t i = 0;
  while (i < n) {
    if constexpr (Kind != MapKind::dense) {
      // A run that no step changes is copied at once. Most of a Bengali news
      // text is such runs.
      int prev = -1;
      const size_t run = plain_run_end(s, i, n, prev);
      if (run > i) {
        w.run(s + i, run - i, static_cast<uint32_t>(i));
        const unsigned char last = s[run - 1];
        st.prev_cp = last < 0x80
                         ? last
                         : 0x0980 + (static_cast<char32_t>(s[run - 2] - 0xA6) << 6) + (last & 0x3F);
        st.prev_ccc = prev == 0x3C ? 7 : prev == 0x4D ? 9 : 0;  // nukta, hasanta
        i = run;
        if (i == n) {
          break;
        }
      }
    }
    const unsigned char b0 = s[i];
    if (b0 < 0x80) {  // ASCII: only case folding applies (step f)
      w.byte(static_cast<char>(b0 >= 'A' && b0 <= 'Z' ? b0 + 32 : b0), static_cast<uint32_t>(i));
      st.prev_ccc = 0;
      st.prev_cp = b0;
      ++i;
    } else if (b0 == 0xE0 && i + 2 < n && (s[i + 1] == 0xA6 || s[i + 1] == 0xA7) &&
               (s[i + 2] & 0xC0) == 0x80) {
      bengali_code_point(w, s, n, i, st);
    } else {
      other_code_point(w, in, i, st);
    }
  }
  w.finish(n);
  return st.needs_nfc;
}

// Pass 2: ICU NFC. With `map`, the offsets of `text` (one per byte) are carried
// to the NFC output through ICU's Edits.
void nfc_pass(std::string& text, std::vector<uint32_t>* map) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2& n = nfc();
  std::string result;
  result.reserve(text.size());
  icu::StringByteSink<std::string> sink(&result);
  icu::Edits edits;
  n.normalizeUTF8(0, text, sink, map != nullptr ? &edits : nullptr, status);
  check_icu(status, "normalizeUTF8");
  if (map != nullptr) {
    std::vector<uint32_t> new_map;
    new_map.reserve(result.size() + 1);
    icu::Edits::Iterator it = edits.getFineIterator();
    while (it.next(status)) {
      const auto src = static_cast<size_t>(it.sourceIndex());
      const auto old_len = static_cast<size_t>(it.oldLength());
      const auto new_len = static_cast<size_t>(it.newLength());
      if (!it.hasChange()) {
        new_map.insert(new_map.end(), map->begin() + static_cast<std::ptrdiff_t>(src),
                       map->begin() + static_cast<std::ptrdiff_t>(src + old_len));
      } else {
        // A changed span (composed or reordered): every new byte comes from the
        // changed span's first code point.
        new_map.insert(new_map.end(), new_len, (*map)[src]);
      }
    }
    check_icu(status, "Edits::Iterator");
    *map = std::move(new_map);
  }
  text = std::move(result);
}

// Pass 1, then pass 2 when needed. Composition can make a code point that
// folds further (İ + U+0323 → Ị + U+0307, upper case again), so after NFC pass 1
// runs again on the result until nothing changes (in practice once).
template <bool Mapped>
void run(std::string_view input, std::string& out, std::vector<uint32_t>* map) {
  constexpr MapKind k_kind = Mapped ? MapKind::dense : MapKind::none;
  bool needs_nfc = first_pass<k_kind>(input, out, map);
  for (int round = 0; needs_nfc && round < 4; ++round) {
    nfc_pass(out, map);
    std::string again;
    std::vector<uint32_t> again_map;
    needs_nfc = first_pass<k_kind>(out, again, Mapped ? &again_map : nullptr);
    if (again == out) {
      break;
    }
    if constexpr (Mapped) {
      for (uint32_t& offset : again_map) {
        offset = (*map)[offset];
      }
      *map = std::move(again_map);
    }
    out = std::move(again);
  }
}

}  // namespace

void normalize(std::string_view input, std::string& out) {
  run<false>(input, out, nullptr);
}

std::string normalize(std::string_view input) {
  std::string out;
  normalize(input, out);
  return out;
}

void normalize_mapped(std::string_view input, NormalizedText& out) {
  run<true>(input, out.text, &out.source_offset);
  out.source_offset.push_back(static_cast<uint32_t>(input.size()));
}

void normalize(std::string_view input, std::string& out, OffsetMap& map) {
  map.clear();
  if (!first_pass<MapKind::sparse>(input, out, nullptr, &map)) {
    return;  // the common case: one pass, a few points
  }
  // NFC has to run (rare): the dense map through ICU's edits, then kept sparsely.
  thread_local std::vector<uint32_t> dense;
  run<true>(input, out, &dense);
  dense.push_back(static_cast<uint32_t>(input.size()));
  map.clear();
  for (size_t b = 0; b <= out.size(); ++b) {
    if (b == out.size() || (static_cast<unsigned char>(out[b]) & 0xC0) != 0x80) {
      map.note(static_cast<uint32_t>(b), dense[b]);
    }
  }
}

void OffsetMap::add(uint32_t out, uint32_t src) {
  m_out.push_back(out);
  m_src.push_back(src);
  m_delta = src - out;
}

uint32_t OffsetMap::source(uint32_t pos) const {
  const auto it = std::upper_bound(m_out.begin(), m_out.end(), pos);
  if (it == m_out.begin()) {
    return pos;
  }
  const auto k = static_cast<size_t>(it - m_out.begin()) - 1;
  return m_src[k] + (pos - m_out[k]);
}

NormalizedText normalize_mapped(std::string_view input) {
  NormalizedText result;
  normalize_mapped(input, result);
  return result;
}

}  // namespace khobor::text
