// Tests of daemon/pipeline.h on a real SQLite store: a new matching entry becomes one
// alert, a seen one none, and the outbox goes out in seq order.
#include <chrono>
// The pipeline on real parts: SQLite in memory, real watch lists, real ZeroMQ.
#include <catch2/catch.hpp>

#include "bus/alert.h"
#include "bus/publisher.h"
#include "bus/subscriber.h"
#include "daemon/pipeline.h"

using khobor::ManualClock;
using khobor::daemon::Pipeline;
using khobor::daemon::publish_outbox;
using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::store::FeedState;
using khobor::store::Store;
using khobor::watch::WatchSet;

namespace {
// The next message within `timeout_ms` (receive() itself now waits through
// (re)connections, which it counts; this stays as a deadline-bounded helper).
[[maybe_unused]] std::optional<khobor::bus::Message> next_message(khobor::bus::Subscriber& sub,
                                                                  int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (auto m = sub.receive(static_cast<int>(std::max<int64_t>(left.count(), 1)))) {
      return m;
    }
  }
  return std::nullopt;
}

Store memory_store() {
  auto s = Store::open(":memory:");
  REQUIRE(s.ok());
  return std::move(*s);
}

WatchSet summit_list() {
  auto w = WatchSet::from_toml("name = \"summit\"\nrules = [\"পুতিন AND কিম\"]\n", "summit.toml");
  REQUIRE(w.ok());
  return std::move(*w);
}

Entry entry(const std::string& id, const std::string& title, const std::string& summary = "") {
  Entry e;
  e.id = id;
  e.title = title;
  e.summary = summary;
  e.link = "https://example.test/" + id;
  e.published = 1'694'600'000;
  return e;
}

ParsedFeed feed_of(std::vector<Entry> entries) {
  ParsedFeed f;
  f.format = "rss20";
  f.title = "দৈনিক আলো";
  f.entries = std::move(entries);
  return f;
}

FeedState state_of(const std::string& id) {
  FeedState s;
  s.feed_id = id;
  s.url = "http://127.0.0.1/" + id + ".xml";
  s.etag = "\"e1\"";
  s.http_status = 200;
  return s;
}

}  // namespace

TEST_CASE("A new matching entry becomes one alert whose JSON carries its seq",
          "[daemon][pipeline]") {
  Store store = memory_store();
  ManualClock clock;
  Pipeline p(store, clock);
  WatchSet w = summit_list();
  auto r = p.process(
      "alo", feed_of({entry("1", "পুতিনের সঙ্গে কিমের বৈঠক"), entry("2", "পেঁয়াজের দাম বেড়েছে")}), w,
      state_of("alo"));
  CHECK(r.entries == 2);
  CHECK(r.new_entries == 2);
  REQUIRE(r.alert_seqs.size() == 1);
  auto stored = store.unpublished(10);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].topic == "alert.summit");
  auto a = khobor::bus::alert_from_json(stored[0].payload);
  REQUIRE(a.ok());
  CHECK(a->seq == r.alert_seqs[0]);
  CHECK(a->feed == "alo");
  CHECK(a->feed_title == "দৈনিক আলো");
  CHECK(a->entry.id == "1");
  CHECK(a->entry.link == "https://example.test/1");
  CHECK(a->entry.published == 1'694'600'000);
  CHECK(a->watchlist == "summit");
  CHECK(a->rule == "পুতিন AND কিম");
  CHECK(a->hits.size() >= 2);
  CHECK(a->time_ms == clock.now_ms());
  // The feed's state was saved in the same transaction.
  auto st = store.feed_state("alo");
  REQUIRE(st.has_value());
  CHECK(st->etag == "\"e1\"");
}

TEST_CASE("An entry seen before is not matched or alerted again", "[daemon][pipeline]") {
  Store store = memory_store();
  ManualClock clock;
  Pipeline p(store, clock);
  WatchSet w = summit_list();
  auto feed = feed_of({entry("1", "পুতিন ও কিম")});
  CHECK(p.process("alo", feed, w, state_of("alo")).alert_seqs.size() == 1);
  auto again = p.process("alo", feed, w, state_of("alo"));
  CHECK(again.new_entries == 0);
  CHECK(again.alert_seqs.empty());
  // The same entry id in another feed is another entry (with its own link: the
  // same link would be the same article, event_delivery_test.cpp) …
  auto other = feed;
  other.entries[0].link = "https://tribune.example/1";
  CHECK(p.process("tribune", other, w, state_of("tribune")).alert_seqs.size() == 1);
  CHECK(store.alert_count() == 2);
  // … and the same link from a third feed is not.
  auto third = p.process("samakal", feed, w, state_of("samakal"));
  CHECK(third.new_entries == 1);
  CHECK(third.same_links == 1);
  CHECK(third.alert_seqs.empty());
}

TEST_CASE("publish_outbox sends the outbox in seq order and marks each alert published",
          "[daemon][pipeline]") {
  Store store = memory_store();
  ManualClock clock;
  Pipeline p(store, clock);
  WatchSet w = summit_list();
  p.process("alo", feed_of({entry("1", "পুতিন ও কিম"), entry("2", "কিমকে স্বাগত জানালেন পুতিন")}), w,
            state_of("alo"));
  auto pub = khobor::bus::Publisher::bind("tcp://127.0.0.1:*");
  REQUIRE(pub.ok());
  auto sub = khobor::bus::Subscriber::connect(pub->endpoint(), "alert.");
  REQUIRE(sub.ok());
  REQUIRE(pub->wait_for_subscriber(5000));
  CHECK(publish_outbox(store, *pub) == 2);
  CHECK(store.unpublished(10).empty());
  auto first = next_message(*sub, 5000);
  auto second = next_message(*sub, 5000);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(khobor::bus::alert_from_json(first->payload)->seq == 1);
  CHECK(khobor::bus::alert_from_json(second->payload)->seq == 2);
  CHECK(publish_outbox(store, *pub) == 0);
}
