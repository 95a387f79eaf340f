// UTF-8 validation: the SIMD validators (SSSE3, AVX2) against the byte-wise reference.
#include "feeds/utf8_validate.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

using khobor::feeds::detail::is_valid_utf8_portable;
using khobor::feeds::detail::is_valid_utf8_using;
using khobor::feeds::detail::Utf8Impl;

namespace {

// Every SIMD implementation agrees with the reference, or the first that does not.
bool simd_agrees(const std::string& s, bool* control_out = nullptr) {
  bool control_ref = false;
  const bool ref = is_valid_utf8_portable(s, &control_ref);
  for (Utf8Impl impl : {Utf8Impl::ssse3, Utf8Impl::avx2}) {
    bool control = false;
    if (is_valid_utf8_using(impl, s, &control) != ref || (ref && control != control_ref)) {
      return false;
    }
  }
  if (control_out != nullptr) {
    *control_out = control_ref;
  }
  return true;
}

}  // namespace

namespace {

// Every validator, on `s` placed at every offset of a 32-byte block (and across the
// 16-byte lanes) and followed by ASCII, Bengali or nothing; returns how many
// placements were checked.
int check_both(const std::string& s, bool expected) {
  int checked = 0;
  for (size_t pad = 0; pad < 72; ++pad) {
    for (const char* after : {"", "a", "\xE0\xA6\x95", "0123456789abcdef0123456789abcdef0"}) {
      std::string t = std::string(pad, 'x') + s + after;
      INFO("pad " << pad << " after '" << after << "'");
      CHECK(is_valid_utf8_portable(t) == expected);
      CHECK(simd_agrees(t));
      ++checked;
    }
  }
  return checked;
}

}  // namespace

TEST_CASE("Valid UTF-8 of every length is accepted at every block offset", "[feeds][utf8]") {
  for (const char* s : {"a", "\xC2\xA0", "\xDF\xBF", "\xE0\xA0\x80", "\xE0\xA6\x95\xE0\xA7\x8D",
                        "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBD", "\xF0\x90\x80\x80",
                        "\xF4\x8F\xBF\xBF", "\xF3\xA0\x80\x81"}) {
    INFO("sequence " << s);
    CHECK(check_both(s, true) == 288);
  }
}

TEST_CASE("Invalid UTF-8 is refused at every block offset", "[feeds][utf8]") {
  for (const char* s : {"\x80",
                        "\xBF",
                        "\xC0\x80",
                        "\xC1\xBF",
                        "\xC2",
                        "\xC2\x41",
                        "\xE0\x80\x80",
                        "\xE0\x9F\xBF",
                        "\xE0\xA6",
                        "\xE0\xA6\x41",
                        "\xED\xA0\x80",
                        "\xED\xBF\xBF",
                        "\xF0\x80\x80\x80",
                        "\xF0\x8F\xBF\xBF",
                        "\xF4\x90\x80\x80",
                        "\xF5\x80\x80\x80",
                        "\xF8\x88\x80\x80\x80",
                        "\xFF",
                        "\xFE",
                        "\xF0\x90\x80",
                        "\xC2\x80\x80",
                        "\xE0\xA6\x95\x95"}) {
    INFO("sequence " << s);
    CHECK(check_both(s, false) == 288);
  }
}

TEST_CASE("Control characters are reported the same way by every validator", "[feeds][utf8]") {
  for (char c = 0; c < 0x20; ++c) {
    std::string s = std::string(21, 'a') + c + "\xE0\xA6\x95";
    bool a = false;
    REQUIRE(is_valid_utf8_portable(s));
    CHECK(simd_agrees(s, &a));
    CHECK(a == (c != '\t' && c != '\n' && c != '\r'));
  }
}

TEST_CASE("Random byte strings get the same verdict from every validator", "[feeds][utf8]") {
  std::mt19937 rng(20261128);
  // Bytes drawn mostly from the interesting ranges: ASCII, continuations and leads.
  const std::string alphabet = std::string("a <&\n\t\x01") +
                               "\x80\x8F\x90\x9F\xA0\xA6\xA7\xBF\xC0\xC1\xC2\xDF\xE0\xED\xEF" +
                               "\xF0\xF4\xF5\xFF";
  int disagreements = 0;
  int valid = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    size_t len = rng() % 140;
    for (size_t i = 0; i < len; ++i) {
      if (rng() % 3 == 0) {
        s += "\xE0\xA6\x95";  // keep many strings valid
      } else {
        s += alphabet[rng() % alphabet.size()];
      }
    }
    if (!simd_agrees(s)) {
      ++disagreements;
    }
    valid += is_valid_utf8_portable(s) ? 1 : 0;
  }
  CHECK(disagreements == 0);
  CHECK(valid > 100);  // the sample exercised the valid path too
}

TEST_CASE("Validating while copying gives the same verdict and an exact copy", "[feeds][utf8]") {
  using khobor::feeds::detail::is_valid_utf8_copy;
  std::string valid;
  for (int i = 0; i < 50; ++i) {
    valid += "ঢাকা <p>news</p>\t\xC2\xA0";
  }
  for (size_t len : {size_t{0}, size_t{1}, size_t{31}, size_t{32}, size_t{33}, valid.size()}) {
    std::string s = valid.substr(0, len);
    while (!s.empty() && !is_valid_utf8_portable(s)) {
      s.pop_back();  // cut at a character boundary
    }
    std::string out(s.size(), '\0');
    bool control = true;
    CHECK(is_valid_utf8_copy(s, out.data(), &control));
    CHECK(out == s);
    CHECK_FALSE(control);
  }
  std::string bad = valid + "\xE0\xA6";
  std::string out(bad.size(), '\0');
  CHECK_FALSE(is_valid_utf8_copy(bad, out.data()));
}
