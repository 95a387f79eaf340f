// khobor/daemon/config.h — khobord's configuration file (TOML), loaded and checked.
//
// Every key is documented in config/khobor.toml. Loading is a pure function of the
// file's text: a bad file is an Error whose message names the file, the line, the
// column and the key ("khobor.toml:12:1: [poll] interval: …"); khobord exits 78
// (EX_CONFIG) on it at start-up and keeps its old configuration on reload. Relative
// paths in the file are resolved against the file's directory. Values, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/duration.h"
#include "base/log.h"
#include "base/result.h"

namespace khobor::daemon {

inline constexpr const char* k_default_config_path = "/etc/khobor/khobor.toml";
inline constexpr int k_exit_config = 78;  // sysexits.h EX_CONFIG
// The store is not khobor's or is corrupt (sysexits.h EX_DATAERR): khobord leaves
// it untouched, and systemd does not restart it in a loop (RestartPreventExitStatus).
inline constexpr int k_exit_store_refused = 65;

// [poll] backlog: what a feed's first successful poll alerts on. An entry dated
// more than `seconds` before that poll is marked seen and enters the story window
// without alerting; an entry without a date counts as new. `all` alerts on
// everything the first poll finds (the behaviour before backlog existed), `none`
// on nothing.
struct Backlog {
  enum class Kind { window, all, none };
  Kind kind = Kind::window;
  int64_t seconds = 86400;  // for Kind::window

  bool operator==(const Backlog&) const = default;
};

struct FeedConfig {
  std::string id;   // unique, also the `feed` of alerts
  std::string url;  // http or https
  bool enabled = true;
  int64_t min_interval_s = 0;        // 0: [poll] min_interval
  int64_t max_interval_s = 0;        // 0: [poll] max_interval
  std::vector<std::string> headers;  // extra request headers, "Name: value"
  std::optional<Backlog> backlog;    // nullopt: [poll] backlog
  int line = 0;                      // where the [[feed]] table starts, for messages
};

// [http]: how feeds are fetched (FetchOptions of feeds/fetcher.h). Read at
// start-up; a reload that changes it says it takes effect at the next restart.
struct HttpConfig {
  int64_t connect_timeout_s = 10;
  int64_t timeout_s = 60;         // the whole transfer
  int64_t low_speed_bytes = 64;   // abort when slower than this many bytes/s …
  int64_t low_speed_time_s = 30;  // … for this long
  int64_t max_body_bytes = 16 * 1024 * 1024;
  int64_t max_redirects = 5;
  int64_t max_connections = 64;  // transfers at once, in all
  int64_t max_per_domain = 4;    // transfers at once per registrable domain
  std::string ca_file;           // extra CA bundle ("" : the system's)
  std::string proxy;             // "" : from the environment (https_proxy, …)
  // Who the outlets' webmasters can reach about this fetcher: an http(s) URL or a
  // mailto: address, sent in the User-Agent ("khobor/VERSION (+CONTACT)").
  // "": none (khobord --check-config and the start-up log warn).
  std::string contact;

  bool operator==(const HttpConfig&) const = default;
};

struct Config {
  std::string file;  // the file it was read from
  std::string store_path = "/var/lib/khobor/khobor.db";
  std::string publish_endpoint = "tcp://127.0.0.1:5680";
  // ipc in the runtime directory: root and the khobor group only (issue 14).
  std::string control_endpoint = "ipc:///run/khobor/control";
  std::string publish_curve_secret_key;  // Z85; empty: no CURVE (loopback/ipc only)
  std::string control_curve_secret_key;
  int64_t story_window_s =
      48 * 3600;  // [stories] window: how long an entry can start or join a story
  // [alerts] group_interval: at most one update per alerted event and watch list
  // per this interval (a list's own group_interval wins); 0: every entry at once.
  int64_t group_interval_s = 300;
  int64_t keep_alerts_s = 30 * 86400;  // [store] keep_alerts: how long replay can reach back
  // [store] forget_after: how long after its feed stopped carrying it an entry id
  // (and its link) is forgotten.
  int64_t forget_after_s = 30 * 86400;
  int64_t poll_interval_s = 300;          // [poll] interval: both bounds unless they are given
  int64_t poll_min_interval_s = 120;      // [poll] min_interval
  int64_t poll_max_interval_s = 3600;     // [poll] max_interval
  bool poll_max_interval_set = false;     // … given (or `interval`): it holds under a budget too
  int64_t poll_backoff_cap_s = 6 * 3600;  // [poll] backoff_cap
  int64_t poll_requests_per_day = 0;      // [poll] requests_per_day: a shared budget (0: per feed)
  int64_t poll_requests_per_feed_per_day = 48;  // [poll] requests_per_feed_per_day (0: no budget)
  Backlog poll_backlog;                         // [poll] backlog (per feed: FeedConfig::backlog)
  HttpConfig http;
  std::string watchlists_dir = "/etc/khobor/watchlists";
  log::Level log_level = log::Level::info;
  std::vector<FeedConfig> feeds;
  // [web]: `khobor web`'s address and the window of its page (khobord ignores them).
  std::string web_listen = "127.0.0.1:5682";
  int64_t web_window_s = 24 * 3600;
};

// Read and check the file at `path`.
Result<Config> load_config(const std::string& path);

// The requests a day shared across the feeds: [poll] requests_per_day when given,
// else requests_per_feed_per_day times the enabled feeds; 0: no budget (each
// feed's adaptive interval).
int64_t poll_budget_per_day(const Config& cfg);

// Check `text` as if read from `source_name`; relative paths resolve against `base_dir`.
Result<Config> parse_config(std::string_view text, const std::string& source_name,
                            const std::string& base_dir);

// Every problem in `text`, not only the first: each as "file:line:column: key:
// what" (empty when the file is good). When `checked` is given it receives the
// config with the faulty keys left out (its defaults in their place).
std::vector<std::string> config_problems(std::string_view text, const std::string& source_name,
                                         const std::string& base_dir, Config* checked = nullptr);

// "HOST:PORT" or "[IPv6]:PORT" → (host, port 0-65535); nullopt when it is neither.
std::optional<std::pair<std::string, int>> split_listen(const std::string& listen);

// "300", "90s", "5m", "2h", "1d", "1h30m" → seconds (base/duration.h).
using ::khobor::parse_duration;

}  // namespace khobor::daemon
