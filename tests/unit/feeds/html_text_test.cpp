// Markup to plain text.
#include "feeds/html_text.h"

#include <catch2/catch.hpp>

using khobor::feeds::html_to_text;
using khobor::feeds::inline_text;

TEST_CASE("HTML becomes plain text with entities decoded and tags dropped", "[feeds][text]") {
  CHECK(html_to_text("<p>ঢাকা&nbsp;শহর &amp; <b>বন্দর</b></p>") == "ঢাকা শহর & বন্দর");
  CHECK(html_to_text("a &mdash; b &#2453; &#x995;") == "a — b ক ক");
  CHECK(html_to_text("x<script>alert('<p>')</script>y<style>p{}</style>z") == "xyz");
  CHECK(html_to_text("<!-- note -->text") == "text");
}

TEST_CASE("Paragraphs and line breaks are kept as single line breaks", "[feeds][text]") {
  CHECK(html_to_text("<p>one</p>\n\n<p>two<br/>three</p>") == "one\ntwo\nthree");
  CHECK(html_to_text("  lots   of\n\t space  ") == "lots of space");
  CHECK(inline_text("<p>one</p><p>two</p>") == "one two");
}

TEST_CASE("Text that only looks like markup is kept", "[feeds][text]") {
  CHECK(html_to_text("3 < 5 & 7 > 2") == "3 < 5 & 7 > 2");
  CHECK(html_to_text("AT&T") == "AT&T");
  CHECK(html_to_text("<img src=\"a.jpg\" alt='>' />caption") == "caption");
}

TEST_CASE("Empty and markup-only input gives empty text", "[feeds][text]") {
  CHECK(html_to_text("").empty());
  CHECK(html_to_text(std::string_view()).empty());  // a null view (found by the fuzzer)
  CHECK(inline_text("<br/><p></p>").empty());
  CHECK(html_to_text("<b").empty());  // an unterminated tag at the end is dropped
}
