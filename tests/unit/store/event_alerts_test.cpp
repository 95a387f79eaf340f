// The event level in the store (schema version 7): alerts and pending updates per
// (event, watch list), the canonical links seen, and the migration from version 6.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/store.h"
#include "tests/support/temp_dir.h"

using khobor::store::Store;
using khobor::store::StoryEntryRow;
using khobor::testing::TempDir;

TEST_CASE("an event is alerted once per list and keeps its pending update until due", "[store]") {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  CHECK(s->schema_version() == Store::k_schema_version);
  CHECK(s->mark_event_alerted(9, "summit", 1, 1000));
  CHECK_FALSE(s->mark_event_alerted(9, "summit", 2, 2000));
  CHECK(s->mark_event_alerted(9, "elections", 3, 3000));
  const auto rows = s->event_alerts(9);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].watchlist == "elections");
  CHECK(rows[1].watchlist == "summit");
  CHECK(rows[1].alert_seq == 1);
  CHECK(rows[1].last_sent_ms == 1000);
  CHECK(rows[1].pending.empty());
  CHECK(s->event_alerts(10).empty());

  CHECK(s->next_update_due() == 0);
  s->save_pending_update(9, "summit", "{\"pending\":1}", 301'000);
  s->save_pending_update(9, "elections", "{\"pending\":2}", 303'000);
  CHECK(s->next_update_due() == 301'000);
  CHECK(s->due_updates(300'999, 10).empty());
  const auto due = s->due_updates(302'000, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].pending == "{\"pending\":1}");
  s->mark_update_sent(9, "summit", 302'000);
  CHECK(s->next_update_due() == 303'000);
  CHECK(s->event_alerts(9)[1].last_sent_ms == 302'000);
  CHECK(s->event_alerts(9)[1].pending.empty());
}

TEST_CASE("a canonical link is remembered with its first story and event", "[store]") {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  const uint64_t link = 0xFEED'0000'0000'0001ULL;  // high bit set: a negative integer
  CHECK_FALSE(s->seen_link(link).has_value());
  CHECK(s->save_seen_link(link, 4, 2, 1000));
  CHECK_FALSE(s->save_seen_link(link, 5, 5, 2000));
  const auto seen = s->seen_link(link);
  REQUIRE(seen.has_value());
  CHECK(seen->story == 4);
  CHECK(seen->event == 2);
}

TEST_CASE("version 6 stores keep their alerted stories as alerted events", "[store]") {
  TempDir dir;
  const std::string path = dir.file("khobor.db");
  {
    auto s = Store::open(path);
    REQUIRE(s.ok());
    // Back to version 6 by hand: what a store written by the previous build holds.
    auto& db = s->database();
    db.exec(
        "DROP TABLE planner_memory; "
        "DROP INDEX entries_seen_last; ALTER TABLE entries_seen DROP COLUMN last_seen; "
        "ALTER TABLE feeds DROP COLUMN last_body; "
        "DROP TABLE event_alerts; DROP TABLE seen_links; "
        "ALTER TABLE story_entries DROP COLUMN event; "
        "ALTER TABLE story_entries DROP COLUMN title_features; "
        "INSERT INTO story_entries (seq, story, feed_id, entry_id, outlet, time, simhash, "
        "features) VALUES (7, 5, 'f', 'e', 'f', 100, 0, x''); "
        "INSERT INTO story_alerts (story, watchlist, alert_seq) VALUES (5, 'summit', 3);");
    db.set_user_version(6);
  }
  auto s = Store::open(path);
  REQUIRE(s.ok());
  CHECK(s->schema_version() == Store::k_schema_version);
  const auto rows = s->story_entries_since(0);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].event == 5);  // each old story is its own event
  CHECK(rows[0].title_features == 0);
  const auto alerted = s->event_alerts(5);
  REQUIRE(alerted.size() == 1);
  CHECK(alerted[0].watchlist == "summit");
  CHECK(alerted[0].alert_seq == 3);
  CHECK(alerted[0].last_sent_ms == 0);
}
