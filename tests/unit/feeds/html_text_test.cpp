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

TEST_CASE("A run of words with single spaces is its own text, anything else is converted",
          "[feeds][text]") {
  // Titles are mostly such runs (a fast path returns them whole); every byte that
  // could change the text must leave it, at any position including the 32-byte
  // blocks' edges and the tail.
  const std::string words = "গাবতলীতে সিলিন্ডার বিস্ফোরণ, নিহত ১ (two words) x";
  CHECK(inline_text(words) == words);
  CHECK(html_to_text(words) == words);
  for (size_t at = 0; at <= words.size(); at += 7) {
    std::string spaced = words.substr(0, at) + "  " + words.substr(at);
    CHECK(inline_text(spaced).find("  ") == std::string::npos);
    std::string broken = words.substr(0, at) + "\n" + words.substr(at);
    CHECK(inline_text(broken).find('\n') == std::string::npos);
    std::string tagged = words.substr(0, at) + "<b>" + words.substr(at);
    CHECK(inline_text(tagged).find("<b>") == std::string::npos);
    std::string nbsp = words.substr(0, at) + "\xC2\xA0" + words.substr(at);
    CHECK(inline_text(nbsp).find("\xC2\xA0") == std::string::npos);
  }
  CHECK(inline_text(" " + words) == words);
  CHECK(inline_text(words + " ") == words);
  CHECK(inline_text("AT&amp;T") == "AT&T");
}
