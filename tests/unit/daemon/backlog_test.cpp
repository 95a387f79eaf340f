// A quiet first poll (issue 14, [poll] backlog): the entries a new feed already
// carries that are older than the backlog are marked seen and placed in their
// story and event, but alert nothing; undated ones count as new; a later report of
// a quiet event is a story.update, not an alert. The pipeline on real SQLite; only
// the clock is faked.
#include <catch2/catch.hpp>

#include "base/clock.h"
#include "daemon/config.h"
#include "daemon/pipeline.h"
#include "stories/events.h"
#include "tests/support/pipeline_setup.h"
#include "tests/unit/stories/texts.h"

using khobor::ManualClock;
using khobor::daemon::parse_config;
using khobor::daemon::Pipeline;
using khobor::daemon::Quiet;
using khobor::daemon::UpdatePolicy;
using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::store::Store;
using khobor::stories::EventIndex;
using khobor::stories::StoryIndex;
using khobor::testing::feed_of;
using khobor::testing::feed_state;
using khobor::testing::watch_list;
using khobor::watch::WatchSet;
namespace t = khobor::stories::test;
using Kind = khobor::daemon::Backlog::Kind;

namespace {

constexpr int64_t k_now_s = 1'741'579'200;  // 2025-03-10T04:00:00Z
constexpr int64_t k_hour = 3600;

Entry entry(const std::string& id, const char* title, const char* body,
            std::optional<int64_t> published) {
  Entry e;
  e.id = id;
  e.title = title;
  e.content = body;
  e.link = "https://example.test/" + id;
  e.published = published;
  return e;
}

WatchSet watches() {
  return watch_list("name = \"climate\"\nrules = [\"জলবায়ু\", \"বন্যা\", \"বন্দর\"]\n",
                    "climate.toml");
}

}  // namespace

TEST_CASE("a first poll alerts only on entries within the backlog and on undated ones",
          "[daemon][backlog]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_now_s * 1000);
  StoryIndex stories;
  EventIndex events;
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{0});
  const WatchSet w = watches();
  const ParsedFeed feed = feed_of({
      entry("old", t::k_report_title, t::k_report_body, k_now_s - 3 * 24 * k_hour),
      entry("fresh", "সিলেটে বন্যা, পানিবন্দি হাজারো মানুষ",
            "টানা বৃষ্টিতে সুরমা নদীর পানি বেড়ে সিলেটের নিচু এলাকা প্লাবিত হয়েছে।", k_now_s - k_hour),
      entry("undated", "চট্টগ্রাম বন্দরে কনটেইনার জট, রপ্তানিকারকদের উদ্বেগ",
            "জাহাজ থেকে পণ্য খালাসে দেরি হওয়ায় বন্দরের ইয়ার্ডে কনটেইনারের স্তূপ জমেছে।", std::nullopt),
  });

  SECTION("24h: the old entry is quiet") {
    Quiet q;
    q.before_s = k_now_s - 24 * k_hour;
    const auto res = pipeline.process("outlet-a", feed, w, feed_state("outlet-a"), q);
    CHECK(res.new_entries == 3);
    CHECK(res.quiet == 1);
    CHECK(res.alert_seqs.size() == 2);
    CHECK(store->seen("outlet-a", "old"));
  }
  SECTION("none: nothing alerts, undated included") {
    Quiet q;
    q.all = true;
    const auto res = pipeline.process("outlet-a", feed, w, feed_state("outlet-a"), q);
    CHECK(res.quiet == 3);
    CHECK(res.alert_seqs.empty());
    CHECK(store->last_seq() == 0);
    CHECK(store->seen("outlet-a", "undated"));
  }
  SECTION("all (the default Quiet): everything alerts") {
    const auto res = pipeline.process("outlet-a", feed, w, feed_state("outlet-a"));
    CHECK(res.quiet == 0);
    CHECK(res.alert_seqs.size() == 3);
  }
}

TEST_CASE("a later report of a quiet event is an update, a new event still alerts",
          "[daemon][backlog]") {
  auto store = Store::open(":memory:");
  REQUIRE(store.ok());
  ManualClock clock(k_now_s * 1000);
  StoryIndex stories;
  EventIndex events;
  Pipeline pipeline(*store, clock, &stories, &events, UpdatePolicy{0});
  const WatchSet w = watches();
  Quiet q;
  q.before_s = k_now_s - 24 * k_hour;
  const auto first = pipeline.process(
      "outlet-a", feed_of({entry("r1", t::k_report_title, t::k_report_body, k_now_s - 2 * 86400)}),
      w, feed_state("outlet-a"), q);
  REQUIRE(first.quiet == 1);
  REQUIRE(first.alert_seqs.empty());

  // Another outlet's copy of the same report, on a later (not first) poll.
  clock.advance_ms(10 * 60'000);
  const auto copy =
      pipeline.process("outlet-b", feed_of({entry("c1", t::k_copy_title, t::k_copy_body, k_now_s)}),
                       w, feed_state("outlet-b"));
  CHECK(copy.alert_seqs.empty());
  CHECK(copy.update_seqs.size() == 1);

  // Unrelated news alerts as usual.
  const auto other = pipeline.process(
      "outlet-b",
      feed_of({entry("o1", "সিলেটে বন্যা, পানিবন্দি হাজারো মানুষ",
                     "টানা বৃষ্টিতে সুরমা নদীর পানি বেড়ে সিলেটের নিচু এলাকা প্লাবিত হয়েছে।", k_now_s)}),
      w, feed_state("outlet-b"));
  CHECK(other.alert_seqs.size() == 1);
}

TEST_CASE("[poll] backlog reads all, none and durations, globally and per feed",
          "[daemon][backlog][config]") {
  auto dflt = parse_config("", "t.toml", "/");
  REQUIRE(dflt.ok());
  CHECK(dflt->poll_backlog.kind == Kind::window);
  CHECK(dflt->poll_backlog.seconds == 86400);

  auto cfg = parse_config(
      "[poll]\nbacklog = \"none\"\n[[feed]]\nid = \"a\"\nurl = \"http://x.test/a\"\nbacklog = "
      "\"all\"\n[[feed]]\nid = \"b\"\nurl = \"http://x.test/b\"\nbacklog = \"6h\"\n[[feed]]\nid "
      "= \"c\"\nurl = \"http://x.test/c\"\n",
      "t.toml", "/");
  REQUIRE(cfg.ok());
  CHECK(cfg->poll_backlog.kind == Kind::none);
  CHECK(cfg->feeds[0].backlog->kind == Kind::all);
  CHECK(cfg->feeds[1].backlog->kind == Kind::window);
  CHECK(cfg->feeds[1].backlog->seconds == 6 * 3600);
  CHECK_FALSE(cfg->feeds[2].backlog.has_value());

  auto bad = parse_config("[poll]\nbacklog = \"yesterday\"\n", "t.toml", "/");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::StartsWith("t.toml:2:11: [poll] backlog: expected"));
  auto bad_feed = parse_config("[[feed]]\nid = \"a\"\nurl = \"http://x.test/a\"\nbacklog = true\n",
                               "t.toml", "/");
  REQUIRE_FALSE(bad_feed.ok());
  CHECK_THAT(bad_feed.error().message, Catch::Contains("[[feed]] a backlog: expected"));
}

TEST_CASE("[store] forget_after is a duration of at least a day", "[daemon][config]") {
  auto dflt = parse_config("", "t.toml", "/");
  REQUIRE(dflt.ok());
  CHECK(dflt->forget_after_s == 30 * 86400);
  auto week = parse_config("[store]\nforget_after = \"7d\"\n", "t.toml", "/");
  REQUIRE(week.ok());
  CHECK(week->forget_after_s == 7 * 86400);
  auto short_one = parse_config("[store]\nforget_after = \"2h\"\n", "t.toml", "/");
  REQUIRE_FALSE(short_one.ok());
  CHECK_THAT(short_one.error().message, Catch::StartsWith("t.toml:2:16: [store] forget_after"));
}
