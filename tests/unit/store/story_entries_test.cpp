// The story index's window in the store (schema version 2), on real SQLite.
#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "tests/support/temp_dir.h"

using khobor::store::Store;
using khobor::store::StoryEntryRow;
using khobor::testing::TempDir;

namespace {

StoryEntryRow row(int64_t seq, int64_t story, int64_t time) {
  StoryEntryRow r;
  r.seq = seq;
  r.story = story;
  r.feed_id = "feed-" + std::to_string(seq);
  r.entry_id = "https://example.test/" + std::to_string(seq);
  r.outlet = "প্রথম আলো";
  r.time = time;
  r.simhash = 0xF00D'0000'0000'BEEFULL;  // high bit set: stored as a negative integer
  r.features = {0x0000'0001U, 0xFFFF'FFFEU, static_cast<uint32_t>(seq)};
  return r;
}

}  // namespace

TEST_CASE("saved story entries come back in seq order with their fingerprints", "[store]") {
  TempDir dir;
  const std::string path = dir.file("k.db");
  {
    auto s = Store::open(path);
    REQUIRE(s.ok());
    s->save_story_entry(row(3, 1, 300));
    s->save_story_entry(row(1, 1, 100));
    s->save_story_entry(row(2, 2, 200));
  }
  auto s = Store::open(path);
  REQUIRE(s.ok());
  const auto rows = s->story_entries_since(150);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq == 2);
  CHECK(rows[1].seq == 3);
  CHECK(rows[1].story == 1);
  CHECK(rows[1].outlet == "প্রথম আলো");
  CHECK(rows[1].entry_id == "https://example.test/3");
  CHECK(rows[1].simhash == 0xF00D'0000'0000'BEEFULL);
  CHECK(rows[1].features == std::vector<uint32_t>{0x0000'0001U, 0xFFFF'FFFEU, 3U});
}

TEST_CASE("story entries older than the window are pruned", "[store]") {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  for (int64_t i = 1; i <= 5; ++i) {
    s->save_story_entry(row(i, i, i * 100));
  }
  s->prune_story_entries(300);
  const auto rows = s->story_entries_since(0);
  REQUIRE(rows.size() == 3);
  CHECK(rows.front().seq == 3);
}

TEST_CASE("a story is alerted once per watch list", "[store]") {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  CHECK(s->mark_story_alerted(7, "politics", 1));
  CHECK_FALSE(s->mark_story_alerted(7, "politics", 2));
  CHECK(s->mark_story_alerted(7, "economy", 3));
  CHECK(s->mark_story_alerted(8, "politics", 4));
  CHECK(s->story_alert_lists(7) == std::vector<std::string>{"economy", "politics"});
  CHECK(s->story_alert_lists(9).empty());
}

TEST_CASE("copies are counted per story and outlet, in the order the pairs appeared", "[store]") {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  s->save_story_entry(row(7, 7, 100));
  for (int i = 0; i < 1000; ++i) {
    s->save_story_copy(7, "feed-" + std::to_string(i % 4), 100 + i);
  }
  s->save_story_copy(9, "feed-0", 50);  // an old copy, pruned below
  std::vector<std::tuple<int64_t, std::string, int64_t>> seen;
  const auto collect = [&seen](int64_t story, const std::string& outlet, int64_t copies) {
    seen.emplace_back(story, outlet, copies);
  };
  CHECK(s->story_copies_since(0, collect) == 5);
  seen.clear();
  s->prune_story_entries(60);
  CHECK(s->story_copies_since(0, collect) == 4);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == std::tuple<int64_t, std::string, int64_t>{7, "feed-0", 250});
  CHECK(seen[3] == std::tuple<int64_t, std::string, int64_t>{7, "feed-3", 250});
  CHECK(s->story_entries_since(0).size() == 1);
}
