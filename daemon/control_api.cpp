// khobor/daemon/control_api.cpp — the JSON replies to the control requests (status,
// feeds, reload, replay) from a snapshot of the daemon and the store.
#include "daemon/control_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bus/alert.h"

namespace khobor::daemon {
namespace {

using json = nlohmann::ordered_json;  // keeps the order of fields, as alerts have it

// RFC 3339 for a time in ms since the epoch, null for 0 ("never").
json time_or_null(int64_t ms) {
  if (ms <= 0) {
    return nullptr;
  }
  return bus::rfc3339(ms / 1000);
}

json feed_json(const FeedView& f) {
  json j = {{"id", f.id}, {"url", f.url}, {"in_flight", f.in_flight}, {"retired", f.retired}};
  const store::FeedState h = f.health.value_or(store::FeedState{});
  j["last_attempt"] = time_or_null(h.last_attempt_ms);
  j["last_success"] = time_or_null(h.last_success_ms);
  j["http_status"] = h.http_status;
  j["error"] = h.error;
  j["consecutive_errors"] = h.consecutive_errors;
  j["next_due"] = time_or_null(h.next_due_ms);
  j["bytes"] = h.bytes;
  j["entries"] = h.entries;
  j["latency_ms"] = h.latency_ms;
  j["interval_s"] = h.interval_s;
  j["moved_to"] = h.moved_to;
  j["ids"] = f.link_ids ? "links" : "guids";
  j["repaired"] = f.repaired;
  j["retired"] = f.retired || h.retired;
  j["store_error"] = f.store_error;
  j["odd"] = f.odd;
  return j;
}

json feeds_json(const std::vector<FeedView>& feeds) {
  json arr = json::array();
  for (const auto& f : feeds) {
    arr.push_back(feed_json(f));
  }
  return arr;
}

json error_reply(const std::string& message) {
  return {{"ok", false}, {"error", message}};
}

// A non-negative integer field, or `fallback` when absent; nullopt when wrong.
std::optional<int64_t> int_field(const json& req, const char* key, int64_t fallback) {
  auto it = req.find(key);
  if (it == req.end() || it->is_null()) {
    return fallback;
  }
  if (!it->is_number_integer() || it->get<int64_t>() < 0) {
    return std::nullopt;
  }
  return it->get<int64_t>();
}

// The store's health as status shows it; the outbox's counts are null when the
// store cannot even be read.
json store_health(const DaemonSnapshot& s, store::Store& store, json& alerts) {
  json health = {{"error", s.store_error},
                 {"failing_since", time_or_null(s.store_error_since_ms)},
                 {"first_failed", s.store_error_in},
                 {"failures", s.store_failures}};
  try {
    alerts["last_seq"] = store.last_seq();
    alerts["first_seq"] = store.first_seq();
    alerts["stored"] = store.alert_count();
  } catch (const store::StoreError& e) {
    alerts["last_seq"] = alerts["first_seq"] = alerts["stored"] = nullptr;
    health["read_error"] = e.reason();
  }
  return health;
}

json status_reply(const DaemonSnapshot& s, store::Store& store) {
  json alerts = {{"published", s.published}, {"dropped", s.dropped}};
  json health = store_health(s, store, alerts);
  alerts["subscribers"] = s.subscribers;
  return {{"ok", true},
          {"version", s.version},
          {"started", time_or_null(s.started_ms)},
          {"uptime_s", s.uptime_s},
          {"config", s.config_file},
          {"store", s.store_path},
          {"publish_endpoint", s.publish_endpoint},
          {"control_endpoint", s.control_endpoint},
          {"watchlists", s.watchlists},
          {"rules", s.rules},
          {"alerts", alerts},
          {"polls",
           {{"ok", s.totals.ok},
            {"not_modified", s.totals.not_modified},
            {"failed", s.totals.failed},
            {"repaired", s.totals.repaired}}},
          {"loop",
           {{"rounds", s.totals.rounds},
            {"busy_s", static_cast<double>(s.totals.busy_us) / 1e6},
            {"busy_max_s", static_cast<double>(s.totals.busy_max_us) / 1e6}}},
          {"store_health", health},
          {"restart_needed", s.restart_needed},
          {"feeds", feeds_json(s.feeds)}};
}

// Alerts after `since`, in seq order; with a topic prefix only those, but
// `through` still says how far the scan went, so the client knows no gap is left.
json replay_reply(store::Store& store, int64_t since, size_t limit, const std::string& topic) {
  const int64_t last = store.last_seq();
  const int64_t first = store.first_seq();
  const size_t scan_cap = limit * 10;  // rows read per reply with a topic filter
  json items = json::array();
  int64_t pos = since;
  size_t scanned = 0;
  bool end = false;
  while (items.size() < limit && scanned < scan_cap) {
    auto batch = store.alerts_after(pos, std::min(limit - items.size(), scan_cap - scanned));
    if (batch.empty()) {
      end = true;
      break;
    }
    for (const auto& a : batch) {
      pos = a.seq;
      ++scanned;
      if (a.topic.compare(0, topic.size(), topic) == 0) {
        items.push_back({{"seq", a.seq}, {"topic", a.topic}, {"alert", json::parse(a.payload)}});
      }
    }
  }
  const int64_t through = end ? std::max(pos, last) : pos;
  return {{"ok", true},         {"alerts", items}, {"more", through < last},
          {"through", through}, {"first", first},  {"last", last}};
}

}  // namespace

std::string ControlApi::handle(std::string_view request) {
  json req = json::parse(request, nullptr, false);
  if (req.is_discarded() || !req.is_object()) {
    return error_reply("a request is one JSON object like {\"cmd\":\"status\"}").dump();
  }
  auto cmd_it = req.find("cmd");
  if (cmd_it == req.end() || !cmd_it->is_string()) {
    return error_reply("the request has no \"cmd\" (status, feeds, reload or replay)").dump();
  }
  const std::string cmd = cmd_it->get<std::string>();
  if (cmd == "status") {
    return status_reply(m_hooks.snapshot(), m_store).dump();
  }
  if (cmd == "feeds") {
    return json{{"ok", true}, {"feeds", feeds_json(m_hooks.snapshot().feeds)}}.dump();
  }
  if (cmd == "reload") {
    auto st = m_hooks.reload();
    if (!st) {
      return error_reply(st.error().message).dump();
    }
    return json{{"ok", true}, {"restart_needed", m_hooks.snapshot().restart_needed}}.dump();
  }
  if (cmd == "replay") {
    auto since = int_field(req, "since", 0);
    auto limit = int_field(req, "limit", 500);
    if (!since || !limit) {
      return error_reply("replay: \"since\" and \"limit\" must be integers >= 0").dump();
    }
    std::string topic;
    if (auto t = req.find("topic"); t != req.end() && !t->is_null()) {
      if (!t->is_string()) {
        return error_reply("replay: \"topic\" must be a string (a topic prefix)").dump();
      }
      topic = t->get<std::string>();
    }
    size_t n = std::clamp<size_t>(static_cast<size_t>(*limit), 1, k_max_replay);
    try {
      return replay_reply(m_store, *since, n, topic).dump();
    } catch (const store::StoreError& e) {
      return error_reply("replay: the store cannot be read now (" + e.reason() +
                         "); ask again later")
          .dump();
    }
  }
  return error_reply("unknown cmd \"" + cmd + "\" (status, feeds, reload or replay)").dump();
}

}  // namespace khobor::daemon
