// khobor/store/store.h — khobord's state in one SQLite file (schema: SCHEMA.md).
//
// The Store keeps, per feed, the HTTP validators and health; per feed entry, the
// fact that it was seen (so an entry is alerted at most once, across polls and
// restarts); and the alert outbox: every alert gets its `seq` here, is appended in
// the same transaction that marks its entry seen, and is published after the
// commit and then marked published. Owns its connection and prepared statements.
// Not thread-safe: use it from the loop thread. Move-only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/sqlite.h"

namespace khobor::store {

// What khobord knows about one feed. Times are milliseconds since the epoch, 0
// when never.
struct FeedState {
  std::string feed_id;
  std::string url;
  std::string etag;  // validators of the last 200, sent on the next poll
  std::string last_modified;
  int64_t last_attempt_ms = 0;
  int64_t last_success_ms = 0;
  long http_status = 0;  // of the last attempt; 0 when no response
  std::string error;     // of the last attempt; empty on success
  int consecutive_errors = 0;
  int64_t next_due_ms = 0;
  int64_t bytes = 0;       // of the last response
  int64_t entries = 0;     // in the last parsed body
  int64_t latency_ms = 0;  // of the last transfer
  // Schema 3: the schedule's and the status handling's state.
  int64_t interval_s = 0;  // the adaptive interval now (0: not yet known)
  bool retired = false;    // 410 Gone: not polled until `khobor feed enable`
  std::string moved_to;    // a lasting permanent redirect: the URL polled instead …
  std::string moved_from;  // … of this configured URL ('' when not moved)
  // Schema 5: what the interval is made of, so a 304 can refresh the server's hints.
  int64_t base_interval_s = 0;  // from the entries' dates alone, before any hint (0: unknown)
  int64_t ttl_s = 0;            // the feed's own <ttl> / sy:updatePeriod in its last body
  // Schema 8: when its last body was read (a 200 with a feed), ms; what that body
  // carried counts as carried until the next one (pruning, below).
  int64_t last_body_ms = 0;
};

// The store file's size in pages (PRAGMA page_count, freelist_count, page_size).
struct StoreSize {
  int64_t pages = 0;
  int64_t free_pages = 0;
  int64_t page_size = 0;
  int64_t bytes() const { return pages * page_size; }
};

// A 429/503 Retry-After that holds a whole registrable domain (schema 5).
struct DomainHold {
  std::string domain;
  int64_t until_ms = 0;  // ms since the epoch
};

// What the budget planner learnt of a feed (schema 9): daemon::PollPlanner's
// memory, so that a restart does not start it cold.
struct PlannerMemoryRow {
  std::string feed_id;
  int64_t as_of_s = 0;           // the body it was learnt from, seconds
  int64_t observed_since_s = 0;  // from when the feed's entries are known
  int64_t feed_size = 0;         // entries in that body
  bool dated = false;            // some body carried a dated entry
  std::vector<int64_t> times;    // entry dates of the last week, ascending
};

// An alert to append; the payload is made once the seq is known.
struct NewAlert {
  std::string topic;  // "alert.<watchlist>"
  std::string watchlist;
  std::string feed_id;
  std::string entry_id;
};

// An alert as stored in the outbox.
struct StoredAlert {
  int64_t seq = 0;
  int64_t created_ms = 0;
  std::string topic;
  std::string payload;  // the exact bytes of the second frame
  bool published = false;
};

// One entry of the story index's window as saved (stories/story_index.h SavedEntry):
// the daemon writes one per entry it adds and reads them back at start-up to
// rebuild the index. The store keeps the fingerprint as opaque values.
struct StoryEntryRow {
  int64_t seq = 0;    // the entry's sequence number in the story index
  int64_t story = 0;  // its story id
  std::string feed_id;
  std::string entry_id;
  std::string outlet;
  int64_t time = 0;                // seconds since the epoch, as given to the index
  uint64_t simhash = 0;            // Fingerprint::simhash
  std::vector<uint32_t> features;  // Fingerprint::features (at most 64)
  // Schema 7: the entry's event (stories/events.h; for rows saved before, its story)
  // and Fingerprint::title_features (0 for rows saved before: all body).
  int64_t event = 0;
  int title_features = 0;
};

// One (event, watch list) that was alerted (schema version 7): the alert, when the
// last message (the alert or an update) went out, and the update waiting for its
// group_interval.
struct EventAlertRow {
  int64_t event = 0;
  std::string watchlist;
  int64_t alert_seq = 0;
  int64_t last_sent_ms = 0;  // ms since the epoch (0: before schema 7)
  std::string pending;       // the coalesced update's JSON without its seq ('' : none)
  int64_t due_ms = 0;        // when `pending` may be sent (0: nothing pending)
};

// Where an article (by its canonical link) went when it was first seen (schema 7).
struct SeenLink {
  int64_t story = 0;
  int64_t event = 0;
};

// How one feed's entries are identified across polls (schema version 6; the
// detection is feeds/identity.h). `pairs` is the last parsed poll's per-entry
// (hash of the canonical link, hash of the id), kept while the feed uses its own
// ids; once its guids were seen to change between polls, `link_ids` is set for
// good and the pairs are no longer kept.
struct FeedIdentity {
  std::string feed_id;
  bool link_ids = false;    // entries are identified by their canonical links
  int64_t switched_ms = 0;  // when link_ids was set (0 while not)
  std::vector<std::pair<uint64_t, uint64_t>> pairs;  // (link hash, id hash); link 0 = no link
};

class Store {
 public:
  // The newest schema version this build knows.
  static constexpr int k_schema_version = 9;

  // Open or create the store at `path` (":memory:" for tests) and migrate it to
  // k_schema_version. Fails with a message naming the path when it cannot be
  // opened or was written by a newer khobor.
  static Result<Store> open(const std::string& path);

  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;

  // The schema version on disk (== k_schema_version after open).
  int schema_version();
  Database& database();

  // Begin a write transaction (rolls back unless committed).
  Transaction begin();

  // Feed state: nullopt for a feed never polled.
  std::optional<FeedState> feed_state(const std::string& feed_id);
  std::vector<FeedState> feed_states();
  void save_feed_state(const FeedState& state);
  // Revive a retired feed: retired = 0, due now, errors cleared. False when the
  // store has no row for `feed_id`.
  bool enable_feed(const std::string& feed_id);

  // Record that the entry was seen; true when this is the first time. An entry
  // seen before is carried again: its last_seen moves to now (at most once a day).
  bool mark_seen(const std::string& feed_id, const std::string& entry_id, int64_t now_ms);
  bool seen(const std::string& feed_id, const std::string& entry_id);

  // Append an alert to the outbox and return its seq (unique, increasing, never
  // reused even after pruning). `make_payload(seq)` gives the stored payload.
  int64_t append_alert(const NewAlert& alert, int64_t now_ms,
                       const std::function<std::string(int64_t seq)>& make_payload);

  // Alerts not yet published, in seq order, at most `limit`.
  std::vector<StoredAlert> unpublished(size_t limit);
  void mark_published(int64_t seq);
  // Alerts with seq > `after`, in seq order, at most `limit` (for replay).
  std::vector<StoredAlert> alerts_after(int64_t after, size_t limit);
  // The highest seq ever given (0 when none).
  int64_t last_seq();
  // The lowest seq still stored (0 when the outbox is empty): replay cannot reach
  // below it.
  int64_t first_seq();
  int64_t alert_count();
  // Delete at most `limit` published alerts created before `before_ms`, oldest
  // first, in one statement; returns how many went. Unpublished ones are kept.
  // Small batches keep the write short, so the loop never stalls on it.
  size_t prune_alerts(int64_t before_ms, size_t limit);

  // Retry-After holds of whole domains (schema version 5), so a restart still
  // waits. Saves a hold; a domain already held keeps the later end.
  void save_domain_hold(const std::string& domain, int64_t until_ms);
  // The holds that end after `now_ms`, by domain; ended ones are deleted.
  std::vector<DomainHold> domain_holds(int64_t now_ms);

  // The budget planner's memory, one row per feed (schema version 9): saved
  // after each body under a budget, read at start-up, deleted with the feed.
  void save_planner_memory(const PlannerMemoryRow& row);
  std::vector<PlannerMemoryRow> planner_memories();
  void forget_planner_memory(const std::string& feed_id);

  // The story index's window (schema version 2). Saves one entry (replacing a row
  // with the same seq).
  void save_story_entry(const StoryEntryRow& row);
  // Saved entries with time >= `since`, in seq order (for StoryIndex::restore).
  std::vector<StoryEntryRow> story_entries_since(int64_t since);
  // The same rows handed one at a time to `fn` (the row is reused: move from it
  // what you keep), so a large window is never held twice; returns how many.
  size_t for_each_story_entry_since(int64_t since, const std::function<void(StoryEntryRow&)>& fn);
  // Deletes saved entries and copy counts older than `before` (they have left the
  // window).
  void prune_story_entries(int64_t before);
  // Counts one near-exact copy (stories::Assignment::copy) of `story` from `outlet`
  // at `time` (schema version 4): one row per (story, outlet), however many copies.
  void save_story_copy(int64_t story, const std::string& outlet, int64_t time);
  // Calls fn(story, outlet, copies) for each (story, outlet) with a copy at or after
  // `since`, in the order the pairs first appeared (for StoryIndex::restore_copies);
  // streams rows, returns how many.
  size_t story_copies_since(int64_t since,
                            const std::function<void(int64_t, const std::string&, int64_t)>& fn);
  // Records that `story` was alerted for `watchlist`: true the first time, false
  // when it already was. Schema 2-6's policy (one alert per story and watch list);
  // since schema 7 khobord keeps one per event (mark_event_alerted) and no longer
  // writes here.
  bool mark_story_alerted(int64_t story, const std::string& watchlist, int64_t alert_seq);
  // The watch lists `story` was alerted for, by name (empty: never alerted).
  std::vector<std::string> story_alert_lists(int64_t story);

  // One alert per event and watch list (schema version 7; replaces story_alerts).
  // Records that `event` was alerted for `watchlist` by `alert_seq` at `now_ms`:
  // true the first time, false when it already was.
  bool mark_event_alerted(int64_t event, const std::string& watchlist, int64_t alert_seq,
                          int64_t now_ms);
  // The watch lists `event` was alerted for, with their update state, by name.
  std::vector<EventAlertRow> event_alerts(int64_t event);
  // Keeps the coalesced update of (event, watch list) until `due_ms`.
  void save_pending_update(int64_t event, const std::string& watchlist, const std::string& pending,
                           int64_t due_ms);
  // An update of (event, watch list) went into the outbox at `now_ms`: nothing is
  // pending any more, and the next one waits a group_interval from now.
  void mark_update_sent(int64_t event, const std::string& watchlist, int64_t now_ms);
  // Pending updates due at `now_ms`, earliest first, at most `limit`.
  std::vector<EventAlertRow> due_updates(int64_t now_ms, size_t limit);
  // When the earliest pending update is due (ms since the epoch; 0: none pending).
  int64_t next_update_due();

  // The canonical links seen (schema version 7), by identity_hash of the canonical
  // link: where the article went the first time, nullopt when it is new.
  std::optional<SeenLink> seen_link(uint64_t link);
  // Remembers a link's first story and event; false when it was already known.
  bool save_seen_link(uint64_t link, int64_t story, int64_t event, int64_t now_ms);

  // A seen link was carried again (an entry with it was read): its last_seen moves
  // to now, at most once a day (schema version 8).
  void touch_seen_link(uint64_t link, int64_t now_ms);

  // Bounded state (schema version 8). Each deletes at most `limit` rows in one
  // statement and returns how many went, so the loop never stalls on it.
  // Entries whose feed has gone `forget_after_ms` without carrying them, counted
  // up to its last body (a feed answering 304 still carries what it carried), or
  // not carried for `cap_ms` whatever the feed did (a feed gone from the config).
  size_t prune_seen(int64_t now_ms, int64_t forget_after_ms, int64_t cap_ms, size_t limit);
  // Links not carried since `before_ms`.
  size_t prune_seen_links(int64_t before_ms, size_t limit);
  // (event, watch list) rows last sent before `before_ms` with nothing pending.
  size_t prune_event_alerts(int64_t before_ms, size_t limit);
  // Give up to `pages` free pages back to the file system (auto_vacuum=INCREMENTAL).
  void incremental_vacuum(int pages);
  // Copy the WAL into the database without waiting for readers (PASSIVE).
  void checkpoint();
  StoreSize size();

  // Identity across polls (schema version 6): nullopt for a feed never parsed.
  std::optional<FeedIdentity> feed_identity(const std::string& feed_id);
  // Saves (replaces) the feed's identity row.
  void save_feed_identity(const FeedIdentity& identity);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::store
