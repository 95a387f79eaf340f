// khobor/feeds/feed_json.h — a parsed feed as `khobor parse` prints it: one JSON
// document, written into a string as it goes, with no JSON tree in between.
//
// The bytes are those nlohmann::json's dump() gives for the documented object
// (docs/parse.md, "khobor parse"): keys in sorted order, UTF-8 written as it is,
// control characters, '"' and '\' escaped, invalid UTF-8 replaced by U+FFFD;
// compact, or `indent` spaces per level as dump(indent) does.
// tests/unit/feeds/feed_json_test.cpp compares the two on every fixture and on
// the shared Bengali feeds. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "feeds/entry.h"

namespace khobor::feeds {

struct FeedJsonOptions {
  bool with_html = false;  // also summary_html and content_html per entry
  int indent = -1;         // -1: one line; n >= 0: a line per value, n spaces per level
};

// Append the JSON document of `feed`, read from `source` (a file name or URL),
// to `out`, without a trailing newline.
void append_feed_json(std::string& out, std::string_view source, const ParsedFeed& feed,
                      const FeedJsonOptions& options = {});

// Append `s` as a JSON string: quoted and escaped as nlohmann::json dumps it
// (invalid UTF-8 replaced by U+FFFD).
void append_json_string(std::string& out, std::string_view s);

}  // namespace khobor::feeds
