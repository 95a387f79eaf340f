// The JSON `khobor parse` writes as it goes, against the slow reference: the same
// document built as an nlohmann::json tree and dumped (what `khobor parse` printed
// before it streamed), byte for byte, on every fixture and every shared feed.
#include "feeds/feed_json.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "feeds/parser.h"
#include "tests/support/feed_json_tree.h"

using khobor::feeds::append_feed_json;
using khobor::feeds::append_json_string;
using khobor::feeds::FeedJsonOptions;
using khobor::feeds::ParsedFeed;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string reference(const std::string& source, const ParsedFeed& f, bool with_html, int indent) {
  return khobor::testing::feed_tree(source, f, with_html)
      .dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string streamed(const std::string& source, const ParsedFeed& f, bool with_html, int indent) {
  std::string out;
  FeedJsonOptions options;
  options.with_html = with_html;
  options.indent = indent;
  append_feed_json(out, source, f, options);
  return out;
}

std::string reference_string(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string streamed_string(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// Every regular file under `dir` that parses as a feed is compared; returns how
// many were, and the entries they held.
std::pair<size_t, size_t> compare_all(const fs::path& dir, bool all_variants) {
  size_t files = 0;
  size_t entries = 0;
  for (const auto& de : fs::recursive_directory_iterator(dir)) {
    if (!de.is_regular_file()) {
      continue;
    }
    const std::string bytes = slurp(de.path());
    auto feed = khobor::feeds::parse_feed(bytes, {});
    if (!feed) {
      continue;
    }
    ++files;
    entries += feed->entries.size();
    const std::string source = de.path().string();
    INFO(source);
    REQUIRE(streamed(source, *feed, false, -1) == reference(source, *feed, false, -1));
    if (all_variants) {
      REQUIRE(streamed(source, *feed, true, -1) == reference(source, *feed, true, -1));
      REQUIRE(streamed(source, *feed, true, 2) == reference(source, *feed, true, 2));
    }
  }
  return {files, entries};
}

}  // namespace

TEST_CASE("JSON strings are escaped as nlohmann dumps them, at every offset of a word",
          "[feeds][json]") {
  std::vector<std::string> specials = {"\"", "\\", "\b", "\f", "\n", "\r", "\t", "/", "\x7f"};
  for (int c = 0; c < 0x20; ++c) {
    specials.emplace_back(1, static_cast<char>(c));
  }
  // Bengali, a 4-byte character, and invalid UTF-8 (lone continuation, truncated
  // sequence, overlong, surrogate), which both replace with U+FFFD.
  for (const char* s :
       {"পুতিন", "\xF0\x9F\x93\xB0", "\x80", "\xE0\xA6", "\xC0\xAF", "\xED\xA0\x80"}) {
    specials.emplace_back(s);
  }
  for (const auto& special : specials) {
    for (size_t at = 0; at <= 17; ++at) {
      std::string s = std::string(at, 'a') + special + std::string(17 - at, 'b');
      INFO("special byte(s) " << static_cast<int>(static_cast<unsigned char>(special[0]))
                              << "… at offset " << at);
      REQUIRE(streamed_string(s) == reference_string(s));
    }
  }
  CHECK(streamed_string("") == "\"\"");
  CHECK(streamed_string("a\x01z") == "\"a\\u0001z\"");
}

TEST_CASE("A parsed feed's streamed JSON is byte for byte the tree's dump, compact and pretty",
          "[feeds][json]") {
  auto [files, entries] = compare_all(KHOBOR_FIXTURES, true);
  CHECK(files > 500);  // the conformance suites' feeds and the project's own fixtures
  CHECK(entries > 1000);
  ParsedFeed empty;
  CHECK(streamed("x", empty, false, 2) == reference("x", empty, false, 2));
  CHECK(streamed("\xFF.xml", empty, false, -1) == reference("\xFF.xml", empty, false, -1));
}

TEST_CASE("The shared Bengali feeds' streamed JSON is byte for byte the tree's dump",
          "[feeds][json][shared]") {
  const fs::path dir = fs::path(KHOBOR_SHARED_DATA) / "feeds-bd";
  if (!fs::is_directory(dir)) {
    WARN("skipped: no shared data at " << dir.string());
    return;
  }
  auto [files, entries] = compare_all(dir, false);
  CHECK(files > 400);
  CHECK(entries > 30000);
}
