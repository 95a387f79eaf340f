// khobord end to end: a real HTTP server on loopback (tests/servers/feed_server.py,
// with ETag and Last-Modified), khobord as a process, alerts received over ZeroMQ,
// state read back from the SQLite store. No sleeps: every wait polls a condition
// with a deadline.
#include <sys/stat.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "bus/control.h"
#include "bus/subscriber.h"
#include "store/store.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zmq_probe.h"

using namespace std::chrono_literals;
using khobor::bus::Message;
using khobor::bus::Subscriber;
using khobor::store::Store;
using khobor::testing::HttpReply;
using khobor::testing::HttpRequest;
using khobor::testing::HttpServer;
using khobor::testing::Process;
using khobor::testing::slurp;
using khobor::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The demo's three outlets carry 5 matching entries: the summit in each of the three
// (watch list "summit") and two weather items (watch list "weather"). The three summit
// reports are one event: its first report alerts, the others are story.update
// messages (group_interval 0: each goes out at once). Which outlet's report comes
// first depends on which transfer ends first, and so can the event level's joins;
// the grouping itself is tested in tests/integration/events and the stories tests.
// The subscriber here takes every topic: 5 messages.
constexpr size_t k_expected_alerts = 5;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class World {
 public:
  explicit World(const std::string& interval = "1h") {
    fs::create_directories(m_dir.file("feeds"));
    fs::create_directories(m_dir.file("lists"));
    for (const char* f : {"dainik-alo.xml", "banglar-kantha.atom", "khobor-chobbish.xml"}) {
      fs::copy_file(std::string(KHOBOR_FIXTURES) + "/demo/" + f, m_dir.file("feeds/") + f);
    }
    write_file(m_dir.file("feeds/broken.xml"), "this is not a feed at all, just text\n");
    for (const char* f : {"summit.toml", "weather.toml"}) {
      fs::copy_file(std::string(KHOBOR_SOURCE_DIR) + "/config/watchlists/" + f,
                    m_dir.file("lists/") + f);
    }
    m_server = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/python3",
                                 std::string(KHOBOR_SOURCE_DIR) + "/tests/servers/feed_server.py",
                                 "--root", m_dir.file("feeds"), "--stdin-lifeline"},
        "", m_dir.file("server.log"), /*stdout_pipe=*/true, /*stdin_pipe=*/true);
    auto line = m_server->read_stdout_line(10s);
    REQUIRE(line.has_value());
    REQUIRE(line->rfind("PORT ", 0) == 0);
    m_port = std::stoi(line->substr(5));
    endpoint = "ipc://" + m_dir.file("alerts.sock");
    store_path = m_dir.file("khobor.db");
    config_path = m_dir.file("khobor.toml");
    write_config(interval);
    auto sub = Subscriber::connect(endpoint, "");  // alerts and story updates
    REQUIRE(sub.ok());
    m_sub = std::make_unique<Subscriber>(std::move(*sub));
  }

  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + "/files/" + name;
  }

  void write_config(const std::string& interval) {
    std::string c =
        "watchlists = \"lists\"\n[store]\npath = \"khobor.db\"\n[publish]\nendpoint = \"" +
        endpoint + "\"\n[control]\nendpoint = \"ipc://" + m_dir.file("control.sock") +
        "\"\n[poll]\nbacklog = \"" + backlog + "\"\ninterval = \"" + interval +
        "\"\n[alerts]\ngroup_interval = \"0s\"\n[log]\nlevel = \"debug\"\n";
    for (auto [id, file] :
         std::map<std::string, std::string>{{"dainik-alo", "dainik-alo.xml"},
                                            {"banglar-kantha", "banglar-kantha.atom"},
                                            {"khobor-chobbish", "khobor-chobbish.xml"},
                                            {"broken", "broken.xml"}}) {
      c += "[[feed]]\nid = \"" + id + "\"\nurl = \"" + url(file) + "\"\n";
    }
    for (const auto& [id, path] : m_extra_feeds) {
      c += "[[feed]]\nid = \"" + id + "\"\nurl = \"http://127.0.0.1:" + std::to_string(m_port) +
           path + "\"\n";
    }
    write_file(config_path, c);
  }

  // Adds a feed served from one of the server's generated paths (/grow/…, /regen/…)
  // and rewrites the config (same poll interval as before).
  void add_feed(const std::string& id, const std::string& server_path,
                const std::string& interval = "1h") {
    m_extra_feeds[id] = server_path;
    write_config(interval);
  }

  std::string feed_file(const std::string& name) const { return m_dir.file("feeds/" + name); }
  std::string file(const std::string& name) const { return m_dir.file(name); }

  // khobord --once; returns its exit status and leaves its log in `log`.
  int run_once(std::string& log) {
    std::string log_file = m_dir.file("khobord-" + std::to_string(++m_runs) + ".log");
    Process p({KHOBORD_PATH, "--config", config_path, "--once", "--await-subscriber", "10"}, "",
              log_file);
    auto status = p.wait_for_exit(60s);
    log = slurp(log_file);
    REQUIRE(status.has_value());
    return *status;
  }

  std::unique_ptr<Process> start_daemon(const std::string& log_file) {
    return std::make_unique<Process>(
        std::vector<std::string>{KHOBORD_PATH, "--config", config_path, "--await-subscriber", "10"},
        "", log_file);
  }

  // Up to `n` alerts, waiting at most `timeout` in all.
  std::vector<Message> receive(size_t n, std::chrono::milliseconds timeout) {
    std::vector<Message> out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        break;
      }
      if (auto m = m_sub->receive(static_cast<int>(left))) {
        out.push_back(std::move(*m));
      }
    }
    return out;
  }

  Store store() {
    auto s = Store::open(store_path);
    REQUIRE(s.ok());
    return std::move(*s);
  }

  std::string endpoint;
  std::string store_path;
  std::string config_path;
  // [poll] backlog: "all" (alert on the fixtures' 2023 entries) unless a test says.
  std::string backlog = "all";

 private:
  TempDir m_dir;
  std::unique_ptr<Process> m_server;
  std::unique_ptr<Subscriber> m_sub;
  int m_port = 0;
  int m_runs = 0;
  std::map<std::string, std::string> m_extra_feeds;  // id -> server path
};

// Wait until `log_file` contains `needle` (bounded).
bool log_shows(const std::string& log_file, const std::string& needle,
               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (slurp(log_file).find(needle) != std::string::npos) {
      return true;
    }
    // A bounded poll of a file another process writes: wait on nothing but time.
    pollfd none{-1, 0, 0};
    ::poll(&none, 0, 20);
  }
  return false;
}

}  // namespace

TEST_CASE("khobord --once publishes the expected alerts with the documented fields", "[e2e]") {
  World w;
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  auto got = w.receive(k_expected_alerts, 20s);
  INFO(log);
  REQUIRE(got.size() == k_expected_alerts);

  std::multiset<std::string> topics;
  std::set<std::string> summit_feeds;
  int64_t last_seq = 0;
  for (const auto& m : got) {
    json a = json::parse(m.payload);
    topics.insert(m.topic);
    CHECK(a["v"] == 1);
    CHECK(a["seq"].get<int64_t>() > last_seq);  // unique and increasing
    last_seq = a["seq"].get<int64_t>();
    CHECK(a["entry"]["link"].get<std::string>().rfind("https://", 0) == 0);
    CHECK(a["entry"]["published"].is_string());
    CHECK(a["event"].is_object());
    if (m.topic == "story.update") {
      CHECK(a["watchlist"] == "summit");
      summit_feeds.insert(a["feed"].get<std::string>());
      continue;
    }
    CHECK(m.topic == "alert." + a["watchlist"].get<std::string>());
    CHECK_FALSE(a["rule"].get<std::string>().empty());
    CHECK_FALSE(a["feed"].get<std::string>().empty());
    CHECK_FALSE(a["entry"]["id"].get<std::string>().empty());
    CHECK_FALSE(a["entry"]["title"].get<std::string>().empty());
    CHECK_FALSE(a["hits"].empty());
    if (a["watchlist"] == "summit") {
      summit_feeds.insert(a["feed"].get<std::string>());
    }
  }
  CHECK(topics.count("alert.summit") >= 1);
  CHECK(topics.count("alert.summit") + topics.count("story.update") == 3);
  CHECK(topics.count("alert.weather") == 2);
  CHECK(summit_feeds == std::set<std::string>{"dainik-alo", "banglar-kantha", "khobor-chobbish"});
  CHECK(w.store().alert_count() == static_cast<int64_t>(k_expected_alerts));
  CHECK(w.store().unpublished(10).empty());
}

TEST_CASE("A malformed feed is that feed's error while the other feeds still alert", "[e2e]") {
  World w;
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  CHECK(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);
  Store s = w.store();
  auto broken = s.feed_state("broken");
  REQUIRE(broken.has_value());
  CHECK(broken->http_status == 200);
  CHECK(broken->error.find("unreadable feed") != std::string::npos);
  CHECK(broken->consecutive_errors == 1);
  CHECK(log.find("feed broken (" + w.url("broken.xml") + ")") != std::string::npos);
  for (const char* id : {"dainik-alo", "banglar-kantha", "khobor-chobbish"}) {
    auto f = s.feed_state(id);
    REQUIRE(f.has_value());
    CHECK(f->error.empty());
    CHECK(f->entries == 3);
  }
}

TEST_CASE("A second run on the same store sends conditional requests and publishes nothing new",
          "[e2e]") {
  World w;
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);
  {
    Store s = w.store();
    auto f = s.feed_state("dainik-alo");
    REQUIRE(f.has_value());
    CHECK_FALSE(f->etag.empty());
    CHECK_FALSE(f->last_modified.empty());
  }
  REQUIRE(w.run_once(log) == 0);
  INFO(log);
  Store s = w.store();
  CHECK(s.alert_count() == static_cast<int64_t>(k_expected_alerts));
  for (const char* id : {"dainik-alo", "banglar-kantha", "khobor-chobbish"}) {
    CHECK(s.feed_state(id)->http_status == 304);
  }
  CHECK(log.find("stopped: 4 feeds, ") != std::string::npos);
  CHECK(log.find(" 2 watch lists, 0 alerts published") != std::string::npos);
  // Nothing reaches the subscriber either (a bounded look, not a wait for success).
  CHECK(w.receive(1, 500ms).empty());
}

TEST_CASE("A feed that gains an entry alerts once for the new entry only", "[e2e]") {
  World w;
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);

  std::string path = w.feed_file("dainik-alo.xml");
  std::string xml = slurp(path);
  const std::string item =
      "<item><title>রাজশাহীতে তীব্র তাপপ্রবাহ, তাপমাত্রা ৪১ ডিগ্রি</title>"
      "<link>https://dainik-alo.example/country/rajshahi-heat</link>"
      "<guid isPermaLink=\"false\">dainik-alo-2023-0913-0050</guid>"
      "<pubDate>Wed, 13 Sep 2023 19:00:00 +0600</pubDate>"
      "<description>আবহাওয়া অফিস জানিয়েছে, আগামী তিন দিন তাপপ্রবাহ চলবে।</description></item>";
  xml.insert(xml.find("<item>"), item);
  write_file(path, xml);

  REQUIRE(w.run_once(log) == 0);
  auto got = w.receive(1, 20s);
  REQUIRE(got.size() == 1);
  CHECK(w.receive(1, 500ms).empty());  // and only that one
  json a = json::parse(got[0].payload);
  CHECK(a["seq"] == static_cast<int64_t>(k_expected_alerts) + 1);
  CHECK(a["feed"] == "dainik-alo");
  CHECK(a["entry"]["id"] == "dainik-alo-2023-0913-0050");
  CHECK(a["watchlist"] == "weather");
}

TEST_CASE("A new feed alerts only on entries within [poll] backlog, later polls on every new one",
          "[e2e][backlog]") {
  World w;
  w.backlog = "24h";
  w.write_config("1h");
  // A weather report of an hour ago among the fixture's entries of 2023.
  char date[64];
  const std::time_t hour_ago = std::time(nullptr) - 3600;
  std::tm tm{};
  gmtime_r(&hour_ago, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string path = w.feed_file("dainik-alo.xml");
  std::string xml = slurp(path);
  xml.insert(xml.find("<item>"),
             std::string("<item><title>রাজশাহীতে তীব্র তাপপ্রবাহ, তাপমাত্রা ৪১ ডিগ্রি</title>"
                         "<link>https://dainik-alo.example/country/rajshahi-heat</link>"
                         "<guid isPermaLink=\"false\">fresh-1</guid><pubDate>") +
                 date + "</pubDate></item>");
  write_file(path, xml);

  std::string log;
  REQUIRE(w.run_once(log) == 0);
  INFO(log);
  auto got = w.receive(1, 20s);
  REQUIRE(got.size() == 1);
  CHECK(json::parse(got[0].payload)["entry"]["id"] == "fresh-1");
  CHECK(w.receive(1, 500ms).empty());  // the 2023 entries were quiet
  CHECK(log.find("feed dainik-alo: first poll: 3 of its 4 entries are older than [poll] "
                 "backlog") != std::string::npos);
  CHECK(w.store().seen("khobor-chobbish",
                       "https://khobor-chobbish.example/country/2023/09/13/cyclone-signal"));

  // No longer new: an old-dated entry added now alerts.
  xml = slurp(path);
  xml.insert(xml.find("<item>"),
             "<item><title>সিলেটে বন্যা, পানিবন্দি হাজারো মানুষ</title>"
             "<link>https://dainik-alo.example/country/sylhet-rain</link>"
             "<guid isPermaLink=\"false\">late-1</guid>"
             "<pubDate>Wed, 13 Sep 2023 19:00:00 +0600</pubDate></item>");
  write_file(path, xml);
  REQUIRE(w.run_once(log) == 0);
  got = w.receive(1, 20s);
  REQUIRE(got.size() == 1);
  CHECK(json::parse(got[0].payload)["entry"]["id"] == "late-1");
}

TEST_CASE("The ipc control socket is for its group only, a loopback TCP one is warned about",
          "[e2e][control]") {
  World w;
  const std::string log_file = w.file("daemon.log");
  {
    auto d = w.start_daemon(log_file);
    REQUIRE(log_shows(log_file, "serving", 20s));
    struct stat st {};
    REQUIRE(::stat(w.file("control.sock").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0660);
    CHECK(slurp(log_file).find("is loopback TCP") == std::string::npos);
    d->signal(SIGTERM);
    REQUIRE(d->wait_for_exit(5s).has_value());
  }
  std::string c = slurp(w.config_path);
  c.replace(c.find("ipc://" + w.file("control.sock")), ("ipc://" + w.file("control.sock")).size(),
            "tcp://127.0.0.1:*");
  write_file(w.config_path, c);
  const std::string tcp_log = w.file("daemon-tcp.log");
  auto d = w.start_daemon(tcp_log);
  REQUIRE(log_shows(tcp_log, "serving", 20s));
  CHECK(slurp(tcp_log).find("[control] endpoint = \"tcp://127.0.0.1:*\" is loopback TCP: any "
                            "local user can send reload") != std::string::npos);
  d->signal(SIGTERM);
  REQUIRE(d->wait_for_exit(5s).has_value());
}

TEST_CASE("reload rebinds changed publish and control endpoints and names what needs a restart",
          "[e2e][reload]") {
  World w("1s");
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  REQUIRE(log_shows(log_file, "serving", 20s));
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);
  const std::string old_control = "ipc://" + w.file("control.sock");
  const std::string new_control = "ipc://" + w.file("control-2.sock");
  const std::string new_publish = "ipc://" + w.file("alerts-2.sock");
  std::string c = slurp(w.config_path);
  c.replace(c.find(old_control), old_control.size(), new_control);
  c.replace(c.find(w.endpoint), w.endpoint.size(), new_publish);
  c.replace(c.find("path = \"khobor.db\""), 18, "path = \"other.db\"");
  write_file(w.config_path, c);
  auto sub = Subscriber::connect(new_publish, "");
  REQUIRE(sub.ok());

  auto reply = khobor::bus::control_request(old_control, R"({"cmd":"reload"})", 10000);
  REQUIRE(reply);
  const json r = json::parse(*reply);
  CHECK(r["ok"] == true);
  REQUIRE(r["restart_needed"].size() == 1);
  CHECK(r["restart_needed"][0].get<std::string>().rfind("[store] path", 0) == 0);
  REQUIRE(log_shows(log_file, "reload: the control socket is on " + new_control, 10s));
  CHECK(log_shows(log_file, "reload: alerts are published on " + new_publish, 1s));
  CHECK(log_shows(log_file, "reload: [store] path (the store stays", 1s));

  // The new control socket answers, and status still names the restart.
  auto status = khobor::bus::control_request(new_control, R"({"cmd":"status"})", 10000);
  REQUIRE(status);
  CHECK(json::parse(*status)["restart_needed"].size() == 1);
  // A new entry is published on the new endpoint.
  std::string path = w.feed_file("dainik-alo.xml");
  std::string xml = slurp(path);
  xml.insert(xml.find("<item>"),
             "<item><title>সিলেটে বন্যা, পানিবন্দি হাজারো মানুষ</title><link>https://"
             "dainik-alo.example/sylhet-flood</link><guid>flood-2</guid></item>");
  write_file(path, xml);
  std::optional<Message> m;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (!m && std::chrono::steady_clock::now() < until) {
    m = sub->receive(500);
  }
  REQUIRE(m.has_value());
  CHECK(json::parse(m->payload)["entry"]["id"] == "flood-2");
  d->signal(SIGTERM);
  REQUIRE(d->wait_for_exit(5s).has_value());
}

// Occurrences of `needle` in `text`.
size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("A repaired feed is said once when it begins and once when it ends, and status shows it",
          "[e2e][odd]") {
  World w("1s");
  const std::string path = w.feed_file("dainik-alo.xml");
  const std::string good = slurp(path);
  std::string broken = good;
  broken.replace(broken.find("</title>", broken.find("<item>")), 8, " & আরও</title>");
  write_file(path, broken);
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  const std::string begins = "feed dainik-alo (" + w.url("dainik-alo.xml") +
                             "): not well-formed, repaired (said once; again when it ends)";
  REQUIRE(log_shows(log_file, begins, 20s));
  // Still broken, but changed: read again (a 200), and not said again.
  broken.replace(broken.find(" & আরও"), 12, " & আরও কিছু");
  write_file(path, broken);
  REQUIRE(log_shows(log_file, "feed dainik-alo: 3 entries, 0 new", 20s));
  CHECK(count_of(slurp(log_file), "not well-formed, repaired (said once") == 1);
  auto status =
      khobor::bus::control_request("ipc://" + w.file("control.sock"), R"({"cmd":"feeds"})", 5000);
  REQUIRE(status);
  bool shown = false;
  const json reply = json::parse(*status);  // kept: the loop reads into it
  for (const auto& f : reply["feeds"]) {
    shown = shown || (f["id"] == "dainik-alo" &&
                      f["odd"].get<std::string>().rfind("not well-formed, repaired", 0) == 0);
  }
  INFO(*status);
  CHECK(shown);
  write_file(path, good);
  REQUIRE(log_shows(log_file, "feed dainik-alo: its document reads cleanly again", 20s));
  d->signal(SIGTERM);
  REQUIRE(d->wait_for_exit(5s).has_value());
}

TEST_CASE("The daemon polls again on its interval without repeating alerts and stops on SIGTERM",
          "[e2e]") {
  World w("1s");
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);
  // A second round: every good feed answers 304 (logged as "not modified").
  REQUIRE(log_shows(log_file, "feed khobor-chobbish: not modified", 20s));
  REQUIRE(log_shows(log_file, "feed dainik-alo: not modified", 20s));
  CHECK(w.receive(1, 300ms).empty());
  d->signal(SIGTERM);
  auto status = d->wait_for_exit(2s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(w.store().alert_count() == static_cast<int64_t>(k_expected_alerts));

  // Restarted on the same store: nothing new is published.
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  CHECK(w.store().alert_count() == static_cast<int64_t>(k_expected_alerts));
  CHECK(w.receive(1, 300ms).empty());
}

TEST_CASE("SIGHUP with a bad config keeps the old one and says why, and SIGINT stops", "[e2e]") {
  World w("1h");
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);
  write_file(w.config_path, "[poll]\ninterval = \"soon\"\n");
  d->signal(SIGHUP);
  REQUIRE(log_shows(log_file, "reload: keeping the old configuration", 10s));
  std::string log = slurp(log_file);
  CHECK(log.find(w.config_path + ":2:") != std::string::npos);
  CHECK(log.find("[poll] interval") != std::string::npos);
  CHECK_FALSE(d->wait_for_exit(0ms).has_value());  // still running

  w.write_config("1h");
  d->signal(SIGHUP);
  REQUIRE(log_shows(log_file, "reloaded " + w.config_path, 10s));
  d->signal(SIGINT);
  auto status = d->wait_for_exit(2s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("A bad config makes khobord exit 78 naming the file, the line and the key", "[e2e]") {
  TempDir dir;
  const std::string cfg = dir.file("bad.toml");
  write_file(cfg, "[store]\npath = \"k.db\"\n\n[[feed]]\nid = \"x\"\nurl = \"gopher://x/\"\n");
  const std::string log_file = dir.file("log");
  Process p({KHOBORD_PATH, "--config", cfg, "--once"}, "", log_file);
  auto status = p.wait_for_exit(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 78);
  std::string log = slurp(log_file);
  CHECK(log.find(cfg + ":6:") != std::string::npos);
  CHECK(log.find("[[feed]] x url") != std::string::npos);
}

TEST_CASE("A watch list written into the directory takes effect without a signal", "[e2e]") {
  World w("1s");
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  REQUIRE(w.receive(k_expected_alerts, 20s).size() == k_expected_alerts);

  // A bad list is reported with file:line:column and left out; the others stay.
  write_file(w.file("lists/bad.toml"), "rules = [\n  'ইলিশ AND',\n]\n");
  REQUIRE(log_shows(log_file, w.file("lists/bad.toml") + ":2:", 5s));
  CHECK(slurp(log_file).find("left out") != std::string::npos);

  // A new list, saved the way editors do (written aside, renamed into place).
  write_file(w.file("lists/.fish.toml.tmp"), "name = \"fish\"\nrules = ['ইলিশ']\n");
  fs::rename(w.file("lists/.fish.toml.tmp"), w.file("lists/fish.toml"));
  REQUIRE(log_shows(log_file, "watch lists reloaded from", 5s));
  REQUIRE(log_shows(log_file, "3 list(s)", 5s));

  // The next poll finds an entry that only the new list matches.
  std::string path = w.feed_file("dainik-alo.xml");
  std::string xml = slurp(path);
  const std::string item =
      "<item><title>পদ্মায় ইলিশের দাম কমেছে</title>"
      "<link>https://dainik-alo.example/economy/hilsa</link>"
      "<guid isPermaLink=\"false\">dainik-alo-2023-0914-0001</guid>"
      "<pubDate>Thu, 14 Sep 2023 08:00:00 +0600</pubDate>"
      "<description>বাজারে ইলিশ এসেছে।</description></item>";
  xml.insert(xml.find("<item>"), item);
  write_file(path, xml);
  auto got = w.receive(1, 20s);
  REQUIRE(got.size() == 1);
  json a = json::parse(got[0].payload);
  CHECK(a["watchlist"] == "fish");
  CHECK(a["entry"]["id"] == "dainik-alo-2023-0914-0001");

  d->signal(SIGTERM);
  auto status = d->wait_for_exit(2s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}

TEST_CASE("An alert committed but not published before a stop goes out at the next start",
          "[e2e]") {
  World w;
  std::string left_over;
  {
    // As if khobord had committed the alert and died before sending it.
    Store s = w.store();
    auto tx = s.begin();
    s.append_alert({"alert.summit", "summit", "dainik-alo", "left-over-1"}, 1, [&](int64_t seq) {
      left_over = json{{"v", 1}, {"seq", seq}, {"watchlist", "summit"}}.dump();
      return left_over;
    });
    tx.commit();
  }
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  auto got = w.receive(k_expected_alerts + 1, 20s);
  REQUIRE(got.size() == k_expected_alerts + 1);
  CHECK(got[0].topic == "alert.summit");
  CHECK(got[0].payload == left_over);  // the stored bytes, with the seq it was given
  CHECK(json::parse(got[1].payload)["seq"] == 2);
  CHECK(w.store().unpublished(10).empty());
}

TEST_CASE("khobord --check-config accepts a good config and names a bad watch list's line",
          "[e2e]") {
  TempDir dir;
  fs::create_directories(dir.file("lists"));
  write_file(dir.file("k.toml"), "watchlists = \"lists\"\n[store]\npath = \"k.db\"\n");
  write_file(dir.file("lists/good.toml"), "rules = [\"পুতিন\"]\n");
  {
    Process p({KHOBORD_PATH, "--config", dir.file("k.toml"), "--check-config"}, dir.file("out-1"),
              dir.file("err-1"));
    auto status = p.wait_for_exit(30s);
    REQUIRE(status.has_value());
    CHECK(*status == 0);
    CHECK(slurp(dir.file("out-1")).find("1 watch list(s)") != std::string::npos);
    // No [http] contact: a warning, not a problem.
    CHECK(slurp(dir.file("err-1"))
              .find("warning: " + dir.file("k.toml") + ": [http] contact is not set") !=
          std::string::npos);
  }
  write_file(dir.file("lists/bad.toml"), "name = \"bad\"\nrules = [\"পুতিন AND\"]\n");
  Process p({KHOBORD_PATH, "--config", dir.file("k.toml"), "--check-config"}, dir.file("out-2"),
            dir.file("err-2"));
  auto status = p.wait_for_exit(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 78);
  CHECK(slurp(dir.file("err-2")).find(dir.file("lists/bad.toml") + ":2:") != std::string::npos);
}

TEST_CASE("A feed whose guids change on every poll alerts once, then is identified by its links",
          "[e2e]") {
  World w;
  w.add_feed("regen", "/regen/kremlin.xml");
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  INFO(log);
  int64_t last = 0;
  size_t regen_alerts = 0;
  size_t alerts = 0;
  {
    Store s = w.store();
    last = s.last_seq();
    for (const auto& a : s.alerts_after(0, 100)) {
      ++alerts;  // the subscriber takes alerts and story updates
      if (a.topic.rfind("alert.", 0) == 0) {
        regen_alerts += json::parse(a.payload)["feed"] == "regen" ? 1 : 0;
      }
    }
    CHECK_FALSE(s.feed_identity("regen")->link_ids);
  }
  CHECK(regen_alerts >= 1);
  CHECK(w.receive(alerts, 20s).size() == alerts);

  // Second poll: the same five links under new guids. Nothing is alerted or
  // updated, and the log says once that the feed now uses link ids.
  REQUIRE(w.run_once(log) == 0);
  const std::string note = "regen: its guids change on every poll";
  size_t at = log.find(note);
  CHECK(at != std::string::npos);
  CHECK(log.find(note, at + 1) == std::string::npos);
  {
    Store s = w.store();
    CHECK(s.alerts_after(last, 100).empty());
    auto id = s.feed_identity("regen");
    REQUIRE(id.has_value());
    CHECK(id->link_ids);
    CHECK(s.seen("regen", "http://127.0.0.1/kremlin/1"));  // the canonical link is the id
  }
  CHECK(w.receive(1, 500ms).empty());

  // Third poll: new guids again; still nothing, and nothing more said.
  REQUIRE(w.run_once(log) == 0);
  CHECK(log.find(note) == std::string::npos);
  CHECK(w.store().alerts_after(last, 100).empty());
  CHECK(w.receive(1, 500ms).empty());
}

TEST_CASE("khobord's requests name the operator's [http] contact in the User-Agent", "[e2e]") {
  const std::string feed = slurp(std::string(KHOBOR_FIXTURES) + "/demo/dainik-alo.xml");
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200, {{"Content-Type", "application/rss+xml; charset=utf-8"}}, feed};
  });
  TempDir dir;
  fs::create_directories(dir.file("lists"));
  write_file(dir.file("k.toml"),
             "watchlists = \"lists\"\n[store]\npath = \"k.db\"\n[publish]\n"
             "endpoint = \"ipc://" +
                 dir.file("alerts.sock") +
                 "\"\n[http]\ncontact = \"mailto:desk@example.org\"\n"
                 "[[feed]]\nid = \"dainik-alo\"\nurl = \"" +
                 server.url("/feed.xml") + "\"\n");
  Process p({KHOBORD_PATH, "--config", dir.file("k.toml"), "--once"}, "", dir.file("log"));
  auto status = p.wait_for_exit(60s);
  INFO(slurp(dir.file("log")));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].header("user-agent") == "khobor/" KHOBOR_VERSION " (+mailto:desk@example.org)");
  CHECK(slurp(dir.file("log")).find("[http] contact is not set") == std::string::npos);
}

TEST_CASE("A 20 MB control request is dropped unread and khobord stays up and answers status",
          "[e2e]") {
  World w;
  const std::string log_file = w.file("daemon.log");
  auto d = w.start_daemon(log_file);
  const std::string control = "ipc://" + w.file("control.sock");
  // Up: the control socket answers (bounded retries while khobord starts).
  auto up_until = std::chrono::steady_clock::now() + 20s;
  khobor::Result<std::string> status = khobor::make_error("control", "not asked yet");
  while (!status && std::chrono::steady_clock::now() < up_until) {
    status = khobor::bus::control_request(control, R"({"cmd":"status"})", 500);
  }
  INFO(slurp(log_file));
  REQUIRE(status);

  const std::string big = R"({"cmd":"status","pad":")" + std::string(20 << 20, 'x') + "\"}";
  auto outcome = khobor::testing::probe_request(control, big, 30s);
  CHECK(outcome.disconnected);
  CHECK_FALSE(outcome.replied);

  status = khobor::bus::control_request(control, R"({"cmd":"status"})", 5000);
  REQUIRE(status);
  CHECK(json::parse(*status)["ok"] == true);
  CHECK_FALSE(d->wait_for_exit(0ms).has_value());  // still running
  d->signal(SIGTERM);
  auto exit_status = d->wait_for_exit(5s);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
}

namespace {

// The tests' own reading of an RFC 3339 UTC time ("2023-09-13T09:55:00Z").
int64_t utc_seconds(const std::string& rfc3339) {
  std::tm tm{};
  REQUIRE(::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  return static_cast<int64_t>(::timegm(&tm));
}

// `t` shifted by a fixed offset, as "YYYY-MM-DD HH:MM".
std::string wall_minute(int64_t t, int offset_minutes) {
  std::time_t x = static_cast<std::time_t>(t + offset_minutes * 60);
  std::tm tm{};
  ::gmtime_r(&x, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(slurp(path));
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("khobor sub prints alerts and story updates alike: the entry's time, zone shown",
          "[e2e]") {
  World w;
  fs::copy_file(std::string(KHOBOR_FIXTURES) + "/demo/sonar-desh.xml",
                w.feed_file("sonar-desh.xml"));
  w.add_feed("sonar-desh", "/files/sonar-desh.xml");  // a word-for-word copy: a story update
  std::string log;
  REQUIRE(w.run_once(log) == 0);
  const int64_t n = w.store().alert_count();
  REQUIRE(n > static_cast<int64_t>(k_expected_alerts));
  auto d = w.start_daemon(w.file("daemon.log"));
  auto sub = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv = {KHOBOR_PATH,    "sub",       "--endpoint",
                                     w.endpoint,     "--control", "ipc://" + w.file("control.sock"),
                                     "--from-start", "--count",   std::to_string(n),
                                     "--timeout",    "30"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Process p(argv, w.file(name + ".out"), w.file(name + ".err"));
    auto status = p.wait_for_exit(60s);
    INFO(slurp(w.file(name + ".err")));
    REQUIRE(status.has_value());
    CHECK(*status == 0);
    return lines_of(w.file(name + ".out"));
  };
  const auto json_lines = sub("json", {"--format", "json"});
  const auto dhaka = sub("dhaka", {"--format", "text"});
  const auto kolkata = sub("kolkata", {"--format", "text", "--tz", "Asia/Kolkata"});
  REQUIRE(json_lines.size() == static_cast<size_t>(n));
  REQUIRE(dhaka.size() == json_lines.size());
  REQUIRE(kolkata.size() == json_lines.size());
  size_t updates = 0;
  size_t aside = 0;                      // updates after another event's line
  std::optional<uint64_t> last_event;    // of the line before
  std::map<uint64_t, int64_t> alert_of;  // event → the seq of its alert
  for (size_t i = 0; i < json_lines.size(); ++i) {
    json m = json::parse(json_lines[i]);
    const bool update = m.contains("outlet_count");
    updates += update ? 1 : 0;
    const json& published = m["entry"]["published"];
    const int64_t t = utc_seconds(published.is_string() ? published.get<std::string>()
                                                        : m["time"].get<std::string>());
    const uint64_t event = m["event"]["id"].get<uint64_t>();
    const int64_t seq = m["seq"].get<int64_t>();
    // An update right under its event's lines reads "└"; after another event's
    // line, "↳" and the alert that opened its event. Both name the list and event.
    const bool under = update && last_event == event;
    aside += update && !under ? 1 : 0;
    std::string head = update ? (under ? "  └ #" : "  ↳ #") : "#";
    head += std::to_string(seq) + " ";
    std::string tail =
        " [" + m["watchlist"].get<std::string>() + ", event " + std::to_string(event);
    if (update && !under && alert_of.count(event) != 0) {
      tail += " (alert #" + std::to_string(alert_of[event]) + ")";
    }
    if (!update) {
      alert_of.emplace(event, seq);
    }
    last_event = event;
    CHECK(dhaka[i].rfind(head + wall_minute(t, 360) + " +06:00" + tail, 0) == 0);
    CHECK(kolkata[i].rfind(head + wall_minute(t, 330) + " +05:30" + tail, 0) == 0);
  }
  CHECK(updates >= 1);  // both kinds of line were printed
  // The feeds interleave the summit with a flood alert: both update forms appear.
  CHECK(aside >= 1);
  CHECK(aside < updates);

  Process bad({KHOBOR_PATH, "sub", "--endpoint", w.endpoint, "--tz", "Nowhere/Atlantis"}, "",
              w.file("bad.err"));
  auto status = bad.wait_for_exit(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 2);
  CHECK(slurp(w.file("bad.err")).find("unknown time zone") != std::string::npos);
  d->signal(SIGTERM);
  CHECK(d->wait_for_exit(5s).has_value());
}
