// The store's per-feed identity row (schema version 6), on real SQLite.
#include <catch2/catch.hpp>

#include "store/store.h"
#include "tests/support/temp_dir.h"

using khobor::store::FeedIdentity;
using khobor::store::Store;
using khobor::testing::TempDir;

TEST_CASE("A feed's identity row round-trips with its hash pairs and survives a reopen",
          "[store][identity]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    auto s = Store::open(path);
    REQUIRE(s.ok());
    CHECK_FALSE(s->feed_identity("a").has_value());
    FeedIdentity id;
    id.feed_id = "a";
    id.pairs = {{0x0123456789abcdefULL, 0xfedcba9876543210ULL}, {0, 42}, {~0ULL, 1}};
    auto tx = s->begin();
    s->save_feed_identity(id);
    tx.commit();
  }
  auto s = Store::open(path);
  REQUIRE(s.ok());
  auto got = s->feed_identity("a");
  REQUIRE(got.has_value());
  CHECK_FALSE(got->link_ids);
  CHECK(got->switched_ms == 0);
  REQUIRE(got->pairs.size() == 3);
  CHECK(got->pairs[0] ==
        std::pair<uint64_t, uint64_t>{0x0123456789abcdefULL, 0xfedcba9876543210ULL});
  CHECK(got->pairs[1] == std::pair<uint64_t, uint64_t>{0, 42});
  CHECK(got->pairs[2] == std::pair<uint64_t, uint64_t>{~0ULL, 1});

  // Switching to link ids replaces the row; the pairs are no longer kept.
  FeedIdentity switched{"a", true, 1234, {}};
  s->save_feed_identity(switched);
  got = s->feed_identity("a");
  REQUIRE(got.has_value());
  CHECK(got->link_ids);
  CHECK(got->switched_ms == 1234);
  CHECK(got->pairs.empty());
  CHECK_FALSE(s->feed_identity("b").has_value());
}

TEST_CASE("A version 5 store gains the feed_identity table and keeps its rows",
          "[store][identity]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    auto s = Store::open(path);
    REQUIRE(s.ok());
    REQUIRE(s->mark_seen("a", "entry-1", 1));
    // Back to version 5 as shipped: without what steps 6 and 7 add.
    s->database().exec(
        "DROP TABLE planner_memory; DROP INDEX entries_seen_last; ALTER TABLE entries_seen DROP "
        "COLUMN last_seen; "
        "ALTER TABLE feeds DROP COLUMN last_body; "
        "DROP TABLE event_alerts; DROP TABLE seen_links; ALTER TABLE story_entries DROP COLUMN "
        "event; ALTER TABLE story_entries DROP COLUMN title_features; DROP TABLE feed_identity;");
    s->database().set_user_version(5);
  }
  auto s = Store::open(path);
  REQUIRE(s.ok());
  CHECK(s->schema_version() == Store::k_schema_version);
  CHECK(s->seen("a", "entry-1"));
  s->save_feed_identity({"a", true, 5, {}});
  CHECK(s->feed_identity("a")->link_ids);
}
