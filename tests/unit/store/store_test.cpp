// Store tests on real SQLite (files in a temporary directory, or :memory:).
#include "store/store.h"

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.h"

using khobor::store::Database;
using khobor::store::FeedState;
using khobor::store::NewAlert;
using khobor::store::Store;
using khobor::testing::TempDir;

namespace {

Store open_store(const std::string& path) {
  auto s = Store::open(path);
  if (!s) {
    FAIL(s.error().message);
  }
  return std::move(*s);
}

std::string payload_for(int64_t seq) {
  return "{\"seq\":" + std::to_string(seq) + "}";
}

}  // namespace

TEST_CASE("A new store file is created in WAL mode at the current schema version", "[store]") {
  TempDir dir;
  Store s = open_store(dir.file("k.db"));
  CHECK(s.schema_version() == Store::k_schema_version);
  CHECK(s.database().journal_mode() == "wal");
  CHECK(s.last_seq() == 0);
  CHECK(s.alert_count() == 0);
}

TEST_CASE("An entry is new the first time it is marked seen and never again", "[store]") {
  Store s = open_store(":memory:");
  CHECK_FALSE(s.seen("feed-a", "e1"));
  CHECK(s.mark_seen("feed-a", "e1", 1000));
  CHECK_FALSE(s.mark_seen("feed-a", "e1", 2000));
  CHECK(s.seen("feed-a", "e1"));
  // The same entry id in another feed is another entry.
  CHECK(s.mark_seen("feed-b", "e1", 3000));
}

TEST_CASE("Alert seqs increase and keep increasing after the store is reopened", "[store]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    Store s = open_store(path);
    auto tx = s.begin();
    int64_t a = s.append_alert({"alert.x", "x", "f", "e1"}, 1, payload_for);
    int64_t b = s.append_alert({"alert.x", "x", "f", "e2"}, 2, payload_for);
    tx.commit();
    CHECK(a == 1);
    CHECK(b == 2);
  }
  Store s = open_store(path);
  CHECK(s.last_seq() == 2);
  int64_t c = s.append_alert({"alert.y", "y", "f", "e3"}, 3, payload_for);
  CHECK(c == 3);
  auto all = s.alerts_after(0, 10);
  REQUIRE(all.size() == 3);
  CHECK(all[2].payload == "{\"seq\":3}");
  CHECK(all[2].topic == "alert.y");
  CHECK(all[2].created_ms == 3);
}

TEST_CASE("A transaction that is not committed leaves neither seen entries nor alerts", "[store]") {
  Store s = open_store(":memory:");
  {
    auto tx = s.begin();
    CHECK(s.mark_seen("f", "e1", 1));
    s.append_alert({"alert.x", "x", "f", "e1"}, 1, payload_for);
  }
  CHECK_FALSE(s.seen("f", "e1"));
  CHECK(s.alert_count() == 0);
  CHECK(s.unpublished(10).empty());
}

TEST_CASE("Unpublished alerts come back in seq order until each is marked published", "[store]") {
  Store s = open_store(":memory:");
  {
    auto tx = s.begin();
    for (int i = 0; i < 5; ++i) {
      s.append_alert({"alert.x", "x", "f", "e" + std::to_string(i)}, i, payload_for);
    }
    tx.commit();
  }
  auto first = s.unpublished(3);
  REQUIRE(first.size() == 3);
  CHECK(first[0].seq == 1);
  CHECK(first[2].seq == 3);
  CHECK_FALSE(first[0].published);
  s.mark_published(1);
  s.mark_published(2);
  auto rest = s.unpublished(10);
  REQUIRE(rest.size() == 3);
  CHECK(rest[0].seq == 3);
  CHECK(rest[2].seq == 5);
  auto after = s.alerts_after(3, 10);
  REQUIRE(after.size() == 2);
  CHECK(after[0].seq == 4);
  CHECK(s.alerts_after(0, 10).at(0).published);
}

TEST_CASE("Feed state round-trips and is replaced on save", "[store]") {
  Store s = open_store(":memory:");
  CHECK_FALSE(s.feed_state("f").has_value());
  FeedState f;
  f.feed_id = "f";
  f.url = "http://127.0.0.1/f.xml";
  f.etag = "\"abc\"";
  f.last_modified = "Sat, 28 Nov 2026 00:00:00 GMT";
  f.last_attempt_ms = 10;
  f.last_success_ms = 10;
  f.http_status = 200;
  f.next_due_ms = 300010;
  f.bytes = 1234;
  f.entries = 7;
  f.latency_ms = 12;
  s.save_feed_state(f);
  auto got = s.feed_state("f");
  REQUIRE(got.has_value());
  CHECK(got->etag == "\"abc\"");
  CHECK(got->last_modified == f.last_modified);
  CHECK(got->http_status == 200);
  CHECK(got->entries == 7);
  f.error = "HTTP 500";
  f.consecutive_errors = 1;
  s.save_feed_state(f);
  auto all = s.feed_states();
  REQUIRE(all.size() == 1);
  CHECK(all[0].error == "HTTP 500");
  CHECK(all[0].consecutive_errors == 1);
}

TEST_CASE("A store written by a newer khobor is refused with a message naming the file",
          "[store]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    db->set_user_version(Store::k_schema_version + 5);
  }
  auto s = Store::open(path);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find(path) != std::string::npos);
  CHECK(s.error().message.find("newer") != std::string::npos);
}

TEST_CASE("A store in a missing directory is an error that names the path", "[store]") {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/k.db");
  auto s = Store::open(path);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find(path) != std::string::npos);
}

TEST_CASE("An older store gains the schedule's feed columns and keeps its rows", "[store]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    // Version 1 as shipped: the feeds table of the first migration step.
    db->exec(
        "CREATE TABLE feeds (id TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT NOT NULL DEFAULT "
        "'', last_modified TEXT NOT NULL DEFAULT '', last_attempt INTEGER NOT NULL DEFAULT 0, "
        "last_success INTEGER NOT NULL DEFAULT 0, http_status INTEGER NOT NULL DEFAULT 0, error "
        "TEXT NOT NULL DEFAULT '', consecutive_errors INTEGER NOT NULL DEFAULT 0, next_due "
        "INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, entries INTEGER NOT NULL "
        "DEFAULT 0, latency_ms INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE entries_seen (feed_id TEXT NOT NULL, entry_id TEXT NOT NULL, first_seen "
        "INTEGER NOT NULL, PRIMARY KEY (feed_id, entry_id)) WITHOUT ROWID;"
        "CREATE TABLE alerts (seq INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, "
        "topic TEXT NOT NULL, watchlist TEXT NOT NULL, feed_id TEXT NOT NULL, entry_id TEXT NOT "
        "NULL, payload TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX alerts_unpublished ON alerts (seq) WHERE published = 0;"
        "INSERT INTO feeds (id, url, etag, consecutive_errors) VALUES ('a', 'http://x/', "
        "'\"v1\"', 2);");
    db->set_user_version(1);
  }
  Store s = open_store(path);
  CHECK(s.schema_version() == Store::k_schema_version);
  auto f = s.feed_state("a");
  REQUIRE(f.has_value());
  CHECK(f->etag == "\"v1\"");
  CHECK(f->consecutive_errors == 2);
  CHECK(f->interval_s == 0);
  CHECK_FALSE(f->retired);
  CHECK(f->moved_to.empty());
  CHECK(f->moved_from.empty());
  CHECK(f->base_interval_s == 0);
  CHECK(f->ttl_s == 0);
  CHECK(s.domain_holds(0).empty());
  CHECK(s.planner_memories().empty());
}

TEST_CASE("Version 5 takes the base interval from the interval of a version 4 row", "[store]") {
  TempDir dir;
  const std::string path = dir.path() + "/v4.db";
  {
    Store s = open_store(path);
    // Back to version 4: without what steps 5, 6 and 7 add.
    s.database().exec(
        "DROP TABLE planner_memory; "
        "DROP INDEX entries_seen_last; ALTER TABLE entries_seen DROP COLUMN last_seen; "
        "ALTER TABLE feeds DROP COLUMN last_body; "
        "DROP TABLE event_alerts; DROP TABLE seen_links; ALTER TABLE story_entries DROP COLUMN "
        "event; ALTER TABLE story_entries DROP COLUMN title_features; "
        "DROP TABLE feed_identity; DROP TABLE domain_holds; ALTER TABLE feeds DROP COLUMN ttl_s; "
        "ALTER TABLE feeds DROP "
        "COLUMN base_interval_s; INSERT INTO feeds (id, url, interval_s) VALUES ('a', "
        "'http://x/', 900);");
    s.database().set_user_version(4);
  }
  Store s = open_store(path);
  CHECK(s.schema_version() == Store::k_schema_version);
  auto f = s.feed_state("a");
  REQUIRE(f.has_value());
  CHECK(f->interval_s == 900);
  CHECK(f->base_interval_s == 900);
}

TEST_CASE("Domain holds survive reopening, ended ones are dropped and the later end wins",
          "[store]") {
  TempDir dir;
  const std::string path = dir.path() + "/holds.db";
  {
    Store s = open_store(path);
    s.save_domain_hold("prothomalo.com", 5'000);
    s.save_domain_hold("prothomalo.com", 4'000);  // earlier: the 5,000 stays
    s.save_domain_hold("bbc.co.uk", 2'000);
  }
  Store s = open_store(path);
  auto holds = s.domain_holds(1'000);
  REQUIRE(holds.size() == 2);
  CHECK(holds[0].domain == "bbc.co.uk");
  CHECK(holds[0].until_ms == 2'000);
  CHECK(holds[1].domain == "prothomalo.com");
  CHECK(holds[1].until_ms == 5'000);
  holds = s.domain_holds(2'000);  // bbc.co.uk's hold ended at 2,000
  REQUIRE(holds.size() == 1);
  CHECK(holds[0].domain == "prothomalo.com");
  s.save_domain_hold("prothomalo.com", 9'000);  // a later 429: the later end
  CHECK(s.domain_holds(2'000)[0].until_ms == 9'000);
}

TEST_CASE("The planner's memory of a feed survives reopening and goes with the feed", "[store]") {
  TempDir dir;
  const std::string path = dir.path() + "/planner.db";
  {
    Store s = open_store(path);
    s.save_planner_memory(
        {"jugantor", 1'700'000'000, 1'699'990'000, 30, true, {1'699'995'000, 1'699'999'999}});
    s.save_planner_memory({"empty", 1'700'000'000, 1'700'000'000, 0, false, {}});
    s.save_planner_memory({"jugantor", 1'700'000'600, 1'699'990'000, 29, true, {1'700'000'100}});
  }
  Store s = open_store(path);
  auto rows = s.planner_memories();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].feed_id == "empty");
  CHECK_FALSE(rows[0].dated);
  CHECK(rows[0].times.empty());
  CHECK(rows[1].feed_id == "jugantor");  // the later save replaced the first
  CHECK(rows[1].as_of_s == 1'700'000'600);
  CHECK(rows[1].observed_since_s == 1'699'990'000);
  CHECK(rows[1].feed_size == 29);
  CHECK(rows[1].dated);
  CHECK(rows[1].times == std::vector<int64_t>{1'700'000'100});
  // Dates before 1970 and past 2038 keep all their bits.
  s.save_planner_memory({"wide", 1, 0, 3, true, {-5, int64_t{1} << 40, 7}});
  CHECK(s.planner_memories()[2].times == std::vector<int64_t>{-5, int64_t{1} << 40, 7});
  s.forget_planner_memory("jugantor");
  rows = s.planner_memories();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].feed_id == "empty");
  CHECK(rows[1].feed_id == "wide");
}

TEST_CASE("The base interval and the feed's ttl are saved with its state", "[store]") {
  Store s = open_store(":memory:");
  FeedState f;
  f.feed_id = "a";
  f.url = "http://x/";
  f.interval_s = 1800;
  f.base_interval_s = 300;
  f.ttl_s = 1800;
  s.save_feed_state(f);
  auto back = s.feed_state("a");
  REQUIRE(back.has_value());
  CHECK(back->base_interval_s == 300);
  CHECK(back->ttl_s == 1800);
}

TEST_CASE("A retired feed is enabled again with its errors and due time cleared", "[store]") {
  Store s = open_store(":memory:");
  FeedState f;
  f.feed_id = "gone";
  f.url = "https://new.example/feed";
  f.retired = true;
  f.consecutive_errors = 3;
  f.next_due_ms = 0;
  f.interval_s = 600;
  f.moved_to = "https://new.example/feed";
  f.moved_from = "https://old.example/feed";
  s.save_feed_state(f);
  auto back = s.feed_state("gone");
  REQUIRE(back.has_value());
  CHECK(back->retired);
  CHECK(back->interval_s == 600);
  CHECK(back->moved_to == f.moved_to);
  CHECK(back->moved_from == f.moved_from);
  CHECK(s.enable_feed("gone"));
  back = s.feed_state("gone");
  CHECK_FALSE(back->retired);
  CHECK(back->consecutive_errors == 0);
  CHECK_FALSE(s.enable_feed("never-polled"));
}
