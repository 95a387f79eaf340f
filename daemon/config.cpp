// khobor/daemon/config.cpp — khobord's TOML config read table by table, each key
// checked, errors naming the file, line and key.
#include "daemon/config.h"

#include <curl/curl.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

namespace khobor::daemon {
namespace {

// "file:line:column: " for a node (or the file alone when it has no position).
std::string where(const std::string& file, const toml::source_region& src) {
  if (src.begin.line == 0) {
    return file + ": ";
  }
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column) +
         ": ";
}

class Checker {
 public:
  Checker(std::string file, std::string base_dir)
      : m_file(std::move(file)), m_base(std::move(base_dir)) {}

  Error error(const toml::node& node, const std::string& key, const std::string& what) const {
    return make_error("config", where(m_file, node.source()) + key + ": " + what);
  }
  Error error_at(const toml::source_region& src, const std::string& what) const {
    return make_error("config", where(m_file, src) + what);
  }

  // Only the known keys may appear in `table`.
  std::optional<Error> known_keys(const toml::table& table, const std::string& prefix,
                                  std::initializer_list<std::string_view> keys) const {
    for (const auto& [k, v] : table) {
      bool ok = false;
      for (auto known : keys) {
        ok = ok || k.str() == known;
      }
      if (!ok) {
        std::string list;
        for (auto known : keys) {
          list += list.empty() ? "" : ", ";
          list += known;
        }
        return error(v, prefix + std::string(k.str()),
                     "unknown key (known here: " + list + "); see config/khobor.toml");
      }
    }
    return std::nullopt;
  }

  Result<std::string> string(const toml::node& node, const std::string& key) const {
    if (auto s = node.value<std::string>()) {
      if (s->empty()) {
        return error(node, key, "must not be empty");
      }
      return *s;
    }
    return error(node, key, "expected a string in double quotes");
  }

  std::string path(const std::string& p) const {
    std::filesystem::path fp(p);
    if (fp.is_absolute() || m_base.empty()) {
      return p;
    }
    return (std::filesystem::path(m_base) / fp).lexically_normal().string();
  }

 private:
  std::string m_file;
  std::string m_base;
};

// A ZeroMQ endpoint khobord can bind: tcp://host:port or ipc://path.
bool plausible_endpoint(const std::string& e) {
  return (e.rfind("tcp://", 0) == 0 && e.find(':', 6) != std::string::npos) ||
         (e.rfind("ipc://", 0) == 0 && e.size() > 6);
}

// An error text when `url` is no absolute http(s) URL (curl's URL API decides).
std::optional<std::string> check_url(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) {
    return "out of memory";
  }
  std::optional<std::string> problem;
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  if (rc != CURLUE_OK) {
    problem = std::string("not a URL: ") + curl_url_strerror(rc);
  } else {
    char* scheme = nullptr;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
      std::string s = scheme;
      curl_free(scheme);
      if (s != "http" && s != "https") {
        problem = "only http and https URLs are polled, not " + s + "://";
      }
    }
  }
  curl_url_cleanup(u);
  return problem;
}

// An error text when `contact` is no http(s) URL or mailto: address that can
// stand in a User-Agent comment (printable ASCII, no space, no parenthesis).
std::optional<std::string> check_contact(const std::string& contact) {
  const std::string expected =
      " (expected the URL of a page about this fetcher, \"https://…\", or an address, "
      "\"mailto:someone@example.org\"; it is sent in the User-Agent)";
  for (unsigned char ch : contact) {
    if (ch <= 0x20 || ch >= 0x7F || ch == '(' || ch == ')') {
      return "\"" + contact +
             "\" holds a character a User-Agent cannot carry (a space, a parenthesis or a "
             "non-ASCII character; percent-encode it)" +
             expected;
    }
  }
  if (contact.rfind("mailto:", 0) == 0) {
    const auto at = contact.find('@', 7);
    if (at == std::string::npos || at == 7 || at + 1 == contact.size()) {
      return "\"" + contact + "\" is no mail address" + expected;
    }
    return std::nullopt;
  }
  if (contact.rfind("https://", 0) != 0 && contact.rfind("http://", 0) != 0) {
    return "\"" + contact + "\" is neither an http(s) URL nor a mailto: address" + expected;
  }
  if (auto problem = check_url(contact)) {
    return *problem + expected;
  }
  return std::nullopt;
}

// A duration key: seconds (an integer) or a string like "5m", within [lo, hi].
Result<int64_t> duration_value(const Checker& c, const toml::node& n, const std::string& key,
                               int64_t lo, int64_t hi) {
  Result<int64_t> secs = make_error("config", "");
  if (auto i = n.value_exact<int64_t>()) {
    secs = *i;
  } else if (auto s = n.value_exact<std::string>()) {
    secs = parse_duration(*s);
  } else {
    return c.error(n, key, "expected seconds (300) or a string like \"5m\"");
  }
  if (!secs) {
    return c.error(n, key, secs.error().message);
  }
  if (*secs < lo || *secs > hi) {
    return c.error(n, key,
                   "must be between " + std::to_string(lo) + " s and " + std::to_string(hi) +
                       " s, got " + std::to_string(*secs) + " s");
  }
  return *secs;
}

// An integer key within [lo, hi].
Result<int64_t> integer_value(const Checker& c, const toml::node& n, const std::string& key,
                              int64_t lo, int64_t hi) {
  auto i = n.value_exact<int64_t>();
  if (!i) {
    return c.error(n, key, "expected a whole number");
  }
  if (*i < lo || *i > hi) {
    return c.error(n, key,
                   "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                       ", got " + std::to_string(*i));
  }
  return *i;
}

constexpr int64_t k_week_s = 7 * 86400;

// A backlog key: "all", "none" or a duration ("24h", seconds) up to a year.
Result<Backlog> backlog_value(const Checker& c, const toml::node& n, const std::string& key) {
  std::optional<int64_t> secs;
  if (auto i = n.value_exact<int64_t>()) {
    secs = *i;
  } else if (auto s = n.value_exact<std::string>()) {
    if (*s == "all" || *s == "none") {
      return Backlog{*s == "all" ? Backlog::Kind::all : Backlog::Kind::none, 0};
    }
    if (auto d = parse_duration(*s)) {
      secs = *d;
    }
  }
  if (!secs || *secs < 0 || *secs > 365 * 86400) {
    return c.error(n, key,
                   "expected \"all\", \"none\" or a duration up to a year like \"24h\" "
                   "(entries older than that on a feed's first poll do not alert)");
  }
  return Backlog{Backlog::Kind::window, *secs};
}

// [poll]: `interval` alone fixes both bounds; min_interval / max_interval win.
std::optional<Error> read_poll(const Checker& c, const toml::table& t, Config& cfg) {
  bool has_min = false;
  bool has_max = false;
  const std::pair<const char*, int64_t*> keys[] = {
      {"interval", &cfg.poll_interval_s},
      {"min_interval", &cfg.poll_min_interval_s},
      {"max_interval", &cfg.poll_max_interval_s},
      {"backoff_cap", &cfg.poll_backoff_cap_s},
  };
  for (auto [name, target] : keys) {
    if (const toml::node* n = t.get(name)) {
      auto v = duration_value(c, *n, std::string("[poll] ") + name, 1, k_week_s);
      if (!v) {
        return v.error();
      }
      *target = *v;
      has_min = has_min || std::string_view(name) == "min_interval";
      has_max = has_max || std::string_view(name) == "max_interval";
    }
  }
  if (const toml::node* n = t.get("backlog")) {
    auto b = backlog_value(c, *n, "[poll] backlog");
    if (!b) {
      return b.error();
    }
    cfg.poll_backlog = *b;
  }
  if (t.get("interval") != nullptr) {
    if (!has_min) {
      cfg.poll_min_interval_s = cfg.poll_interval_s;
    }
    if (!has_max) {
      cfg.poll_max_interval_s = std::max(cfg.poll_interval_s, cfg.poll_min_interval_s);
    }
  }
  cfg.poll_max_interval_set = has_max || t.get("interval") != nullptr;
  if (const toml::node* n = t.get("requests_per_day")) {
    auto v = integer_value(c, *n, "[poll] requests_per_day", 0, 100'000'000);
    if (!v) {
      return v.error();
    }
    cfg.poll_requests_per_day = *v;
  }
  if (const toml::node* n = t.get("requests_per_feed_per_day")) {
    auto v = integer_value(c, *n, "[poll] requests_per_feed_per_day", 0, 1'000'000);
    if (!v) {
      return v.error();
    }
    cfg.poll_requests_per_feed_per_day = *v;
  }
  if (cfg.poll_min_interval_s > cfg.poll_max_interval_s) {
    return c.error(t, "[poll] min_interval",
                   "is longer than max_interval (" + std::to_string(cfg.poll_min_interval_s) +
                       " s > " + std::to_string(cfg.poll_max_interval_s) + " s)");
  }
  return std::nullopt;
}

std::optional<Error> read_http(const Checker& c, const toml::table& t, HttpConfig& h) {
  const std::tuple<const char*, int64_t*, int64_t, int64_t> durations[] = {
      {"connect_timeout", &h.connect_timeout_s, 1, 600},
      {"timeout", &h.timeout_s, 1, 3600},
      {"low_speed_time", &h.low_speed_time_s, 1, 3600},
  };
  for (auto [name, target, lo, hi] : durations) {
    if (const toml::node* n = t.get(name)) {
      auto v = duration_value(c, *n, std::string("[http] ") + name, lo, hi);
      if (!v) {
        return v.error();
      }
      *target = *v;
    }
  }
  const std::tuple<const char*, int64_t*, int64_t, int64_t> integers[] = {
      {"low_speed_limit", &h.low_speed_bytes, 0, 1'000'000'000},
      {"max_body_bytes", &h.max_body_bytes, 1024, int64_t{1} << 32},
      {"max_redirects", &h.max_redirects, 0, 50},
      {"max_connections", &h.max_connections, 1, 10'000},
      {"max_per_domain", &h.max_per_domain, 1, 10'000},
  };
  for (auto [name, target, lo, hi] : integers) {
    if (const toml::node* n = t.get(name)) {
      auto v = integer_value(c, *n, std::string("[http] ") + name, lo, hi);
      if (!v) {
        return v.error();
      }
      *target = *v;
    }
  }
  if (const toml::node* n = t.get("ca_file")) {
    auto s = c.string(*n, "[http] ca_file");
    if (!s) {
      return s.error();
    }
    h.ca_file = c.path(*s);
  }
  if (const toml::node* n = t.get("proxy")) {
    auto s = c.string(*n, "[http] proxy");
    if (!s) {
      return s.error();
    }
    h.proxy = *s;
  }
  if (const toml::node* n = t.get("contact")) {
    auto s = c.string(*n, "[http] contact");
    if (!s) {
      return s.error();
    }
    if (auto problem = check_contact(*s)) {
      return c.error(*n, "[http] contact", *problem);
    }
    h.contact = *s;
  }
  return std::nullopt;
}

// A [[feed]]'s min_interval, max_interval and headers.
std::optional<Error> read_feed_extras(const Checker& c, const toml::table& t, const Config& cfg,
                                      FeedConfig& f) {
  const std::string label = "[[feed]] " + f.id + " ";
  for (auto [name, target] : {std::pair{"min_interval", &f.min_interval_s},
                              std::pair{"max_interval", &f.max_interval_s}}) {
    if (const toml::node* n = t.get(name)) {
      auto v = duration_value(c, *n, label + name, 1, k_week_s);
      if (!v) {
        return v.error();
      }
      *target = *v;
    }
  }
  if (const toml::node* n = t.get("backlog")) {
    auto b = backlog_value(c, *n, label + "backlog");
    if (!b) {
      return b.error();
    }
    f.backlog = *b;
  }
  int64_t lo = f.min_interval_s > 0 ? f.min_interval_s : cfg.poll_min_interval_s;
  int64_t hi = f.max_interval_s > 0 ? f.max_interval_s : cfg.poll_max_interval_s;
  if (lo > hi) {
    return c.error(t, label + "min_interval",
                   "is longer than the feed's max_interval (" + std::to_string(lo) + " s > " +
                       std::to_string(hi) + " s)");
  }
  if (const toml::node* n = t.get("headers")) {
    const toml::table* h = n->as_table();
    if (h == nullptr) {
      return c.error(*n, label + "headers",
                     "expected a table of header names and values, like "
                     "headers = { \"Authorization\" = \"Bearer …\" }");
    }
    for (const auto& [k, v] : *h) {
      std::string name(k.str());
      auto value = v.value_exact<std::string>();
      bool bad_name = name.empty() || name.find_first_of(": \t\r\n") != std::string::npos;
      if (bad_name || !value || value->find_first_of("\r\n") != std::string::npos) {
        return c.error(v, label + "headers." + name,
                       "expected a header name without spaces or colons and a one-line string "
                       "value");
      }
      f.headers.push_back(name + ": " + *value);
    }
  }
  return std::nullopt;
}

// Seconds from an integer or a duration string ("30d").
Result<int64_t> duration_value(const Checker& c, const toml::node& n, const std::string& key) {
  if (auto i = n.value_exact<int64_t>()) {
    return *i;
  }
  auto s = n.value_exact<std::string>();
  if (!s) {
    return c.error(n, key, "expected seconds (300) or a string like \"5m\" or \"30d\"");
  }
  auto secs = parse_duration(*s);
  if (!secs) {
    return c.error(n, key, secs.error().message);
  }
  return *secs;
}

}  // namespace

namespace {
Result<Config> config_from_table(const toml::table& root, const std::string& source_name,
                                 const std::string& base_dir);

// [web]: where `khobor web` listens ("HOST:PORT", "[v6]:PORT") and its page's window.
std::optional<Error> read_web(const Checker& c, const toml::table& t, Config& cfg) {
  if (const toml::node* n = t.get("listen")) {
    auto s = c.string(*n, "[web] listen");
    if (!s) {
      return s.error();
    }
    if (!split_listen(*s)) {
      return c.error(
          *n, "[web] listen",
          "expected HOST:PORT like \"127.0.0.1:5682\" or \"[::1]:5682\", got \"" + *s + "\"");
    }
    cfg.web_listen = *s;
  }
  if (const toml::node* n = t.get("window")) {
    auto secs = duration_value(c, *n, "[web] window", 60, 30 * 86400);
    if (!secs) {
      return secs.error();
    }
    cfg.web_window_s = *secs;
  }
  return std::nullopt;
}
}  // namespace

Result<Config> parse_config(std::string_view text, const std::string& source_name,
                            const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return make_error("config", where(source_name, e.source()) + std::string(e.description()));
  }
  return config_from_table(root, source_name, base_dir);
}

namespace {

// A top-level [name] table, its keys checked; nullptr when the file has none.
Result<const toml::table*> section_table(const Checker& c, const toml::table& root,
                                         const char* name,
                                         std::initializer_list<std::string_view> keys) {
  const toml::node* n = root.get(name);
  if (n == nullptr) {
    return static_cast<const toml::table*>(nullptr);
  }
  const toml::table* t = n->as_table();
  if (t == nullptr) {
    return c.error(*n, name, std::string("expected a table [") + name + "]");
  }
  if (auto e = c.known_keys(*t, std::string("[") + name + "] ", keys)) {
    return *e;
  }
  return t;
}

// Reads the [name] table with `read` when the file has one.
template <typename Read>
std::optional<Error> with_section(const Checker& c, const toml::table& root, const char* name,
                                  std::initializer_list<std::string_view> keys, Read&& read) {
  auto t = section_table(c, root, name, keys);
  if (!t) {
    return t.error();
  }
  return *t == nullptr ? std::nullopt : read(**t);
}

// [store] path, keep_alerts, forget_after
std::optional<Error> read_store(const Checker& c, const toml::table& t, Config& cfg) {
  if (const toml::node* n = t.get("path")) {
    auto s = c.string(*n, "[store] path");
    if (!s) {
      return s.error();
    }
    cfg.store_path = *s == ":memory:" ? *s : c.path(*s);
  }
  if (const toml::node* n = t.get("keep_alerts")) {
    auto secs = duration_value(c, *n, "[store] keep_alerts");
    if (!secs) {
      return secs.error();
    }
    if (*secs < 60) {
      return c.error(*n, "[store] keep_alerts",
                     "must be at least a minute (\"30d\" is the default), got " +
                         std::to_string(*secs) + " s");
    }
    cfg.keep_alerts_s = *secs;
  }
  if (const toml::node* n = t.get("forget_after")) {
    // At least a day: a feed's interval may reach a day, and an id must outlive
    // the gaps between the bodies that carry it.
    auto secs = duration_value(c, *n, "[store] forget_after", 86400, 10 * 365 * 86400);
    if (!secs) {
      return secs.error();
    }
    cfg.forget_after_s = *secs;
  }
  return std::nullopt;
}

// [publish] or [control]: endpoint, curve_secret_key
std::optional<Error> read_endpoint(const Checker& c, const toml::table& t, const char* name,
                                   std::string& endpoint, std::string& secret) {
  if (const toml::node* n = t.get("endpoint")) {
    std::string key = std::string("[") + name + "] endpoint";
    auto s = c.string(*n, key);
    if (!s) {
      return s.error();
    }
    if (!plausible_endpoint(*s)) {
      return c.error(*n, key,
                     "expected a ZeroMQ endpoint like \"tcp://127.0.0.1:5680\" or "
                     "\"ipc:///run/khobor/alerts.sock\", got \"" +
                         *s + "\"");
    }
    endpoint = *s;
  }
  if (const toml::node* n = t.get("curve_secret_key")) {
    std::string key = std::string("[") + name + "] curve_secret_key";
    auto s = c.string(*n, key);
    if (!s) {
      return s.error();
    }
    if (s->size() != 40) {
      return c.error(*n, key,
                     "expected 40 characters of Z85 (make a pair with `khobor keygen`), got " +
                         std::to_string(s->size()));
    }
    secret = *s;
  }
  return std::nullopt;
}

// [stories] window
std::optional<Error> read_stories(const Checker& c, const toml::table& t, Config& cfg) {
  if (const toml::node* n = t.get("window")) {
    auto secs = duration_value(c, *n, "[stories] window", 3600, 30 * 86400);
    if (!secs) {
      return secs.error();
    }
    cfg.story_window_s = *secs;
  }
  return std::nullopt;
}

// [alerts] group_interval
std::optional<Error> read_alerts(const Checker& c, const toml::table& t, Config& cfg) {
  if (const toml::node* n = t.get("group_interval")) {
    auto secs = duration_value(c, *n, "[alerts] group_interval", 0, 86400);
    if (!secs) {
      return secs.error();
    }
    cfg.group_interval_s = *secs;
  }
  return std::nullopt;
}

// [log] level
std::optional<Error> read_log(const Checker& c, const toml::table& t, Config& cfg) {
  if (const toml::node* n = t.get("level")) {
    auto s = c.string(*n, "[log] level");
    if (!s) {
      return s.error();
    }
    if (!log::parse_level(*s, cfg.log_level)) {
      return c.error(
          *n, "[log] level",
          "expected \"error\", \"warning\", \"notice\", \"info\" or \"debug\", got \"" + *s + "\"");
    }
  }
  return std::nullopt;
}

// One [[feed]] (the index-th, from 1) id, url, enabled and the rest; `ids` are the
// earlier feeds' ids.
std::optional<Error> read_feed(const Checker& c, const toml::table& t, size_t index,
                               std::set<std::string>& ids, Config& cfg) {
  std::string label = "[[feed]] #" + std::to_string(index);
  if (auto e = c.known_keys(
          t, label + " ",
          {"id", "url", "enabled", "min_interval", "max_interval", "headers", "backlog"})) {
    return *e;
  }
  FeedConfig f;
  f.line = static_cast<int>(t.source().begin.line);
  const toml::node* id = t.get("id");
  const toml::node* url = t.get("url");
  if (id == nullptr) {
    return c.error(t, label, "has no id (add id = \"short-name\")");
  }
  if (url == nullptr) {
    return c.error(t, label, "has no url (add url = \"https://…\")");
  }
  auto ids_ = c.string(*id, label + " id");
  if (!ids_) {
    return ids_.error();
  }
  f.id = *ids_;
  for (char ch : f.id) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '"') {
      return c.error(*id, label + " id", "must not contain spaces or quotes: \"" + f.id + "\"");
    }
  }
  if (!ids.insert(f.id).second) {
    return c.error(*id, label + " id", "\"" + f.id + "\" is used by an earlier [[feed]]");
  }
  auto u = c.string(*url, "[[feed]] " + f.id + " url");
  if (!u) {
    return u.error();
  }
  if (auto problem = check_url(*u)) {
    return c.error(*url, "[[feed]] " + f.id + " url", *problem + ": \"" + *u + "\"");
  }
  f.url = *u;
  if (const toml::node* en = t.get("enabled")) {
    auto b = en->value_exact<bool>();
    if (!b) {
      return c.error(*en, "[[feed]] " + f.id + " enabled", "expected true or false");
    }
    f.enabled = *b;
  }
  if (auto e = read_feed_extras(c, t, cfg, f)) {
    return *e;
  }
  cfg.feeds.push_back(std::move(f));
  return std::nullopt;
}

// [[feed]] tables.
std::optional<Error> read_feeds(const Checker& c, const toml::node& n, Config& cfg) {
  const toml::array* arr = n.as_array();
  if (arr == nullptr || (!arr->empty() && !arr->is_array_of_tables())) {
    return c.error(n, "feed", "expected [[feed]] tables, each with id and url");
  }
  std::set<std::string> ids;
  size_t index = 0;
  for (const toml::node& item : *arr) {
    if (auto e = read_feed(c, *item.as_table(), ++index, ids, cfg)) {
      return e;
    }
  }
  return std::nullopt;
}

Result<Config> config_from_table(const toml::table& root, const std::string& source_name,
                                 const std::string& base_dir) {
  Checker c(source_name, base_dir);
  Config cfg;
  cfg.file = source_name;

  if (auto e = c.known_keys(root, "",
                            {"store", "publish", "control", "poll", "http", "stories", "alerts",
                             "watchlists", "feed", "log", "web"})) {
    return *e;
  }
  const auto in = [&](const char* name, std::initializer_list<std::string_view> keys, auto&& read) {
    return with_section(c, root, name, keys, read);
  };
  std::optional<Error> e;
  if ((e = in("store", {"path", "keep_alerts", "forget_after"},
              [&](const toml::table& t) { return read_store(c, t, cfg); })) ||
      (e = in("publish", {"endpoint", "curve_secret_key"},
              [&](const toml::table& t) {
                return read_endpoint(c, t, "publish", cfg.publish_endpoint,
                                     cfg.publish_curve_secret_key);
              })) ||
      (e = in("control", {"endpoint", "curve_secret_key"},
              [&](const toml::table& t) {
                return read_endpoint(c, t, "control", cfg.control_endpoint,
                                     cfg.control_curve_secret_key);
              })) ||
      (e = in("poll",
              {"interval", "min_interval", "max_interval", "backoff_cap", "requests_per_day",
               "requests_per_feed_per_day", "backlog"},
              [&](const toml::table& t) { return read_poll(c, t, cfg); })) ||
      (e = in("http",
              {"connect_timeout", "timeout", "low_speed_limit", "low_speed_time", "max_body_bytes",
               "max_redirects", "max_connections", "max_per_domain", "ca_file", "proxy", "contact"},
              [&](const toml::table& t) { return read_http(c, t, cfg.http); })) ||
      (e = in("stories", {"window"},
              [&](const toml::table& t) { return read_stories(c, t, cfg); })) ||
      (e = in("alerts", {"group_interval"},
              [&](const toml::table& t) { return read_alerts(c, t, cfg); })) ||
      (e = in("log", {"level"}, [&](const toml::table& t) { return read_log(c, t, cfg); }))) {
    return *e;
  }
  // watchlists (top level: must come before the first [table] in the file)
  if (const toml::node* n = root.get("watchlists")) {
    auto s = c.string(*n, "watchlists");
    if (!s) {
      return s.error();
    }
    cfg.watchlists_dir = c.path(*s);
  }
  // [web] listen, window (khobor web's; khobord only checks them)
  if ((e = in("web", {"listen", "window"},
              [&](const toml::table& t) { return read_web(c, t, cfg); }))) {
    return *e;
  }
  if (const toml::node* n = root.get("feed")) {
    if ((e = read_feeds(c, *n, cfg))) {
      return *e;
    }
  }
  return cfg;
}

}  // namespace

namespace {

bool begins_at(const toml::source_region& r, uint32_t line, uint32_t column) {
  return r.begin.line == line && r.begin.column == column;
}

// Remove what begins at line:column (errors point at where a value or a table
// begins), the innermost first; a problem inside a [[feed]] table takes the whole
// table out, so that removing one bad key does not report a follow-on problem
// ("has no url"). False if nothing begins there.
bool remove_at(toml::node& node, uint32_t line, uint32_t column) {
  if (toml::table* t = node.as_table()) {
    for (auto& [k, v] : *t) {
      if ((v.is_table() || v.is_array()) && remove_at(v, line, column)) {
        return true;
      }
    }
    for (auto it = t->begin(); it != t->end(); ++it) {
      if (begins_at(it->first.source(), line, column) ||
          begins_at(it->second.source(), line, column)) {
        t->erase(it);
        return true;
      }
    }
    return false;
  }
  if (toml::array* a = node.as_array()) {
    for (size_t i = 0; i < a->size(); ++i) {
      toml::node& element = (*a)[i];
      bool inside = (element.is_table() || element.is_array()) && remove_at(element, line, column);
      if (inside || begins_at(element.source(), line, column)) {
        a->erase(a->begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> config_problems(std::string_view text, const std::string& source_name,
                                         const std::string& base_dir, Config* checked) {
  std::vector<std::string> problems;
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    problems.push_back(where(source_name, e.source()) + std::string(e.description()));
    return problems;
  }
  // Check, and after each problem take out the key it names and check again, so
  // that every problem is reported once with its own position.
  const std::string prefix = source_name + ":";
  for (int round = 0; round < 1000; ++round) {
    auto r = config_from_table(root, source_name, base_dir);
    if (r) {
      if (checked != nullptr) {
        *checked = std::move(*r);
      }
      break;
    }
    problems.push_back(r.error().message);
    const std::string& m = r.error().message;
    unsigned line = 0;
    unsigned column = 0;
    if (m.rfind(prefix, 0) != 0 ||
        std::sscanf(m.c_str() + prefix.size(), "%u:%u", &line, &column) != 2 ||
        !remove_at(root, line, column)) {
      break;  // a problem without a position to take out: report what we have
    }
  }
  return problems;
}

std::optional<std::pair<std::string, int>> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return std::nullopt;
  }
  std::string host = listen.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char ch : listen.substr(colon + 1)) {
    if (ch < '0' || ch > '9' || port > 65535) {
      return std::nullopt;
    }
    port = port * 10 + (ch - '0');
  }
  if (host.empty() || port > 65535) {
    return std::nullopt;
  }
  return std::make_pair(host, port);
}

int64_t poll_budget_per_day(const Config& cfg) {
  if (cfg.poll_requests_per_day > 0) {
    return cfg.poll_requests_per_day;
  }
  const auto enabled = std::count_if(cfg.feeds.begin(), cfg.feeds.end(),
                                     [](const FeedConfig& f) { return f.enabled; });
  return cfg.poll_requests_per_feed_per_day * static_cast<int64_t>(enabled);
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("config", path +
                                    ": cannot read the configuration file (does it exist? "
                                    "give another one with --config PATH)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string base = std::filesystem::path(path).parent_path().string();
  if (base.empty()) {
    base = ".";
  }
  return parse_config(ss.str(), path, std::filesystem::absolute(base).lexically_normal().string());
}

}  // namespace khobor::daemon
