// khobor/stories/story_index.h — which story does this entry belong to?
//
// A StoryIndex holds the entries of a sliding time window (default 48 h) with their
// fingerprints and groups them into stories: an entry joins the story of the most
// similar entry in the window when the verification score reaches the threshold,
// otherwise it starts a new story. Stories leave with the window (when their last
// entry does). Time is always passed in (seconds since the epoch, UTC); there is no
// wall clock inside, and callers pass non-decreasing times (entries are kept in
// arrival order and leave in that order).
//
// Candidates come from a hash table of each entry's three rarest features (rarity =
// how many entries in the window have the feature); every candidate is verified on
// a 28-feature sample of its title and lede (weighted overlap, numbers must agree)
// before the entry joins its story. docs/stories.md explains and measures this.
//
// Persistence: every add() returns the entry's sequence number; the caller stores
// (seq, story, entry id, outlet, time, fingerprint) — a SavedEntry — and at start-up
// feeds the saved rows of the window back through restore() in seq order. Story ids
// are the sequence number of the story's first entry: unique and increasing across
// restarts as long as the saved rows are restored.
//
// Owns all its memory (about 130 bytes per entry plus its id). Not thread-safe: one
// thread (the daemon's loop) uses it; const methods may run concurrently with each
// other.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stories/fingerprint.h"

namespace khobor::stories {

struct StoryOptions {
  // Entries older than now - window leave. 48 h: versions of one report come within
  // a day and a half (stories.jsonl: 36 h); a longer window let a recurring template
  // join its copy of two or three days before (docs/stories.md, "The story window").
  int64_t window_seconds = 48 * 3600;
  double threshold = 0.7;   // verification score an entry needs to join a story
  uint32_t min_shared = 4;  // fewer shared features never make a story
  // The two title+lede samples must also overlap this much over the larger of them
  // (0: no such rule). Keeps a short entry from joining whatever contains its words.
  double min_overlap = 0.3;
  // When both sides carry a number in title and lede and none agree, the score is
  // halved (a new count, a new price: another day's report of a template).
  bool any_number_disagrees = true;
  // An entry never joins an entry of its own outlet this much older (a recurring
  // template — the day's prices, the daily count — is a new story each time). 0: off.
  int64_t same_outlet_gap_seconds = 12 * 3600;
};

// Most outlets an Assignment names: a text served under hundreds of feed ids would
// otherwise copy hundreds of names into every answer (and every alert).
inline constexpr std::size_t k_max_sources = 64;

// The answer for one entry.
struct Assignment {
  uint64_t seq = 0;           // this entry's sequence number (persist it); for a copy, the
                              // seq of the indexed entry it copies
  bool copy = false;          // a near-exact copy folded into its story: not indexed, so
                              // persist only (story, outlet) for restore_copies()
  uint64_t story = 0;         // the story's id
  bool is_new = true;         // the entry started the story
  double score = 0;           // verification score against the best entry of the story (0 if new)
  std::string first_entry;    // id of the story's first entry
  std::string matched_entry;  // id of the entry it matched (empty if new)
  int64_t first_seen = 0;     // time of the story's first entry
  uint32_t entry_count = 1;   // entries that joined the story so far
  uint32_t outlet_count = 1;  // distinct outlets among them
  std::vector<std::string> sources;  // those outlets, in the order they joined (the first
                                     // k_max_sources; outlet_count counts them all)
};

// A match found by lookup(), without adding anything.
struct Match {
  uint64_t story = 0;
  uint64_t seq = 0;  // the matching entry
  double score = 0;
  bool copy = false;  // same title+lede sample: a near-exact copy of that entry
};

// One entry as the caller persists it and gives back to restore().
struct SavedEntry {
  uint64_t seq = 0;
  uint64_t story = 0;
  std::string id;
  std::string outlet;
  int64_t time = 0;
  Fingerprint fingerprint;
};

// The verification score the index gives `entry` (the newer one) against
// `candidate` (an entry in the window), in [0, 1]; the entry joins the candidate's
// story when it reaches StoryOptions::threshold (and the candidate was found through
// a shared rare feature). For diagnostics (`story_eval --pairs`) and tests.
double similarity(const Fingerprint& candidate, const Fingerprint& entry);

class StoryIndex {
 public:
  explicit StoryIndex(StoryOptions options = {});
  ~StoryIndex();
  StoryIndex(StoryIndex&&) noexcept;
  StoryIndex& operator=(StoryIndex&&) noexcept;
  StoryIndex(const StoryIndex&) = delete;
  StoryIndex& operator=(const StoryIndex&) = delete;

  // Expires what `time` pushes out of the window, then assigns the entry to the
  // story of its best match (or a new story) and adds it. `id` identifies the entry
  // to the caller (feed entry id); `outlet` names its source (feed or outlet name).
  // A near-exact copy (same title+lede sample) of an entry indexed less than half a
  // window ago is only counted in its story (Assignment::copy): it adds no slot, no
  // posting and no id, so a text served under hundreds of feed ids costs its story
  // two bytes per new outlet and nothing per copy.
  Assignment add(std::string_view id, std::string_view outlet, const Fingerprint& fp, int64_t time);

  // The best match for `fp` at `time` in the current window, or nothing; changes
  // nothing (no expiry either).
  std::optional<Match> lookup(const Fingerprint& fp, int64_t time) const;

  // Puts one saved entry back, as add() had assigned it. Call in increasing seq
  // order on an index that has had no add() yet; rows older than the window of the
  // newest restored time leave at the next add()/expire().
  void restore(const SavedEntry& saved);

  // Counts `count` copies from `outlet` into `story` (saved copies: Assignment::copy),
  // after the story's entries were restored. False (and nothing changes) when the
  // story is not in the window.
  bool restore_copies(uint64_t story, std::string_view outlet, uint32_t count);

  // Removes entries older than time - window (and stories whose last entry left).
  void expire(int64_t time);

  std::size_t entry_count() const;  // indexed entries in the window (copies are not)
  // Postings of the entries in the window in the candidate table (scans the table:
  // for tests and diagnostics).
  std::size_t posting_count() const;
  std::size_t story_count() const;  // stories with an entry in the window
  uint64_t next_seq() const;        // the seq the next add() will use
  // Bytes held by the index (slots, tables, ids, story records), for the benchmark.
  std::size_t memory_bytes() const;
  const StoryOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::stories
