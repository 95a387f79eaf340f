// khobor/stories/cluster.h — the `khobor cluster` stream: JSON Lines records in, one
// story assignment per record out, through the same StoryIndex (default options) the
// daemon uses. Shared by the command and the evaluation program so that both measure
// exactly what users run.
//
// Clusterer owns its StoryIndex; not thread-safe. The free functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "stories/events.h"
#include "stories/story_index.h"

namespace khobor::stories {

// One input record: `id` is required, the rest may be missing (empty / nullopt).
struct ClusterRecord {
  std::string id;
  std::string title;
  std::string summary;
  std::string body;
  std::string outlet;
  std::optional<int64_t> published;  // seconds since the epoch, UTC
};

// Where one record went: its story and its event.
struct Placement {
  Assignment story;
  EventAssignment event;
};

// Parses one JSON object of the cluster contract. Errors name the field and what is
// wrong with it (the caller adds the line number).
Result<ClusterRecord> parse_cluster_record(std::string_view json_line);

// Seconds since the epoch for an RFC 3339 / ISO 8601 date-time such as
// "2024-08-05T16:20:00+06:00", "2024-08-05T10:20:00Z" or "2024-08-05 10:20:00"
// (no zone = UTC; fractional seconds ignored); nullopt when it is not one.
std::optional<int64_t> parse_rfc3339(std::string_view text);

// The output line for a record: {"id","story","duplicate_of","score","event",
// "event_p"} where duplicate_of is the story's first entry id (null when this record
// started it), event the event's id and event_p the model's probability of the join
// (0 when the record opened the event or came with its story).
std::string cluster_json_line(const ClusterRecord& record, const Placement& placement);

// The --explain line for a record: how its event was decided — by its story, or by
// the best candidates' features and probabilities against the threshold.
std::string explain_json_line(const ClusterRecord& record, const Placement& placement,
                              const EventExplanation& why, double threshold);

class Clusterer {
 public:
  explicit Clusterer(StoryOptions options = {}, EventOptions event_options = {});

  // Fingerprints the record and adds it at its published time to the story index and
  // then the event index; a record without a time takes the time of the record
  // before it (0 for the first). With `why`, says how its event was decided.
  Placement place(const ClusterRecord& record, EventExplanation* why = nullptr);

  // place(record).story.
  Assignment add(const ClusterRecord& record);

  const StoryIndex& index() const { return m_index; }
  const EventIndex& events() const { return m_events; }

 private:
  StoryIndex m_index;
  EventIndex m_events;
  int64_t m_last_time = 0;
};

}  // namespace khobor::stories
