// khobor sub — print the alerts khobord publishes, and never miss one.
//
// On a terminal each alert is one readable line (its time: the entry's, in the
// --tz zone, Asia/Dhaka by default, with the UTC offset shown); when stdout is
// piped, the alert's JSON (bus/WIRE_FORMAT.md), one per line, for scripts.
// --count and --timeout let scripts and tests stop it.
//
// With --state FILE (or --since N, --from-start) it knows where it is in khobord's
// seq: it replays what it missed from the control socket, then follows the PUB
// stream; a gap in seq (a reconnect, a restart of khobord, a drop) is filled by
// replay before anything later is printed, and repeats are dropped, so every
// alert is printed exactly once and in seq order. A dead khobord is retried with
// a bounded backoff. Without a position it starts with the live stream and fills
// gaps after the first alert as far as the control socket answers.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "bus/alert.h"
#include "bus/control.h"
#include "bus/subscriber.h"
#include "feeds/dates.h"
#include "tools/command.h"
#include "tools/control_client.h"

namespace {

using json = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

// The time a line shows: the entry's date (khobord's `time`, when it saw the
// entry, for an entry without one) in the zone asked for, with its offset:
// "2023-09-13 15:55 +06:00". The zone was checked when the options were read.
std::string line_time(int64_t seconds, const std::string& zone) {
  return khobor::feeds::format_local_minute(seconds, zone).value_or("?");
}

// A story.update, indented under its event's alert: "  └ #13 2023-09-13 16:20 +06:00
// [summit, event 4: 3 outlets, 4 entries; 2 new from bss, samakal] samakal: title — link";
// the raw frame when it does not read as one.
std::string readable_update(const std::string& topic, const std::string& payload,
                            const std::string& zone) {
  auto u = khobor::bus::story_update_from_json(payload);
  if (!u) {
    return topic + " " + payload + "   (" + u.error().message + ")";
  }
  std::string line = "  └ #" + std::to_string(u->seq) + " ";
  const int64_t when = u->entry.published ? *u->entry.published : u->time_ms / 1000;
  line += line_time(when, zone) + " [";
  std::string lists = u->watchlist;
  if (lists.empty()) {
    for (const auto& w : u->watchlists) {
      lists += (lists.empty() ? "" : ", ") + w;
    }
  }
  line += lists + (lists.empty() ? "" : ", ") + "event " + std::to_string(u->event.id) + ": " +
          std::to_string(u->event.outlet_count) + " outlets, " +
          std::to_string(u->event.entry_count) + " entries";
  if (u->new_entries > 1) {
    std::string from;
    for (const auto& f : u->new_sources) {
      from += (from.empty() ? "" : ", ") + f;
    }
    line += "; " + std::to_string(u->new_entries) + " new from " + from;
  }
  line += "] " + u->feed + ": " + u->entry.title;
  if (!u->entry.link.empty()) {
    line += " — " + u->entry.link;
  }
  return line;
}

// "#12 2023-09-13 15:55 +06:00 [summit, event 4] dainik-alo: title — link (পুতিন)".
std::string readable(const std::string& topic, const std::string& payload,
                     const std::string& zone) {
  if (topic == khobor::bus::k_story_update_topic) {
    return readable_update(topic, payload, zone);
  }
  auto a = khobor::bus::alert_from_json(payload);
  if (!a) {
    return topic + " " + payload + "   (" + a.error().message + ")";
  }
  std::string line = "#" + std::to_string(a->seq) + " ";
  int64_t when = a->entry.published ? *a->entry.published : a->time_ms / 1000;
  line += line_time(when, zone) + " [" + a->watchlist;
  if (a->event) {
    line += ", event " + std::to_string(a->event->id);
  }
  line += "] " + a->feed + ": " + a->entry.title;
  if (!a->entry.link.empty()) {
    line += " — " + a->entry.link;
  }
  std::string terms;
  for (const auto& h : a->hits) {
    if (terms.find(h.term) == std::string::npos) {
      terms += terms.empty() ? "" : ", ";
      terms += h.term;
    }
  }
  if (!terms.empty()) {
    line += " (" + terms + ")";
  }
  return line;
}

// The seq of an alert's JSON, nullopt when there is none.
std::optional<int64_t> seq_of(const std::string& payload) {
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer()) {
    return std::nullopt;
  }
  return j["seq"].get<int64_t>();
}

// The last seq kept in a state file: nullopt when the file does not exist yet.
khobor::Result<std::optional<int64_t>> read_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) {
      return std::optional<int64_t>{};
    }
    return khobor::make_error("state", path + ": cannot read the state file");
  }
  long long v = 0;
  if (!(in >> v) || v < 0) {
    return khobor::make_error("state", path +
                                           ": not a state file (one number, the last seq); "
                                           "remove it to start from the oldest stored alert");
  }
  return std::optional<int64_t>{static_cast<int64_t>(v)};
}

// Write the seq to `path` atomically: a crash leaves the old or the new number.
bool write_state(const std::string& path, int64_t seq) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out || !(out << seq << '\n') || !out.flush()) {
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

struct Options {
  std::string endpoint = khobor::tools::default_publish_endpoint();
  std::string control = khobor::tools::default_control_endpoint();
  std::string topic;  // every message: alerts and story updates
  std::string state_file;
  std::string server_key;
  std::string control_key;
  std::optional<int64_t> since;
  bool from_start = false;
  int count = 0;
  double timeout_s = 0;
  bool text = false;
  std::string zone = "Asia/Dhaka";  // --tz: the zone of the text lines' times
};

// Follows khobord: the live stream plus replay, in seq order, each alert once.
class Follower {
 public:
  Follower(const Options& o, khobor::bus::Subscriber sub, std::optional<int64_t> pos)
      : m_o(o), m_sub(std::move(sub)), m_pos(pos), m_anchored(pos.has_value()) {
    m_need_catch_up = m_anchored;
  }

  // Run until --count alerts were printed or --timeout passed; the exit status.
  int run() {
    const auto deadline =
        SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(m_o.timeout_s * 1000));
    m_last_check = SteadyClock::now();
    while (!done()) {
      auto now = SteadyClock::now();
      if (m_o.timeout_s > 0 && now >= deadline) {
        break;
      }
      if (m_sub.connections() != m_seen_connections) {
        m_seen_connections = m_sub.connections();
        m_need_catch_up = m_need_catch_up || m_anchored;  // may have missed some
      }
      if (m_anchored && now - m_last_check >= k_idle_check) {
        m_need_catch_up = true;  // quiet for a while: make sure nothing was lost
      }
      if (m_need_catch_up && now >= m_next_try) {
        try_catch_up();
        continue;
      }
      int64_t wait = 250;  // look at connections() this often
      if (m_need_catch_up) {
        wait = std::chrono::duration_cast<std::chrono::milliseconds>(m_next_try - now).count();
      }
      if (m_o.timeout_s > 0) {
        wait = std::min<int64_t>(
            wait, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
      }
      if (auto m = m_sub.receive(static_cast<int>(std::max<int64_t>(wait, 0)))) {
        on_live(*m);
      }
    }
    if (m_o.count > 0 && m_printed < m_o.count) {
      std::fprintf(stderr, "khobor sub: %d of %d alert(s) before the timeout of %g s\n", m_printed,
                   m_o.count, m_o.timeout_s);
      return 1;
    }
    return 0;
  }

 private:
  static constexpr auto k_idle_check = std::chrono::seconds(10);
  static constexpr int k_live_give_up = 3;  // tries before a live-only gap is reported

  bool done() const { return m_o.count > 0 && m_printed >= m_o.count; }

  void print(const std::string& topic, const std::string& payload, int64_t seq) {
    if (done()) {
      return;
    }
    std::string line = m_o.text ? readable(topic, payload, m_o.zone) : payload;
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    ++m_printed;
    m_pos = seq;
  }

  void save() {
    if (!m_o.state_file.empty() && m_pos && m_pos != m_saved) {
      if (!write_state(m_o.state_file, *m_pos)) {
        std::fprintf(stderr, "khobor sub: cannot write the state file %s\n",
                     m_o.state_file.c_str());
      }
      m_saved = m_pos;
    }
  }

  void on_live(const khobor::bus::Message& m) {
    auto seq = seq_of(m.payload);
    if (!seq) {
      std::fprintf(stderr, "khobor sub: skipped a message without a seq on %s\n", m.topic.c_str());
      return;
    }
    m_last_check = SteadyClock::now();
    if (!m_pos) {
      print(m.topic, m.payload, *seq);  // live only: the first alert anchors the position
    } else if (*seq <= *m_pos) {
      return;  // a repeat (replay and the live stream overlapped)
    } else if (*seq == *m_pos + 1 && m_held.empty()) {
      print(m.topic, m.payload, *seq);
    } else {
      m_held.emplace(*seq, m);  // past a gap: wait for the replay to fill it
      if (!m_need_catch_up) {
        m_need_catch_up = true;
        m_next_try = SteadyClock::now();
      }
      return;
    }
    save();
  }

  // Replay from the control socket until it has nothing more; then print what
  // the live stream held back. On failure, try again later (bounded backoff).
  void try_catch_up() {
    std::string error;
    if (!replay_all(error)) {
      ++m_failures;
      if (m_failures == 1 || m_failures % 10 == 0) {
        std::fprintf(stderr, "khobor sub: replay from %s failed (%s); retrying\n",
                     m_o.control.c_str(), error.c_str());
      }
      m_next_try = SteadyClock::now() + m_backoff;
      m_backoff = std::min(m_backoff * 2, std::chrono::milliseconds(5000));
      if (!m_anchored && m_failures >= k_live_give_up && !m_held.empty()) {
        // Live only, no replay to be had: say what is missing and go on.
        std::fprintf(stderr, "khobor sub: alerts %lld..%lld are missing (no replay)\n",
                     static_cast<long long>(*m_pos + 1),
                     static_cast<long long>(m_held.begin()->first - 1));
        m_pos = m_held.begin()->first - 1;
        release_held();
        m_need_catch_up = !m_held.empty();
        m_failures = 0;
      }
      save();
      return;
    }
    m_failures = 0;
    m_backoff = std::chrono::milliseconds(100);
    m_last_check = SteadyClock::now();
    release_held();
    m_need_catch_up = !m_held.empty();
    save();
  }

  // Print the held live messages that follow on from the position.
  void release_held() {
    while (!m_held.empty()) {
      auto it = m_held.begin();
      if (it->first <= *m_pos) {
        m_held.erase(it);
      } else if (it->first == *m_pos + 1) {
        print(it->second.topic, it->second.payload, it->first);
        m_held.erase(it);
      } else {
        return;
      }
    }
  }

  bool replay_all(std::string& error) {
    const auto security = khobor::tools::client_security(m_o.control_key);
    while (!done()) {
      json req = {{"cmd", "replay"}, {"since", m_pos.value_or(0)}, {"limit", 1000}};
      if (!m_o.topic.empty()) {
        req["topic"] = m_o.topic;
      }
      auto r = khobor::bus::control_request(m_o.control, req.dump(), 3000, security);
      if (!r) {
        error = r.error().message;
        return false;
      }
      json reply = json::parse(*r, nullptr, false);
      if (reply.is_discarded() || !reply.is_object() || !reply.value("ok", false)) {
        error = reply.is_object() ? reply.value("error", std::string("not ok")) : "not JSON";
        return false;
      }
      int64_t pos = m_pos.value_or(0);
      int64_t first = reply.value("first", int64_t{0});
      if (first > pos + 1 && !m_warned_pruned) {
        m_warned_pruned = true;
        std::fprintf(stderr,
                     "khobor sub: alerts %lld..%lld are no longer stored (older than "
                     "[store] keep_alerts)\n",
                     static_cast<long long>(pos + 1), static_cast<long long>(first - 1));
      }
      for (const auto& item : reply["alerts"]) {
        int64_t seq = item.value("seq", int64_t{0});
        if (seq > m_pos.value_or(0)) {
          print(item.value("topic", std::string()), item["alert"].dump(), seq);
        }
      }
      if (!done()) {
        m_pos = std::max(m_pos.value_or(0), reply.value("through", int64_t{0}));
      }
      save();
      if (!reply.value("more", false)) {
        return true;
      }
    }
    return true;
  }

  const Options& m_o;
  khobor::bus::Subscriber m_sub;
  std::optional<int64_t> m_pos;  // every seq up to here is printed or not ours
  std::optional<int64_t> m_saved;
  bool m_anchored = false;  // the position came from --state/--since/--from-start
  bool m_need_catch_up = false;
  bool m_warned_pruned = false;
  std::map<int64_t, khobor::bus::Message> m_held;
  int m_printed = 0;
  int m_failures = 0;
  uint64_t m_seen_connections = 0;
  std::chrono::milliseconds m_backoff{100};
  SteadyClock::time_point m_next_try{};
  SteadyClock::time_point m_last_check{};
};

int run_sub(int argc, char** argv) {
  CLI::App app{"Print alerts as khobord publishes them; with --state, never miss one",
               "khobor sub"};
  Options o;
  std::string format = "auto";
  bool json_flag = false;
  int64_t since = -1;
  app.add_option("--endpoint", o.endpoint, "khobord's [publish] endpoint")->capture_default_str();
  app.add_option("--control", o.control, "khobord's [control] endpoint (for replay)")
      ->capture_default_str();
  app.add_option("--topic", o.topic,
                 "topic prefix (default: every message): alert. for the alerts alone, "
                 "alert.NAME for one watch list, story. for the story updates");
  app.add_option("--state", o.state_file,
                 "keep the last seq in FILE; start by replaying what came after it (a new file: "
                 "from the oldest stored alert)");
  auto* since_opt = app.add_option("--since", since, "start after seq N (replay N+1 onwards)")
                        ->check(CLI::NonNegativeNumber);
  auto* start_opt =
      app.add_flag("--from-start", o.from_start, "start from the oldest stored alert");
  since_opt->excludes(start_opt);
  app.add_option("--server-key", o.server_key,
                 "khobord's CURVE public key for [publish] (when it has curve_secret_key)");
  app.add_option("--control-key", o.control_key,
                 "khobord's CURVE public key for [control] (default: --server-key)");
  app.add_option("--count", o.count, "exit 0 after N alerts")->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", o.timeout_s,
                 "give up after SECONDS (exit 1 if --count alerts did not arrive)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--format", format, "auto (text on a terminal, else json), text or json")
      ->check(CLI::IsMember({"auto", "text", "json"}))
      ->capture_default_str();
  app.add_flag("--json", json_flag, "the same as --format json");
  app.add_option("--tz", o.zone,
                 "the time zone of the text lines' times (an IANA name: Asia/Dhaka, UTC, "
                 "Europe/London…); each time shows its UTC offset")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (json_flag) {
    format = "json";
  }
  if (!khobor::feeds::format_local_minute(0, o.zone)) {
    std::fprintf(stderr,
                 "khobor sub: --tz %s: unknown time zone (give an IANA name such as "
                 "Asia/Dhaka, Asia/Kolkata or UTC)\n",
                 o.zone.c_str());
    return 2;
  }
  if (o.control_key.empty()) {
    o.control_key = o.server_key;
  }
  o.text = format == "text" || (format == "auto" && ::isatty(STDOUT_FILENO) == 1);

  std::optional<int64_t> pos;
  if (!o.state_file.empty()) {
    auto st = read_state(o.state_file);
    if (!st) {
      std::fprintf(stderr, "khobor sub: %s\n", st.error().message.c_str());
      return 2;
    }
    pos = st->value_or(0);
  }
  if (*since_opt) {
    pos = since;
  } else if (o.from_start) {
    pos = 0;
  }

  // Subscribe before replaying: nothing published meanwhile falls between.
  auto sub = khobor::bus::Subscriber::connect(o.endpoint, o.topic,
                                              khobor::tools::client_security(o.server_key));
  if (!sub) {
    std::fprintf(stderr, "khobor sub: %s\n", sub.error().message.c_str());
    return 2;
  }
  Follower follower(o, std::move(*sub), pos);
  return follower.run();
}

const khobor::tools::Registration k_reg{"sub", "print alerts as khobord publishes them", &run_sub};

}  // namespace
