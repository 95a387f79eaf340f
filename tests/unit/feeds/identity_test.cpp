// Identity across polls: guids regenerated on every request.
#include "feeds/identity.h"

#include <catch2/catch.hpp>
#include <string>

#include "feeds/parser.h"

using khobor::feeds::guids_unstable;
using khobor::feeds::link_ids;
using khobor::feeds::parse_feed;
using khobor::feeds::use_link_ids;

namespace {

std::string feed_with_guids(const std::string& suffix) {
  std::string body = "<rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 1; i <= 4; ++i) {
    std::string n = std::to_string(i);
    body += "<item><title>news " + n + "</title><link>https://n.test/" + n +
            "?utm_source=rss</link><guid isPermaLink=\"false\">" + n + "-" + suffix +
            "</guid></item>";
  }
  return body + "</channel></rss>";
}

}  // namespace

TEST_CASE("Guids regenerated on every poll are detected and replaced by links",
          "[feeds][identity]") {
  auto first = parse_feed(feed_with_guids("session-a"));
  auto second = parse_feed(feed_with_guids("session-b"));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  auto previous = link_ids(*first);
  REQUIRE(previous.size() == 4);
  CHECK(guids_unstable(previous, *second));
  use_link_ids(*second);
  CHECK(second->entries[0].id == "https://n.test/1");
  CHECK(second->warnings.back().find("change between polls") != std::string::npos);
}

TEST_CASE("Stable guids are not flagged", "[feeds][identity]") {
  auto first = parse_feed(feed_with_guids("same"));
  auto second = parse_feed(feed_with_guids("same"));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK_FALSE(guids_unstable(link_ids(*first), *second));
  // Too few entries in common to judge.
  CHECK_FALSE(guids_unstable({{"https://n.test/1", "x"}}, *second));
}

TEST_CASE("The compact hashed form detects regenerated guids the same way", "[feeds][identity]") {
  using khobor::feeds::link_id_hashes;
  auto first = parse_feed(feed_with_guids("session-a"));
  auto second = parse_feed(feed_with_guids("session-b"));
  auto again = parse_feed(feed_with_guids("session-a"));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(again.ok());
  auto before = link_id_hashes(*first);
  REQUIRE(before.size() == 4);
  CHECK(before[0].link == khobor::feeds::identity_hash("https://n.test/1"));
  CHECK(before[0].id == khobor::feeds::identity_hash("1-session-a"));
  CHECK(guids_unstable(before, link_id_hashes(*second)));
  CHECK_FALSE(guids_unstable(before, link_id_hashes(*again)));
  // Fewer than three links in common: no verdict.
  before.resize(2);
  CHECK_FALSE(guids_unstable(before, link_id_hashes(*second)));
}

TEST_CASE("The identity hash is FNV-1a 64, the same on every build", "[feeds][identity]") {
  // Published FNV-1a 64 test vectors.
  CHECK(khobor::feeds::identity_hash("") == 0xcbf29ce484222325ULL);
  CHECK(khobor::feeds::identity_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(khobor::feeds::identity_hash("foobar") == 0x85944171f73967e8ULL);
}
