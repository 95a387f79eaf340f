// Bounded state (issue 14, schema 8): seen entries and links are forgotten only
// after their feed stopped carrying them for forget_after (counted to the feed's
// last body, so a feed answering 304 keeps what it carries), event alerts outside
// the window go, pruning works in bounded batches, and the file uses
// auto_vacuum=INCREMENTAL (an older store is rewritten once). Real SQLite files.
#include <catch2/catch.hpp>
#include <ctime>

#include "store/store.h"
#include "tests/support/temp_dir.h"

using khobor::store::FeedState;
using khobor::store::Store;
using khobor::testing::TempDir;

namespace {

constexpr int64_t k_day = 86'400'000;
constexpr int64_t k_forget = 30 * k_day;
constexpr int64_t k_cap = 365 * k_day;

Store open_store(const std::string& path) {
  auto s = Store::open(path);
  if (!s) {
    FAIL(s.error().message);
  }
  return std::move(*s);
}

void body_at(Store& s, const std::string& feed, int64_t ms) {
  FeedState f;
  f.feed_id = feed;
  f.url = "http://127.0.0.1/" + feed;
  f.last_success_ms = ms;
  f.last_body_ms = ms;
  s.save_feed_state(f);
}

int64_t auto_vacuum(Store& s) {
  auto st = s.database().prepare("PRAGMA auto_vacuum");
  st.step();
  return st.column_int(0);
}

}  // namespace

TEST_CASE("an entry is forgotten once its feed's bodies went forget_after without it",
          "[store][retention]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  const int64_t t0 = 100 * k_day;
  body_at(s, "f", t0);
  REQUIRE(s.mark_seen("f", "dropped", t0));
  REQUIRE(s.mark_seen("f", "carried", t0));

  // 31 days on the feed still carries "carried" (a body a day) but not "dropped".
  for (int day = 1; day <= 31; ++day) {
    body_at(s, "f", t0 + day * k_day);
    CHECK_FALSE(s.mark_seen("f", "carried", t0 + day * k_day));
  }
  const int64_t now = t0 + 31 * k_day;
  CHECK(s.prune_seen(now, k_forget, k_cap, 100) == 1);
  CHECK_FALSE(s.seen("f", "dropped"));
  CHECK(s.seen("f", "carried"));
  CHECK(s.prune_seen(now, k_forget, k_cap, 100) == 0);
}

TEST_CASE("a feed answering 304 for longer than forget_after keeps what it carries",
          "[store][retention]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  const int64_t t0 = 100 * k_day;
  body_at(s, "quiet", t0);
  REQUIRE(s.mark_seen("quiet", "old", t0));
  // No new body for 90 days: its entries were last seen at its last body.
  CHECK(s.prune_seen(t0 + 90 * k_day, k_forget, k_cap, 100) == 0);
  CHECK(s.seen("quiet", "old"));
  // A year without a new body (or the feed gone from the config) lets go.
  CHECK(s.prune_seen(t0 + 366 * k_day, k_forget, k_cap, 100) == 1);
  CHECK_FALSE(s.seen("quiet", "old"));
}

TEST_CASE("pruning goes in batches of at most the limit", "[store][retention]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  body_at(s, "f", 40 * k_day);
  for (int i = 0; i < 25; ++i) {
    REQUIRE(s.mark_seen("f", "e" + std::to_string(i), k_day));
    REQUIRE(s.save_seen_link(static_cast<uint64_t>(i + 1), 0, 0, k_day));
  }
  CHECK(s.prune_seen(40 * k_day, k_forget, k_cap, 10) == 10);
  CHECK(s.prune_seen(40 * k_day, k_forget, k_cap, 10) == 10);
  CHECK(s.prune_seen(40 * k_day, k_forget, k_cap, 10) == 5);
  // A link carried again lives on; the others go, ten at a time.
  s.touch_seen_link(25, 35 * k_day);
  CHECK(s.prune_seen_links(40 * k_day - k_forget, 10) == 10);
  CHECK(s.prune_seen_links(40 * k_day - k_forget, 10) == 10);
  CHECK(s.prune_seen_links(40 * k_day - k_forget, 10) == 4);
  CHECK(s.seen_link(25).has_value());
  CHECK_FALSE(s.seen_link(1).has_value());
}

TEST_CASE("event alert rows go after the window unless an update is pending",
          "[store][retention]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  REQUIRE(s.mark_event_alerted(1, "w", 1, k_day));
  REQUIRE(s.mark_event_alerted(2, "w", 2, k_day));
  s.save_pending_update(2, "w", "{}", 9 * k_day);
  REQUIRE(s.mark_event_alerted(3, "w", 3, 8 * k_day));
  CHECK(s.prune_event_alerts(7 * k_day, 100) == 1);
  CHECK(s.event_alerts(1).empty());
  CHECK(s.event_alerts(2).size() == 1);  // its update still waits
  CHECK(s.event_alerts(3).size() == 1);  // recent
}

TEST_CASE("a new store uses incremental vacuum, an older one is rewritten once",
          "[store][retention]") {
  TempDir dir;
  {
    Store s = open_store(dir.file("new.db"));
    CHECK(auto_vacuum(s) == 2);
  }
  {
    Store s = open_store(dir.file("old.db"));
    s.database().exec(
        "DROP TABLE planner_memory; "
        "DROP INDEX entries_seen_last; ALTER TABLE entries_seen DROP COLUMN last_seen; DROP INDEX "
        "seen_links_last; ALTER TABLE seen_links DROP COLUMN last_seen; ALTER TABLE feeds DROP "
        "COLUMN last_body; DROP INDEX event_alerts_sent; INSERT INTO entries_seen VALUES ('f', "
        "'e', 5); PRAGMA auto_vacuum = NONE;");
    s.database().exec("VACUUM");  // a version 7 store as shipped: no auto_vacuum
    s.database().set_user_version(7);
    CHECK(auto_vacuum(s) == 0);
  }
  Store s = open_store(dir.file("old.db"));
  CHECK(auto_vacuum(s) == 2);
  CHECK(s.schema_version() == Store::k_schema_version);
  CHECK(s.seen("f", "e"));
  // Version 7's rows count as seen at the upgrade: not forgotten for forget_after.
  CHECK(s.prune_seen(std::time(nullptr) * 1000 + k_day, k_forget, k_cap, 100) == 0);
}

TEST_CASE("pruned pages go back to the file system", "[store][retention]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  body_at(s, "f", 40 * k_day);
  for (int i = 0; i < 20'000; ++i) {
    REQUIRE(s.mark_seen("f", "a-rather-long-entry-id-" + std::to_string(i), k_day));
  }
  s.checkpoint();
  const int64_t full = s.size().pages;
  while (s.prune_seen(40 * k_day, k_forget, k_cap, 5000) > 0) {
  }
  CHECK(s.size().free_pages > full / 2);
  s.incremental_vacuum(1'000'000);
  CHECK(s.size().free_pages == 0);
  CHECK(s.size().pages < full / 2);
}
