// khobor/tests/support/pipeline_setup.h — the set-up the pipeline's tests share: a
// store in memory, a feed's state after a good poll, feeds of entries, watch lists.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "feeds/entry.h"
#include "store/store.h"
#include "watch/watchset.h"

namespace khobor::testing {

// A fresh SQLite store in memory (the test fails when it cannot be opened).
inline store::Store memory_store() {
  auto s = store::Store::open(":memory:");
  REQUIRE(s.ok());
  return std::move(*s);
}

// Feed `id`'s state after a 200 from http://127.0.0.1/<id>.xml.
inline store::FeedState feed_state(const std::string& id) {
  store::FeedState s;
  s.feed_id = id;
  s.url = "http://127.0.0.1/" + id + ".xml";
  s.http_status = 200;
  return s;
}

// An RSS 2.0 feed titled `title` carrying `entries`.
inline feeds::ParsedFeed feed_of(std::vector<feeds::Entry> entries,
                                 const std::string& title = "test") {
  feeds::ParsedFeed f;
  f.format = "rss20";
  f.title = title;
  f.entries = std::move(entries);
  return f;
}

// A feed of one undated entry `id` (its link https://example.test/<id> unless given).
inline feeds::ParsedFeed feed_with(const std::string& id, const char* title, const char* summary,
                                   const char* body, const std::string& link = "") {
  feeds::Entry e;
  e.id = id;
  e.title = title;
  e.summary = summary;
  e.content = body;
  e.link = link.empty() ? "https://example.test/" + id : link;
  std::vector<feeds::Entry> entries;
  entries.push_back(std::move(e));
  return feed_of(std::move(entries));
}

// One watch list from its TOML text (the test fails when the text is refused).
inline watch::WatchSet watch_list(const std::string& toml, const std::string& file) {
  auto w = watch::WatchSet::from_toml(toml, file);
  REQUIRE(w.ok());
  return std::move(*w);
}

}  // namespace khobor::testing
