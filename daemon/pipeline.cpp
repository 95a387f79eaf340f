#include "daemon/pipeline.h"

#include "bus/alert.h"

namespace khobor::daemon {

PipelineResult Pipeline::process(const std::string& feed_id, const feeds::ParsedFeed& feed,
                                 const watch::WatchSet& watches, const store::FeedState& state) {
  PipelineResult out;
  out.entries = feed.entries.size();
  const int64_t now_ms = m_clock.now_ms();
  auto tx = m_store.begin();
  for (const feeds::Entry& e : feed.entries) {
    if (e.id.empty() || !m_store.mark_seen(feed_id, e.id, now_ms)) {
      continue;
    }
    ++out.new_entries;
    watch::EntryText text{feed_id, e.title, e.summary, e.content};
    for (const watch::Match& m : watches.match(text)) {
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
      store::NewAlert row{bus::alert_topic(m.watchlist), m.watchlist, feed_id, e.id};
      int64_t seq = m_store.append_alert(row, now_ms, [&a](int64_t s) {
        a.seq = s;
        return bus::to_json(a);
      });
      out.alert_seqs.push_back(seq);
    }
  }
  m_store.save_feed_state(state);
  tx.commit();
  return out;
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
