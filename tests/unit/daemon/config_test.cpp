// Config loading: every key, and errors that name the file, the line and the key.
#include "daemon/config.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"

using khobor::daemon::Config;
using khobor::daemon::load_config;
using khobor::daemon::parse_config;
using khobor::daemon::parse_duration;

namespace {

std::string error_of(const std::string& text) {
  auto r = parse_config(text, "test.toml", "/etc/khobor");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "config");
  return r.error().message;
}

}  // namespace

TEST_CASE("A complete config is read with relative paths resolved against its directory",
          "[daemon][config]") {
  auto r = parse_config(R"(
watchlists = "watchlists"

[store]
path = "state/khobor.db"

[publish]
endpoint = "tcp://127.0.0.1:7650"

[control]
endpoint = "ipc:///run/khobor/control.sock"

[poll]
interval = "5m"

[log]
level = "debug"

[[feed]]
id = "prothomalo"
url = "https://www.prothomalo.com/feed/"

[[feed]]
id = "bbc-bangla"
url = "https://feeds.bbci.co.uk/bengali/rss.xml"
enabled = false
)",
                        "khobor.toml", "/etc/khobor");
  REQUIRE(r.ok());
  const Config& c = *r;
  CHECK(c.watchlists_dir == "/etc/khobor/watchlists");
  CHECK(c.store_path == "/etc/khobor/state/khobor.db");
  CHECK(c.publish_endpoint == "tcp://127.0.0.1:7650");
  CHECK(c.control_endpoint == "ipc:///run/khobor/control.sock");
  CHECK(c.poll_interval_s == 300);
  CHECK(c.log_level == khobor::log::Level::debug);
  REQUIRE(c.feeds.size() == 2);
  CHECK(c.feeds[0].id == "prothomalo");
  CHECK(c.feeds[0].url == "https://www.prothomalo.com/feed/");
  CHECK(c.feeds[0].enabled);
  CHECK(c.feeds[0].line == 19);
  CHECK_FALSE(c.feeds[1].enabled);
}

TEST_CASE("An empty config gives the documented defaults", "[daemon][config]") {
  auto r = parse_config("", "empty.toml", "/etc/khobor");
  REQUIRE(r.ok());
  CHECK(r->store_path == "/var/lib/khobor/khobor.db");
  CHECK(r->publish_endpoint == "tcp://127.0.0.1:5680");
  CHECK(r->control_endpoint == "ipc:///run/khobor/control");
  CHECK(r->poll_interval_s == 300);
  CHECK(r->watchlists_dir == "/etc/khobor/watchlists");
  CHECK(r->feeds.empty());
}

TEST_CASE("A poll interval is seconds or a duration string", "[daemon][config]") {
  CHECK(*parse_duration("90") == 90);
  CHECK(*parse_duration("90s") == 90);
  CHECK(*parse_duration("5m") == 300);
  CHECK(*parse_duration("2h") == 7200);
  CHECK(*parse_duration("1h30m") == 5400);
  CHECK(*parse_duration("1d") == 86400);
  CHECK_FALSE(parse_duration("").ok());
  CHECK_FALSE(parse_duration("5 minutes").ok());
  CHECK_FALSE(parse_duration("m5").ok());
  CHECK_FALSE(parse_duration("1h30").ok());
  auto r = parse_config("[poll]\ninterval = 120\n", "t.toml", "/");
  REQUIRE(r.ok());
  CHECK(r->poll_interval_s == 120);
}

TEST_CASE("A TOML syntax error names the file, the line and the column", "[daemon][config]") {
  std::string msg = error_of("[store]\npath = \"unterminated\n");
  CHECK(msg.rfind("test.toml:2:", 0) == 0);
}

TEST_CASE("A value of the wrong kind names the file, the line and the key", "[daemon][config]") {
  std::string msg = error_of("[store]\npath = \"x.db\"\n\n[poll]\ninterval = \"5 minutes\"\n");
  CHECK(msg.rfind("test.toml:5:", 0) == 0);
  CHECK(msg.find("[poll] interval") != std::string::npos);
  CHECK(msg.find("5 minutes") != std::string::npos);
  CHECK(error_of("[poll]\ninterval = true\n").find("[poll] interval") != std::string::npos);
  CHECK(error_of("[poll]\ninterval = 0\n").find("between") != std::string::npos);
  CHECK(error_of("[log]\nlevel = \"loud\"\n").find("[log] level") != std::string::npos);
  CHECK(error_of("[publish]\nendpoint = \"localhost:5\"\n").find("[publish] endpoint") !=
        std::string::npos);
}

TEST_CASE("An unknown key is an error that names it", "[daemon][config]") {
  std::string msg = error_of("[poll]\nintervall = 60\n");
  CHECK(msg.rfind("test.toml:2:", 0) == 0);
  CHECK(msg.find("[poll] intervall") != std::string::npos);
  CHECK(error_of("[stor]\npath = \"x\"\n").find("stor") != std::string::npos);
}

TEST_CASE("A feed without a url, with a taken id or a non-http URL is refused",
          "[daemon][config]") {
  std::string no_url = error_of("[[feed]]\nid = \"a\"\n");
  CHECK(no_url.rfind("test.toml:1:", 0) == 0);
  CHECK(no_url.find("no url") != std::string::npos);
  std::string dup = error_of(
      "[[feed]]\nid = \"a\"\nurl = \"http://x.example/\"\n[[feed]]\nid = \"a\"\n"
      "url = \"http://y.example/\"\n");
  CHECK(dup.rfind("test.toml:5:", 0) == 0);
  CHECK(dup.find("earlier") != std::string::npos);
  std::string file = error_of("[[feed]]\nid = \"a\"\nurl = \"file:///etc/passwd\"\n");
  CHECK(file.find("[[feed]] a url") != std::string::npos);
  CHECK(file.find("http") != std::string::npos);
  CHECK(error_of("[[feed]]\nid = \"a\"\nurl = \"not a url\"\n").find("[[feed]] a url") !=
        std::string::npos);
}

TEST_CASE("A missing config file is an error that names it", "[daemon][config]") {
  auto r = load_config("/nonexistent/khobor.toml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("/nonexistent/khobor.toml") != std::string::npos);
}

TEST_CASE("A config file on disk resolves paths against its own directory", "[daemon][config]") {
  khobor::testing::TempDir dir;
  {
    std::ofstream out(dir.file("k.toml"));
    out << "watchlists = \"lists\"\n[store]\npath = \"k.db\"\n";
  }
  auto r = load_config(dir.file("k.toml"));
  REQUIRE(r.ok());
  CHECK(r->store_path == dir.file("k.db"));
  CHECK(r->watchlists_dir == dir.file("lists"));
  CHECK(r->file == dir.file("k.toml"));
}

TEST_CASE("Poll bounds default to 2 min and 60 min and a lone interval fixes both",
          "[daemon][config]") {
  auto d = parse_config("", "t.toml", "/");
  REQUIRE(d.ok());
  CHECK(d->poll_min_interval_s == 120);
  CHECK(d->poll_max_interval_s == 3600);
  CHECK(d->poll_backoff_cap_s == 6 * 3600);
  auto fixed = parse_config("[poll]\ninterval = \"1s\"\n", "t.toml", "/");
  REQUIRE(fixed.ok());
  CHECK(fixed->poll_min_interval_s == 1);
  CHECK(fixed->poll_max_interval_s == 1);
  auto both = parse_config(
      "[poll]\ninterval = \"1s\"\nmin_interval = \"1s\"\nmax_interval = \"2s\"\nbackoff_cap = "
      "\"1h\"\n",
      "t.toml", "/");
  REQUIRE(both.ok());
  CHECK(both->poll_min_interval_s == 1);
  CHECK(both->poll_max_interval_s == 2);
  CHECK(both->poll_backoff_cap_s == 3600);
  std::string msg = error_of("[poll]\nmin_interval = \"2h\"\nmax_interval = \"1h\"\n");
  CHECK(msg.find("[poll] min_interval") != std::string::npos);
  CHECK(msg.find("max_interval") != std::string::npos);
}

TEST_CASE("The [http] section is read with its limits checked", "[daemon][config]") {
  auto r = parse_config(R"(
[http]
connect_timeout = "5s"
timeout = "1m"
low_speed_limit = 10
low_speed_time = 20
max_body_bytes = 1048576
max_redirects = 3
max_connections = 8
max_per_domain = 2
ca_file = "ca.pem"
proxy = "http://proxy:3128"
)",
                        "t.toml", "/etc/khobor");
  REQUIRE(r.ok());
  const auto& h = r->http;
  CHECK(h.connect_timeout_s == 5);
  CHECK(h.timeout_s == 60);
  CHECK(h.low_speed_bytes == 10);
  CHECK(h.low_speed_time_s == 20);
  CHECK(h.max_body_bytes == 1048576);
  CHECK(h.max_redirects == 3);
  CHECK(h.max_connections == 8);
  CHECK(h.max_per_domain == 2);
  CHECK(h.ca_file == "/etc/khobor/ca.pem");
  CHECK(h.proxy == "http://proxy:3128");
  CHECK(parse_config("", "t.toml", "/")->http.max_body_bytes == 16 * 1024 * 1024);
  std::string msg = error_of("[http]\nmax_per_domain = 0\n");
  CHECK(msg.find("test.toml:2:") == 0);
  CHECK(msg.find("[http] max_per_domain") != std::string::npos);
  CHECK(error_of("[http]\nverify = false\n").find("unknown key") != std::string::npos);
}

TEST_CASE("[http] contact is an http(s) URL or a mailto: address a User-Agent can carry",
          "[daemon][config]") {
  CHECK(parse_config("", "t.toml", "/")->http.contact.empty());  // none shipped, none invented
  for (const char* good : {"https://newsdesk.example.org/khobor", "http://example.org/bot",
                           "mailto:desk@example.org"}) {
    INFO(good);
    auto r = parse_config(std::string("[http]\ncontact = \"") + good + "\"\n", "t.toml", "/");
    REQUIRE(r.ok());
    CHECK(r->http.contact == good);
  }
  for (const char* bad :
       {"desk@example.org", "ftp://example.org/", "mailto:desk", "https://example.org/a b",
        "https://example.org/(bot)", "https://example.org/\\u00e0", "mailto:@example.org"}) {
    INFO(bad);
    std::string msg = error_of(std::string("[http]\ncontact = \"") + bad + "\"\n");
    CHECK(msg.find("test.toml:2:11: [http] contact") == 0);
    CHECK(msg.find("mailto:someone@example.org") != std::string::npos);  // says what to write
  }
}

TEST_CASE("A feed has its own interval bounds, extra headers and enabled flag",
          "[daemon][config]") {
  auto r = parse_config(R"(
[[feed]]
id = "a"
url = "https://a.example/feed"
min_interval = "5m"
max_interval = "2h"
headers = { "Authorization" = "Bearer x", "X-Client" = "khobor" }
)",
                        "t.toml", "/");
  REQUIRE(r.ok());
  const auto& f = r->feeds.at(0);
  CHECK(f.min_interval_s == 300);
  CHECK(f.max_interval_s == 7200);
  REQUIRE(f.headers.size() == 2);
  CHECK(f.headers[0] == "Authorization: Bearer x");
  CHECK(f.headers[1] == "X-Client: khobor");
  std::string bad = error_of(
      "[[feed]]\nid = \"a\"\nurl = \"https://a.example/\"\nheaders = { \"Bad Name\" = \"v\" }\n");
  CHECK(bad.find("[[feed]] a headers.Bad Name") != std::string::npos);
  std::string order =
      error_of("[[feed]]\nid = \"a\"\nurl = \"https://a.example/\"\nmin_interval = \"3h\"\n");
  CHECK(order.find("[[feed]] a min_interval") != std::string::npos);
}

TEST_CASE("keep_alerts and the CURVE secret keys are read, with errors naming the key",
          "[daemon][config]") {
  auto r = parse_config(
      "[store]\nkeep_alerts = \"12h\"\n[publish]\nendpoint = \"tcp://0.0.0.0:5680\"\n"
      "curve_secret_key = \"0123456789012345678901234567890123456789\"\n",
      "test.toml", "/etc/khobor");
  REQUIRE(r.ok());
  CHECK(r->keep_alerts_s == 12 * 3600);
  CHECK(r->publish_curve_secret_key.size() == 40);
  CHECK(r->control_curve_secret_key.empty());
  CHECK(parse_config("", "t.toml", "/")->keep_alerts_s == 30 * 86400);
  CHECK(error_of("[store]\nkeep_alerts = \"soon\"\n").find("[store] keep_alerts") !=
        std::string::npos);
  CHECK(error_of("[store]\nkeep_alerts = 5\n").find("at least a minute") != std::string::npos);
  CHECK(error_of("[control]\ncurve_secret_key = \"short\"\n")
            .find("test.toml:2:20: [control] curve_secret_key") != std::string::npos);
}

TEST_CASE("A budget of requests per day is a whole number, per feed by default",
          "[daemon][config]") {
  auto none = parse_config("", "t.toml", "/");
  REQUIRE(none);
  CHECK(none->poll_requests_per_day == 0);
  CHECK(none->poll_requests_per_feed_per_day == 48);
  auto r = parse_config("[poll]\nrequests_per_day = 5000\nmax_interval = \"6h\"\n", "t.toml", "/");
  REQUIRE(r);
  CHECK(r->poll_requests_per_day == 5000);
  CHECK(r->poll_max_interval_set);  // it holds under the budget
  CHECK_FALSE(none->poll_max_interval_set);
  CHECK(parse_config("[poll]\ninterval = \"10m\"\n", "t.toml", "/")->poll_max_interval_set);
  CHECK(error_of("[poll]\nrequests_per_day = -1\n").find("[poll] requests_per_day") !=
        std::string::npos);
  CHECK(error_of("[poll]\nrequests_per_day = \"lots\"\n").find("whole number") !=
        std::string::npos);
  CHECK(error_of("[poll]\nrequests_per_feed_per_day = -5\n")
            .find("test.toml:2:29: [poll] requests_per_feed_per_day") != std::string::npos);
}

TEST_CASE("The budget shared is the total when given, else per feed times the enabled feeds",
          "[daemon][config]") {
  const std::string feeds =
      "[[feed]]\nid = \"a\"\nurl = \"http://127.0.0.1:1/a\"\n"
      "[[feed]]\nid = \"b\"\nurl = \"http://127.0.0.1:1/b\"\n"
      "[[feed]]\nid = \"c\"\nurl = \"http://127.0.0.1:1/c\"\nenabled = false\n";
  auto by_default = parse_config(feeds, "t.toml", "/");
  REQUIRE(by_default);
  CHECK(poll_budget_per_day(*by_default) == 2 * 48);  // c is disabled
  auto per_feed = parse_config("[poll]\nrequests_per_feed_per_day = 100\n" + feeds, "t.toml", "/");
  REQUIRE(per_feed);
  CHECK(poll_budget_per_day(*per_feed) == 200);
  auto total = parse_config(
      "[poll]\nrequests_per_day = 500\nrequests_per_feed_per_day = 100\n" + feeds, "t.toml", "/");
  REQUIRE(total);
  CHECK(poll_budget_per_day(*total) == 500);
  auto off = parse_config("[poll]\nrequests_per_feed_per_day = 0\n" + feeds, "t.toml", "/");
  REQUIRE(off);
  CHECK(poll_budget_per_day(*off) == 0);
  auto none = parse_config("", "t.toml", "/");
  REQUIRE(none);
  CHECK(poll_budget_per_day(*none) == 0);  // no feed, nothing to share
}

TEST_CASE("[alerts] group_interval is a duration from 0 to a day, 5 minutes by default",
          "[daemon][config]") {
  CHECK(parse_config("", "t.toml", "/")->group_interval_s == 300);
  CHECK(parse_config("[alerts]\ngroup_interval = \"15m\"\n", "t.toml", "/")->group_interval_s ==
        900);
  CHECK(parse_config("[alerts]\ngroup_interval = 0\n", "t.toml", "/")->group_interval_s == 0);
  CHECK(error_of("[alerts]\ngroup_interval = \"2d\"\n").find("[alerts] group_interval") !=
        std::string::npos);
  CHECK(error_of("[alerts]\ngroup_wait = \"1m\"\n").find("group_wait") != std::string::npos);
}

TEST_CASE("[web] gives khobor web's address and window, bad ones name the key",
          "[daemon][config]") {
  auto r = parse_config("[web]\nlisten = \"[::1]:8080\"\nwindow = \"3d\"\n", "test.toml", "/");
  REQUIRE(r.ok());
  CHECK(r->web_listen == "[::1]:8080");
  CHECK(r->web_window_s == 3 * 86400);
  CHECK(Config{}.web_listen == "127.0.0.1:5682");
  CHECK(khobor::daemon::split_listen("[::1]:8080") == std::make_pair(std::string("::1"), 8080));
  CHECK_FALSE(khobor::daemon::split_listen("localhost"));
  CHECK_FALSE(khobor::daemon::split_listen("host:99999"));
  std::string msg = error_of("[web]\nlisten = \"nowhere\"\n");
  CHECK(msg.rfind("test.toml:2:", 0) == 0);
  CHECK(msg.find("[web] listen") != std::string::npos);
  CHECK(error_of("[web]\nwindow = \"10s\"\n").find("[web] window") != std::string::npos);
  CHECK(error_of("[web]\nport = 1\n").find("[web] port") != std::string::npos);
}
