// alert_latency — inside khobord, the time from a 200 body arriving to its alerts
// leaving the publisher: real snapshot feeds served from a loopback HTTP server
// to a real khobord process, its alerts read by a real ZeroMQ SUB socket.
//
// Each feed directory of ARCHIVE_DIR (`<feed>/<UTC time>_*.xml`, as for
// bench/freshness) is one [[feed]] of one running khobord (`[poll] interval =
// "2s"`). The k-th request of a feed is served its k-th snapshot (its last one
// once it has no more; no validators, so an unchanged body is a 200 that brings
// nothing new): the first poll reads every entry as new (a cold start), later
// polls read the outlet's real change between two snapshots. The watch lists
// are the shipped config/watchlists/ plus one broad list (common Bengali and
// English word prefixes) so that most entries alert; story.update messages go
// out at once (group_interval 0) and are counted apart. The run ends once every
// feed has been served all its snapshots and no message came for a second.
//
// A message's latency is the time the SUB socket read it minus the time the
// server handed its feed's body to the socket (one steady clock, this
// process): it includes the loopback transfer, libcurl, parsing, the store
// transaction, matching, the story and event levels, the publisher and the
// SUB's own read, so it is an upper bound on the daemon's share.
//
// usage: alert_latency ARCHIVE_DIR [--rounds K]   (K: at most K snapshots a feed)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bus/subscriber.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using khobor::testing::HttpReply;
using khobor::testing::HttpRequest;
using khobor::testing::HttpServer;
using khobor::testing::Process;
using khobor::testing::TempDir;

struct Feed {
  std::string id;
  std::vector<std::string> bodies;  // its snapshots, oldest first
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<Feed> load_feeds(const fs::path& root) {
  std::vector<Feed> feeds;
  for (const auto& d : fs::directory_iterator(root)) {
    if (!d.is_directory()) {
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(d.path())) {
      if (f.is_regular_file() && f.path().extension() == ".xml") {
        files.push_back(f.path());
      }
    }
    std::sort(files.begin(), files.end());  // names begin with the UTC time
    Feed feed{d.path().filename().string(), {}};
    for (const auto& f : files) {
      feed.bodies.push_back(read_file(f));
    }
    if (!feed.bodies.empty()) {
      feeds.push_back(std::move(feed));
    }
  }
  std::sort(feeds.begin(), feeds.end(), [](const Feed& a, const Feed& b) { return a.id < b.id; });
  return feeds;
}

// What the server did: how often each feed was asked, and when each of its
// bodies was handed to the socket.
class Served {
 public:
  // The index of the snapshot to serve to this request of `feed`.
  size_t next(const std::string& feed) {
    std::lock_guard lock(m_mutex);
    return m_at[feed].size();
  }
  void mark(const std::string& feed) {
    std::lock_guard lock(m_mutex);
    m_at[feed].push_back(Clock::now());
  }
  // The last time `feed`'s body was served before `t`, and which poll that was.
  std::optional<std::pair<Clock::time_point, size_t>> before(const std::string& feed,
                                                             Clock::time_point t) const {
    std::lock_guard lock(m_mutex);
    auto it = m_at.find(feed);
    if (it == m_at.end()) {
      return std::nullopt;
    }
    auto up = std::upper_bound(it->second.begin(), it->second.end(), t);
    if (up == it->second.begin()) {
      return std::nullopt;
    }
    --up;
    return std::pair{*up, static_cast<size_t>(up - it->second.begin())};
  }
  size_t polls(const std::string& feed) const {
    std::lock_guard lock(m_mutex);
    auto it = m_at.find(feed);
    return it == m_at.end() ? 0 : it->second.size();
  }

 private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::vector<Clock::time_point>> m_at;
};

// A broad list: tokens beginning with a common letter, so most entries alert.
const char* k_broad_list =
    "name = \"broad\"\n"
    "rules = [\"ক*\", \"ব*\", \"স*\", \"প*\", \"ম*\", \"দ*\", \"a*\", \"t*\", \"s*\"]\n";

struct Sample {
  std::string feed;
  size_t poll = 0;  // the feed's poll (0: its first)
  double ms = 0;
  bool update = false;  // story.update (else an alert)
  bool cold = false;    // from the feed's first poll (every entry new)
};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(idx, v.size() - 1)];
}

void print_row(const char* name, const std::vector<Sample>& samples, bool updates) {
  std::vector<double> ms;
  for (const auto& s : samples) {
    if (s.update == updates) {
      ms.push_back(s.ms);
    }
  }
  std::printf("%-36s %8zu %8.1f %8.1f %8.1f %8.1f\n", name, ms.size(), percentile(ms, 0.5),
              percentile(ms, 0.9), percentile(ms, 0.99), ms.empty() ? 0.0 : percentile(ms, 1.0));
}

// The messages of the run, each with its latency, until every feed was served
// `rounds` times (or all its snapshots) and a second passed without a message.
std::vector<Sample> collect(khobor::bus::Subscriber& sub, Process& daemon, const Served& served,
                            const std::vector<Feed>& feeds, size_t rounds, int& unmatched) {
  std::vector<Sample> out;
  auto all_served = [&] {
    return std::all_of(feeds.begin(), feeds.end(), [&](const Feed& f) {
      return served.polls(f.id) >= std::min(rounds, f.bodies.size());
    });
  };
  while (!daemon.wait_for_exit(std::chrono::milliseconds(0))) {
    auto m = sub.receive(1000);
    if (!m) {
      if (all_served()) {
        break;
      }
      continue;
    }
    const Clock::time_point got = Clock::now();
    auto j = nlohmann::json::parse(m->payload, nullptr, false);
    std::string feed = j.is_object() ? j.value("feed", std::string{}) : std::string{};
    auto at = served.before(feed, got);
    if (!at) {
      ++unmatched;
      continue;
    }
    double ms = std::chrono::duration<double, std::milli>(got - at->first).count();
    out.push_back({feed, at->second, ms, m->topic.rfind("story.", 0) == 0, at->second == 0});
  }
  return out;
}

std::string config_text(const TempDir& dir, const std::vector<Feed>& feeds,
                        const HttpServer& server) {
  std::string c =
      "watchlists = \"lists\"\n[store]\npath = \"khobor.db\"\n[publish]\nendpoint = \"" +
      std::string("ipc://") + dir.file("alerts.sock") + "\"\n[control]\nendpoint = \"ipc://" +
      dir.file("control.sock") +
      "\"\n[poll]\ninterval = \"2s\"\n[alerts]\ngroup_interval = \"0s\"\n[log]\nlevel = "
      "\"info\"\n";
  for (const auto& f : feeds) {
    c += "[[feed]]\nid = \"" + f.id + "\"\nurl = \"" + server.url("/f/" + f.id) + "\"\n";
  }
  return c;
}

// Per feed, over its polls after the first: the bodies that sent messages,
// their messages, and the time to each body's last message (p50, max).
void report_feeds(const std::vector<Sample>& all) {
  std::map<std::string, std::map<size_t, std::pair<double, size_t>>> bodies;
  for (const auto& s : all) {
    if (!s.cold) {
      auto& b = bodies[s.feed][s.poll];
      b.first = std::max(b.first, s.ms);
      ++b.second;
    }
  }
  std::printf("\n%-26s %7s %9s %12s %12s\n", "later polls, per feed", "bodies", "messages",
              "last p50 ms", "last max ms");
  for (const auto& [feed, polls] : bodies) {
    std::vector<double> last;
    size_t messages = 0;
    for (const auto& [poll, b] : polls) {
      last.push_back(b.first);
      messages += b.second;
    }
    std::printf("%-26s %7zu %9zu %12.1f %12.1f\n", feed.c_str(), polls.size(), messages,
                percentile(last, 0.5), percentile(last, 1.0));
  }
}

void report(const std::vector<Sample>& all, int unmatched, size_t feeds, size_t rounds) {
  std::vector<Sample> cold;
  std::vector<Sample> warm;
  for (const auto& s : all) {
    (s.cold ? cold : warm).push_back(s);
  }
  std::printf("\n%-36s %8s %8s %8s %8s %8s\n", "body served → message on the SUB", "messages",
              "p50 ms", "p90 ms", "p99 ms", "max ms");
  print_row("first polls (every entry new): alert", cold, false);
  print_row("first polls: story.update", cold, true);
  print_row("later polls (real change): alert", warm, false);
  print_row("later polls: story.update", warm, true);
  print_row("all polls: alert", all, false);
  print_row("all polls: story.update", all, true);
  // Per body (a poll that sent messages): to its first and to its last message.
  std::map<std::pair<std::string, size_t>, std::pair<double, double>> bodies;
  for (const auto& s : all) {
    auto [it, fresh] = bodies.try_emplace({s.feed, s.poll}, s.ms, s.ms);
    it->second.first = std::min(it->second.first, s.ms);
    it->second.second = std::max(it->second.second, s.ms);
  }
  for (bool first_polls : {true, false}) {
    std::vector<double> first;
    std::vector<double> last;
    for (const auto& [key, b] : bodies) {
      if ((key.second == 0) == first_polls) {
        first.push_back(b.first);
        last.push_back(b.second);
      }
    }
    std::printf(
        "%-36s %8zu %8.1f %8.1f %8.1f %8.1f\n",
        first_polls ? "per body, first polls: last message" : "per body, later polls: last message",
        last.size(), percentile(last, 0.5), percentile(last, 0.9), percentile(last, 0.99),
        percentile(last, 1.0));
    std::printf("%-36s %8zu %8.1f %8.1f %8.1f %8.1f\n",
                first_polls ? "per body, first polls: first message"
                            : "per body, later polls: first message",
                first.size(), percentile(first, 0.5), percentile(first, 0.9),
                percentile(first, 0.99), percentile(first, 1.0));
  }
  report_feeds(all);
  if (unmatched > 0) {
    std::printf("(%d messages named no feed served before them)\n", unmatched);
  }
  std::vector<double> alerts;
  for (const auto& s : all) {
    if (!s.update) {
      alerts.push_back(s.ms);
    }
  }
  std::printf(
      "{\"bench\":\"alert_latency\",\"feeds\":%zu,\"rounds\":%zu,\"alerts\":%zu,"
      "\"p50_ms\":%.1f,\"p99_ms\":%.1f}\n",
      feeds, rounds, alerts.size(), percentile(alerts, 0.5), percentile(alerts, 0.99));
}

int usage() {
  std::fprintf(stderr,
               "usage: alert_latency ARCHIVE_DIR [--rounds K]\n"
               "  ARCHIVE_DIR holds <feed>/<UTC time>_*.xml snapshots, e.g.\n"
               "  ../shared/data/feeds-bd/snapshots/W2_2025-12-12_to_19\n");
  return 2;
}

// The archive directory and --rounds (0: as many as the feed with most
// snapshots); false when the command line is not understood.
bool read_args(int argc, char** argv, fs::path& archive, size_t& max_rounds) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      max_rounds = std::stoul(argv[++i]);
    } else if (!a.empty() && a[0] == '-') {
      return false;
    } else {
      archive = a;
    }
  }
  return true;
}

// The feeds by id, and `rounds`: the most snapshots a feed has (at most
// `max_rounds` when that is not 0).
std::map<std::string, const Feed*> index_feeds(const std::vector<Feed>& feeds, size_t max_rounds,
                                               size_t& rounds) {
  rounds = 0;
  std::map<std::string, const Feed*> by_id;
  for (const auto& f : feeds) {
    rounds = std::max(rounds, f.bodies.size());
    by_id[f.id] = &f;
  }
  if (max_rounds > 0) {
    rounds = std::min(rounds, max_rounds);
  }
  return by_id;
}

// khobord's directory: the shipped watch lists and a broad one, and its config
// polling `feeds` on `server`.
void prepare_dir(const TempDir& dir, const std::vector<Feed>& feeds, const HttpServer& server) {
  fs::create_directories(dir.file("lists"));
  for (const auto& f : fs::directory_iterator(fs::path(KHOBOR_SOURCE_DIR) / "config/watchlists")) {
    fs::copy_file(f.path(), fs::path(dir.file("lists")) / f.path().filename());
  }
  write_file(dir.file("lists/broad.toml"), k_broad_list);
  write_file(dir.file("khobor.toml"), config_text(dir, feeds, server));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    return usage();
  }
  fs::path archive;
  size_t max_rounds = 0;
  if (!read_args(argc, argv, archive, max_rounds)) {
    return usage();
  }
  if (archive.empty() || !fs::is_directory(archive)) {
    std::fprintf(stderr, "alert_latency: %s is not a directory\n", archive.c_str());
    return usage();
  }
  std::vector<Feed> feeds = load_feeds(archive);
  if (feeds.empty()) {
    std::fprintf(stderr, "alert_latency: no feed snapshots under %s\n", archive.c_str());
    return 1;
  }
  size_t rounds = 0;
  const std::map<std::string, const Feed*> by_id = index_feeds(feeds, max_rounds, rounds);

  Served served;
  HttpServer server([&](const HttpRequest& req) {
    HttpReply reply;
    auto it = by_id.find(req.path.substr(req.path.rfind('/') + 1));
    if (it == by_id.end()) {
      reply.status = 404;
      return reply;
    }
    const auto& bodies = it->second->bodies;
    size_t k = std::min({served.next(it->first), bodies.size() - 1, rounds - 1});
    reply.body = bodies[k];
    reply.headers.emplace_back("Content-Type", "application/xml");
    served.mark(it->first);  // the body goes to the socket as this returns
    return reply;
  });

  TempDir dir;
  prepare_dir(dir, feeds, server);
  auto sub = khobor::bus::Subscriber::connect("ipc://" + dir.file("alerts.sock"), "");
  if (!sub) {
    std::fprintf(stderr, "alert_latency: %s\n", sub.error().message.c_str());
    return 1;
  }

  std::printf(
      "archive %s: %zu feeds, up to %zu snapshots a feed, one khobord polling every 2 s (%s)\n",
      archive.c_str(), feeds.size(), rounds, KHOBORD_PATH);
  const std::string log = dir.file("khobord.log");
  Process daemon({KHOBORD_PATH, "--config", dir.file("khobor.toml"), "--await-subscriber", "10"},
                 "", log);
  int unmatched = 0;
  std::vector<Sample> all = collect(*sub, daemon, served, feeds, rounds, unmatched);
  daemon.signal(SIGTERM);
  auto status = daemon.wait_for_exit(std::chrono::seconds(30));
  if (!status || *status != 0) {
    std::fprintf(stderr, "alert_latency: khobord did not end cleanly; its log: %s\n", log.c_str());
    return 1;
  }
  report(all, unmatched, feeds.size(), rounds);
  return 0;
}
