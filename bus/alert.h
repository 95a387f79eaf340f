// khobor/bus/alert.h — the alert message: a value, its topic and its JSON.
//
// The format is documented byte for byte in bus/WIRE_FORMAT.md; `k_alert_version`
// is its `v`. Pure functions over values, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace khobor::bus {

// The schema version written as "v". Bump it (and WIRE_FORMAT.md) when a field
// changes meaning or disappears; adding a field does not bump it.
inline constexpr int k_alert_version = 1;

struct AlertHit {
  std::string term;    // the rule term that matched
  std::string field;   // "title", "summary" or "content"
  uint32_t begin = 0;  // UTF-8 byte offsets into that field
  uint32_t end = 0;
};

struct AlertEntry {
  std::string id;
  std::string title;
  std::string link;
  std::optional<int64_t> published;  // seconds since the epoch, UTC
};

// The story an alerted entry belongs to (stories/story_index.h).
struct AlertStory {
  uint64_t id = 0;                   // the story id
  std::vector<std::string> sources;  // feed ids carrying it so far, in joining order
  int64_t first_seen = 0;            // seconds since the epoch, UTC
};

// The event an alerted entry belongs to (stories/events.h): the group of stories
// that report one happening, across outlets.
struct AlertEvent {
  uint64_t id = 0;                   // the event id
  std::vector<std::string> sources;  // feed ids carrying it so far, in joining order
  int64_t first_seen = 0;            // seconds since the epoch, UTC
  uint32_t outlet_count = 1;         // distinct feeds so far (sources lists the first 64)
  uint32_t entry_count = 1;          // entries so far
};

struct Alert {
  int64_t seq = 0;      // from the store's outbox
  int64_t time_ms = 0;  // when the alert was made
  std::string watchlist;
  std::string rule;
  std::string feed;  // the feed id
  std::string feed_title;
  AlertEntry entry;
  std::vector<AlertHit> hits;
  std::string snippet;
  std::optional<AlertStory> story;  // absent when khobord runs without the story index
  std::optional<AlertEvent> event;  // absent when khobord runs without the story index
};

// Later entries of an event that was alerted for a watch list, which match that
// list: sent on the topic "story.update" (the name kept from before events, for
// subscribers of `story.`), with a seq from the same outbox as alerts; at most one
// per (event, watch list) per group_interval, the entries in between coalesced.
struct StoryUpdate {
  int64_t seq = 0;
  int64_t time_ms = 0;
  uint64_t story = 0;                    // the newest entry's story
  std::string feed;                      // the newest entry's feed id
  AlertEntry entry;                      // the newest entry
  uint32_t outlet_count = 0;             // of the newest entry's story
  uint32_t entry_count = 0;              // of the newest entry's story
  std::vector<std::string> sources;      // of the newest entry's story
  int64_t first_seen = 0;                // of the newest entry's story
  std::vector<std::string> watchlists;   // the one list this update is for (`watchlist`)
  std::string watchlist;                 // the list this update is for
  AlertEvent event;                      // the event as it stands now
  uint32_t new_entries = 1;              // matching entries since the last alert or update
  std::vector<std::string> new_sources;  // their feed ids, distinct, in arrival order
};

inline constexpr const char* k_story_update_topic = "story.update";

// The second frame of a story update (WIRE_FORMAT.md).
std::string to_json(const StoryUpdate& update);

// "alert.<watchlist>": the first frame.
std::string alert_topic(std::string_view watchlist);

// The second frame: one JSON object on one line (WIRE_FORMAT.md).
std::string to_json(const Alert& alert);

// Read the second frame back; an Error says which field is missing or wrong.
Result<Alert> alert_from_json(std::string_view json);

// Read a story update's second frame back (also the pending update the store keeps).
Result<StoryUpdate> story_update_from_json(std::string_view json);

// Seconds since the epoch as RFC 3339 in UTC ("2026-11-28T00:40:00Z").
std::string rfc3339(int64_t seconds);

}  // namespace khobor::bus
