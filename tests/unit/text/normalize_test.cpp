// Tests of text/normalize.h: each Bengali normalisation step, and the offsets back
// into the input (per byte and sparse) on the fixtures and shared feeds.
#include "text/normalize.h"

#include <unicode/normalizer2.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

using khobor::text::normalize;
using khobor::text::normalize_mapped;
using khobor::text::OffsetMap;

namespace {
// Escapes for the invisible or look-alike code points in the tests.
const std::string k_zwj = "\u200D";
const std::string k_zwnj = "\u200C";

// The fast path (normalize with a sparse OffsetMap, one pass) against the slow
// one (normalize_mapped, one offset per byte): the same text, and the same
// source offset at every code point boundary of it, the end included.
void check_sparse_map_agrees(const std::string& input) {
  std::string out;
  OffsetMap map;
  normalize(input, out, map);
  const auto slow = normalize_mapped(input);
  REQUIRE(out == slow.text);
  for (size_t b = 0; b <= out.size(); ++b) {
    if (b < out.size() && (static_cast<unsigned char>(out[b]) & 0xC0) == 0x80) {
      continue;  // inside a code point
    }
    INFO("at normalised offset " << b);
    REQUIRE(map.source(static_cast<uint32_t>(b)) == slow.source_offset[b]);
  }
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("the precomposed and decomposed nukta letters normalise to one form", "[text]") {
  CHECK(normalize("\u09DF") == "\u09AF\u09BC");  // য়
  CHECK(normalize("\u09AF\u09BC") == "\u09AF\u09BC");
  CHECK(normalize("\u09DC") == "\u09A1\u09BC");  // ড়
  CHECK(normalize("\u09DD") == "\u09A2\u09BC");  // ঢ়
  CHECK(normalize("রাশি\u09DFা") == normalize("রাশি\u09AF\u09BCা"));
}

TEST_CASE("khanda-ta written with a joiner becomes ৎ before joiners are removed", "[text]") {
  CHECK(normalize("উত\u09CD" + k_zwj + "সব") == "উৎসব");
  CHECK(normalize("উৎসব") == "উৎসব");
  // without the joiner it is a conjunct, not khanda-ta
  CHECK(normalize("উত\u09CDসব") == "উত\u09CDসব");
}

TEST_CASE("joiners and soft hyphens are removed", "[text]") {
  CHECK(normalize("রাশিয়া" + k_zwnj + "র") == normalize("রাশিয়ার"));
  CHECK(normalize("র" + k_zwj + "\u09CDযাব") == "র\u09CDযাব");
  CHECK(normalize("র" + k_zwnj + "\u09CDযাব") == "র\u09CDযাব");
  CHECK(normalize("news\u00ADpaper") == "newspaper");
}

TEST_CASE("Bengali digits fold to ASCII", "[text]") {
  CHECK(normalize("১৩ সেপ্টেম্বর ২০২৩") == "13 সেপ্টেম্বর 2023");
  CHECK(normalize("০১২৩৪৫৬৭৮৯") == "0123456789");
}

TEST_CASE("Latin is case-folded and typographic apostrophes become ASCII", "[text]") {
  CHECK(normalize("PUTIN Putin") == "putin putin");
  CHECK(normalize("Putin\u2019s") == "putin's");
  CHECK(normalize("ÄRGER") == "ärger");
}

TEST_CASE("the two-part vowel signs compose as NFC says", "[text]") {
  CHECK(normalize("ক\u09C7\u09BE") == "ক\u09CB");  // কো
  CHECK(normalize("ক\u09C7\u09D7") == "ক\u09CC");  // কৌ
}

TEST_CASE("danda stays in the text as punctuation", "[text]") {
  CHECK(normalize("হয়েছে। চলবে॥") == normalize("হয়েছে") + "। চলবে॥");
}

TEST_CASE("invalid UTF-8 becomes U+FFFD", "[text]") {
  CHECK(normalize("a\xFF"
                  "b") == "a\uFFFDb");
  CHECK(normalize("\xE0\xA6") == "\uFFFD\uFFFD");
  CHECK(normalize("\xED\xA0\x80") == "\uFFFD\uFFFD\uFFFD");  // a surrogate
}

TEST_CASE("every variant spelling normalises to one form", "[text][property]") {
  // Each group: spellings an outlet might use for one word.
  const std::vector<std::vector<std::string>> groups = {
      {"রাশি\u09DFা", "রাশি\u09AF\u09BCা", "রাশি\u09DF" + k_zwnj + "া", "রাশি" + k_zwj + "\u09DFা"},
      {"উৎসব", "উত\u09CD" + k_zwj + "সব", "উ" + k_zwnj + "ৎসব"},
      {"র\u09CDযাব", "র" + k_zwj + "\u09CDযাব", "র\u09CD" + k_zwj + "যাব",
       "র" + k_zwnj + "\u09CDযাব"},
      {"১৩", "13", "১3"},
      {"কো", "ক\u09C7\u09BE", "ক\u09CB"},
      {"বড়", "ব\u09DC", "ব\u09A1\u09BC"},
      {"আষাঢ়", "আষা\u09DD", "আষা\u09A2\u09BC"},
      {"putin", "PUTIN", "Putin", "pUtIn"},
      {"putin's", "Putin\u2019s", "PUTIN'S"},
  };
  for (const auto& group : groups) {
    const std::string first = normalize(group.front());
    for (const auto& variant : group) {
      INFO(variant);
      CHECK(normalize(variant) == first);
      // and the one-pass offsets agree with the per-byte ones, alone and in a sentence
      check_sparse_map_agrees(variant);
      check_sparse_map_agrees("X " + variant + "-" + variant + "।\n১ " + variant);
    }
  }
}

TEST_CASE("normalisation is idempotent on random mixed text", "[text][property]") {
  // Random strings over an alphabet chosen to meet every step: Bengali letters,
  // signs, nukta forms, hasanta, joiners, digits, Latin of both cases, marks.
  const std::vector<std::string> alphabet = {
      "ক",      "ত",      "য",      "ড",          "ঢ",      "র",      "\u09DC", "\u09DD", "\u09DF",
      "\u09BC", "\u09CD", "\u09C7", "\u09BE",     "\u09D7", "\u09CB", "ি",      "ু",       "ং",
      "ঁ",       "ৎ",      k_zwj,    k_zwnj,       "১",      "৯",      "7",      "A",      "z",
      "Ä",      "\u0301", "\u0323", " ",          "।",      "॥",      "\u2019", "'",      "\u00AD",
      "\xFF",   "ß",      "Σ",      "\u09FE",     "\u0345", "\u212B", "\u2000", "\uAC00", "\u1100",
      "\u1161", "e",      "\u0300", "\U0001D15E", "\u0958", "\u0130"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 24);
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int n = length(rng);
    for (int k = 0; k < n; ++k) {
      s += alphabet[pick(rng)];
    }
    const std::string once = normalize(s);
    INFO(s);
    REQUIRE(normalize(once) == once);
    REQUIRE(normalize_mapped(s).text == once);
    check_sparse_map_agrees(s);
    // The output is NFC by ICU's own check (normalize skips ICU when its quick
    // check proves the text NFC already: this is that proof's test).
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    REQUIRE(U_SUCCESS(status));
    REQUIRE(nfc->isNormalizedUTF8(once, status));
  }
}

TEST_CASE("the mapped form gives each byte's source offset", "[text]") {
  const std::string input = "A রাশি\u09DFা" + k_zwnj + "র ১৩";
  const auto m = normalize_mapped(input);
  REQUIRE(m.source_offset.size() == m.text.size() + 1);
  CHECK(m.source_offset.back() == input.size());
  CHECK(m.text == normalize(input));
  // offsets never decrease and never pass the input
  for (size_t k = 1; k < m.source_offset.size(); ++k) {
    CHECK(m.source_offset[k - 1] <= m.source_offset[k]);
  }
  // "১৩" (6 bytes) became "13": each digit maps to its Bengali digit
  const size_t at = m.text.find("13");
  REQUIRE(at != std::string::npos);
  CHECK(input.substr(m.source_offset[at], 3) == "১");
  CHECK(input.substr(m.source_offset[at + 1], 3) == "৩");
  // the composed ো maps back to where its first part was
  const std::string vowel = "x ক\u09C7\u09BE y";
  const auto mv = normalize_mapped(vowel);
  const size_t ko = mv.text.find("ক\u09CB");
  REQUIRE(ko != std::string::npos);
  CHECK(mv.source_offset[ko] == 2);
  CHECK(mv.source_offset[ko + 3] == 5);
  CHECK(mv.source_offset[mv.text.find('y')] == vowel.find('y'));
}

TEST_CASE("the sparse offset map stores a few points, not one per byte", "[text]") {
  std::string out;
  OffsetMap map;
  normalize("plain ascii and প্রথম আলো, no step changes a length", out, map);
  CHECK(map.size() == 0);
  CHECK(map.source(static_cast<uint32_t>(out.size())) == out.size());
  const std::string input = "রাশি\u09DFা" + k_zwnj + "র ১৩ PUTIN";
  normalize(input, out, map);
  CHECK(map.size() > 0);
  CHECK(map.size() < 12);
  CHECK(map.source(static_cast<uint32_t>(out.find("putin"))) == input.find("PUTIN"));
  CHECK(map.source(static_cast<uint32_t>(out.size())) == input.size());
  check_sparse_map_agrees(input);
}

TEST_CASE("the sparse offset map agrees with normalize_mapped on the fixtures and feeds",
          "[text][property]") {
  const std::string mixed =
      read_file(std::filesystem::path(KHOBOR_FIXTURES) / "text" / "mixed.txt");
  REQUIRE(!mixed.empty());
  check_sparse_map_agrees(mixed);
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "feeds-bd" / "latest";
  if (!std::filesystem::is_directory(dir)) {
    WARN("skipped the feeds: " << dir << " is absent");
    return;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    INFO(e.path().filename().string());
    check_sparse_map_agrees(read_file(e.path()));
  }
}
