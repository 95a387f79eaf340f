// The cluster stream: JSON records to story assignments (see cluster.h).
#include "stories/cluster.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace khobor::stories {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  const auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc{} && p == s.data() + pos + n;
}

// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The time of day after the date (at `pos`, a 'T', 't' or ' '): hh:mm, then
// optional :ss and a fraction (ignored); `pos` moves past it. False when malformed.
bool read_time(std::string_view s, std::size_t& pos, int& hour, int& minute, int& second) {
  if (!digits(s, pos + 1, 2, hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !digits(s, pos + 4, 2, minute)) {
    return false;
  }
  pos += 6;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, second)) {
      return false;
    }
    pos += 3;
  }
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ++pos;
    }
  }
  return true;
}

// The zone at `pos`: none, Z, or ±hh[:]mm as seconds east of UTC; `pos` moves
// past it. False when malformed.
bool read_zone(std::string_view s, std::size_t& pos, int64_t& offset) {
  offset = 0;
  if (pos >= s.size()) {
    return true;
  }
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0;
    int om = 0;
    if (!digits(s, pos + 1, 2, oh)) {
      return false;
    }
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') {
      ++mpos;
    }
    if (!digits(s, mpos, 2, om)) {
      return false;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos = mpos + 2;
  }
  return true;
}

}  // namespace

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ') &&
      !read_time(s, pos, hour, minute, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t offset = 0;
  if (!read_zone(s, pos, offset) || pos != s.size()) {
    return std::nullopt;
  }
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

Result<ClusterRecord> parse_cluster_record(std::string_view json_line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_line);
  } catch (const nlohmann::json::parse_error& e) {
    return make_error("json", std::string("not JSON: ") + e.what());
  }
  if (!j.is_object()) {
    return make_error("json", "not a JSON object (each line must be one record {\"id\": ...})");
  }
  ClusterRecord r;
  const auto text_field = [&](const char* name, std::string& out) -> std::optional<Error> {
    const auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      return std::nullopt;
    }
    if (it->is_string()) {
      out = it->get<std::string>();
      return std::nullopt;
    }
    if (it->is_number_integer() && std::string_view(name) == "id") {
      out = it->dump();
      return std::nullopt;
    }
    return make_error("field", std::string("field \"") + name + "\" must be a string");
  };
  for (const auto& [name, out] : {std::pair<const char*, std::string*>{"id", &r.id},
                                  {"title", &r.title},
                                  {"summary", &r.summary},
                                  {"body", &r.body},
                                  {"outlet", &r.outlet}}) {
    if (auto err = text_field(name, *out)) {
      return *err;
    }
  }
  if (r.id.empty()) {
    return make_error("field", "field \"id\" is missing or empty (every record needs one)");
  }
  const auto pub = j.find("published");
  if (pub != j.end() && !pub->is_null()) {
    if (pub->is_number_integer()) {
      r.published = pub->get<int64_t>();
    } else if (pub->is_string()) {
      r.published = parse_rfc3339(pub->get<std::string>());
      if (!r.published) {
        return make_error("field", "field \"published\" is not an RFC 3339 date-time: \"" +
                                       pub->get<std::string>() + "\"");
      }
    } else {
      return make_error("field", "field \"published\" must be an RFC 3339 string or epoch seconds");
    }
  }
  return r;
}

std::string cluster_json_line(const ClusterRecord& record, const Placement& p) {
  nlohmann::ordered_json j;  // keys in the contract's order
  j["id"] = record.id;
  j["story"] = p.story.story;
  j["duplicate_of"] = p.story.is_new ? nlohmann::ordered_json(nullptr)
                                     : nlohmann::ordered_json(p.story.first_entry);
  j["score"] = std::round(p.story.score * 1000.0) / 1000.0;
  j["event"] = p.event.event;
  j["event_p"] = std::round(p.event.probability * 1000.0) / 1000.0;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string explain_json_line(const ClusterRecord& record, const Placement& p,
                              const EventExplanation& why, double threshold) {
  nlohmann::ordered_json j;
  j["explain"] = record.id;
  j["event"] = p.event.event;
  if (why.via_story) {
    j["decision"] = "story";  // joined a story, so its story's event
    j["story"] = p.story.story;
  } else {
    j["decision"] = p.event.is_new ? "new" : "join";
    j["threshold"] = threshold;
    nlohmann::ordered_json cands = nlohmann::ordered_json::array();
    for (const EventCandidate& c : why.candidates) {
      nlohmann::ordered_json cj;
      cj["event"] = c.event;
      cj["p"] = std::round(c.probability * 1000.0) / 1000.0;
      nlohmann::ordered_json f;
      for (std::size_t i = 0; i < k_event_feature_count; ++i) {
        f[k_event_feature_names[i]] = std::round(c.features[i] * 1000.0) / 1000.0;
      }
      cj["features"] = std::move(f);
      cands.push_back(std::move(cj));
    }
    j["candidates"] = std::move(cands);
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Clusterer::Clusterer(StoryOptions options, EventOptions event_options)
    : m_index(options), m_events(event_options) {}

Placement Clusterer::place(const ClusterRecord& record, EventExplanation* why) {
  if (record.published) {
    m_last_time = *record.published;
  }
  const Fingerprint fp = fingerprint(record.title, record.summary, record.body);
  Placement p;
  p.story = m_index.add(record.id, record.outlet, fp, m_last_time);
  p.event = m_events.add(p.story, record.outlet, fp, m_last_time, why);
  return p;
}

Assignment Clusterer::add(const ClusterRecord& record) {
  return place(record).story;
}

}  // namespace khobor::stories
