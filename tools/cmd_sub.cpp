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
// gaps after the first alert as far as the control socket answers (the
// following itself is tools/follower.h). With --exec CMD each message runs CMD
// (tools/exec.h) instead of being printed; a failing CMD is retried until it
// succeeds, so with --state every message is handed to CMD exactly once (a crash
// between CMD's success and the saving of the seq runs it once more).
// The endpoints and keys come from khobord's config unless options give them.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>
#include <unordered_map>

#include "bus/alert.h"
#include "bus/subscriber.h"
#include "feeds/dates.h"
#include "tools/command.h"
#include "tools/control_client.h"
#include "tools/exec.h"
#include "tools/follower.h"

namespace {

// The time a line shows: the entry's date (khobord's `time`, when it saw the
// entry, for an entry without one) in the zone asked for, with its offset:
// "2023-09-13 15:55 +06:00". The zone was checked when the options were read.
std::string line_time(int64_t seconds, const std::string& zone) {
  return khobor::feeds::format_local_minute(seconds, zone).value_or("?");
}

// Which event the last printed line belonged to, and the alert that opened each
// event this run has printed: an update directly under its event's lines reads
// "  └ …"; one that follows another event's line reads "  ↳ …" and names its
// event's alert, so a busy stream still says where an update belongs.
struct TextState {
  std::optional<uint64_t> last_event;
  std::unordered_map<uint64_t, int64_t> alert_of_event;  // bounded: cleared past k_max

  static constexpr std::size_t k_max = 4096;
  void remember_alert(uint64_t event, int64_t seq) {
    if (alert_of_event.size() >= k_max) {
      alert_of_event.clear();  // an old event's alert is long off the screen
    }
    alert_of_event.emplace(event, seq);
  }
};

// "[summit, event 4: 3 outlets, 4 entries; 2 new from bss, samakal" (no closing
// bracket); `opened_by` adds " (alert #12)" after the event's id.
std::string update_tags(const khobor::bus::StoryUpdate& u, std::optional<int64_t> opened_by) {
  std::string lists = u.watchlist;
  if (lists.empty()) {
    for (const auto& w : u.watchlists) {
      lists += (lists.empty() ? "" : ", ") + w;
    }
  }
  std::string tags =
      "[" + lists + (lists.empty() ? "" : ", ") + "event " + std::to_string(u.event.id);
  if (opened_by) {
    tags += " (alert #" + std::to_string(*opened_by) + ")";
  }
  tags += ": " + std::to_string(u.event.outlet_count) + " outlets, " +
          std::to_string(u.event.entry_count) + " entries";
  if (u.new_entries > 1) {
    std::string from;
    for (const auto& f : u.new_sources) {
      from += (from.empty() ? "" : ", ") + f;
    }
    tags += "; " + std::to_string(u.new_entries) + " new from " + from;
  }
  return tags;
}

// A story.update: "  └ #13 2023-09-13 16:20 +06:00 [summit, event 4: 3 outlets,
// 4 entries; 2 new from bss, samakal] samakal: title — link" under its event's
// lines, "  ↳ #13 … [summit, event 4 (alert #12): …" after another event's; the
// raw frame when it does not read as one.
std::string readable_update(const std::string& topic, const std::string& payload,
                            const std::string& zone, TextState& state) {
  auto u = khobor::bus::story_update_from_json(payload);
  if (!u) {
    return topic + " " + payload + "   (" + u.error().message + ")";
  }
  const bool under = state.last_event == u->event.id;
  std::optional<int64_t> opened_by;
  if (auto it = state.alert_of_event.find(u->event.id);
      !under && it != state.alert_of_event.end()) {
    opened_by = it->second;
  }
  state.last_event = u->event.id;
  std::string line = (under ? "  └ #" : "  ↳ #") + std::to_string(u->seq) + " ";
  const int64_t when = u->entry.published ? *u->entry.published : u->time_ms / 1000;
  line += line_time(when, zone) + " " + update_tags(*u, opened_by) + "] " + u->feed + ": " +
          u->entry.title;
  if (!u->entry.link.empty()) {
    line += " — " + u->entry.link;
  }
  return line;
}

// "#12 2023-09-13 15:55 +06:00 [summit, event 4] dainik-alo: title — link (পুতিন)".
std::string readable(const std::string& topic, const std::string& payload, const std::string& zone,
                     TextState& state) {
  if (topic == khobor::bus::k_story_update_topic) {
    return readable_update(topic, payload, zone, state);
  }
  auto a = khobor::bus::alert_from_json(payload);
  if (!a) {
    state.last_event.reset();
    return topic + " " + payload + "   (" + a.error().message + ")";
  }
  state.last_event.reset();
  std::string line = "#" + std::to_string(a->seq) + " ";
  int64_t when = a->entry.published ? *a->entry.published : a->time_ms / 1000;
  line += line_time(when, zone) + " [" + a->watchlist;
  if (a->event) {
    line += ", event " + std::to_string(a->event->id);
    state.last_event = a->event->id;
    state.remember_alert(a->event->id, a->seq);
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

struct Options {
  std::string config;
  std::string endpoint;
  std::string control;
  std::string topic;  // every message: alerts and story updates
  std::string state_file;
  std::string server_key;
  std::string control_key;
  std::string exec;  // --exec CMD: run it per message instead of printing
  double exec_timeout_s = 60;
  std::optional<int64_t> since;
  bool from_start = false;
  int count = 0;
  double timeout_s = 0;
  bool text = false;
  std::string zone = "Asia/Dhaka";  // --tz: the zone of the text lines' times
};

// Prints each message: a readable line, or its JSON.
khobor::tools::Deliver printer(const Options& o) {
  return [&o, state = TextState{}](const std::string& topic, const std::string& payload,
                                   int64_t) mutable {
    std::string line = o.text ? readable(topic, payload, o.zone, state) : payload;
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return true;
  };
}

// Runs --exec's command per message until it succeeds: retried after 0.5 s,
// 1 s, 2 s … at most 30 s apart, never skipped; false only when --timeout
// leaves no time for the next try (the position then stays before it).
khobor::tools::Deliver executor(const Options& o, const khobor::tools::Follower* const* follower) {
  return [&o, follower](const std::string& topic, const std::string& payload, int64_t seq) {
    std::chrono::milliseconds backoff(500);
    const auto timeout = static_cast<int64_t>(o.exec_timeout_s * 1000);
    for (int attempt = 1;; ++attempt) {
      auto st = khobor::tools::run_exec(o.exec, topic, payload, timeout);
      if (st) {
        return true;
      }
      const int64_t left = (*follower)->remaining_ms();
      if (left >= 0 && left < backoff.count()) {
        std::fprintf(stderr, "khobor sub: --exec failed for seq %lld (%s); out of time\n",
                     static_cast<long long>(seq), st.error().message.c_str());
        return false;
      }
      std::fprintf(stderr, "khobor sub: --exec failed for seq %lld (%s), try %d; again in %g s\n",
                   static_cast<long long>(seq), st.error().message.c_str(), attempt,
                   static_cast<double>(backoff.count()) / 1000);
      std::this_thread::sleep_for(backoff);  // the retry's backoff, not a wait for a condition
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
    }
  };
}

// The endpoints and keys: the flags, else khobord's config.
bool resolve_sockets(Options& o) {
  khobor::tools::DaemonConfig cfg;
  if (o.endpoint.empty() || o.control.empty()) {
    auto read = khobor::tools::read_daemon_config(o.config, "sub");
    if (!read) {
      std::fprintf(stderr, "khobor sub: %s\n", read.error().message.c_str());
      return false;
    }
    cfg = std::move(*read);
  }
  auto pub = khobor::tools::resolve_socket(o.endpoint, o.server_key, cfg.config.publish_endpoint,
                                           cfg.config.publish_curve_secret_key);
  auto ctl = khobor::tools::resolve_socket(o.control, o.control_key, cfg.config.control_endpoint,
                                           cfg.config.control_curve_secret_key);
  if (!pub || !ctl) {
    std::fprintf(stderr, "khobor sub: %s\n", (!pub ? pub : ctl).error().message.c_str());
    return false;
  }
  o.endpoint = pub->endpoint;
  o.server_key = pub->server_key;
  o.control = ctl->endpoint;
  // A plain --server-key stands for both sockets, as before the config was read.
  o.control_key = ctl->server_key.empty() ? o.server_key : ctl->server_key;
  return true;
}

// What the command line says, beyond Options.
struct Flags {
  std::string format = "auto";
  bool json = false;
  int64_t since = -1;
  CLI::Option* since_opt = nullptr;
};

void add_options(CLI::App& app, Options& o, Flags& f) {
  khobor::tools::add_config_option(app, o.config);
  app.add_option("--endpoint", o.endpoint, "khobord's [publish] endpoint (default: the config's)");
  app.add_option("--control", o.control,
                 "khobord's [control] endpoint, for replay (default: the config's)");
  app.add_option("--topic", o.topic,
                 "topic prefix (default: every message): alert. for the alerts alone, "
                 "alert.NAME for one watch list, story. for the story updates");
  app.add_option("--state", o.state_file,
                 "keep the last seq in FILE; start by replaying what came after it (a new file: "
                 "from the oldest stored alert)");
  f.since_opt = app.add_option("--since", f.since, "start after seq N (replay N+1 onwards)")
                    ->check(CLI::NonNegativeNumber);
  f.since_opt->excludes(
      app.add_flag("--from-start", o.from_start, "start from the oldest stored alert"));
  app.add_option("--server-key", o.server_key,
                 "khobord's CURVE public key for [publish] (default: from the config's "
                 "curve_secret_key, when it has one)");
  app.add_option("--control-key", o.control_key,
                 "khobord's CURVE public key for [control] (default: the config's, else "
                 "--server-key)");
  app.add_option("--exec", o.exec,
                 "run CMD (with /bin/sh) once per message instead of printing it: the JSON on "
                 "its stdin, the main fields in KHOBOR_* variables; a failure is retried "
                 "(0.5 s, 1 s, 2 s … 30 s apart) and never skipped; with --state the seq is "
                 "saved only after CMD succeeded");
  app.add_option("--exec-timeout", o.exec_timeout_s,
                 "a run of CMD taking longer is stopped (SIGTERM) and counts as failed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--count", o.count, "exit 0 after N messages")->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", o.timeout_s,
                 "give up after SECONDS (exit 1 if --count messages did not arrive)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--format", f.format, "auto (text on a terminal, else json), text or json")
      ->check(CLI::IsMember({"auto", "text", "json"}))
      ->capture_default_str();
  app.add_flag("--json", f.json, "the same as --format json");
  app.add_option("--tz", o.zone,
                 "the time zone of the text lines' times (an IANA name: Asia/Dhaka, UTC, "
                 "Europe/London…); each time shows its UTC offset")
      ->capture_default_str();
}

// Where to start: --since, --from-start, the state file, or the live stream.
khobor::Result<std::optional<int64_t>> start_position(const Options& o, const Flags& f) {
  std::optional<int64_t> pos;
  if (!o.state_file.empty()) {
    auto st = khobor::tools::read_state(o.state_file);
    if (!st) {
      return st.error();
    }
    pos = st->value_or(0);
  }
  if (*f.since_opt) {
    pos = f.since;
  } else if (o.from_start) {
    pos = 0;
  }
  return pos;
}

int run_sub(int argc, char** argv) {
  CLI::App app{"Print alerts as khobord publishes them; with --state, never miss one",
               "khobor sub"};
  Options o;
  Flags f;
  add_options(app, o, f);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!khobor::feeds::format_local_minute(0, o.zone)) {
    std::fprintf(stderr,
                 "khobor sub: --tz %s: unknown time zone (give an IANA name such as "
                 "Asia/Dhaka, Asia/Kolkata or UTC)\n",
                 o.zone.c_str());
    return 2;
  }
  const std::string format = f.json ? "json" : f.format;
  o.text = format == "text" || (format == "auto" && ::isatty(STDOUT_FILENO) == 1);
  auto pos = start_position(o, f);
  if (!pos) {
    std::fprintf(stderr, "khobor sub: %s\n", pos.error().message.c_str());
    return 2;
  }
  if (!resolve_sockets(o)) {
    return khobor::daemon::k_exit_config;
  }
  // Subscribe before replaying: nothing published meanwhile falls between.
  auto sub = khobor::bus::Subscriber::connect(o.endpoint, o.topic,
                                              khobor::tools::client_security(o.server_key));
  if (!sub) {
    std::fprintf(stderr, "khobor sub: %s\n", sub.error().message.c_str());
    return 2;
  }
  if (!o.exec.empty()) {
    std::signal(SIGPIPE, SIG_IGN);  // a command that does not read its stdin
  }
  khobor::tools::FollowOptions fo{o.control, o.control_key, o.topic,     o.state_file,
                                  o.count,   o.timeout_s,   "khobor sub"};
  const khobor::tools::Follower* self = nullptr;
  auto deliver = o.exec.empty() ? printer(o) : executor(o, &self);
  khobor::tools::Follower follower(fo, std::move(*sub), *pos, std::move(deliver));
  self = &follower;
  return follower.run();
}

const khobor::tools::Registration k_reg{"sub", "print alerts as khobord publishes them", &run_sub};

}  // namespace
