// The pipeline's identity across polls: a feed whose guids change on every poll is
// switched to link ids once, without repeating alerts (real SQLite in memory).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/pipeline.h"
#include "tests/support/pipeline_setup.h"

using khobor::ManualClock;
using khobor::daemon::Pipeline;
using khobor::daemon::PipelineResult;
using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::store::Store;
using khobor::testing::feed_state;
using khobor::watch::WatchSet;

namespace {

const char* const k_titles[] = {"পুতিন ও কিমের বৈঠক শুরু", "পুতিন ও কিম নৈশভোজে",
                                "পুতিন ও কিমের যৌথ বিবৃতি", "পুতিন ও কিম রকেট কেন্দ্রে",
                                "পুতিন ও কিমের বিদায়"};

// Four entries with stable links; each poll gives them new guids (as some CMSs
// do), plus optionally one more entry with a link never seen before.
ParsedFeed poll(const std::string& session, bool extra = false) {
  ParsedFeed f;
  f.format = "rss20";
  f.title = "t";
  for (int i = 0; i < (extra ? 5 : 4); ++i) {
    Entry e;
    e.id = "urn:" + session + ":" + std::to_string(i);
    e.title = k_titles[i];
    e.link = "https://example.test/news/" + std::to_string(i) + "?utm_source=rss";
    f.entries.push_back(e);
  }
  return f;
}

}  // namespace

TEST_CASE("Guids regenerated on every poll switch the feed to link ids without repeat alerts",
          "[daemon][pipeline][identity]") {
  auto opened = Store::open(":memory:");
  REQUIRE(opened.ok());
  Store& store = *opened;
  ManualClock clock;
  Pipeline p(store, clock);
  auto w = WatchSet::from_toml("name = \"summit\"\nrules = [\"পুতিন AND কিম\"]\n", "s.toml");
  REQUIRE(w.ok());

  PipelineResult first = p.process("regen", poll("a"), *w, feed_state("regen"));
  CHECK(first.alert_seqs.size() == 4);
  CHECK_FALSE(first.link_ids);
  auto saved = store.feed_identity("regen");
  REQUIRE(saved.has_value());
  CHECK(saved->pairs.size() == 4);

  // Second poll: the same links with new guids — detected, switched, nothing alerted.
  PipelineResult second = p.process("regen", poll("b"), *w, feed_state("regen"));
  CHECK(second.switched_to_link_ids);
  CHECK(second.link_ids);
  CHECK(second.new_entries == 0);
  CHECK(second.alert_seqs.empty());
  saved = store.feed_identity("regen");
  REQUIRE(saved.has_value());
  CHECK(saved->link_ids);
  CHECK(saved->switched_ms == clock.now_ms());
  CHECK(store.seen("regen", "https://example.test/news/0"));  // the canonical link

  // Third poll: link ids from the start, said no more; only the new entry alerts.
  PipelineResult third = p.process("regen", poll("c", true), *w, feed_state("regen"));
  CHECK_FALSE(third.switched_to_link_ids);
  CHECK(third.link_ids);
  CHECK(third.new_entries == 1);
  REQUIRE(third.alert_seqs.size() == 1);
  auto a = store.unpublished(100);
  REQUIRE(a.size() == 5);
  CHECK(a.back().payload.find("https://example.test/news/4") != std::string::npos);
}

TEST_CASE("A feed with stable guids keeps them and its pairs are rewritten only on change",
          "[daemon][pipeline][identity]") {
  auto opened = Store::open(":memory:");
  REQUIRE(opened.ok());
  Store& store = *opened;
  ManualClock clock;
  Pipeline p(store, clock);
  auto w = WatchSet::from_toml("name = \"summit\"\nrules = [\"পুতিন AND কিম\"]\n", "s.toml");
  REQUIRE(w.ok());
  CHECK(p.process("steady", poll("same"), *w, feed_state("steady")).alert_seqs.size() == 4);
  PipelineResult again = p.process("steady", poll("same", true), *w, feed_state("steady"));
  CHECK_FALSE(again.link_ids);
  CHECK(again.alert_seqs.size() == 1);
  CHECK(store.seen("steady", "urn:same:4"));
  auto saved = store.feed_identity("steady");
  REQUIRE(saved.has_value());
  CHECK_FALSE(saved->link_ids);
  CHECK(saved->pairs.size() == 5);
}
