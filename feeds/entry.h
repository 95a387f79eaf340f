// khobor/feeds/entry.h — the entry model every stage shares.
//
// A ParsedFeed is what one fetched body turns into: plain values, no pointers
// into the source buffer, safe to move between threads. Strings are UTF-8.
// Times are seconds since the Unix epoch (UTC); std::nullopt means "absent or
// unreadable" (the parser then adds a warning).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace khobor::feeds {

struct Enclosure {
  std::string url;
  std::string type;    // MIME type, may be empty
  int64_t length = 0;  // bytes, 0 when unknown
};

struct Entry {
  std::string id;                    // stable identity (guid, Atom id, canonical link or hash)
  std::string title;                 // plain text
  std::string link;                  // absolute URL, may be empty
  std::optional<int64_t> published;  // seconds since epoch, UTC
  std::optional<int64_t> updated;
  std::string summary;       // plain text
  std::string content;       // plain text
  std::string summary_html;  // the original markup, kept for alerts
  std::string content_html;
  std::vector<std::string> authors;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::string thumbnail;  // media:thumbnail or JSON Feed image URL, may be empty
};

struct ParsedFeed {
  std::string
      format;  // "rss20", "rss10", "rss090", "rss09x", "atom10", "atom03", "json10", "json11"
  std::string title;
  std::string link;
  std::string encoding;  // the character encoding the body was read in ("utf-8", "windows-1251"…)
  bool bozo = false;     // the input was not well-formed but something was recovered
  std::vector<std::string> warnings;
  std::vector<Entry> entries;
  // Hints the feed gives its poller (0 when absent): <ttl> or sy:updatePeriod, in seconds.
  int64_t ttl_seconds = 0;
};

}  // namespace khobor::feeds
