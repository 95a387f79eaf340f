// What subscribers get per event (issue 13): one alert per (event, watch list),
// later matching entries as story.update messages, at most one per group_interval
// with the entries in between coalesced (kept in the store across a restart), and
// one entry per article (canonical link) whatever feed carries it. The pipeline on
// real SQLite; only the clock is faked. The entries here join at story level
// (copies and summaries of one report), which every event inherits.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "bus/alert.h"
#include "daemon/pipeline.h"
#include "stories/events.h"
#include "tests/support/pipeline_setup.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/stories/texts.h"

using khobor::ManualClock;
using khobor::daemon::Pipeline;
using khobor::daemon::PipelineResult;
using khobor::daemon::restore_stories;
using khobor::daemon::UpdatePolicy;
using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::store::Store;
using khobor::stories::EventIndex;
using khobor::stories::StoryIndex;
using khobor::testing::feed_state;
using khobor::testing::feed_with;
using khobor::testing::TempDir;
using khobor::testing::watch_list;
using khobor::watch::WatchSet;
using nlohmann::json;
namespace t = khobor::stories::test;

namespace {

constexpr int64_t k_t0 = 1'741'579'200'000;  // 2025-03-10T04:00:00Z
constexpr int64_t k_minute = 60'000;

WatchSet climate(const std::string& extra = "") {
  return watch_list("name = \"climate\"\nrules = [\"জলবায়ু\"]\n" + extra, "climate.toml");
}

json payload(Store& store, int64_t seq) {
  const auto rows = store.alerts_after(seq - 1, 1);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].seq == seq);
  return json::parse(rows[0].payload);
}

// One report, its copy, a flash and another copy: four entries of one story.
struct Step {
  const char* feed;
  const char* id;
  const char* title;
  const char* summary;
  const char* body;
};
const Step k_report{"outlet-a", "r1", t::k_report_title, "", t::k_report_body};
const Step k_copy{"outlet-b", "c1", t::k_copy_title, "", t::k_copy_body};
const Step k_flash{"outlet-c", "f1", t::k_flash_title, t::k_flash_summary, ""};
const Step k_again{"outlet-d", "d1", t::k_report_title, "", t::k_report_body};

PipelineResult run(Pipeline& p, const Step& s, const WatchSet& w) {
  return p.process(s.feed, feed_with(s.id, s.title, s.summary, s.body), w, feed_state(s.feed));
}

}  // namespace

// Longer than 60 lines on purpose: one event's minutes told in order (alert,
// copies within the interval, the flush, the update's every field), each checked
// where it happens; split, the reader would have to piece the timeline together.
TEST_CASE("an alerted event's updates are coalesced to one per group_interval", "[daemon]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_t0);
  const WatchSet watches = climate();
  StoryIndex stories;
  EventIndex events;
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{300});

  const auto first = run(pipeline, k_report, watches);
  REQUIRE(first.alert_seqs.size() == 1);
  const json alert = payload(*store, first.alert_seqs[0]);
  const auto event_id = alert.at("event").at("id").get<uint64_t>();
  CHECK(alert.at("event").at("sources") == json::array({"outlet-a"}));
  CHECK(alert.at("event").at("first_seen") == "2025-03-10T04:00:00Z");
  CHECK(alert.at("event").at("entry_count") == 1);

  // A minute later another outlet's copy: no alert, and no update yet.
  clock.advance_ms(k_minute);
  const auto second = run(pipeline, k_copy, watches);
  CHECK(second.alert_seqs.empty());
  CHECK(second.update_seqs.empty());
  CHECK(second.pending_updates == 1);
  CHECK(store->next_update_due() == k_t0 + 5 * k_minute);

  // A third outlet joins within the interval: still one pending update.
  clock.advance_ms(k_minute);
  const auto third = run(pipeline, k_flash, watches);
  CHECK(third.alert_seqs.empty());
  CHECK(third.update_seqs.empty());
  CHECK(store->next_update_due() == k_t0 + 5 * k_minute);
  CHECK(store->last_seq() == first.alert_seqs[0]);

  // Not yet due: nothing goes out.
  clock.set_ms(k_t0 + 5 * k_minute - 1);
  CHECK(pipeline.flush_updates().empty());

  // Due: one update naming both entries.
  clock.set_ms(k_t0 + 5 * k_minute);
  const auto flushed = pipeline.flush_updates();
  REQUIRE(flushed.size() == 1);
  CHECK(store->next_update_due() == 0);
  const auto rows = store->alerts_after(first.alert_seqs[0], 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].topic == "story.update");
  const json u = json::parse(rows[0].payload);
  CHECK(u.at("v") == 1);
  CHECK(u.at("seq") == flushed[0]);
  CHECK(u.at("time") == "2025-03-10T04:05:00Z");
  CHECK(u.at("watchlist") == "climate");
  CHECK(u.at("watchlists") == json::array({"climate"}));
  CHECK(u.at("event").at("id") == event_id);
  CHECK(u.at("event").at("outlet_count") == 3);
  CHECK(u.at("event").at("entry_count") == 3);
  CHECK(u.at("new_entries") == 2);
  CHECK(u.at("new_sources") == json::array({"outlet-b", "outlet-c"}));
  CHECK(u.at("feed") == "outlet-c");  // the newest entry
  CHECK(u.at("entry").at("id") == "f1");
  CHECK(pipeline.flush_updates().empty());  // sent once

  SECTION("the next entry waits a group_interval from that update") {
    clock.advance_ms(k_minute);
    const auto fourth = run(pipeline, k_again, watches);
    CHECK(fourth.update_seqs.empty());
    CHECK(store->next_update_due() == k_t0 + 10 * k_minute);
    clock.set_ms(k_t0 + 10 * k_minute);
    REQUIRE(pipeline.flush_updates().size() == 1);
    const json v = json::parse(store->alerts_after(flushed[0], 10).at(0).payload);
    CHECK(v.at("new_entries") == 1);
    CHECK(v.at("new_sources") == json::array({"outlet-d"}));
    CHECK(v.at("event").at("outlet_count") == 4);
  }

  SECTION("an entry after the interval sends its update at once") {
    clock.set_ms(k_t0 + 11 * k_minute);
    const auto fourth = run(pipeline, k_again, watches);
    CHECK(fourth.update_seqs.size() == 1);
    CHECK(fourth.pending_updates == 0);
    CHECK(store->next_update_due() == 0);
  }
}

TEST_CASE("a watch list's own group_interval wins, 0 sends each update at once", "[daemon]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_t0);
  const WatchSet watches = climate("group_interval = 0\n");
  CHECK(watches.group_interval_s("climate") == 0);
  StoryIndex stories;
  EventIndex events;
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{3600});
  REQUIRE(run(pipeline, k_report, watches).alert_seqs.size() == 1);
  CHECK(run(pipeline, k_copy, watches).update_seqs.size() == 1);
  CHECK(run(pipeline, k_flash, watches).update_seqs.size() == 1);
  CHECK(store->next_update_due() == 0);

  auto longer = WatchSet::from_toml(
      "name = \"climate\"\nrules = [\"জলবায়ু\"]\ngroup_interval = \"2m\"\n", "climate.toml");
  REQUIRE(longer.ok());
  CHECK(longer->group_interval_s("climate") == 120);
  auto bad = WatchSet::from_toml(
      "name = \"climate\"\nrules = [\"জলবায়ু\"]\ngroup_interval = \"soon\"\n", "climate.toml");
  CHECK_FALSE(bad.ok());
}

TEST_CASE("a pending update survives a restart and goes out when due", "[daemon]") {
  TempDir dir;
  const std::string path = dir.file("khobor.db");
  ManualClock clock(k_t0);
  const WatchSet watches = climate();
  int64_t alert_seq = 0;
  {
    auto store = Store::open(path);
    REQUIRE(store.ok());
    StoryIndex stories;
    EventIndex events;
    Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{300});
    const auto first = run(pipeline, k_report, watches);
    REQUIRE(first.alert_seqs.size() == 1);
    alert_seq = first.alert_seqs[0];
    clock.advance_ms(k_minute);
    CHECK(run(pipeline, k_copy, watches).pending_updates == 1);
  }
  // khobord stops and starts again two minutes later.
  clock.advance_ms(2 * k_minute);
  auto store = Store::open(path);
  REQUIRE(store.ok());
  CHECK(store->next_update_due() == k_t0 + 5 * k_minute);
  StoryIndex stories;
  EventIndex events;
  CHECK(restore_stories(*store, stories, clock.now_ms() / 1000, &events) >= 1);
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{300});
  // The flash joins the restored event: no second alert, coalesced with the copy.
  const auto third = run(pipeline, k_flash, watches);
  CHECK(third.alert_seqs.empty());
  CHECK(third.pending_updates == 1);
  CHECK(pipeline.flush_updates().empty());
  clock.set_ms(k_t0 + 5 * k_minute);
  const auto flushed = pipeline.flush_updates();
  REQUIRE(flushed.size() == 1);
  CHECK(flushed[0] == alert_seq + 1);  // seq continues across the restart
  const json u = payload(*store, flushed[0]);
  CHECK(u.at("new_entries") == 2);
  CHECK(u.at("new_sources") == json::array({"outlet-b", "outlet-c"}));
}

TEST_CASE("the same article from two feeds of one outlet is one alert", "[daemon]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_t0);
  const WatchSet watches = climate();
  StoryIndex stories;
  EventIndex events;
  Pipeline pipeline(*store, clock, &stories, &events);
  const std::string link = "https://outlet.example/environment/climate-summit-opens";
  const auto home = pipeline.process(
      "outlet-home", feed_with("home-1", t::k_report_title, "", t::k_report_body, link), watches,
      feed_state("outlet-home"));
  REQUIRE(home.alert_seqs.size() == 1);

  // The outlet's section feed: another id, its own shorter text, the same link
  // (with a tracking parameter, as section feeds often add).
  clock.advance_ms(10 * k_minute);
  const auto section = pipeline.process(
      "outlet-environment",
      feed_with("env-77", t::k_flash_title, t::k_flash_summary, "", link + "?utm_source=rss"),
      watches, feed_state("outlet-environment"));
  CHECK(section.new_entries == 1);
  CHECK(section.same_links == 1);
  CHECK(section.alert_seqs.empty());
  CHECK(section.update_seqs.empty());
  CHECK(section.pending_updates == 0);

  // Four days later, after the story window: still the same article.
  clock.advance_ms(4 * 24 * 60 * k_minute);
  const auto late = pipeline.process(
      "outlet-archive", feed_with("arch-3", t::k_report_title, "", t::k_report_body, link), watches,
      feed_state("outlet-archive"));
  CHECK(late.same_links == 1);
  CHECK(late.alert_seqs.empty());
  CHECK(store->alert_count() == 1);

  SECTION("a link every entry of a feed shares is not an article's identity") {
    ParsedFeed f =
        feed_with("x1", t::k_other_title, "", t::k_other_body, "https://outlet.example/");
    Entry e2 = f.entries[0];
    e2.id = "x2";
    e2.title = t::k_report_title;
    e2.content = "জলবায়ু নিয়ে আরেকটি প্রতিবেদন, আলাদা ঘটনা।";
    f.entries.push_back(e2);
    const auto both = pipeline.process("outlet-front", f, watches, feed_state("outlet-front"));
    CHECK(both.same_links == 0);
  }
}

TEST_CASE("a restart keeps the stories the event level joined in their event", "[daemon]") {
  // Two stories of one event as the event level saved them (story 1 joined event 0,
  // the first story's), the event alerted for the list; after the restart a copy of
  // story 1's report is an update of event 0, not a new alert.
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_t0);
  const int64_t t0_s = k_t0 / 1000;
  const auto report = khobor::stories::fingerprint(t::k_report_title, "", t::k_report_body);
  const auto other = khobor::stories::fingerprint(t::k_other_title, "", t::k_other_body);
  khobor::store::StoryEntryRow a{0,          0,    "outlet-a",     "r1",
                                 "outlet-a", t0_s, report.simhash, report.features};
  a.event = 0;
  a.title_features = report.title_features;
  khobor::store::StoryEntryRow b{1,          1,         "outlet-b",    "o1",
                                 "outlet-b", t0_s + 60, other.simhash, other.features};
  b.event = 0;
  b.title_features = other.title_features;
  store->save_story_entry(a);
  store->save_story_entry(b);
  REQUIRE(store->mark_event_alerted(0, "climate", 1, k_t0));

  clock.advance_ms(10 * k_minute);
  StoryIndex stories;
  EventIndex events;
  REQUIRE(restore_stories(*store, stories, clock.now_ms() / 1000, &events) == 2);
  CHECK(stories.story_count() == 2);
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{0});
  // The copy matches the list only through a word added to its title.
  const std::string title = std::string(t::k_other_title) + " (জলবায়ু)";
  const auto copy =
      pipeline.process("outlet-c", feed_with("o2", title.c_str(), "", t::k_other_body), climate(),
                       feed_state("outlet-c"));
  CHECK(copy.alert_seqs.empty());
  REQUIRE(copy.update_seqs.size() == 1);
  const json u = payload(*store, copy.update_seqs[0]);
  CHECK(u.at("event").at("id") == 0);
  CHECK(u.at("story") == 1);
}
