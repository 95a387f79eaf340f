// khobor/base/strings.h — trimming and ASCII case, once: which bytes count as blank
// is part of each trim's name, so a caller picks a meaning instead of writing its own.
#pragma once

#include <string>
#include <string_view>

namespace khobor {

// ASCII whitespace as the C locale's isspace sees it: space, \t, \n, \v, \f, \r.
constexpr bool is_ascii_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// A C0 control or space (any byte up to 0x20): what the WHATWG URL parser strips
// from both ends of a URL, and what the feed readers strip around element text.
constexpr bool is_c0_or_space(char c) {
  return static_cast<unsigned char>(c) <= ' ';
}

// `s` without the leading and trailing bytes for which `blank(c)` holds.
template <class Blank>
constexpr std::string_view trim_if(std::string_view s, Blank blank) {
  while (!s.empty() && blank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && blank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// `s` without leading and trailing ASCII whitespace.
constexpr std::string_view trim(std::string_view s) {
  return trim_if(s, is_ascii_space);
}

// `s` without leading and trailing C0 controls and spaces (see is_c0_or_space).
constexpr std::string_view trim_c0_and_space(std::string_view s) {
  return trim_if(s, is_c0_or_space);
}

// A-Z to a-z; every other byte (UTF-8 included) as it is. Not locale-dependent.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` with A-Z lowered (see ascii_lower).
inline std::string ascii_lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

// `a` and `b` are equal but for the case of A-Z (HTTP header names, charset labels).
constexpr bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace khobor
