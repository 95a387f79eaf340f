// One alert per story and watch list, story.update for later versions, and the
// story window rebuilt from the store: the pipeline on real SQLite (in memory).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "bus/alert.h"
#include "daemon/pipeline.h"
#include "tests/support/pipeline_setup.h"
#include "tests/unit/stories/texts.h"

using khobor::ManualClock;
using khobor::daemon::Pipeline;
using khobor::daemon::restore_stories;
using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::store::Store;
using khobor::stories::StoryIndex;
using khobor::testing::feed_state;
using khobor::testing::feed_with;
using khobor::watch::WatchSet;
namespace t = khobor::stories::test;

TEST_CASE("a story alerts once per watch list, later versions send story.update", "[daemon]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(1'741'579'200'000);  // 2025-03-10T04:00:00Z
  auto watches = WatchSet::from_toml("name = \"climate\"\nrules = [\"জলবায়ু\"]\n", "climate.toml");
  REQUIRE(watches.ok());
  StoryIndex index;
  Pipeline pipeline(*store, clock, &index);

  const auto first =
      pipeline.process("outlet-a", feed_with("r1", t::k_report_title, "", t::k_report_body),
                       *watches, feed_state("outlet-a"));
  REQUIRE(first.alert_seqs.size() == 1);
  CHECK(first.update_seqs.empty());
  const auto alert = store->alerts_after(0, 10).at(0);
  CHECK(alert.topic == "alert.climate");
  const auto a = nlohmann::json::parse(alert.payload);
  CHECK(a.at("story").at("sources") == nlohmann::json::array({"outlet-a"}));
  CHECK(a.at("story").at("first_seen") == "2025-03-10T04:00:00Z");
  const auto story_id = a.at("story").at("id").get<int64_t>();

  clock.advance_ms(3'600'000);
  const auto second =
      pipeline.process("outlet-b", feed_with("c1", t::k_copy_title, "", t::k_copy_body), *watches,
                       feed_state("outlet-b"));
  CHECK(second.alert_seqs.empty());
  REQUIRE(second.update_seqs.size() == 1);
  const auto update = store->alerts_after(alert.seq, 10).at(0);
  CHECK(update.topic == "story.update");
  const auto u = nlohmann::json::parse(update.payload);
  CHECK(u.at("seq") == update.seq);
  CHECK(u.at("story") == story_id);
  CHECK(u.at("entry").at("id") == "c1");
  CHECK(u.at("outlet_count") == 2);
  CHECK(u.at("watchlists") == nlohmann::json::array({"climate"}));

  // Another event in the same hour: no alert (no match), no update (other story).
  const auto third =
      pipeline.process("outlet-b", feed_with("o1", t::k_other_title, "", t::k_other_body), *watches,
                       feed_state("outlet-b"));
  CHECK(third.alert_seqs.empty());
  CHECK(third.update_seqs.empty());

  SECTION("after a restart the rebuilt window keeps the story and its alert") {
    StoryIndex rebuilt;
    CHECK(restore_stories(*store, rebuilt, clock.now_ms() / 1000) == 3);
    CHECK(rebuilt.story_count() == 2);
    Pipeline after(*store, clock, &rebuilt);
    clock.advance_ms(600'000);  // past the group_interval since the last update
    const auto fourth =
        after.process("outlet-c", feed_with("f1", t::k_flash_title, t::k_flash_summary, ""),
                      *watches, feed_state("outlet-c"));
    CHECK(fourth.alert_seqs.empty());
    REQUIRE(fourth.update_seqs.size() == 1);
    const auto last = store->alerts_after(0, 10).back();
    const auto j = nlohmann::json::parse(last.payload);
    CHECK(j.at("story") == story_id);
    CHECK(j.at("outlet_count") == 3);
  }
}
