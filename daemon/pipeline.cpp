#include "daemon/pipeline.h"

#include <algorithm>
#include <optional>

#include "bus/alert.h"
#include "feeds/identity.h"

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

}  // namespace

PipelineResult Pipeline::process(const std::string& feed_id, const feeds::ParsedFeed& parsed,
                                 const watch::WatchSet& watches, const store::FeedState& state) {
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
  for (size_t i = 0; i < feed.entries.size(); ++i) {
    const feeds::Entry& e = feed.entries[i];
    if (e.id.empty() || !m_store.mark_seen(feed_id, e.id, now_ms)) {
      continue;
    }
    if (identity.switched && identity.known_link[i]) {
      continue;  // seen in the previous poll under the guid it had then
    }
    ++out.new_entries;
    std::optional<stories::Assignment> story;
    std::vector<std::string> alerted_lists;
    if (m_stories != nullptr) {
      const stories::Fingerprint fp = stories::fingerprint(e.title, e.summary, e.content);
      story = m_stories->add({}, feed_id, fp, now_s);  // no id: see pipeline.h
      if (story->copy) {
        m_store.save_story_copy(static_cast<int64_t>(story->story), feed_id, now_s);
      } else {
        m_store.save_story_entry({static_cast<int64_t>(story->seq),
                                  static_cast<int64_t>(story->story), feed_id, e.id, feed_id, now_s,
                                  fp.simhash, fp.features});
      }
      if (!story->is_new) {  // a story that starts here was never alerted
        alerted_lists = m_store.story_alert_lists(static_cast<int64_t>(story->story));
      }
      if (!story->is_new && !alerted_lists.empty()) {
        // A later entry of an alerted story: one story.update, no second alert.
        bus::StoryUpdate u;
        u.time_ms = now_ms;
        u.story = story->story;
        u.feed = feed_id;
        u.entry = {e.id, e.title, e.link, e.published};
        u.outlet_count = story->outlet_count;
        u.entry_count = story->entry_count;
        u.sources = story->sources;
        u.first_seen = story->first_seen;
        u.watchlists = alerted_lists;
        store::NewAlert row{bus::k_story_update_topic, "", feed_id, e.id};
        out.update_seqs.push_back(m_store.append_alert(row, now_ms, [&u](int64_t s) {
          u.seq = s;
          return bus::to_json(u);
        }));
      }
    }
    watch::EntryText text{feed_id, e.title, e.summary, e.content};
    for (const watch::Match& m : watches.match(text)) {
      if (story && std::find(alerted_lists.begin(), alerted_lists.end(), m.watchlist) !=
                       alerted_lists.end()) {
        continue;  // this story was alerted for this list already
      }
      bus::Alert a;
      a.time_ms = now_ms;
      a.watchlist = m.watchlist;
      a.rule = m.rule;
      a.feed = feed_id;
      a.feed_title = feed.title;
      a.entry = {e.id, e.title, e.link, e.published};
      for (const watch::Hit& h : m.hits) {
        a.hits.push_back({h.term, h.field, h.begin, h.end});
      }
      a.snippet = m.snippet;
      if (story) {
        a.story = bus::AlertStory{story->story, story->sources, story->first_seen};
      }
      store::NewAlert row{bus::alert_topic(m.watchlist), m.watchlist, feed_id, e.id};
      int64_t seq = m_store.append_alert(row, now_ms, [&a](int64_t s) {
        a.seq = s;
        return bus::to_json(a);
      });
      out.alert_seqs.push_back(seq);
      if (story) {
        m_store.mark_story_alerted(static_cast<int64_t>(story->story), m.watchlist, seq);
        alerted_lists.push_back(m.watchlist);
      }
    }
  }
  m_store.save_feed_state(state);
  tx.commit();
  return out;
}

size_t restore_stories(store::Store& store, stories::StoryIndex& index, int64_t now_s) {
  const int64_t since = now_s - index.options().window_seconds;
  // Row by row: the window is never held twice (rows and index) in memory.
  stories::SavedEntry saved;
  const size_t restored =
      store.for_each_story_entry_since(since, [&index, &saved](store::StoryEntryRow& row) {
        saved.seq = static_cast<uint64_t>(row.seq);
        saved.story = static_cast<uint64_t>(row.story);
        saved.outlet = std::move(row.outlet);
        saved.time = row.time;
        saved.fingerprint.simhash = row.simhash;
        saved.fingerprint.features.swap(row.features);
        index.restore(saved);
      });
  (void)store.story_copies_since(since, [&index](int64_t story, const std::string& outlet,
                                                 int64_t copies) {
    (void)index.restore_copies(static_cast<uint64_t>(story), outlet, static_cast<uint32_t>(copies));
  });
  auto tx = store.begin();
  store.prune_story_entries(since);
  tx.commit();
  return restored;
}

size_t publish_outbox(store::Store& store, bus::Publisher& publisher) {
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
      publisher.publish(a.topic, a.payload);
      store.mark_published(a.seq);
      ++handed;
    }
    tx.commit();
  }
}

}  // namespace khobor::daemon
