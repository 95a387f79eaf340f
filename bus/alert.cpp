// khobor/bus/alert.cpp — alerts and story updates to and from their JSON
// (bus/WIRE_FORMAT.md), and the topic a watch list publishes on.
#include "bus/alert.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace khobor::bus {

std::string alert_topic(std::string_view watchlist) {
  return "alert." + std::string(watchlist);
}

std::string rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

nlohmann::ordered_json event_json(const AlertEvent& e) {
  return {{"id", e.id},
          {"sources", e.sources},
          {"first_seen", rfc3339(e.first_seen)},
          {"outlet_count", e.outlet_count},
          {"entry_count", e.entry_count}};
}

std::optional<int64_t> parse_rfc3339(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::string to_json(const Alert& a) {
  nlohmann::ordered_json j;
  j["v"] = k_alert_version;
  j["seq"] = a.seq;
  j["time"] = rfc3339(a.time_ms / 1000);
  j["watchlist"] = a.watchlist;
  j["rule"] = a.rule;
  j["feed"] = a.feed;
  j["feed_title"] = a.feed_title;
  nlohmann::ordered_json e;
  e["id"] = a.entry.id;
  e["title"] = a.entry.title;
  e["link"] = a.entry.link;
  e["published"] = a.entry.published ? nlohmann::ordered_json(rfc3339(*a.entry.published))
                                     : nlohmann::ordered_json(nullptr);
  j["entry"] = std::move(e);
  nlohmann::ordered_json hits = nlohmann::ordered_json::array();
  for (const auto& h : a.hits) {
    hits.push_back({{"term", h.term}, {"field", h.field}, {"begin", h.begin}, {"end", h.end}});
  }
  j["hits"] = std::move(hits);
  j["snippet"] = a.snippet;
  if (a.story) {
    j["story"] = {{"id", a.story->id},
                  {"sources", a.story->sources},
                  {"first_seen", rfc3339(a.story->first_seen)}};
  }
  if (a.event) {
    j["event"] = event_json(*a.event);
  }
  // Invalid UTF-8 cannot reach here (the parser guarantees UTF-8), but never throw on it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string to_json(const StoryUpdate& u) {
  nlohmann::ordered_json j;
  j["v"] = k_alert_version;
  j["seq"] = u.seq;
  j["time"] = rfc3339(u.time_ms / 1000);
  j["story"] = u.story;
  j["feed"] = u.feed;
  nlohmann::ordered_json e;
  e["id"] = u.entry.id;
  e["title"] = u.entry.title;
  e["link"] = u.entry.link;
  e["published"] = u.entry.published ? nlohmann::ordered_json(rfc3339(*u.entry.published))
                                     : nlohmann::ordered_json(nullptr);
  j["entry"] = std::move(e);
  j["outlet_count"] = u.outlet_count;
  j["entry_count"] = u.entry_count;
  j["sources"] = u.sources;
  j["first_seen"] = rfc3339(u.first_seen);
  j["watchlists"] = u.watchlists;
  j["watchlist"] = u.watchlist;
  j["event"] = event_json(u.event);
  j["new_entries"] = u.new_entries;
  j["new_sources"] = u.new_sources;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

AlertEvent read_event(const nlohmann::json& j) {
  AlertEvent ev;
  ev.id = j.at("id").get<uint64_t>();
  ev.sources = j.value("sources", std::vector<std::string>{});
  if (auto fs = j.find("first_seen"); fs != j.end() && fs->is_string()) {
    ev.first_seen = parse_rfc3339(fs->get<std::string>()).value_or(0);
  }
  ev.outlet_count = j.value("outlet_count", 1U);
  ev.entry_count = j.value("entry_count", 1U);
  return ev;
}

}  // namespace

Result<StoryUpdate> story_update_from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error("update", "the story update is not a JSON object");
  }
  for (const char* key : {"v", "seq", "story", "feed", "entry"}) {
    if (!j.contains(key)) {
      return make_error("update", std::string("the story update has no \"") + key + "\" field");
    }
  }
  try {
    StoryUpdate u;
    u.seq = j.at("seq").get<int64_t>();
    if (auto it = j.find("time"); it != j.end() && it->is_string()) {
      u.time_ms = parse_rfc3339(it->get<std::string>()).value_or(0) * 1000;
    }
    u.story = j.at("story").get<uint64_t>();
    u.feed = j.at("feed").get<std::string>();
    const auto& e = j.at("entry");
    u.entry.id = e.at("id").get<std::string>();
    u.entry.title = e.value("title", "");
    u.entry.link = e.value("link", "");
    if (auto it = e.find("published"); it != e.end() && it->is_string()) {
      u.entry.published = parse_rfc3339(it->get<std::string>());
    }
    u.outlet_count = j.value("outlet_count", 0U);
    u.entry_count = j.value("entry_count", 0U);
    u.sources = j.value("sources", std::vector<std::string>{});
    if (auto it = j.find("first_seen"); it != j.end() && it->is_string()) {
      u.first_seen = parse_rfc3339(it->get<std::string>()).value_or(0);
    }
    u.watchlists = j.value("watchlists", std::vector<std::string>{});
    u.watchlist = j.value("watchlist", u.watchlists.empty() ? "" : u.watchlists.front());
    if (auto it = j.find("event"); it != j.end() && it->is_object()) {
      u.event = read_event(*it);
    } else {
      u.event.id = u.story;  // before events: the story was the unit
    }
    u.new_entries = j.value("new_entries", 1U);
    u.new_sources = j.value("new_sources", std::vector<std::string>{u.feed});
    return u;
  } catch (const nlohmann::json::exception& e) {
    return make_error("update",
                      std::string("a field of the story update has the wrong type: ") + e.what());
  }
}

Result<Alert> alert_from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error("alert", "the alert is not a JSON object");
  }
  auto need = [&j](const char* key) -> const nlohmann::json* {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  };
  for (const char* key : {"v", "seq", "watchlist", "rule", "feed", "entry", "hits"}) {
    if (need(key) == nullptr) {
      return make_error("alert", std::string("the alert has no \"") + key + "\" field");
    }
  }
  try {
    Alert a;
    if (j.at("v").get<int>() != k_alert_version) {
      return make_error("alert", "alert schema version " + j.at("v").dump() +
                                     " is not the one this khobor reads (" +
                                     std::to_string(k_alert_version) + ")");
    }
    a.seq = j.at("seq").get<int64_t>();
    if (auto it = j.find("time"); it != j.end() && it->is_string()) {
      a.time_ms = parse_rfc3339(it->get<std::string>()).value_or(0) * 1000;
    }
    a.watchlist = j.at("watchlist").get<std::string>();
    a.rule = j.at("rule").get<std::string>();
    a.feed = j.at("feed").get<std::string>();
    a.feed_title = j.value("feed_title", "");
    const auto& e = j.at("entry");
    a.entry.id = e.at("id").get<std::string>();
    a.entry.title = e.value("title", "");
    a.entry.link = e.value("link", "");
    if (auto it = e.find("published"); it != e.end() && it->is_string()) {
      a.entry.published = parse_rfc3339(it->get<std::string>());
    }
    for (const auto& h : j.at("hits")) {
      a.hits.push_back(
          {h.value("term", ""), h.value("field", ""), h.value("begin", 0u), h.value("end", 0u)});
    }
    a.snippet = j.value("snippet", "");
    if (auto it = j.find("story"); it != j.end() && it->is_object()) {
      AlertStory st;
      st.id = it->at("id").get<uint64_t>();
      st.sources = it->value("sources", std::vector<std::string>{});
      if (auto fs = it->find("first_seen"); fs != it->end() && fs->is_string()) {
        st.first_seen = parse_rfc3339(fs->get<std::string>()).value_or(0);
      }
      a.story = std::move(st);
    }
    if (auto it = j.find("event"); it != j.end() && it->is_object()) {
      a.event = read_event(*it);
    }
    return a;
  } catch (const nlohmann::json::exception& e) {
    return make_error("alert", std::string("a field of the alert has the wrong type: ") + e.what());
  }
}

}  // namespace khobor::bus
