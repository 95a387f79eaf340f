// store_size — how big khobord's store grows per feed, day after day (issue 14).
//
// Simulates feeds on the fake clock through the daemon's own pipeline on a real
// SQLite file: each feed publishes PER_DAY entries a day (evenly), carries its
// newest CARRIED, and is polled as often as it publishes; a tenth of the entries
// match the watch list. Every simulated minute the same retention khobord's loop
// runs (prune alerts, seen entries, links, event alert rows; incremental vacuum;
// WAL checkpoint). Prints the file's size (database + WAL) and its rows every
// REPORT days, and bytes per feed. A measurement, not a timing: nothing passes or
// fails here.
//
// usage: store_size [FEEDS [DAYS [PER_DAY [CARRIED [FORGET_DAYS [KEEP_ALERTS_DAYS]]]]]]
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "daemon/pipeline.h"
#include "daemon/retention.h"
#include "store/store.h"
#include "stories/events.h"
#include "stories/story_index.h"
#include "watch/watchset.h"

namespace {

constexpr int64_t k_day_ms = 86'400'000;

// Words to build entries from: each entry its own mix, about 160 bytes of title
// and 400 of summary, as a Bengali outlet's RSS item carries.
const std::vector<std::string> k_words = {
    "নদী",   "পাহাড়", "বাজার", "বিদ্যালয়", "হাসপাতাল", "সেতু",    "রেল",    "বন্দর",    "কৃষক",
    "শ্রমিক", "শিক্ষক", "বৃষ্টি",  "বন্যা",    "খরা",      "ঝড়",     "ধান",    "পাট",     "চা",
    "মাছ",   "বিদ্যুৎ", "গ্যাস",  "তেল",     "সোনা",     "রপ্তানি", "আমদানি", "বাজেট",   "কর",
    "ব্যাংক", "ঋণ",    "সঞ্চয়",  "বিমান",   "জাহাজ",    "সড়ক",    "মেট্রো",  "ক্রিকেট",  "ফুটবল",
    "সংসদ",  "আদালত", "পুলিশ",  "সীমান্ত",  "চুক্তি",     "সম্মেলন", "আলোচনা", "প্রতিবাদ", "মিছিল"};

std::string words(std::mt19937& rng, int n) {
  std::string out;
  std::uniform_int_distribution<size_t> pick(0, k_words.size() - 1);
  for (int i = 0; i < n; ++i) {
    out += (i ? " " : "") + k_words[pick(rng)];
  }
  return out;
}

int64_t file_bytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

int64_t count(khobor::store::Store& s, const char* table) {
  auto st = s.database().prepare(std::string("SELECT COUNT(*) FROM ") + table);
  st.step();
  return st.column_int(0);
}

struct Params {
  int feeds = 20, days = 60, per_day = 48, carried = 30;
  int64_t forget_ms = 30 * k_day_ms, keep_alerts_ms = 30 * k_day_ms, window_s = 48 * 3600;
};

// The retention khobord's loop runs once a minute (daemon/retention.h), after
// publishing (only published alerts are pruned).
void retention(khobor::store::Store& s, const Params& p, int64_t now_ms) {
  for (const auto& a : s.unpublished(100'000)) {
    s.mark_published(a.seq);
  }
  khobor::daemon::RetentionPolicy policy;
  policy.keep_alerts_ms = p.keep_alerts_ms;
  policy.forget_after_ms = p.forget_ms;
  policy.window_ms = p.window_s * 1000;
  while (khobor::daemon::prune_round(s, policy, now_ms).more) {
  }
}

khobor::feeds::ParsedFeed feed_at(int feed, int64_t newest, int carried) {
  khobor::feeds::ParsedFeed f;
  f.format = "rss20";
  f.title = "outlet " + std::to_string(feed);
  f.link = "https://outlet" + std::to_string(feed) + ".example/";
  for (int64_t n = newest; n > newest - carried && n > 0; --n) {
    khobor::feeds::Entry e;
    e.id = "https://outlet" + std::to_string(feed) + ".example/news/2026/" + std::to_string(n);
    e.link = e.id;
    std::mt19937 text(static_cast<uint32_t>(feed * 1'000'003 + n));  // the same entry each poll
    e.title = words(text, 8) + (n % 10 == 0 ? " সুন্দরবন" : "");
    e.summary = words(text, 40);
    f.entries.push_back(std::move(e));
  }
  return f;
}

// One line of the table: the day, the file's size (whole and per feed) and the
// rows of the tables that grow.
void print_day(khobor::store::Store& store, const std::string& path, const Params& p, int64_t day) {
  const int64_t bytes = file_bytes(path) + file_bytes(path + "-wal");
  std::printf("%3lld  %12lld  %12.1f  %12lld  %10lld  %6lld  %13lld\n", static_cast<long long>(day),
              static_cast<long long>(bytes / 1024), static_cast<double>(bytes) / 1024.0 / p.feeds,
              static_cast<long long>(count(store, "entries_seen")),
              static_cast<long long>(count(store, "seen_links")),
              static_cast<long long>(count(store, "alerts")),
              static_cast<long long>(count(store, "story_entries")));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  int* ints[] = {&p.feeds, &p.days, &p.per_day, &p.carried};
  for (int i = 1; i < argc && i <= 4; ++i) {
    *ints[i - 1] = std::atoi(argv[i]);
  }
  if (argc > 5) {
    p.forget_ms = std::atoll(argv[5]) * k_day_ms;
  }
  if (argc > 6) {
    p.keep_alerts_ms = std::atoll(argv[6]) * k_day_ms;
  }
  const std::string dir = std::filesystem::temp_directory_path() / "khobor-store-size";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/khobor.db";
  auto store = khobor::store::Store::open(path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  auto watches = khobor::watch::WatchSet::from_toml("name = \"w\"\nrules = [\"সুন্দরবন\"]\n", "w");
  khobor::ManualClock clock(1'780'000'000'000);
  khobor::stories::StoryIndex stories(
      khobor::stories::StoryOptions{p.window_s, khobor::stories::StoryOptions{}.threshold});
  khobor::stories::EventIndex events;
  khobor::daemon::Pipeline pipeline(*store, clock, &stories, &events,
                                    khobor::daemon::UpdatePolicy{300});
  const int64_t step_ms = k_day_ms / p.per_day;  // one poll per new entry
  std::printf(
      "%d feeds, %d entries a day each, %d carried, forget_after %lld d, keep_alerts "
      "%lld d\n",
      p.feeds, p.per_day, p.carried, static_cast<long long>(p.forget_ms / k_day_ms),
      static_cast<long long>(p.keep_alerts_ms / k_day_ms));
  std::printf(
      "day  store+wal KiB  per feed KiB  entries_seen  seen_links  alerts  story_entries\n");
  int64_t next_retention = 0;
  for (int64_t step = 1; step <= static_cast<int64_t>(p.days) * p.per_day; ++step) {
    clock.advance_ms(step_ms);
    for (int f = 0; f < p.feeds; ++f) {
      khobor::store::FeedState st;
      st.feed_id = "outlet-" + std::to_string(f);
      st.url = "https://outlet" + std::to_string(f) + ".example/feed";
      st.last_success_ms = st.last_body_ms = clock.now_ms();
      (void)pipeline.process(st.feed_id, feed_at(f, step, p.carried), *watches, st);
    }
    if (clock.now_ms() >= next_retention) {
      retention(*store, p, clock.now_ms());
      next_retention = clock.now_ms() + 60'000;
    }
    if (step % (10 * p.per_day) == 0) {
      retention(*store, p, clock.now_ms());
      print_day(*store, path, p, step / p.per_day);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
