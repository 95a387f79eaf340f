// khobor/base/utf8.h — stepping through UTF-8, once: lead and continuation bytes,
// strict and trusting decoders, the encoder and code point counts.
//
// Two kinds of reader: the strict ones (valid_sequence_length, next_or_replacement)
// check everything (overlongs, surrogates, > U+10FFFF, truncation) and are for bytes
// from outside; the trusting ones (sequence_length, decode_trusted) are for text
// already checked or produced by us, and only stay inside the string on bad bytes.
// The SIMD validator for whole buffers is feeds/utf8_validate.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace khobor::utf8 {

inline constexpr char32_t k_replacement = 0xFFFD;

// A continuation byte (10xxxxxx): never the start of a code point.
constexpr bool is_continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}
constexpr bool is_continuation(char c) {
  return is_continuation(static_cast<unsigned char>(c));
}

// The length a lead byte announces: 1 for ASCII and for a stray continuation
// byte, 2, 3, or 4 for every byte from 0xF0 up. Trusting: nothing is checked.
constexpr size_t sequence_length(unsigned char lead) {
  return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// The code point of the `n`-byte sequence at `p` (n from sequence_length), read
// without any check: the payload bits of the lead byte, then six bits a byte.
constexpr char32_t decode_trusted(const char* p, size_t n) {
  const auto lead = static_cast<unsigned char>(p[0]);
  char32_t cp = n == 1 ? lead : lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(p[k]) & 0x3F);
  }
  return cp;
}

// A Unicode scalar value: a code point that is not a surrogate.
constexpr bool is_scalar(char32_t cp) {
  return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

// Length of the well-formed sequence at s[i] (1 to 4), or 0 when it is ill-formed:
// a byte that cannot lead, a missing continuation, truncation, an overlong form,
// a surrogate or a code point above U+10FFFF.
constexpr size_t valid_sequence_length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    return 1;
  }
  if (b < 0xC2 || b > 0xF4) {
    return 0;
  }
  const size_t n = sequence_length(b);
  if (i + n > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    if (!is_continuation(s[i + k])) {
      return 0;
    }
  }
  constexpr char32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
  const char32_t cp = decode_trusted(s.data() + i, n);
  return cp >= k_min[n] && is_scalar(cp) ? n : 0;
}

// The code point at s[i], advancing i past it; an ill-formed sequence gives
// U+FFFD and advances one byte (so the bytes after it are read again).
constexpr char32_t next_or_replacement(std::string_view s, size_t& i) {
  const size_t n = valid_sequence_length(s, i);
  if (n == 0) {
    ++i;
    return k_replacement;
  }
  const char32_t cp = decode_trusted(s.data() + i, n);
  i += n;
  return cp;
}

// Writes the UTF-8 form of `cp` to out[0..3] and returns its length; a value that
// is not a scalar value (surrogate, > U+10FFFF) is written as U+FFFD.
constexpr size_t encode(char32_t cp, char* out) {
  if (!is_scalar(cp)) {
    cp = k_replacement;
  }
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// Appends the UTF-8 form of `cp` (as encode() writes it) to `out`.
inline void append(std::string& out, char32_t cp) {
  char buf[4];
  out.append(buf, encode(cp, buf));
}

// Every byte of `s` is ASCII (below 0x80): no multi-byte sequence, nothing to decode.
constexpr bool is_ascii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

// The number of code points in `s`, counted as the bytes that are not
// continuation bytes (a stray continuation byte counts as none).
constexpr size_t count_code_points(std::string_view s) {
  size_t n = 0;
  for (const char c : s) {
    n += is_continuation(c) ? 0 : 1;
  }
  return n;
}

}  // namespace khobor::utf8
