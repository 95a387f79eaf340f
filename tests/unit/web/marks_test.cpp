// Marking matched words: spans clamped, widened to whole code points, merged.
#include "web/marks.h"

#include <catch2/catch.hpp>

using khobor::web::find_all;
using khobor::web::mark_spans;
using khobor::web::Run;

TEST_CASE("Spans cut a text into marked and unmarked runs", "[web][marks]") {
  CHECK(mark_spans("abc def", {}) == std::vector<Run>{{"abc def", false}});
  CHECK(mark_spans("abc def", {{4, 7}}) == std::vector<Run>{{"abc ", false}, {"def", true}});
  // Overlapping and touching spans are one mark; out-of-range ends are clamped.
  CHECK(mark_spans("abcdef", {{0, 2}, {1, 3}, {3, 4}, {5, 99}}) ==
        std::vector<Run>{{"abcd", true}, {"e", false}, {"f", true}});
  CHECK(mark_spans("", {{0, 3}}).empty());
}

TEST_CASE("A span is never cut inside a UTF-8 sequence", "[web][marks]") {
  const std::string putin = "পুতিন";  // 5 code points, 3 bytes each
  // Bytes 1..4 lie inside the first and second code points: the mark takes both.
  auto runs = mark_spans(putin + "কে", {{1, 4}});
  REQUIRE(runs.size() == 2);
  CHECK(runs[0] == Run{putin.substr(0, 6), true});
  CHECK(runs[1] == Run{putin.substr(6) + "কে", false});
}

TEST_CASE("find_all finds every occurrence of every needle", "[web][marks]") {
  const std::string text = "পুতিন ও কিম; পুতিনের সফর";
  auto spans = find_all(text, {"পুতিন", "কিম", ""});
  CHECK(spans.size() == 3);
  auto runs = mark_spans(text, spans);
  CHECK(runs.front() == Run{"পুতিন", true});
  CHECK(runs[2] == Run{"কিম", true});
  CHECK(runs[4] == Run{"পুতিন", true});
  CHECK(runs[5] == Run{"ের সফর", false});
}
