// UTF-8 stepping: the strict reader against every kind of ill-formed sequence, the
// trusting reader and the encoder round-tripping every scalar value.
#include "base/utf8.h"

#include <catch2/catch.hpp>
#include <string>

namespace utf8 = khobor::utf8;

TEST_CASE("valid_sequence_length accepts well-formed sequences", "[base][utf8]") {
  CHECK(utf8::valid_sequence_length("a", 0) == 1);
  CHECK(utf8::valid_sequence_length("\xc3\xa9", 0) == 2);          // é
  CHECK(utf8::valid_sequence_length("\xe0\xa6\x95", 0) == 3);      // ক
  CHECK(utf8::valid_sequence_length("\xf0\x9f\x98\x80", 0) == 4);  // 😀
  CHECK(utf8::valid_sequence_length("\xf4\x8f\xbf\xbf", 0) == 4);  // U+10FFFF
  CHECK(utf8::valid_sequence_length("x\xc3\xa9", 1) == 2);
}

TEST_CASE("valid_sequence_length rejects every ill-formed sequence", "[base][utf8]") {
  for (const char* bad : {
           "\x80",              // stray continuation
           "\xc0\xaf",          // overlong /, and C0/C1 can never lead
           "\xc1\xbf",          //
           "\xe0\x80\xaf",      // overlong three-byte
           "\xf0\x80\x80\xaf",  // overlong four-byte
           "\xed\xa0\x80",      // surrogate U+D800
           "\xf4\x90\x80\x80",  // above U+10FFFF
           "\xf5\x80\x80\x80",  // cannot lead
           "\xff",              //
           "\xc3",              // truncated
           "\xe0\xa6",          //
           "\xc3\x41",          // continuation missing
       }) {
    INFO(std::string(bad));
    CHECK(utf8::valid_sequence_length(bad, 0) == 0);
  }
}

TEST_CASE("next_or_replacement gives U+FFFD and one byte for a bad sequence", "[base][utf8]") {
  const std::string s = "a\xe0\xa6\x95\xed\xa0\x80z";
  size_t i = 0;
  CHECK(utf8::next_or_replacement(s, i) == U'a');
  CHECK(utf8::next_or_replacement(s, i) == U'\u0995');
  CHECK(i == 4);
  CHECK(utf8::next_or_replacement(s, i) == utf8::k_replacement);
  CHECK(i == 5);  // one byte: the two after it are read again (and rejected)
  CHECK(utf8::next_or_replacement(s, i) == utf8::k_replacement);
  CHECK(utf8::next_or_replacement(s, i) == utf8::k_replacement);
  CHECK(utf8::next_or_replacement(s, i) == U'z');
  CHECK(i == s.size());
}

TEST_CASE("encode and decode round-trip every scalar value", "[base][utf8]") {
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (!utf8::is_scalar(cp)) {
      continue;
    }
    char buf[4];
    const size_t n = utf8::encode(cp, buf);
    const std::string s(buf, n);
    const size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    REQUIRE(n == expected);
    REQUIRE(utf8::sequence_length(static_cast<unsigned char>(buf[0])) == n);
    REQUIRE(utf8::valid_sequence_length(s, 0) == n);
    REQUIRE(utf8::decode_trusted(buf, n) == cp);
    size_t i = 0;
    REQUIRE(utf8::next_or_replacement(s, i) == cp);
  }
}

TEST_CASE("encode writes U+FFFD for values that are not scalar values", "[base][utf8]") {
  std::string out;
  utf8::append(out, 0xD800);
  utf8::append(out, 0x110000);
  utf8::append(out, U'\u09AC');
  CHECK(out == "\xef\xbf\xbd\xef\xbf\xbd\xe0\xa6\xac");
}

TEST_CASE("sequence_length and count_code_points trust the lead bytes", "[base][utf8]") {
  CHECK(utf8::sequence_length(0x41) == 1);
  CHECK(utf8::sequence_length(0x80) == 1);  // a stray continuation byte steps one
  CHECK(utf8::sequence_length(0xC2) == 2);
  CHECK(utf8::sequence_length(0xE0) == 3);
  CHECK(utf8::sequence_length(0xF0) == 4);
  CHECK(utf8::sequence_length(0xFF) == 4);
  CHECK(utf8::is_continuation('\x80'));
  CHECK(!utf8::is_continuation('\xc2'));
  CHECK(utf8::count_code_points("") == 0);
  CHECK(utf8::count_code_points("a\xe0\xa6\x95\xf0\x9f\x98\x80") == 3);
  CHECK(utf8::count_code_points("\x80\x80") == 0);  // continuation bytes only
}

TEST_CASE("is_ascii is true only without a byte from 0x80 up", "[base][utf8]") {
  CHECK(utf8::is_ascii(""));
  CHECK(utf8::is_ascii("plain text\t\x7f"));
  CHECK(!utf8::is_ascii("caf\xc3\xa9"));
  CHECK(!utf8::is_ascii("\x80"));
}
