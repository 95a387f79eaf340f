// A month in seconds (issue 14, point 7, in part): 50 simulated outlets through the
// daemon's pipeline and retention (daemon/pipeline.h, daemon/retention.h) on the
// fake clock and a real SQLite file, for 30 days with a restart every 3 days (the
// store reopened, the story and event indexes restored from it). Outlets publish
// at their own rates and drop old entries; one regenerates its guids on every
// poll from day 12 (the pipeline switches it to link ids), one breaks for three
// days and recovers, one is gone (410) from day 20. Checks: every matching entry
// that an outlet carried while it was polled reaches the outbox exactly once (as an
// alert or a story.update), and the store's file, the in-memory indexes and the
// store's work per day (SQLite page lookups, not time) level off (day 30 at most
// 1.3 times day 10). Not the event loop itself: the fetching,
// the schedule and the loop's timers are tested elsewhere (e2e, faults, crash).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "base/clock.h"
#include "daemon/pipeline.h"
#include "daemon/retention.h"
#include "stories/events.h"
#include "stories/story_index.h"
#include "tests/support/temp_dir.h"

using khobor::ManualClock;
using khobor::daemon::Pipeline;
using khobor::store::Store;
using khobor::stories::EventIndex;
using khobor::stories::StoryIndex;

namespace {

constexpr int64_t k_hour = 3'600'000;
constexpr int64_t k_day = 24 * k_hour;
constexpr int k_feeds = 50;
constexpr int k_carried = 30;
constexpr int64_t k_poll_every = 3 * k_hour;

const char* const k_words[] = {
    "নদী",   "পাহাড়", "বাজার", "বিদ্যালয়", "হাসপাতাল", "সেতু",    "রেল",   "বন্দর",   "কৃষক",
    "শ্রমিক", "শিক্ষক", "বৃষ্টি",  "খরা",     "ঝড়",       "ধান",    "পাট",   "চা",     "মাছ",
    "বিদ্যুৎ", "গ্যাস",  "তেল",   "সোনা",    "রপ্তানি",   "আমদানি", "বাজেট", "ব্যাংক",  "বিমান",
    "জাহাজ", "সড়ক",   "মেট্রো", "ক্রিকেট",  "ফুটবল",     "সংসদ",   "আদালত", "সীমান্ত", "চুক্তি"};

// Entry n of feed f: its own words, so entries rarely join one story; one in
// eight names the watched word.
khobor::feeds::Entry entry_of(int f, int64_t n, const std::string& id) {
  std::mt19937 rng(static_cast<uint32_t>(f * 1'000'003 + n));
  std::uniform_int_distribution<size_t> pick(0, std::size(k_words) - 1);
  khobor::feeds::Entry e;
  e.id = id;
  e.link = "https://outlet" + std::to_string(f) + ".example/news/" + std::to_string(n);
  for (int i = 0; i < 8; ++i) {
    e.title += std::string(i ? " " : "") + k_words[pick(rng)];
  }
  for (int i = 0; i < 30; ++i) {
    e.summary += std::string(i ? " " : "") + k_words[pick(rng)];
  }
  if (n % 8 == 0) {
    e.title += " সুন্দরবন";
  }
  return e;
}

int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// The running daemon's state that a restart rebuilds.
struct Running {
  Running(const std::string& path, const ManualClock& clock) : store(open(path)) {
    khobor::daemon::restore_stories(store, stories, clock.now_ms() / 1000, &events);
  }
  static Store open(const std::string& path) {
    auto s = Store::open(path);
    REQUIRE(s.ok());
    return std::move(*s);
  }
  Store store;
  StoryIndex stories;
  EventIndex events;
};

// Outlet f's feed at poll `poll_no` of day `day`: its k_carried newest entries
// (up to `newest`), under guids regenerated on every poll for outlet 0 from day
// 12; the links of the matching ones (every 8th) go into `expected`.
khobor::feeds::ParsedFeed feed_of(int f, int64_t newest, int day, int64_t poll_no,
                                  std::set<std::string>& expected) {
  khobor::feeds::ParsedFeed feed;
  feed.format = "rss20";
  feed.link = "https://outlet" + std::to_string(f) + ".example/";
  for (int64_t n = newest; n > std::max<int64_t>(0, newest - k_carried); --n) {
    const bool regen = f == 0 && day >= 12;
    const std::string id = (regen ? "regen-" + std::to_string(poll_no) + "-" : "guid-") +
                           std::to_string(f) + "-" + std::to_string(n);
    feed.entries.push_back(entry_of(f, n, id));
    if (n % 8 == 0) {
      expected.insert(feed.entries.back().link);
    }
  }
  return feed;
}

// What publishing sees: the outbox after `seen_seq`, each alert counted by its
// entry's link in `sent` and marked published.
void drain_outbox(Store& store, int64_t& seen_seq, std::map<std::string, int>& sent) {
  for (const auto& a : store.alerts_after(seen_seq, 1'000'000)) {
    seen_seq = a.seq;
    ++sent[nlohmann::json::parse(a.payload)["entry"]["link"].get<std::string>()];
    store.mark_published(a.seq);
  }
}

// Every expected link sent exactly once, and nothing else sent.
void check_sent_once(const std::set<std::string>& expected, std::map<std::string, int>& sent) {
  std::vector<std::string> missing, repeated;
  for (const auto& link : expected) {
    if (sent[link] == 0) {
      missing.push_back(link);
    }
  }
  for (const auto& [link, n] : sent) {
    if (n > 1) {
      repeated.push_back(link);
    }
  }
  INFO("expected " << expected.size() << ", sent " << sent.size() << "; missing " << missing.size()
                   << ", repeated " << repeated.size());
  CHECK(missing.empty());
  CHECK(repeated.empty());
  CHECK(sent.size() == expected.size());
}

}  // namespace

// Longer than 60 lines on purpose: the month's loop is the scenario (polls,
// outages, regenerated guids, publishing, pruning, restarts) and reads best whole;
// the feed, the outbox and the final count are named steps above.
TEST_CASE("a month of 50 outlets: every alert once, the store and the indexes level off",
          "[daemon][month]") {
  khobor::testing::TempDir dir;
  const std::string path = dir.file("khobor.db");
  ManualClock clock(1'780'000'000'000);
  auto watches = khobor::watch::WatchSet::from_toml("name = \"w\"\nrules = [\"সুন্দরবন\"]\n", "w");
  REQUIRE(watches.ok());
  khobor::daemon::RetentionPolicy policy;
  policy.keep_alerts_ms = policy.forget_after_ms = 5 * k_day;
  auto run = std::make_unique<Running>(path, clock);

  std::vector<int64_t> newest(k_feeds, 0);
  std::vector<double> owed(k_feeds, 0);
  std::set<std::string> expected;   // links of matching entries a poll carried
  std::map<std::string, int> sent;  // link → messages in the outbox
  int64_t seen_seq = 0;
  std::map<int, int64_t> bytes, indexed;  // day → file size, stories + events
  std::map<int, int64_t> work;            // day → SQLite page lookups that day
  int64_t poll_no = 0;
  for (int64_t t = k_poll_every; t <= 30 * k_day; t += k_poll_every) {
    clock.advance_ms(k_poll_every);
    const int day = static_cast<int>(t / k_day);
    ++poll_no;
    for (int f = 0; f < k_feeds; ++f) {
      owed[f] += (4 + f % 20) / 8.0;  // 4 to 23 entries a day
      newest[f] += static_cast<int64_t>(owed[f]);
      owed[f] -= static_cast<int64_t>(owed[f]);
      if ((f == 1 && day >= 5 && day < 8) || (f == 2 && day >= 20)) {
        continue;  // broken for three days; gone (410) from day 20
      }
      const khobor::feeds::ParsedFeed feed = feed_of(f, newest[f], day, poll_no, expected);
      khobor::store::FeedState st;
      st.feed_id = "outlet-" + std::to_string(f);
      st.url = feed.link + "feed";
      st.last_success_ms = st.last_body_ms = clock.now_ms();
      Pipeline pipeline(run->store, clock, &run->stories, &run->events,
                        khobor::daemon::UpdatePolicy{0});
      (void)pipeline.process(st.feed_id, feed, *watches, st);
    }
    // What publishing sees, then the retention round (it prunes published alerts).
    drain_outbox(run->store, seen_seq, sent);
    while (khobor::daemon::prune_round(run->store, policy, clock.now_ms()).more) {
    }
    work[(t - 1) / k_day] += run->store.database().take_page_lookups();
    if (t % k_day == 0 && day % 10 == 0) {
      bytes[day] = file_size(path) + file_size(path + "-wal");
      indexed[day] = static_cast<int64_t>(run->stories.story_count() + run->events.event_count());
    }
    if (t % (3 * k_day) == 0) {
      work[(t - 1) / k_day] += run->store.database().take_page_lookups();
      run.reset();  // a restart: everything in memory is rebuilt from the store
      run = std::make_unique<Running>(path, clock);
    }
  }

  check_sent_once(expected, sent);
  for (const int day : {10, 20, 30}) {
    WARN("day " << day << ": store " << bytes[day] / 1024 << " KiB, " << indexed[day]
                << " stories + events in memory, " << work[day - 1]
                << " SQLite page lookups during the day");
  }
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) {
      WARN("peak memory of the test process: " << line.substr(6));
    }
  }
  CHECK(bytes[30] <= bytes[10] * 13 / 10);
  CHECK(indexed[30] <= indexed[10] * 13 / 10);
  // The work per day does not grow: days 10 and 30 (the 10th and 30th) alike.
  CHECK(work[29] <= work[9] * 13 / 10);
}
