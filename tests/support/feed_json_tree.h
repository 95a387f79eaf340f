// khobor/tests/support/feed_json_tree.h — the JSON of `khobor parse` built as an
// nlohmann::json tree (what it printed before it streamed): the reference the
// streaming writer is tested against, and the peer bench/feed_json_bench times.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "feeds/dates.h"
#include "feeds/entry.h"

namespace khobor::testing {

inline nlohmann::json date_json(const std::optional<int64_t>& t) {
  if (!t) {
    return nullptr;
  }
  return feeds::format_rfc3339(*t);
}

// One entry's object; summary_html and content_html only `with_html`.
inline nlohmann::json entry_tree(const feeds::Entry& e, bool with_html = false) {
  nlohmann::json enclosures = nlohmann::json::array();
  for (const auto& x : e.enclosures) {
    enclosures.push_back({{"url", x.url}, {"type", x.type}, {"length", x.length}});
  }
  nlohmann::json j = {{"id", e.id},
                      {"title", e.title},
                      {"link", e.link},
                      {"published", date_json(e.published)},
                      {"updated", date_json(e.updated)},
                      {"summary", e.summary},
                      {"content", e.content},
                      {"authors", e.authors},
                      {"categories", e.categories},
                      {"enclosures", enclosures}};
  if (!e.thumbnail.empty()) {
    j["thumbnail"] = e.thumbnail;
  }
  if (with_html) {
    j["summary_html"] = e.summary_html;
    j["content_html"] = e.content_html;
  }
  return j;
}

// The whole document for the feed read from `source`.
inline nlohmann::json feed_tree(const std::string& source, const feeds::ParsedFeed& f,
                                bool with_html = false) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : f.entries) {
    entries.push_back(entry_tree(e, with_html));
  }
  return {{"source", source},       {"format", f.format},     {"title", f.title},
          {"link", f.link},         {"encoding", f.encoding}, {"bozo", f.bozo},
          {"warnings", f.warnings}, {"entries", entries}};
}

}  // namespace khobor::testing
