// khobor/feeds/feed_builder.h — what the XML and JSON readers share (internal to
// the feeds room): collecting entries, reading dates with warnings, and giving
// every entry its identity once the whole document is read.
//
// A FeedBuilder is used by one parse_feed call on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/entry.h"
#include "feeds/parser.h"

namespace khobor::feeds::detail {

class FeedBuilder {
 public:
  explicit FeedBuilder(const ParseOptions& options) : m_options(options) {}

  ParsedFeed& feed() { return m_feed; }
  const ParseOptions& options() const { return m_options; }

  // Adds an entry (moved in once: pass std::move(entry)); `guid` is the document's
  // own id for it (guid, Atom id, JSON Feed id; empty when absent), `guid_is_link`
  // when the guid may serve as the link (RSS isPermaLink).
  void add_entry(Entry&& entry, std::string&& guid, bool guid_is_link) {
    new_entry() = std::move(entry);
    commit_entry(std::move(guid), guid_is_link);
  }

  // add_entry() in two steps, for a reader that fills the entry in place (no moves
  // of its strings): new_entry() appends an empty entry and returns it (valid until
  // the next new_entry()), commit_entry() then takes its guid. Every new_entry()
  // is committed before the next one and before finish().
  Entry& new_entry() { return m_feed.entries.emplace_back(); }
  void commit_entry(std::string guid, bool guid_is_link);

  // A date read with the configured default zone; an unreadable one is nullopt and
  // a (grouped) warning naming the text, the entry (0-based index) and the element.
  std::optional<int64_t> date(std::string_view text, size_t entry_index, std::string_view element);

  // A warning, grouped by `kind` with a count ("and N more").
  void warn(const std::string& kind, const std::string& first_detail);

  // Assigns ids (guid when sane and unique in the document, else canonical link,
  // else a hash of title and date), fills empty summaries from content, and
  // writes the grouped warnings. Returns the finished feed.
  ParsedFeed finish();

 private:
  struct Draft {
    std::string guid;
    bool guid_is_link = false;
    bool sane = false;  // is_sane_guid(guid), decided once
  };
  struct Repeated {
    bool any = false;  // some sane guid occurs more than once
    std::string guid;  // the one that occurs most often
    size_t times = 0;
  };
  // Whether sane guids repeat: a hash set of cheap keys over the guids, and the
  // exact (sorting) count only when a guid does repeat.
  Repeated repeated_guids() const;
  // The exact count: which guid repeats most often (ties: the smallest std::hash).
  Repeated count_repeated_guids() const;
  struct Grouped {
    size_t count = 0;
    std::string first;
  };
  const ParseOptions& m_options;
  ParsedFeed m_feed;
  std::vector<Draft> m_drafts;
  std::map<std::string, Grouped> m_grouped;
  std::vector<std::string> m_grouped_order;
};

// Reads a JSON Feed 1.0/1.1 document (UTF-8) into `builder`; Error when it is no
// JSON Feed.
Result<bool> read_json_feed(std::string_view utf8, FeedBuilder& builder);

}  // namespace khobor::feeds::detail
