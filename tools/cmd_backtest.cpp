// khobor backtest --archive DIR --watchlists DIR — what would have fired?
//
// Replays an archive of feed snapshots laid out as DIR/<feed>/<UTC time>_<anything>.xml
// (e.g. ../shared/data/feeds-bd/snapshots/<window>/) in time order through the
// daemon's path: parse → new entries only (by feed and entry id) → story index →
// watch lists, with one alert per (story, watch list) and a story.update when a
// later entry joins a story that was alerted. Prints JSON lines (one per alert or
// update); on a terminal, or with --summary, a readable summary of each alerted
// story follows (its outlets and first-seen time).

// GCC 12 reports a false "potential null pointer dereference" inside CLI11's inlined
// string helpers (CLI::detail::split); it is not in our code.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/dates.h"
#include "feeds/parser.h"
#include "stories/cluster.h"
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

struct AlertedStory {
  int64_t first_seen = 0;
  std::string first_title;
  std::set<std::string> watchlists;
  std::vector<std::string> sources;
  uint32_t entries = 0;
};

int run_backtest(int argc, char** argv) {
  CLI::App app{
      "Replay an archive of feed snapshots through parse -> story -> match and print the "
      "alerts and story updates that would have fired",
      "khobor backtest"};
  std::string archive;
  std::string watchlists;
  bool summary = isatty(STDOUT_FILENO) != 0;
  khobor::stories::StoryOptions options;
  double window_hours = static_cast<double>(options.window_seconds) / 3600.0;
  app.add_option("--archive", archive, "directory of <feed>/<UTC time>_<anything>.xml snapshots")
      ->required();
  app.add_option("--watchlists", watchlists, "directory of watch-list TOML files")->required();
  app.add_option("--window", window_hours, "story window in hours (the daemon's default: 72)");
  app.add_flag("--summary,!--no-summary", summary,
               "print a readable summary of the alerted stories after the JSON lines "
               "(default: on a terminal)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  options.window_seconds = static_cast<int64_t>(window_hours * 3600.0);
  if (!fs::is_directory(archive)) {
    std::fprintf(stderr, "khobor backtest: --archive %s is not a directory\n", archive.c_str());
    return 2;
  }
  if (!fs::is_directory(watchlists)) {
    std::fprintf(stderr, "khobor backtest: --watchlists %s is not a directory\n",
                 watchlists.c_str());
    return 2;
  }
  std::vector<khobor::watch::LoadProblem> problems;
  const auto watches = khobor::watch::WatchSet::load_dir(watchlists, problems);
  for (const auto& p : problems) {
    std::fprintf(stderr, "khobor backtest: %s\n", p.to_string().c_str());
  }
  if (watches.list_count() == 0) {
    std::fprintf(stderr, "khobor backtest: no usable watch list in %s\n", watchlists.c_str());
    return 2;
  }

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
  if (snapshots.empty()) {
    std::fprintf(stderr, "khobor backtest: no snapshots under %s\n", archive.c_str());
    return 1;
  }

  khobor::stories::StoryIndex index(options);
  std::set<std::pair<std::string, std::string>> seen;  // (feed, entry id)
  std::map<uint64_t, AlertedStory> alerted;
  std::size_t entries_total = 0;
  std::size_t alerts = 0;
  std::size_t updates = 0;
  for (const Snapshot& snap : snapshots) {
    const std::string body = read_file(snap.path);
    auto parsed = khobor::feeds::parse_feed(body);
    if (!parsed) {
      std::fprintf(stderr, "khobor backtest: %s: %s; skipped\n", snap.path.c_str(),
                   parsed.error().message.c_str());
      continue;
    }
    for (const auto& entry : parsed->entries) {
      if (!seen.emplace(snap.feed, entry.id).second) {
        continue;  // seen in an earlier snapshot
      }
      ++entries_total;
      const auto fp = khobor::stories::fingerprint(entry.title, entry.summary, entry.content);
      const auto story = index.add(entry.id, snap.feed, fp, snap.time);
      const std::string when = khobor::feeds::format_rfc3339(snap.time);
      const auto it = alerted.find(story.story);
      if (it != alerted.end()) {
        // A later entry of an alerted story: one update, whichever lists it was for.
        ++updates;
        it->second.sources = story.sources;
        it->second.entries = story.entry_count;
        ordered_json u;
        u["type"] = "story.update";
        u["time"] = when;
        u["story"] = story.story;
        u["entry"] = {
            {"id", entry.id}, {"feed", snap.feed}, {"title", entry.title}, {"link", entry.link}};
        u["outlet_count"] = story.outlet_count;
        u["entry_count"] = story.entry_count;
        u["sources"] = story.sources;
        u["watchlists"] = it->second.watchlists;
        std::printf("%s\n", u.dump(-1, ' ', false, ordered_json::error_handler_t::replace).c_str());
      }
      const khobor::watch::EntryText text{snap.feed, entry.title, entry.summary, entry.content};
      for (const auto& match : watches.match(text)) {
        auto& a = alerted[story.story];
        if (!a.watchlists.insert(match.watchlist).second) {
          continue;  // this story was already alerted for this list
        }
        if (a.entries == 0) {
          a.first_seen = story.first_seen;
          a.first_title = entry.title;
          a.sources = story.sources;
          a.entries = story.entry_count;
        }
        ++alerts;
        ordered_json j;
        j["type"] = "alert";
        j["time"] = when;
        j["watchlist"] = match.watchlist;
        j["rule"] = match.rule;
        j["feed"] = snap.feed;
        j["entry"] = {{"id", entry.id}, {"title", entry.title}, {"link", entry.link}};
        ordered_json hits = ordered_json::array();
        for (const auto& h : match.hits) {
          hits.push_back(
              {{"term", h.term}, {"field", h.field}, {"begin", h.begin}, {"end", h.end}});
        }
        j["hits"] = hits;
        j["snippet"] = match.snippet;
        j["story"] = {{"id", story.story},
                      {"sources", story.sources},
                      {"first_seen", khobor::feeds::format_rfc3339(story.first_seen)}};
        std::printf("%s\n", j.dump(-1, ' ', false, ordered_json::error_handler_t::replace).c_str());
      }
    }
  }
  std::fflush(stdout);
  if (summary) {
    std::fprintf(stdout,
                 "\n%zu snapshots, %zu new entries, %zu stories in the last window; %zu alerts, "
                 "%zu story updates\n",
                 snapshots.size(), entries_total, index.story_count(), alerts, updates);
    for (const auto& [id, a] : alerted) {
      std::string lists;
      for (const auto& w : a.watchlists) {
        lists += (lists.empty() ? "" : ", ") + w;
      }
      std::string outlets;
      for (const auto& s : a.sources) {
        outlets += (outlets.empty() ? "" : ", ") + s;
      }
      std::fprintf(stdout,
                   "  story %llu [%s] first seen %s, %u entries from %zu outlets (%s)\n    %s\n",
                   static_cast<unsigned long long>(id), lists.c_str(),
                   khobor::feeds::format_rfc3339(a.first_seen).c_str(), a.entries, a.sources.size(),
                   outlets.c_str(), a.first_title.c_str());
    }
  }
  return 0;
}

const khobor::tools::Registration k_reg{
    "backtest", "replay archived feed snapshots through parse -> story -> match", &run_backtest};

}  // namespace
