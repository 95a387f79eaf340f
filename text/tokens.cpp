// khobor/text/tokens.cpp — word tokens by the rules of Unicode's word boundaries
// (UAX #29, the rules ICU's word break iterator uses), without the iterator.
//
// ICU's BreakIterator runs a general state machine over UTF-16; our text is
// UTF-8 and we only need the spans ICU would tag as words (rule status
// UBRK_WORD_LETTER or UBRK_WORD_NUMBER). So we walk the code points once, with
// each one's Word_Break property taken from ICU (a table for U+0000–U+2FFF,
// u_getIntPropertyValue above), and apply these rules:
//   WB4      a letter, digit or connector keeps the marks after it: বৈঠক (vowel
//            signs, hasanta and nukta are Extend)
//   WB5      letter × letter                       (Latin next to Bengali too)
//   WB6/7    letter × (MidLetter|MidNumLet|') × letter:  putin's, u.s
//   WB8-10   digits and letters join:              covid19, 3rd
//   WB11/12  digit × (MidNum|MidNumLet|') × digit: 1,000 3.5
//   WB13a/b  connectors (_) join letters and digits
// Anything else (spaces, punctuation, the dandas, hyphens) separates words and
// is not a token. Not handled: scripts ICU segments by dictionary (Thai, Lao,
// Khmer, Chinese, Japanese): their letters are not tokens here. The unit tests
// compare with ICU's iterator on the fixtures (and on the shared feeds if present).
#include "text/tokens.h"

#include <unicode/uchar.h>

#include <array>

namespace khobor::text {
namespace {

enum class Wb : uint8_t {
  other,
  letter,
  numeric,
  extend,
  mid_letter,
  mid_num,
  mid_num_let,
  connector
};

Wb classify_icu(UChar32 c) {
  switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_ALETTER:
    case U_WB_HEBREW_LETTER:
      return Wb::letter;
    case U_WB_NUMERIC:
      return Wb::numeric;
    case U_WB_EXTEND:
    case U_WB_FORMAT:
    case U_WB_ZWJ:
      return Wb::extend;
    case U_WB_MIDLETTER:
      // ICU's root rules take the colons out of MidLetter (only Swedish and
      // Finnish keep them): "media:content" is two words.
      return (c == 0x3A || c == 0xFE55 || c == 0xFF1A) ? Wb::other : Wb::mid_letter;
    case U_WB_MIDNUM:
      return Wb::mid_num;
    case U_WB_MIDNUMLET:
    case U_WB_SINGLE_QUOTE:
      return Wb::mid_num_let;
    case U_WB_EXTENDNUMLET:
      return Wb::connector;
    default:
      return Wb::other;
  }
}

constexpr char32_t k_table_size = 0x3000;

const std::array<Wb, k_table_size>& table() {
  static const std::array<Wb, k_table_size> k_table = [] {
    std::array<Wb, k_table_size> t{};
    for (char32_t c = 0; c < k_table_size; ++c) {
      t[c] = classify_icu(static_cast<UChar32>(c));
    }
    return t;
  }();
  return k_table;
}

// Decodes the code point at s[i] (valid UTF-8 expected: the input was
// normalised; a stray byte counts as one "other" code point) and its class.
inline Wb next_class(std::string_view s, size_t& i, const std::array<Wb, k_table_size>& t) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  char32_t cp = 0;
  size_t len = 1;
  if (b0 < 0x80) {
    ++i;
    return t[b0];
  }
  if (b0 >= 0xE0 && b0 < 0xF0 && i + 3 <= s.size()) {  // Bengali and the rest of the BMP
    cp = (static_cast<char32_t>(b0 & 0x0F) << 12) |
         (static_cast<char32_t>(static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
         (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    i += 3;
    return cp < k_table_size ? t[cp] : classify_icu(static_cast<UChar32>(cp));
  }
  if (b0 >= 0xC0 && b0 < 0xE0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 < 0xF0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 < 0xF8) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return Wb::other;
  }
  if (i + len > s.size()) {
    i = s.size();
    return Wb::other;
  }
  for (size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += len;
  return cp < k_table_size ? t[cp] : classify_icu(static_cast<UChar32>(cp));
}

// The class of the code point at s[i] when it is ASCII or in the Bengali block
// (`len` its bytes), else Wb::other with `len` 0: the general decoding decides.
inline Wb fast_class(std::string_view s, size_t i, const std::array<Wb, k_table_size>& t,
                     size_t& len) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    len = 1;
    return t[b];
  }
  if (b == 0xE0 && i + 3 <= s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xFE) == 0xA6) {
    len = 3;
    return t[0x0980 + (((static_cast<unsigned char>(s[i + 1]) & 1U) << 6) |
                       (static_cast<unsigned char>(s[i + 2]) & 0x3FU))];
  }
  len = 0;
  return Wb::other;
}

// WB6/7 and WB11/12: a middle character of class `mid`, ending at `j`, joins
// the word when a letter follows a letter across it (a digit a digit; marks in
// between). Returns the end of that letter or digit; 0 when the word ends.
size_t across_middle(std::string_view s, size_t j, Wb last, Wb mid,
                     const std::array<Wb, k_table_size>& t) {
  size_t k = j;
  Wb after = Wb::other;
  while (k < s.size()) {
    after = next_class(s, k, t);
    if (after != Wb::extend) {
      break;
    }
    after = Wb::other;
  }
  const bool letters = last == Wb::letter && after == Wb::letter &&
                       (mid == Wb::mid_letter || mid == Wb::mid_num_let);  // WB6/7
  const bool digits = last == Wb::numeric && after == Wb::numeric &&
                      (mid == Wb::mid_num || mid == Wb::mid_num_let);  // WB11/12
  return letters || digits ? k : 0;
}

}  // namespace

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  tokens.reserve(s.size() / 8 + 1);
  tokenize(s, tokens);
  return tokens;
}

void tokenize(std::string_view s, std::vector<Token>& tokens) {
  const auto& t = table();
  tokens.clear();
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const size_t start = i;
    Wb last = next_class(s, i, t);
    if (last != Wb::letter && last != Wb::numeric && last != Wb::connector) {
      continue;
    }
    bool has_word = last != Wb::connector;
    while (i < n) {
      // The fast path: Bengali and ASCII letters, digits and marks go on with
      // the word (WB4, WB5, WB8-10) without the general decoding below.
      size_t len = 0;
      const Wb fast = fast_class(s, i, t, len);
      if (fast == Wb::letter || fast == Wb::numeric) {
        last = fast;
        has_word = true;
        i += len;
        continue;
      }
      if (fast == Wb::extend) {
        i += len;
        continue;
      }
      size_t j = i;
      const Wb c = next_class(s, j, t);
      if (c == Wb::extend) {  // WB4
        i = j;
        continue;
      }
      if (c == Wb::letter || c == Wb::numeric || c == Wb::connector) {  // WB5, WB8-10, WB13
        has_word = has_word || c != Wb::connector;
        last = c;
        i = j;
        continue;
      }
      if (c == Wb::mid_letter || c == Wb::mid_num || c == Wb::mid_num_let) {
        if (const size_t k = across_middle(s, j, last, c, t); k != 0) {
          has_word = true;
          i = k;  // past the middle character and the letter or digit after it
          continue;
        }
      }
      break;
    }
    if (has_word) {
      tokens.push_back(Token{s.substr(start, i - start), static_cast<uint32_t>(start),
                             static_cast<uint32_t>(i)});
    }
  }
}

}  // namespace khobor::text
