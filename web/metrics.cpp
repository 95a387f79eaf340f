// khobor/web/metrics.cpp — /metrics: each family with its HELP and TYPE lines.
#include "web/metrics.h"

#include <map>

#include "feeds/dates.h"

namespace khobor::web {
namespace {

using json = nlohmann::json;

// A label value as the exposition format escapes it.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    m_out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, double v, const std::string& labels = "") {
    m_out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(v) + "\n";
  }
  void one(const char* name, const char* type, const char* help, double v) {
    family(name, type, help);
    sample(name, v);
  }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
};

double num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::string feed_state(const json& f) {
  if (f.value("retired", false)) {
    return "retired";
  }
  if (!f.value("error", std::string()).empty() || num(f, "consecutive_errors") > 0) {
    return "failing";
  }
  return f.contains("last_attempt") && f["last_attempt"].is_string() ? "ok" : "never_polled";
}

void daemon_series(Writer& w, const json& s) {
  const json& a = s.value("alerts", json::object());
  w.one("khobor_daemon_uptime_seconds", "gauge", "Seconds since khobord started.",
        num(s, "uptime_s"));
  w.one("khobor_alerts_published_total", "counter",
        "Alerts and updates khobord handed to its PUB socket since it started (dropped ones "
        "included).",
        num(a, "published"));
  w.one("khobor_alerts_dropped_total", "counter",
        "Of those, refused by a full socket since khobord started (recoverable by replay).",
        num(a, "dropped"));
  w.one("khobor_alerts_last_seq", "gauge", "The highest seq khobord ever gave.",
        num(a, "last_seq"));
  w.one("khobor_alerts_stored", "gauge", "Alerts and updates kept in the store for replay.",
        num(a, "stored"));
  w.one("khobor_subscriptions", "gauge", "Topic subscriptions on khobord's PUB socket.",
        num(a, "subscribers"));
  const json& polls = s.value("polls", json::object());
  w.family("khobor_polls_total", "counter",
           "Polls since khobord started, by outcome: 200 (a body read), 304, error.");
  w.sample("khobor_polls_total", num(polls, "ok"), "outcome=\"200\"");
  w.sample("khobor_polls_total", num(polls, "not_modified"), "outcome=\"304\"");
  w.sample("khobor_polls_total", num(polls, "failed"), "outcome=\"error\"");
  w.one("khobor_parse_repairs_total", "counter",
        "Bodies that were not well-formed and were read anyway, since khobord started.",
        num(polls, "repaired"));
  const json& loop = s.value("loop", json::object());
  w.one("khobor_loop_rounds_total", "counter", "Rounds of khobord's loop since it started.",
        num(loop, "rounds"));
  w.one("khobor_loop_busy_seconds_total", "counter",
        "Time khobord's loop worked (from a wake-up to its next wait), in all.",
        num(loop, "busy_s"));
  w.one("khobor_loop_busy_max_seconds", "gauge",
        "The longest a round of khobord's loop worked since it started.", num(loop, "busy_max_s"));
  w.one("khobor_watchlists", "gauge", "Watch lists loaded.", num(s, "watchlists"));
  w.one("khobor_rules", "gauge", "Watch-list rules loaded.", num(s, "rules"));
}

void feed_series(Writer& w, const json& feeds) {
  std::map<std::string, int> states{{"ok", 0}, {"failing", 0}, {"retired", 0}, {"never_polled", 0}};
  int repaired = 0;
  for (const auto& f : feeds) {
    ++states[feed_state(f)];
    repaired += f.value("repaired", false) ? 1 : 0;
  }
  w.one("khobor_feeds_repaired", "gauge",
        "Feeds whose last body was not well-formed and was read anyway.", repaired);
  w.family("khobor_feeds", "gauge", "Configured feeds by state.");
  for (const auto& [state, n] : states) {
    w.sample("khobor_feeds", n, "state=\"" + state + "\"");
  }
  struct Column {
    const char* name;
    const char* help;
    const char* key;
    double scale;
  };
  const Column columns[] = {
      {"khobor_feed_consecutive_errors", "Failed polls of the feed since its last success.",
       "consecutive_errors", 1},
      {"khobor_feed_last_http_status", "HTTP status of the feed's last poll (0: no response).",
       "http_status", 1},
      {"khobor_feed_latency_seconds", "Duration of the feed's last transfer.", "latency_ms", 0.001},
      {"khobor_feed_entries", "Entries in the feed's last parsed body.", "entries", 1},
      {"khobor_feed_interval_seconds", "The feed's adaptive polling interval.", "interval_s", 1},
  };
  for (const auto& c : columns) {
    w.family(c.name, "gauge", c.help);
    for (const auto& f : feeds) {
      w.sample(c.name, num(f, c.key) * c.scale,
               "feed=\"" + label(f.value("id", std::string())) + "\"");
    }
  }
  w.family("khobor_feed_last_success_timestamp_seconds", "gauge",
           "When the feed was last polled successfully (200 or 304; 0: never).");
  for (const auto& f : feeds) {
    auto t = feeds::parse_date(f.value("last_success", json()).is_string()
                                   ? f["last_success"].get<std::string>()
                                   : std::string());
    w.sample("khobor_feed_last_success_timestamp_seconds", t ? static_cast<double>(*t) : 0,
             "feed=\"" + label(f.value("id", std::string())) + "\"");
  }
}

void desk_series(Writer& w, const DeskNumbers& d) {
  w.one("khobor_story_window_entries", "gauge", "Entries in the story window.",
        static_cast<double>(d.entries));
  w.one("khobor_story_window_stories", "gauge", "Stories in the story window.",
        static_cast<double>(d.stories));
  w.one("khobor_story_window_events", "gauge", "Events in the story window.",
        static_cast<double>(d.events));
  w.one("khobor_store_size_bytes", "gauge", "Size of the store's file and its write-ahead log.",
        static_cast<double>(d.store_bytes));
}

}  // namespace

std::string prometheus_text(const json& status, const DeskNumbers* desk, const WebCounters& web) {
  Writer w;
  const bool up = status.is_object();
  w.one("khobor_up", "gauge", "1 when khobord answered on its control socket, else 0.", up ? 1 : 0);
  if (up) {
    daemon_series(w, status);
    feed_series(w, status.value("feeds", json::array()));
  }
  if (desk != nullptr) {
    desk_series(w, *desk);
  }
  w.one("khobor_web_messages_received_total", "counter",
        "Alerts and updates khobor web received from khobord.", static_cast<double>(web.messages));
  w.one("khobor_web_live_pages", "gauge", "Pages following the live stream now.",
        static_cast<double>(web.live_pages));
  w.one("khobor_web_requests_total", "counter", "HTTP requests khobor web answered.",
        static_cast<double>(web.requests));
  return w.take();
}

}  // namespace khobor::web
