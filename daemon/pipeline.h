// khobor/daemon/pipeline.h — one parsed feed in, one store transaction and alerts out.
//
// The per-feed step of khobord after a body was fetched and parsed: every entry is
// marked seen; each entry seen for the first time is placed in its story and
// event (stories/) and matched against the watch lists; each match becomes an
// alert (or a story.update) appended to the store's outbox with its seq; the
// feed's state (validators, health) is saved — all in one transaction. Nothing
// is published here: publish_outbox() sends what the commit made durable.
// Borrows the Store (which must outlive it); not thread-safe (the loop thread).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/clock.h"
#include "bus/publisher.h"
#include "feeds/entry.h"
#include "store/store.h"
#include "stories/events.h"
#include "stories/story_index.h"
#include "watch/watchset.h"

namespace khobor::daemon {

struct PipelineResult {
  size_t entries = 0;                // entries in the parsed feed
  size_t new_entries = 0;            // seen for the first time
  std::vector<int64_t> alert_seqs;   // appended to the outbox, in order
  std::vector<int64_t> update_seqs;  // story.update messages appended, in order
  size_t pending_updates = 0;        // updates coalesced to wait for their group_interval
  size_t same_links = 0;             // new entries whose canonical link was already seen
  size_t quiet = 0;                  // new entries that alerted nothing ([poll] backlog)
  // Identity across polls (feeds/identity.h): the feed's entries are identified by
  // their canonical links because its guids change between polls …
  bool link_ids = false;
  // … and this poll is the one that found out (the daemon logs it, once).
  bool switched_to_link_ids = false;
};

// How alerted events send their updates.
struct UpdatePolicy {
  // At most one story.update per (event, watch list) per this many seconds (a
  // list's own group_interval wins); entries in between are coalesced into the
  // next one. 0: each matching entry sends its update at once.
  int64_t group_interval_s = 300;
};

// Which new entries of a poll are quiet: marked seen and placed in their story and
// event like any other, but alerting nothing, so that a feed's first poll does not
// alert on its backlog ([poll] backlog). A quiet entry that matches a watch list
// marks its event alerted for the list (with alert seq 0, no message), so a later
// report of the same event is a story.update, not a fresh alert. The default
// quiets nothing.
struct Quiet {
  bool all = false;                                        // every new entry ("none")
  int64_t before_s = std::numeric_limits<int64_t>::min();  // entries dated before this
  // An entry without a date (published, else updated) counts as new unless `all`.
  bool covers(const feeds::Entry& e) const;
};

class Pipeline {
 public:
  // With `stories` (borrowed, may be null), each new entry is assigned to a story and
  // saved for the index's restore; with `events` too (borrowed, may be null), its
  // story to an event (without: each story is its own event). An event alerts once
  // per watch list: the first entry of the event that matches the list; later
  // entries of the event that match the list become story.update messages, at most
  // one per `policy` group_interval (the rest wait in the store, see
  // flush_updates). An entry whose canonical link was already seen, from any feed,
  // is the same article: it is marked seen and sends nothing. The index is given
  // no entry ids (add and restore get an empty id): the daemon never reads
  // Assignment::first_entry / matched_entry, and the store's story_entries row
  // keeps the id, so a 10,000-feed window (~600,000 entries, ids of ~80 bytes)
  // does not hold them twice in memory.
  Pipeline(store::Store& store, const Clock& clock, stories::StoryIndex* stories = nullptr,
           stories::EventIndex* events = nullptr, UpdatePolicy policy = {})
      : m_store(store), m_clock(clock), m_stories(stories), m_events(events), m_policy(policy) {}

  // Process `feed` (from the feed `feed_id` titled in `state`) in one transaction
  // and save `state` with it. Throws store::StoreError when SQLite fails (then
  // nothing of it was written). Before anything else, the feed's identity across
  // polls: when most entries whose links were in the previous poll came back with
  // other ids (guids regenerated per request), the feed switches to link ids for
  // good (store table feed_identity); on that poll the entries whose links were
  // already there are marked seen without alerting — they were seen under their
  // old ids.
  // `quiet` says which new entries alert nothing (a feed's first poll).
  PipelineResult process(const std::string& feed_id, const feeds::ParsedFeed& feed,
                         const watch::WatchSet& watches, const store::FeedState& state,
                         const Quiet& quiet = {});

  // Appends to the outbox, in one transaction, every coalesced update whose
  // group_interval has passed at the clock's now; returns their seqs. The daemon
  // calls it when Store::next_update_due() is reached.
  std::vector<int64_t> flush_updates();

 private:
  struct EntryPlace;
  // Marks `e` seen; true when it was not seen before under its id. An entry seen
  // before keeps its canonical link (`link`, 0: none) alive as long as it is carried.
  bool first_seen(const std::string& feed_id, const feeds::Entry& e, uint64_t link, int64_t now_ms);
  // A new entry's story and event (none without the story index), saved for the
  // index's restore.
  EntryPlace place_entry(const std::string& feed_id, const feeds::Entry& e, int64_t now_s);
  void keep_quiet(const std::string& feed_id, const feeds::Entry& e, const EntryPlace& place,
                  const watch::WatchSet& watches);
  void alert_or_update(const std::string& feed_id, const feeds::ParsedFeed& feed,
                       const feeds::Entry& e, const EntryPlace& place,
                       const watch::WatchSet& watches, PipelineResult& out);
  // A later entry of an event already alerted for `m`'s list: a story.update now,
  // or kept as the event's pending update until the list's group interval has passed.
  void update(const std::string& feed_id, const feeds::Entry& e, const EntryPlace& place,
              const watch::Match& m, const watch::WatchSet& watches, store::EventAlertRow& row,
              PipelineResult& out);
  // The first entry of an event (or an entry outside events) matching `m`: an alert.
  int64_t alert(const std::string& feed_id, const feeds::ParsedFeed& feed, const feeds::Entry& e,
                const EntryPlace& place, const watch::Match& m, PipelineResult& out);

  store::Store& m_store;
  const Clock& m_clock;
  stories::StoryIndex* m_stories;
  stories::EventIndex* m_events;
  UpdatePolicy m_policy;
};

// Rebuilds `index` (and `events`, when given) from the store's saved window
// (entries newer than now - window) and prunes the older rows; returns how many
// entries were restored.
size_t restore_stories(store::Store& store, stories::StoryIndex& index, int64_t now_s,
                       stories::EventIndex* events = nullptr);

// Publish the outbox's unpublished alerts in seq order and mark each published;
// returns how many were handed to the socket (dropped ones count as handed: the
// subscriber recovers them by seq). With `sent_through`, alerts up to that seq are
// only marked, not sent again (they were sent before a store fault kept the mark
// from being written), and it is raised to each seq sent.
size_t publish_outbox(store::Store& store, bus::Publisher& publisher,
                      int64_t* sent_through = nullptr);

}  // namespace khobor::daemon
