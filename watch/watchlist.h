// khobor/watch/watchlist.h — one watch list as read from its TOML file.
//
//   name = "summit"                       # optional, default: the file's stem
//   description = "Putin–Kim summit"      # optional
//   rules = ["পুতিন AND কিম", "\"উত্তর কোরিয়া\" স্যাটেলাইট"]
//   exclude = ["খেলা"]                    # optional: any match vetoes the list
//   feeds = ["prothomalo-*", "bbc-bangla"]  # optional: feed ids or globs; default all
//   group_interval = "10m"                # optional: at most one update of an alerted
//                                         # event per this interval (default: khobor.toml's
//                                         # [alerts] group_interval)
//
// A plain value; parsing is pure and thread-safe. Unknown keys are errors (a
// misspelt `exclude` must not silently let everything through).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "watch/rule.h"
#include "watch/watchset.h"

namespace khobor::watch {

// The longest group_interval a list may ask for.
inline constexpr int64_t k_max_group_interval_s = 86400;

struct WatchList {
  std::string file;  // where it was read from (for messages and reloads)
  std::string name;
  std::string description;
  std::vector<Rule> rules;
  std::vector<Rule> exclude;
  std::vector<std::string> feeds;           // empty: every feed
  std::optional<int64_t> group_interval_s;  // seconds; nullopt: the daemon's default

  // True when the list applies to entries of `feed_id` (`feeds` empty, or an id
  // or glob in it matches).
  bool applies_to(std::string_view feed_id) const;
};

// Parses one list's TOML text. `file` names it in messages and gives the default
// name (its stem). Every problem found is appended to `problems` with file, line
// and column (a bad rule's column is the column of the offending character in the
// file); returns false if there was any, and then `out` is not to be used.
bool parse_watchlist(std::string_view toml_text, const std::string& file, WatchList& out,
                     std::vector<LoadProblem>& problems);

}  // namespace khobor::watch
