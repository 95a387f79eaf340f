// Trimming: each function strips exactly the bytes its name says, from both ends.
#include "base/strings.h"

#include <catch2/catch.hpp>
#include <string>

using khobor::trim;
using khobor::trim_c0_and_space;
using khobor::trim_if;

TEST_CASE("trim strips ASCII whitespace and nothing else", "[base][strings]") {
  CHECK(trim(" \t\n\v\f\rab c \t\n\v\f\r") == "ab c");
  CHECK(trim("") == "");
  CHECK(trim(" \r\n ") == "");
  CHECK(trim("x") == "x");
  // Other controls, NUL and non-ASCII bytes stay.
  CHECK(trim("\x1f"
             "a\x01") ==
        "\x1f"
        "a\x01");
  CHECK(trim(std::string("\0a", 2)) == std::string("\0a", 2));
  CHECK(trim("\xc2\xa0"
             "a") ==
        "\xc2\xa0"
        "a");  // U+00A0 is not ASCII whitespace
}

TEST_CASE("trim_c0_and_space strips every byte up to 0x20", "[base][strings]") {
  CHECK(trim_c0_and_space(std::string("\0\x01\x1f \t a b\x7f \x1f\n", 14)) == "a b\x7f");
  CHECK(trim_c0_and_space("\x01\x02") == "");
  CHECK(trim_c0_and_space("\xe0\xa6\x95 ") == "\xe0\xa6\x95");  // high bytes stay
}

TEST_CASE("trim_if strips the bytes a predicate names", "[base][strings]") {
  auto quote = [](char c) { return c == '"'; };
  CHECK(trim_if("\"\"a\"b\"", quote) == "a\"b");
  CHECK(trim_if("\"\"", quote) == "");
  static_assert(trim("  k ") == "k");
}

TEST_CASE("ASCII case: A-Z only, whatever the locale", "[base][strings]") {
  CHECK(khobor::ascii_lowered("Content-Type: UTF-8") == "content-type: utf-8");
  CHECK(khobor::ascii_lowered("\xc3\x80Z") == "\xc3\x80z");  // À stays: bytes >= 0x80 untouched
  CHECK(khobor::ascii_lower('@') == '@');
  CHECK(khobor::ascii_lower('[') == '[');
  CHECK(khobor::iequals_ascii("ETag", "etag"));
  CHECK(!khobor::iequals_ascii("etag", "etags"));
  CHECK(!khobor::iequals_ascii("\xc3\x80", "\xc3\xa0"));  // no Unicode case folding
}
