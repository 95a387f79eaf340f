// find_xml_problem's check of '&': the vector scan for documents with no problem
// must never miss the first '&' that starts no well-formed reference.
#include "feeds/xml_repair.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/utf8.h"

using khobor::feeds::detail::find_xml_problem;

namespace {

struct Piece {
  std::string_view text;
  bool bad;  // an '&' that starts no well-formed XML reference
};

constexpr Piece k_pieces[] = {
    {"text ", false},     {"খবর ", false},     {"&amp;", false},  {"&lt;", false},
    {"&gt;", false},      {"&quot;", false},   {"&apos;", false}, {"&#10;", false},
    {"&#x1F600;", false}, {"&#x9;", false},    {" ", false},      {"&amp", true},
    {"&lt", true},        {"& ", true},        {"&nbsp;", true},  {"&#xD800;", true},
    {"&#;", true},        {"&unknown;", true}, {"&qout;", true},  {"&ampx;", true},
    {"&a", true},         {"&q", true},        {"&", true},       {"&#0;", true},
};

}  // namespace

TEST_CASE("find_xml_problem finds the first bad '&' wherever it stands in a block",
          "[feeds][xml]") {
  // Documents of a few bytes to a few vector blocks, built from good and bad
  // references; the bad ones rare enough that many documents have none. The bad
  // '&' falls at every offset of the 128-byte blocks and in the byte-wise tail, and
  // sometimes at the very end of the document (no closing tag).
  uint64_t state = 0x2545F4914F6CDD1DULL;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  constexpr size_t k_good = 11;  // k_pieces[0..k_good) are good
  size_t clean = 0;
  size_t dirty = 0;
  for (int k = 0; k < 20000; ++k) {
    std::string doc = "<rss>";
    const size_t pieces = next(120);
    size_t first_bad_column = 0;  // 1-based, 0 when none
    for (size_t p = 0; p < pieces; ++p) {
      const bool pick_bad = next(40) == 0;
      const Piece& piece =
          pick_bad ? k_pieces[k_good + next(std::size(k_pieces) - k_good)] : k_pieces[next(k_good)];
      if (piece.bad && first_bad_column == 0) {
        first_bad_column = khobor::utf8::count_code_points(doc) + 1;
      }
      doc.append(piece.text);
    }
    if (next(4) != 0) {
      doc.append("</rss>");
    }
    INFO(doc);
    const bool control_free = next(2) == 0;
    const std::string problem = find_xml_problem(doc, control_free);
    if (first_bad_column == 0) {
      CHECK(problem.empty());
      ++clean;
    } else {
      const std::string where = " at line 1, column " + std::to_string(first_bad_column);
      REQUIRE(problem.size() > where.size());
      CHECK(problem.substr(problem.size() - where.size()) == where);
      ++dirty;
    }
  }
  CHECK(clean > 1000);
  CHECK(dirty > 1000);
}
