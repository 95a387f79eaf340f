// khobor/watch/watchset.h — watch lists loaded from a directory, and the matcher.
//
// A WatchSet is an immutable, compiled set of watch lists: build one, then share
// it read-only (matching is const and thread-safe). Reload builds a new WatchSet
// and swaps it in whole; a watch list whose file has an error keeps the rules of
// the previous set (load_dir takes it for that reason).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace khobor::watch {

// The text of one entry, as the matcher sees it (plain text, UTF-8).
struct EntryText {
  std::string_view feed_id;
  std::string_view title;
  std::string_view summary;
  std::string_view content;
};

struct Hit {
  std::string term;    // the rule term that matched, as written in the rule
  std::string field;   // "title", "summary" or "content"
  uint32_t begin = 0;  // UTF-8 byte offsets into that field of the EntryText
  uint32_t end = 0;
};

struct Match {
  std::string watchlist;  // the list's name
  std::string rule;       // the rule as written
  std::vector<Hit> hits;
  std::string snippet;  // short text around the first hit
};

// A problem found while loading: "file:line:column: message".
struct LoadProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string to_string() const;
};

class WatchSet {
 public:
  WatchSet();
  ~WatchSet();
  WatchSet(WatchSet&&) noexcept;
  WatchSet& operator=(WatchSet&&) noexcept;

  // Load every *.toml in `dir`. Problems are appended to `problems`; a list
  // with a problem keeps its rules from `previous` when given, else is left out.
  static WatchSet load_dir(const std::string& dir, std::vector<LoadProblem>& problems,
                           const WatchSet* previous = nullptr);

  // Build from one list's TOML text (for `khobor match --watchlist` and tests).
  static Result<WatchSet> from_toml(std::string_view toml_text, const std::string& file_name);

  // Every (watch list, rule) that matches the entry; at most one Match per list
  // (its first matching rule), lists in name order.
  std::vector<Match> match(const EntryText& entry) const;

  size_t list_count() const;
  size_t rule_count() const;
  std::vector<std::string> list_names() const;
  // The list's own group_interval (seconds), nullopt when it sets none or is unknown.
  std::optional<int64_t> group_interval_s(std::string_view list) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> m_impl;
};

}  // namespace khobor::watch
