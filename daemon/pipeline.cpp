// khobor/daemon/pipeline.cpp — one parsed feed through identity, seen marks, stories,
// events and matching into one transaction; the outbox published after it.
#include "daemon/pipeline.h"

#include <algorithm>
#include <optional>

#include "bus/alert.h"
#include "feeds/identity.h"
#include "feeds/urls.h"

namespace khobor::daemon {

namespace {

// The feed's ids as the pipeline uses them: `parsed` itself, or a copy with link ids.
struct Identity {
  std::optional<feeds::ParsedFeed> relinked;  // set when the feed uses link ids
  bool switched = false;                      // this poll found the guids unstable
  std::vector<bool> known_link;               // on that poll: the entry's link was there before
};

Identity settle_identity(store::Store& st, const std::string& feed_id,
                         const feeds::ParsedFeed& parsed, int64_t now_ms) {
  Identity out;
  std::optional<store::FeedIdentity> saved = st.feed_identity(feed_id);
  if (saved && saved->link_ids) {
    out.relinked = parsed;
    feeds::use_link_ids(*out.relinked);
    return out;
  }
  std::vector<feeds::LinkIdHash> now = feeds::link_id_hashes(parsed);
  std::vector<feeds::LinkIdHash> before;
  if (saved) {
    before.reserve(saved->pairs.size());
    for (const auto& [link, id] : saved->pairs) {
      before.push_back({link, id});
    }
  }
  if (!before.empty() && feeds::guids_unstable(before, now)) {
    out.relinked = parsed;
    feeds::use_link_ids(*out.relinked);
    out.switched = true;
    std::vector<uint64_t> links;
    for (const auto& b : before) {
      links.push_back(b.link);
    }
    std::sort(links.begin(), links.end());
    for (const auto& n : now) {
      out.known_link.push_back(n.link != 0 &&
                               std::binary_search(links.begin(), links.end(), n.link));
    }
    st.save_feed_identity({feed_id, true, now_ms, {}});
    return out;
  }
  if (before != now) {
    store::FeedIdentity row{feed_id, false, 0, {}};
    row.pairs.reserve(now.size());
    for (const auto& n : now) {
      row.pairs.emplace_back(n.link, n.id);
    }
    st.save_feed_identity(row);
  }
  return out;
}

// The canonical links of a poll that identify an article: a link that several
// entries of the poll share (a feed whose items all link to its front page) or the
// feed's own link says nothing about which article an entry is, so it counts as none.
std::vector<uint64_t> article_links(const feeds::ParsedFeed& feed) {
  std::vector<uint64_t> links;
  links.reserve(feed.entries.size());
  for (const auto& e : feed.entries) {
    links.push_back(e.link.empty() ? 0 : feeds::identity_hash(feeds::canonical_url(e.link)));
  }
  std::vector<uint64_t> sorted = links;
  std::sort(sorted.begin(), sorted.end());
  const uint64_t home =
      feed.link.empty() ? 0 : feeds::identity_hash(feeds::canonical_url(feed.link));
  for (uint64_t& l : links) {
    const auto [lo, hi] = std::equal_range(sorted.begin(), sorted.end(), l);
    if (hi - lo > 1 || l == home) {
      l = 0;
    }
  }
  return links;
}

// Without an event index each story is its own event.
stories::EventAssignment event_of_story(const stories::Assignment& a) {
  stories::EventAssignment e;
  e.event = a.story;
  e.is_new = a.is_new;
  e.first_seen = a.first_seen;
  e.entry_count = a.entry_count;
  e.outlet_count = a.outlet_count;
  e.story_count = 1;
  e.sources = a.sources;
  return e;
}

bus::AlertEvent alert_event(const stories::EventAssignment& e) {
  return bus::AlertEvent{e.event, e.sources, e.first_seen, e.outlet_count, e.entry_count};
}

}  // namespace

struct Pipeline::EntryPlace {
  std::optional<stories::Assignment> story;
  std::optional<stories::EventAssignment> event;
};

bool Quiet::covers(const feeds::Entry& e) const {
  if (all) {
    return true;
  }
  const std::optional<int64_t> date = e.published ? e.published : e.updated;
  return date && *date < before_s;
}

PipelineResult Pipeline::process(const std::string& feed_id, const feeds::ParsedFeed& parsed,
                                 const watch::WatchSet& watches, const store::FeedState& state,
                                 const Quiet& quiet) {
  PipelineResult out;
  out.entries = parsed.entries.size();
  const int64_t now_ms = m_clock.now_ms();
  const int64_t now_s = now_ms / 1000;
  auto tx = m_store.begin();
  const Identity identity = settle_identity(m_store, feed_id, parsed, now_ms);
  const feeds::ParsedFeed& feed = identity.relinked ? *identity.relinked : parsed;
  out.link_ids = identity.relinked.has_value();
  out.switched_to_link_ids = identity.switched;
  if (m_stories != nullptr) {
    m_store.prune_story_entries(now_s - m_stories->options().window_seconds);
  }
  const std::vector<uint64_t> links = article_links(feed);
  for (size_t i = 0; i < feed.entries.size(); ++i) {
    const feeds::Entry& e = feed.entries[i];
    if (!first_seen(feed_id, e, links[i], now_ms)) {
      continue;
    }
    if (identity.switched && identity.known_link[i]) {
      continue;  // seen in the previous poll under the guid it had then
    }
    ++out.new_entries;
    if (links[i] != 0 && m_store.seen_link(links[i])) {
      // The same article (its canonical link) from another feed or under another
      // id: one entry, already placed and alerted when it was first seen.
      ++out.same_links;
      continue;
    }
    const EntryPlace place = place_entry(feed_id, e, now_s);
    if (links[i] != 0) {
      m_store.save_seen_link(links[i], place.story ? static_cast<int64_t>(place.story->story) : 0,
                             place.event ? static_cast<int64_t>(place.event->event) : 0, now_ms);
    }
    if (quiet.covers(e)) {
      ++out.quiet;
      keep_quiet(feed_id, e, place, watches);
      continue;
    }
    alert_or_update(feed_id, feed, e, place, watches, out);
  }
  m_store.save_feed_state(state);
  tx.commit();
  return out;
}

bool Pipeline::first_seen(const std::string& feed_id, const feeds::Entry& e, uint64_t link,
                          int64_t now_ms) {
  if (!e.id.empty() && m_store.mark_seen(feed_id, e.id, now_ms)) {
    return true;
  }
  if (link != 0) {
    m_store.touch_seen_link(link, now_ms);  // still carried: kept as long as the entry
  }
  return false;
}

Pipeline::EntryPlace Pipeline::place_entry(const std::string& feed_id, const feeds::Entry& e,
                                           int64_t now_s) {
  EntryPlace place;
  if (m_stories == nullptr) {
    return place;
  }
  const stories::Fingerprint fp = stories::fingerprint(e.title, e.summary, e.content);
  place.story = m_stories->add({}, feed_id, fp, now_s);  // no id: see pipeline.h
  const stories::Assignment& story = *place.story;
  place.event =
      m_events != nullptr ? m_events->add(story, feed_id, fp, now_s) : event_of_story(story);
  if (story.copy) {
    m_store.save_story_copy(static_cast<int64_t>(story.story), feed_id, now_s);
    return place;
  }
  store::StoryEntryRow row{static_cast<int64_t>(story.seq),
                           static_cast<int64_t>(story.story),
                           feed_id,
                           e.id,
                           feed_id,
                           now_s,
                           fp.simhash,
                           fp.features};
  row.event = static_cast<int64_t>(place.event->event);
  row.title_features = fp.title_features;
  m_store.save_story_entry(row);
  return place;
}

void Pipeline::keep_quiet(const std::string& feed_id, const feeds::Entry& e,
                          const EntryPlace& place, const watch::WatchSet& watches) {
  if (!place.event) {
    return;  // without the story index there is no event to remember
  }
  const auto event_id = static_cast<int64_t>(place.event->event);
  const watch::EntryText text{feed_id, e.title, e.summary, e.content};
  for (const watch::Match& m : watches.match(text)) {
    // Seq 0: no alert was sent. An event already alerted for the list keeps its row.
    (void)m_store.mark_event_alerted(event_id, m.watchlist, 0, m_clock.now_ms());
  }
}

void Pipeline::alert_or_update(const std::string& feed_id, const feeds::ParsedFeed& feed,
                               const feeds::Entry& e, const EntryPlace& place,
                               const watch::WatchSet& watches, PipelineResult& out) {
  const auto event_id = place.event ? static_cast<int64_t>(place.event->event) : int64_t{0};
  std::vector<store::EventAlertRow> alerted;
  if (place.event && !place.event->is_new) {  // an event that opens here was never alerted
    alerted = m_store.event_alerts(event_id);
  }
  const watch::EntryText text{feed_id, e.title, e.summary, e.content};
  for (const watch::Match& m : watches.match(text)) {
    const auto row = std::find_if(alerted.begin(), alerted.end(),
                                  [&m](const auto& r) { return r.watchlist == m.watchlist; });
    if (row != alerted.end()) {
      update(feed_id, e, place, m, watches, *row, out);
      continue;
    }
    const int64_t seq = alert(feed_id, feed, e, place, m, out);
    if (place.event) {
      const int64_t now_ms = m_clock.now_ms();
      m_store.mark_event_alerted(event_id, m.watchlist, seq, now_ms);
      alerted.push_back(store::EventAlertRow{event_id, m.watchlist, seq, now_ms, "", 0});
    }
  }
}

void Pipeline::update(const std::string& feed_id, const feeds::Entry& e, const EntryPlace& place,
                      const watch::Match& m, const watch::WatchSet& watches,
                      store::EventAlertRow& row, PipelineResult& out) {
  const int64_t now_ms = m_clock.now_ms();
  const auto event_id = static_cast<int64_t>(place.event->event);
  bus::StoryUpdate u;
  if (!row.pending.empty()) {
    if (auto p = bus::story_update_from_json(row.pending)) {
      u = std::move(*p);
      ++u.new_entries;
    }
  }
  const stories::Assignment& story = *place.story;
  u.time_ms = now_ms;
  u.story = story.story;
  u.feed = feed_id;
  u.entry = {e.id, e.title, e.link, e.published};
  u.outlet_count = story.outlet_count;
  u.entry_count = story.entry_count;
  u.sources = story.sources;
  u.first_seen = story.first_seen;
  u.watchlist = m.watchlist;
  u.watchlists = {m.watchlist};
  u.event = alert_event(*place.event);
  if (std::find(u.new_sources.begin(), u.new_sources.end(), feed_id) == u.new_sources.end()) {
    u.new_sources.push_back(feed_id);
  }
  const int64_t interval_s =
      watches.group_interval_s(m.watchlist).value_or(m_policy.group_interval_s);
  const int64_t due_ms = row.last_sent_ms + interval_s * 1000;
  if (now_ms >= due_ms) {
    store::NewAlert r{bus::k_story_update_topic, m.watchlist, feed_id, e.id};
    out.update_seqs.push_back(m_store.append_alert(r, now_ms, [&u](int64_t s) {
      u.seq = s;
      return bus::to_json(u);
    }));
    m_store.mark_update_sent(event_id, m.watchlist, now_ms);
    row.last_sent_ms = now_ms;
    row.pending.clear();
  } else {
    u.seq = 0;
    row.pending = bus::to_json(u);
    m_store.save_pending_update(event_id, m.watchlist, row.pending, due_ms);
    ++out.pending_updates;
  }
}

int64_t Pipeline::alert(const std::string& feed_id, const feeds::ParsedFeed& feed,
                        const feeds::Entry& e, const EntryPlace& place, const watch::Match& m,
                        PipelineResult& out) {
  bus::Alert a;
  a.time_ms = m_clock.now_ms();
  a.watchlist = m.watchlist;
  a.rule = m.rule;
  a.feed = feed_id;
  a.feed_title = feed.title;
  a.entry = {e.id, e.title, e.link, e.published};
  for (const watch::Hit& h : m.hits) {
    a.hits.push_back({h.term, h.field, h.begin, h.end});
  }
  a.snippet = m.snippet;
  if (place.story) {
    a.story = bus::AlertStory{place.story->story, place.story->sources, place.story->first_seen};
    a.event = alert_event(*place.event);
  }
  store::NewAlert r{bus::alert_topic(m.watchlist), m.watchlist, feed_id, e.id};
  const int64_t seq = m_store.append_alert(r, a.time_ms, [&a](int64_t s) {
    a.seq = s;
    return bus::to_json(a);
  });
  out.alert_seqs.push_back(seq);
  return seq;
}

std::vector<int64_t> Pipeline::flush_updates() {
  std::vector<int64_t> seqs;
  const int64_t now_ms = m_clock.now_ms();
  auto tx = m_store.begin();
  for (;;) {
    const std::vector<store::EventAlertRow> due = m_store.due_updates(now_ms, 256);
    if (due.empty()) {
      break;
    }
    for (const store::EventAlertRow& row : due) {
      auto u = bus::story_update_from_json(row.pending);
      if (u) {
        u->time_ms = now_ms;
        store::NewAlert r{bus::k_story_update_topic, row.watchlist, u->feed, u->entry.id};
        seqs.push_back(m_store.append_alert(r, now_ms, [&u](int64_t s) {
          u->seq = s;
          return bus::to_json(*u);
        }));
      }
      // An unreadable pending update (never written by this build) is dropped.
      m_store.mark_update_sent(row.event, row.watchlist, now_ms);
    }
  }
  tx.commit();
  return seqs;
}

size_t restore_stories(store::Store& store, stories::StoryIndex& index, int64_t now_s,
                       stories::EventIndex* events) {
  const int64_t since = now_s - index.options().window_seconds;
  // Row by row: the window is never held twice (rows and index) in memory.
  stories::SavedEntry saved;
  stories::SavedEventEntry saved_event;
  const size_t restored = store.for_each_story_entry_since(
      since, [&index, &saved, &saved_event, events](store::StoryEntryRow& row) {
        saved.seq = static_cast<uint64_t>(row.seq);
        saved.story = static_cast<uint64_t>(row.story);
        saved.outlet = std::move(row.outlet);
        saved.time = row.time;
        saved.fingerprint.simhash = row.simhash;
        saved.fingerprint.features.swap(row.features);
        saved.fingerprint.title_features = static_cast<uint8_t>(
            std::min<std::size_t>(static_cast<std::size_t>(std::max(row.title_features, 0)),
                                  saved.fingerprint.features.size()));
        index.restore(saved);
        if (events != nullptr) {
          saved_event.story = saved.story;
          // Every row has its event: migration 7 set it to the story for older rows
          // (0 is an id like any other: the first story's).
          saved_event.event = static_cast<uint64_t>(row.event);
          saved_event.outlet = saved.outlet;
          saved_event.time = saved.time;
          saved_event.fingerprint = saved.fingerprint;
          events->restore(saved_event);
        }
      });
  (void)store.story_copies_since(since, [&index, events](int64_t story, const std::string& outlet,
                                                         int64_t copies) {
    (void)index.restore_copies(static_cast<uint64_t>(story), outlet, static_cast<uint32_t>(copies));
    if (events != nullptr) {
      (void)events->restore_copies(static_cast<uint64_t>(story), outlet,
                                   static_cast<uint32_t>(copies));
    }
  });
  try {
    auto tx = store.begin();
    store.prune_story_entries(since);
    tx.commit();
  } catch (const store::StoreError&) {  // NOLINT(bugprone-empty-catch)
    // A store that cannot be written now (read-only, full, locked) still starts:
    // every poll prunes the window again, and the daemon reports the fault.
  }
  return restored;
}

size_t publish_outbox(store::Store& store, bus::Publisher& publisher, int64_t* sent_through) {
  size_t handed = 0;
  while (true) {
    auto batch = store.unpublished(256);
    if (batch.empty()) {
      return handed;
    }
    // Marked in one transaction per batch: a crash after sending and before this
    // commit sends the batch again at the next start, with the same seqs.
    auto tx = store.begin();
    for (const auto& a : batch) {
      if (sent_through == nullptr || a.seq > *sent_through) {
        publisher.publish(a.topic, a.payload);
        ++handed;
        if (sent_through != nullptr) {
          *sent_through = a.seq;
        }
      }
      store.mark_published(a.seq);
    }
    tx.commit();
  }
}

}  // namespace khobor::daemon
