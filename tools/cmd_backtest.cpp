// khobor backtest --archive DIR --watchlists DIR — what would have fired?
//
// Replays an archive of feed snapshots laid out as DIR/<feed>/<UTC time>_<anything>.xml
// (e.g. ../shared/data/feeds-bd/snapshots/<window>/) in time order through the
// daemon's own pipeline (daemon/pipeline.h) on a store in memory, its clock set to
// each snapshot's time: new entries only (by feed and entry id, and one entry per
// canonical link) → story index → event index → watch lists, with one alert per
// (event, watch list) and story.update messages for later matching entries of an
// alerted event, coalesced to one per group_interval as khobord does. Prints JSON
// lines (each alert's or update's message with a "type"); on a terminal, or with
// --summary, a readable summary of each alerted event follows.

// GCC 12 reports a false "potential null pointer dereference" inside CLI11's inlined
// string helpers (CLI::detail::split); it is not in our code.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/duration.h"
#include "bus/alert.h"
#include "daemon/pipeline.h"
#include "feeds/dates.h"
#include "feeds/parser.h"
#include "store/store.h"
#include "stories/cluster.h"
#include "stories/events.h"
#include "stories/story_index.h"
#include "tools/command.h"
#include "watch/watchset.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

struct Snapshot {
  int64_t time = 0;  // from the file name, seconds since the epoch (UTC)
  std::string feed;
  fs::path path;
};

// "20251113T0402Z_…" or "20251113T040210Z_…" → seconds since the epoch.
std::optional<int64_t> snapshot_time(const std::string& name) {
  const auto underscore = name.find('_');
  const std::string stamp = name.substr(0, underscore);
  if (stamp.size() < 14 || stamp[8] != 'T' || stamp.back() != 'Z') {
    return std::nullopt;
  }
  std::string iso = stamp.substr(0, 4) + "-" + stamp.substr(4, 2) + "-" + stamp.substr(6, 2) + "T" +
                    stamp.substr(9, 2) + ":" + stamp.substr(11, 2);
  iso += stamp.size() >= 16 ? ":" + stamp.substr(13, 2) + "Z" : ":00Z";
  return khobor::stories::parse_rfc3339(iso);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct AlertedEvent {
  int64_t first_seen = 0;
  std::string first_title;
  std::set<std::string> watchlists;
  std::vector<std::string> sources;
  uint32_t outlets = 0;
  uint32_t entries = 0;
};

// Prints the outbox's messages after `after` as JSON lines with their "type"
// ("alert" or "story.update") and tallies them; returns the last seq printed.
int64_t print_new(khobor::store::Store& store, int64_t after,
                  std::map<uint64_t, AlertedEvent>& alerted, std::size_t& alerts,
                  std::size_t& updates) {
  for (;;) {
    const auto rows = store.alerts_after(after, 256);
    if (rows.empty()) {
      return after;
    }
    for (const auto& row : rows) {
      after = row.seq;
      const ordered_json payload = ordered_json::parse(row.payload);
      const bool update = row.topic == khobor::bus::k_story_update_topic;
      ordered_json line;
      line["type"] = update ? "story.update" : "alert";
      for (const auto& [key, value] : payload.items()) {
        line[key] = value;
      }
      std::printf("%s\n",
                  line.dump(-1, ' ', false, ordered_json::error_handler_t::replace).c_str());
      const ordered_json& ev = payload.at("event");
      AlertedEvent& a = alerted[ev.at("id").get<uint64_t>()];
      if (update) {
        ++updates;
      } else {
        ++alerts;
        a.watchlists.insert(payload.at("watchlist").get<std::string>());
        if (a.first_title.empty()) {
          a.first_title = payload.at("entry").at("title").get<std::string>();
          a.first_seen =
              khobor::stories::parse_rfc3339(ev.at("first_seen").get<std::string>()).value_or(0);
        }
      }
      a.sources = ev.at("sources").get<std::vector<std::string>>();
      a.outlets = std::max(a.outlets, ev.at("outlet_count").get<uint32_t>());
      a.entries = std::max(a.entries, ev.at("entry_count").get<uint32_t>());
    }
  }
}

// --backlog as [poll] backlog: "all" (nothing quiet), "none" or a duration.
struct BacklogArg {
  bool all = true;
  bool none = false;
  int64_t seconds = 0;
};

std::optional<BacklogArg> parse_backlog(const std::string& text) {
  if (text == "all" || text == "none") {
    return BacklogArg{text == "all", text == "none", 0};
  }
  const auto secs = khobor::parse_duration(text);
  if (!secs || *secs < 0) {
    return std::nullopt;
  }
  return BacklogArg{false, false, *secs};
}

// What a feed's snapshot at `time` keeps quiet: only its first one is affected.
khobor::daemon::Quiet snapshot_quiet(const BacklogArg& backlog, bool first, int64_t time) {
  khobor::daemon::Quiet q;
  if (first && !backlog.all) {
    q.all = backlog.none;
    q.before_s = backlog.none ? q.before_s : time - backlog.seconds;
  }
  return q;
}

// The archive's snapshots (<feed>/<UTC time>_*.xml) in time order; names without a
// time are said and skipped.
std::vector<Snapshot> find_snapshots(const std::string& archive) {
  std::vector<Snapshot> snapshots;
  for (const auto& feed_dir : fs::directory_iterator(archive)) {
    if (!feed_dir.is_directory()) {
      continue;
    }
    for (const auto& file : fs::directory_iterator(feed_dir.path())) {
      const std::string name = file.path().filename().string();
      if (!file.is_regular_file() || file.path().extension() != ".xml") {
        continue;
      }
      const auto t = snapshot_time(name);
      if (!t) {
        std::fprintf(stderr,
                     "khobor backtest: %s: the name does not start with a UTC time like "
                     "20251113T0402Z_; skipped\n",
                     file.path().c_str());
        continue;
      }
      snapshots.push_back(Snapshot{*t, feed_dir.path().filename().string(), file.path()});
    }
  }
  std::sort(snapshots.begin(), snapshots.end(), [](const Snapshot& a, const Snapshot& b) {
    return a.time != b.time ? a.time < b.time : a.path < b.path;
  });
  return snapshots;
}

// What a replay printed, for the summary.
struct Replayed {
  std::size_t entries = 0;  // new entries
  std::size_t alerts = 0;
  std::size_t updates = 0;
  std::map<uint64_t, AlertedEvent> alerted;
};

// Every snapshot through the daemon's pipeline in time order, the clock at each
// snapshot's time; alerts and updates are printed as they are stored.
void replay(const std::vector<Snapshot>& snapshots, khobor::store::Store& store,
            khobor::ManualClock& clock, khobor::daemon::Pipeline& pipeline,
            const khobor::watch::WatchSet& watches, const BacklogArg& backlog, Replayed& out) {
  int64_t printed = 0;
  std::set<std::string> fed;  // feeds whose first snapshot was replayed
  // Coalesced updates due by `until` go out at their due times, as khobord's timer sends them.
  auto flush_until = [&](int64_t until_ms) {
    for (int64_t due = store.next_update_due(); due != 0 && due <= until_ms;
         due = store.next_update_due()) {
      clock.set_ms(std::max(due, clock.now_ms()));
      (void)pipeline.flush_updates();
    }
    printed = print_new(store, printed, out.alerted, out.alerts, out.updates);
  };
  for (const Snapshot& snap : snapshots) {
    const std::string body = read_file(snap.path);
    auto parsed = khobor::feeds::parse_feed(body);
    if (!parsed) {
      std::fprintf(stderr, "khobor backtest: %s: %s; skipped\n", snap.path.c_str(),
                   parsed.error().message.c_str());
      continue;
    }
    flush_until(snap.time * 1000);
    clock.set_ms(std::max(snap.time * 1000, clock.now_ms()));
    khobor::store::FeedState state;
    state.feed_id = snap.feed;
    state.url = snap.path.string();
    state.http_status = 200;
    const bool first = fed.insert(snap.feed).second;
    const auto res = pipeline.process(snap.feed, *parsed, watches, state,
                                      snapshot_quiet(backlog, first, snap.time));
    out.entries += res.new_entries;
    printed = print_new(store, printed, out.alerted, out.alerts, out.updates);
  }
  flush_until(std::numeric_limits<int64_t>::max());
}

// The readable summary after the JSON lines: counts, then each alerted event.
void print_summary(std::size_t n_snapshots, std::size_t stories, std::size_t events,
                   const Replayed& out) {
  std::fprintf(stdout,
               "\n%zu snapshots, %zu new entries, %zu stories and %zu events in the last "
               "window; %zu alerts, %zu story updates\n",
               n_snapshots, out.entries, stories, events, out.alerts, out.updates);
  for (const auto& [id, a] : out.alerted) {
    std::string lists;
    for (const auto& w : a.watchlists) {
      lists += (lists.empty() ? "" : ", ") + w;
    }
    std::string outlets;
    for (const auto& s : a.sources) {
      outlets += (outlets.empty() ? "" : ", ") + s;
    }
    std::fprintf(stdout,
                 "  event %llu [%s] first seen %s, %u entries from %u outlets (%s)\n    %s\n",
                 static_cast<unsigned long long>(id), lists.c_str(),
                 khobor::feeds::format_rfc3339(a.first_seen).c_str(), a.entries, a.outlets,
                 outlets.c_str(), a.first_title.c_str());
  }
}

// False (and said on stderr) when `path`, given as `flag`, is not a directory.
bool is_directory_or_say(const char* flag, const std::string& path) {
  if (fs::is_directory(path)) {
    return true;
  }
  std::fprintf(stderr, "khobor backtest: %s %s is not a directory\n", flag, path.c_str());
  return false;
}

// The watch lists of `dir`, their problems said on stderr; nullopt when none is usable.
std::optional<khobor::watch::WatchSet> load_watches(const std::string& dir) {
  std::vector<khobor::watch::LoadProblem> problems;
  auto watches = khobor::watch::WatchSet::load_dir(dir, problems);
  for (const auto& p : problems) {
    std::fprintf(stderr, "khobor backtest: %s\n", p.to_string().c_str());
  }
  if (watches.list_count() == 0) {
    std::fprintf(stderr, "khobor backtest: no usable watch list in %s\n", dir.c_str());
    return std::nullopt;
  }
  return watches;
}

// The archive's snapshots through a pipeline on an in-memory store, its clock at
// each snapshot's time; the JSON lines printed, then the summary with `summary`.
int replay_archive(const std::string& archive, const khobor::stories::StoryOptions& options,
                   int64_t group_interval_s, const khobor::watch::WatchSet& watches,
                   const BacklogArg& backlog, bool summary) {
  const std::vector<Snapshot> snapshots = find_snapshots(archive);
  if (snapshots.empty()) {
    std::fprintf(stderr, "khobor backtest: no snapshots under %s\n", archive.c_str());
    return 1;
  }
  auto store = khobor::store::Store::open(":memory:");
  if (!store) {
    std::fprintf(stderr, "khobor backtest: %s\n", store.error().message.c_str());
    return 1;
  }
  khobor::ManualClock clock(snapshots.front().time * 1000);
  khobor::stories::StoryIndex index(options);
  khobor::stories::EventIndex events;
  khobor::daemon::Pipeline pipeline(*store, clock, &index, &events,
                                    khobor::daemon::UpdatePolicy{group_interval_s});
  Replayed out;
  replay(snapshots, *store, clock, pipeline, watches, backlog, out);
  std::fflush(stdout);
  if (summary) {
    print_summary(snapshots.size(), index.story_count(), events.event_count(), out);
  }
  return 0;
}

int run_backtest(int argc, char** argv) {
  CLI::App app{
      "Replay an archive of feed snapshots through parse -> story -> event -> match and print "
      "the alerts and story updates that would have fired",
      "khobor backtest"};
  std::string archive;
  std::string watchlists;
  bool summary = isatty(STDOUT_FILENO) != 0;
  khobor::stories::StoryOptions options;
  double window_hours = static_cast<double>(options.window_seconds) / 3600.0;
  std::string group_interval = "5m";
  std::string backlog_text = "all";
  app.add_option("--archive", archive, "directory of <feed>/<UTC time>_<anything>.xml snapshots")
      ->required();
  app.add_option("--watchlists", watchlists, "directory of watch-list TOML files")->required();
  app.add_option("--window", window_hours, "story window in hours (the daemon's default: 48)");
  app.add_option("--group-interval", group_interval,
                 "at most one story.update per alerted event and watch list per this interval "
                 "(seconds or \"5m\"; a list's own group_interval wins; the daemon's default: "
                 "5m)");
  app.add_option("--backlog", backlog_text,
                 "as khobord's [poll] backlog: entries dated more than this (\"24h\") before "
                 "a feed's first snapshot alert nothing; \"none\": nothing in a first "
                 "snapshot alerts (default \"all\": every entry of the archive is fresh)");
  app.add_flag("--summary,!--no-summary", summary,
               "print a readable summary of the alerted stories after the JSON lines "
               "(default: on a terminal)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  options.window_seconds = static_cast<int64_t>(window_hours * 3600.0);
  const auto interval_s = khobor::parse_duration(group_interval);
  if (!interval_s) {
    std::fprintf(stderr, "khobor backtest: --group-interval: %s\n",
                 interval_s.error().message.c_str());
    return 2;
  }
  const auto backlog = parse_backlog(backlog_text);
  if (!backlog) {
    std::fprintf(stderr,
                 "khobor backtest: --backlog: expected \"all\", \"none\" or a duration like "
                 "\"24h\", got \"%s\"\n",
                 backlog_text.c_str());
    return 2;
  }
  if (!is_directory_or_say("--archive", archive) ||
      !is_directory_or_say("--watchlists", watchlists)) {
    return 2;
  }
  const auto watches = load_watches(watchlists);
  if (!watches) {
    return 2;
  }
  return replay_archive(archive, options, *interval_s, *watches, *backlog, summary);
}

const khobor::tools::Registration k_reg{
    "backtest", "replay archived feed snapshots through parse -> story -> event -> match",
    &run_backtest};

}  // namespace
