// khobor/text/normalize.cpp — the one normaliser (see normalize.h, docs/text.md).
//
// Two passes over UTF-8:
//
//  1. Our own pass, one code point at a time, keeping for every output byte the
//     input offset of the code point it came from. Its steps, in order:
//     a. Invalid UTF-8 becomes U+FFFD:        "\xff" → "\uFFFD"
//     b. Khanda-ta, before joiners go:        ত + ্ + ZWJ (উত্‍সব) → ৎ
//     (উৎসব)
//     c. ZWJ and ZWNJ are removed:            রাশিয়া‌র (ZWNJ) → রাশিয়ার; র‍্যাব
//     → র্যাব
//        and so is the soft hyphen U+00AD (invisible, inside words).
//     d. Nukta letters take one form, the decomposed one that NFC itself
//        produces (U+09DC, U+09DD, U+09DF are composition exclusions):
//                                             য় U+09DF → য U+09AF + ় U+09BC
//                                             ড় U+09DC → ড U+09A1 + ়;  ঢ় U+09DD → ঢ U+09A2 + ়
//     e. Bengali digits fold to ASCII:        ১৩ সেপ্টেম্বর → 13 সেপ্টেম্বর
//     f. Case folding (simple, one code point to one; Latin and other cased
//        scripts):                            PUTIN → putin; Ärger → ärger
//     g. Typographic apostrophes to ASCII:    Putin’s → putin's (U+2019, U+02BC)
//  2. ICU NFC (Normalizer2::getNFCInstance(), fetched once), only when ICU says the
//     result of pass 1 is not NFC already: it composes the two-part vowel signs
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

// Appends the UTF-8 of `cp`, and `from` once per byte to `map` when given.
void append(std::string& out, std::vector<uint32_t>* map, char32_t cp, uint32_t from) {
  char buf[4];
  size_t n = 0;
  if (cp < 0x80) {
    buf[n++] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  }
  out.append(buf, n);
  if (map != nullptr) {
    map->insert(map->end(), n, from);
  }
}

// Pass 1 (steps a–g above). `map`, when given, receives one source offset per
// output byte.
void first_pass(std::string_view in, std::string& out, std::vector<uint32_t>* map) {
  out.reserve(in.size());
  if (map != nullptr) {
    map->reserve(in.size() + 1);
  }
  size_t i = 0;
  while (i < in.size()) {
    const auto from = static_cast<uint32_t>(i);
    const auto b0 = static_cast<unsigned char>(in[i]);
    if (b0 < 0x80) {  // ASCII fast path: only case folding applies (step f)
      ++i;
      const char c = (b0 >= 'A' && b0 <= 'Z') ? static_cast<char>(b0 + 32) : static_cast<char>(b0);
      out.push_back(c);
      if (map != nullptr) {
        map->push_back(from);
      }
      continue;
    }
    char32_t cp = decode(in, i);  // step a
    if (cp >= 0x0980 && cp <= 0x09FF) {
      if (cp == k_ta && i + 6 <= in.size()) {  // step b: ত ্ ZWJ → ৎ
        size_t j = i;
        if (decode(in, j) == k_hasanta && j + 3 <= in.size() && decode(in, j) == k_zwj) {
          append(out, map, k_khanda_ta, from);
          i = j;
          continue;
        }
      }
      if (cp == 0x09DC || cp == 0x09DD || cp == 0x09DF) {  // step d
        append(out, map, cp == 0x09DC ? 0x09A1 : cp == 0x09DD ? 0x09A2 : 0x09AF, from);
        append(out, map, k_nukta, from);
        continue;
      }
      if (cp >= 0x09E6 && cp <= 0x09EF) {  // step e
        append(out, map, U'0' + (cp - 0x09E6), from);
        continue;
      }
      append(out, map, cp, from);
      continue;
    }
    if (cp == k_zwj || cp == k_zwnj || cp == k_soft_hyphen) {  // step c
      continue;
    }
    if (cp == 0x2019 || cp == 0x02BC) {  // step g
      append(out, map, U'\'', from);
      continue;
    }
    append(out, map,
           static_cast<char32_t>(u_foldCase(static_cast<UChar32>(cp), U_FOLD_CASE_DEFAULT)),
           from);  // step f
  }
}

// Pass 2: NFC, only if pass 1's output is not NFC already. With `map`, the
// offsets of `text` (one per byte) are carried to the NFC output.
void nfc_pass(std::string& text, std::vector<uint32_t>* map) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2& n = nfc();
  if (n.isNormalizedUTF8(text, status)) {
    check_icu(status, "isNormalizedUTF8");
    return;
  }
  check_icu(status, "isNormalizedUTF8");
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

}  // namespace

std::string normalize(std::string_view input) {
  std::string out;
  first_pass(input, out, nullptr);
  nfc_pass(out, nullptr);
  return out;
}

NormalizedText normalize_mapped(std::string_view input) {
  NormalizedText result;
  first_pass(input, result.text, &result.source_offset);
  nfc_pass(result.text, &result.source_offset);
  result.source_offset.push_back(static_cast<uint32_t>(input.size()));
  return result;
}

}  // namespace khobor::text
