// story_restore_bench [STORIES [FEEDS]] — copies of the same texts under many feed ids,
// and the start-up restore from SQLite.
//
// The polling benchmark serves one real feed under hundreds of feed ids, so each text
// arrives once per feed id. This program adds STORIES (default 6,000) distinct
// synthetic entries, each again from FEEDS (default 500) feed ids over 24 hours
// (3,000,000 entries), through StoryIndex::add and saves them as the daemon does
// (story_entries for indexed entries, story_copies for folded copies) in a real
// SQLite store in a temporary directory. Then it opens the store again and rebuilds
// the index from it, as khobord does at start-up, and prints rows read, time and
// memory. Beside it, the peer is the schema-2 way: every member entry restored as an
// entry of its own (StoryIndex::restore, in memory only: the SQLite read of 3 million
// rows with their fingerprints would come on top; at most 300,000 entries).
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"
#include "stories/fingerprint.h"
#include "stories/story_index.h"

using khobor::stories::Assignment;
using khobor::stories::Fingerprint;
using khobor::stories::SavedEntry;
using khobor::stories::StoryIndex;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t heap_bytes() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Fingerprint make_text(std::mt19937_64& rng) {
  Fingerprint fp;
  while (fp.features.size() < 40) {
    const uint32_t f =
        khobor::stories::feature_hash("w" + std::to_string(rng() % 5'000'000), false);
    if (std::find(fp.features.begin(), fp.features.end(), f) == fp.features.end()) {
      fp.features.push_back(f);
    }
  }
  fp.simhash = khobor::stories::simhash(fp.features);
  return fp;
}

// The run's shape: `n_stories` texts, each from `n_feeds` feed ids, evenly over
// 24 hours from t0.
struct Run {
  std::size_t n_stories = 0;
  std::size_t n_feeds = 0;
  std::size_t n = 0;  // entries
  std::vector<Fingerprint> texts;
  int64_t t0 = 1'700'000'000;
  double step = 0;  // seconds between entries
};

// Every entry through StoryIndex::add and into the store at `path` as the daemon
// saves it, 20,000 a transaction; returns the last entry's time (0 on a store
// error, said on stderr).
int64_t add_all(const Run& run, const std::string& path) {
  auto store = khobor::store::Store::open(path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 0;
  }
  StoryIndex index;
  const auto start = Clock::now();
  double index_s = 0;
  int64_t t_end = run.t0;
  std::size_t indexed = 0;
  std::size_t copies = 0;
  for (std::size_t i = 0; i < run.n;) {
    auto tx = store->begin();
    for (std::size_t b = 0; b < 20'000 && i < run.n; ++b, ++i) {
      const std::size_t text = i % run.n_stories;
      const std::string feed_id = "feed-" + std::to_string(i / run.n_stories);
      const std::string entry_id = "https://outlet.example/" + std::to_string(text);
      t_end = run.t0 + static_cast<int64_t>(static_cast<double>(i) * run.step);
      const auto a0 = Clock::now();
      const Assignment a = index.add(entry_id, feed_id, run.texts[text], t_end);
      index_s += seconds_since(a0);
      if (a.copy) {
        store->save_story_copy(static_cast<int64_t>(a.story), feed_id, t_end);
        ++copies;
      } else {
        store->save_story_entry({static_cast<int64_t>(a.seq), static_cast<int64_t>(a.story),
                                 feed_id, entry_id, feed_id, t_end, run.texts[text].simhash,
                                 run.texts[text].features});
        ++indexed;
      }
    }
    tx.commit();
  }
  std::printf(
      "adding: %.1f s (%.0f entries/s; the index's add() alone %.0f/s), %zu indexed, %zu "
      "folded as copies\n",
      seconds_since(start), static_cast<double>(run.n) / seconds_since(start),
      static_cast<double>(run.n) / index_s, indexed, copies);
  std::printf("  index: %zu stories, %zu entries, %zu postings, %.1f MB\n", index.story_count(),
              index.entry_count(), index.posting_count(),
              static_cast<double>(index.memory_bytes()) / 1e6);
  return t_end;
}

// Start-up: what daemon/pipeline.cpp restore_stories does, timed; false on a
// store error (said on stderr).
bool restore(const Run& run, const std::string& path, int64_t t_end) {
  const std::size_t heap0 = heap_bytes();
  const auto start = Clock::now();
  auto store = khobor::store::Store::open(path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return false;
  }
  StoryIndex index;
  const int64_t since = t_end - index.options().window_seconds;
  std::size_t entry_rows = 0;
  for (khobor::store::StoryEntryRow& row : store->story_entries_since(since)) {
    index.restore(SavedEntry{static_cast<uint64_t>(row.seq), static_cast<uint64_t>(row.story),
                             std::move(row.entry_id), std::move(row.outlet), row.time,
                             Fingerprint{row.simhash, std::move(row.features)}});
    ++entry_rows;
  }
  const std::size_t copy_rows = store->story_copies_since(
      since, [&index](int64_t story, const std::string& outlet, int64_t count) {
        (void)index.restore_copies(static_cast<uint64_t>(story), outlet,
                                   static_cast<uint32_t>(count));
      });
  const double restore_s = seconds_since(start);
  const Assignment probe = index.add("probe", "feed-new", run.texts[0], t_end + 1);
  std::printf(
      "restore from SQLite: %.2f s, %zu entry rows + %zu (story, outlet) copy rows; index %zu "
      "stories, %zu entries, %.1f MB (heap grew %.1f MB)\n",
      restore_s, entry_rows, copy_rows, index.story_count(), index.entry_count(),
      static_cast<double>(index.memory_bytes()) / 1e6,
      static_cast<double>(heap_bytes() - heap0) / 1e6);
  std::printf("  a new copy of text 0 after the restart: story %llu, %u entries, %u outlets\n",
              static_cast<unsigned long long>(probe.story), probe.entry_count, probe.outlet_count);
  return true;
}

// The peer: every member entry restored as an entry (schema 2), in memory only.
// Its copies all post the same keys, so it slows down with every copy: it runs
// on the first 300,000 entries at most.
void peer_restore(const Run& run) {
  const std::size_t n_peer = std::min<std::size_t>(run.n, 300'000);
  const std::size_t heap0 = heap_bytes();
  const auto start = Clock::now();
  StoryIndex index;
  for (std::size_t i = 0; i < n_peer; ++i) {
    const std::size_t text = i % run.n_stories;
    index.restore(SavedEntry{i, text, "https://outlet.example/" + std::to_string(text),
                             "feed-" + std::to_string(i / run.n_stories),
                             run.t0 + static_cast<int64_t>(static_cast<double>(i) * run.step),
                             run.texts[text]});
  }
  std::printf(
      "peer, every member entry restored (in memory, no SQLite), the first %zu entries: %.2f "
      "s, index %zu entries, %.1f MB (heap grew %.1f MB)\n",
      n_peer, seconds_since(start), index.entry_count(),
      static_cast<double>(index.memory_bytes()) / 1e6,
      static_cast<double>(heap_bytes() - heap0) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it comes (long runs)
  Run run;
  run.n_stories = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 6'000;
  run.n_feeds = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 500;
  run.n = run.n_stories * run.n_feeds;
  run.step = 24.0 * 3600.0 / static_cast<double>(run.n);
  double load[3] = {};
  if (getloadavg(load, 3) == 3) {
    std::printf("machine load average %.2f\n", load[0]);
  }
  std::printf("story_restore_bench: %zu texts, each from %zu feed ids: %zu entries over 24 h\n",
              run.n_stories, run.n_feeds, run.n);
  std::mt19937_64 rng(11);
  for (std::size_t i = 0; i < run.n_stories; ++i) {
    run.texts.push_back(make_text(rng));
  }
  char tmpl[] = "/tmp/khobor-restore-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string path = std::string(tmpl) + "/k.db";
  const int64_t t_end = add_all(run, path);
  if (t_end == 0) {
    return 1;
  }
  std::printf("  store file: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  if (!restore(run, path, t_end)) {
    return 1;
  }
  std::filesystem::remove_all(tmpl);
  peer_restore(run);
  return 0;
}
