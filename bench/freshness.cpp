// freshness — how soon each entry is seen, how many roll off unseen, and what it
// costs in requests: real publication timelines replayed through khobord's own
// scheduling code (daemon/schedule.h: PollPlanner, decide, jittered_due_s — the
// calls the daemon makes, on a simulated clock), beside the pollers a user would
// otherwise pick, in the same run on the same timelines.
//
// The timelines. Every `<feed>/<UTC time>_*.xml` snapshot of ARCHIVE_DIR is read
// with the project's parser (feeds/parser.h); entries are deduplicated (by link,
// else id) and keep the first published (else updated) date seen. A feed's size N
// is the most entries any of its snapshots held. The feed's content at simulated
// time t is the N newest entries published by t; a poll is answered 200 when that
// content changed since the poller's last poll, else 304. The snapshots keep no
// HTTP headers (../shared/data/README.md), so answers carry no Cache-Control or
// Expires; the feeds' own <ttl> is honoured by khobord, as in the daemon.
// A feed is replayed from 24 h before its first snapshot (or its first
// snapshot's oldest entry, when later: nothing earlier is known) to its last
// snapshot; the entries published in that span are counted. After the span the
// content stays as it was and the pollers go on (their requests no longer
// counted) until every counted entry is seen or has rolled off.
//
// What is reported, per feed and overall: entries, missed (rolled off before any
// poll saw them), delay from publication to the poll that saw each entry
// (p50/p90/p99/mean), requests per feed per day, share answered 304; then one
// JSON line per scheduler: scheduler, requests, missed, entries, delay_p50_s,
// delay_p90_s, delay_mean_s (plus p99 and the budget khobord was given).
//
// Schedulers: fixed 5, 15 and 60 min; Miniflux's entry_frequency rule as its
// documentation (miniflux.1, POLLING_SCHEDULER) states it — the interval is the
// average gap between the last week's entries, 7 d / (weekly entries × FACTOR),
// clamped to [MIN_INTERVAL, MAX_INTERVAL] (defaults 5 min, 24 h, factor 1),
// MAX_INTERVAL when the week has no entry; the week's entries are those this
// poller has seen, by published date. khobord as configured by default (a budget
// of [poll] requests_per_feed_per_day, 48, times the feeds), khobord without a
// budget (khobord-adaptive: each feed's adaptive interval, 2 to 60 min), and
// khobord with `[poll] requests_per_day` set to the
// largest budget whose requests do not exceed each peer's (found by bisection),
// configured as the daemon is under a budget without an explicit max_interval
// (the bound passed is 24 h, the planner's ceiling relative to the budget), or
// with --budget-max-interval as an explicit max_interval; --feed-max-interval
// FEED=S gives one feed khobord's [[feed]] max_interval = S. Each
// scheduler runs --runs times (default 5: other first-poll phases, in the first
// hour, and jitter); requests and entries are printed per run, missed summed
// over the runs, delays pooled. --missed lists, per scheduler and feed, the
// publication dates of the entries missed, when they rolled off and in how many
// runs.
//
// usage: freshness ARCHIVE_DIR [--per-feed] [--missed] [--seed N] [--min-interval S]
//          [--max-interval S] [--budget-max-interval S] [--requests-per-day R]
//          [--miniflux-min S] [--miniflux-max S] [--miniflux-factor F] [--runs K]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <queue>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/snapshots.h"
#include "bench/stats.h"
#include "daemon/config.h"
#include "daemon/schedule.h"
#include "feeds/parser.h"

namespace {

using khobor::bench::percentile;

namespace fs = std::filesystem;
using khobor::bench::feed_dirs;
using khobor::bench::k_archive_usage;
using khobor::bench::read_file;
using khobor::bench::snapshot_files;
using khobor::daemon::FeedPollState;
using khobor::daemon::PollBounds;
using khobor::daemon::PollDecision;
using khobor::daemon::PollObservation;
using khobor::daemon::PollPlanner;
using khobor::daemon::Rng;

constexpr int64_t k_day_s = 86400;
constexpr int64_t k_week_s = 7 * k_day_s;
constexpr int64_t k_lookback_s = k_day_s;   // replayed before the first snapshot
constexpr int64_t k_warmup_s = 3600;        // first polls in this hour, at random phases
constexpr int64_t k_drain_s = 2 * k_day_s;  // pollers go on this long after the span

// ---- The archive --------------------------------------------------------------

struct Timeline {
  std::string feed;
  std::vector<int64_t> published;  // ascending: every known entry of the feed
  size_t size = 0;                 // N: entries the feed carries
  int64_t ttl_s = 0;               // the feed's own <ttl> / sy:updatePeriod (last snapshot)
  int64_t begin_s = 0;             // the pollers start in [begin_s, begin_s + k_warmup_s) …
  int64_t start_s = 0;             // … and are measured from here (begin_s + k_warmup_s) …
  int64_t end_s = 0;               // … to here
  size_t first_counted = 0;  // entries [first_counted, last_counted) are published in the span
  size_t last_counted = 0;
  size_t snapshots = 0;
  size_t undated = 0;
  size_t never_visible = 0;  // more than N entries share its date: no poll can see it
};

// Entry k rolls off when the N-th entry after it is published; when that one
// has k's own date, k is never among the N newest: not counted.
bool never_visible(const Timeline& tl, size_t k) {
  return k + tl.size < tl.published.size() && tl.published[k + tl.size] == tl.published[k];
}

std::optional<Timeline> load_feed(const fs::path& dir) {
  const auto files = snapshot_files(dir);
  if (files.empty()) {
    return std::nullopt;
  }
  Timeline tl;
  tl.feed = dir.filename().string();
  std::unordered_map<std::string, int64_t> first_date;  // entry key → published
  for (size_t i = 0; i < files.size(); ++i) {
    auto parsed = khobor::feeds::parse_feed(read_file(files[i].second));
    if (!parsed) {
      std::fprintf(stderr, "freshness: %s: %s; skipped\n", files[i].second.c_str(),
                   parsed.error().message.c_str());
      continue;
    }
    ++tl.snapshots;
    tl.size = std::max(tl.size, parsed->entries.size());
    tl.ttl_s = parsed->ttl_seconds;
    int64_t oldest = 0;
    for (const auto& e : parsed->entries) {
      auto date = e.published ? e.published : e.updated;
      if (!date) {
        ++tl.undated;
        continue;
      }
      const std::string& key = e.link.empty() ? e.id : e.link;
      first_date.emplace(key, *date);
      oldest = oldest == 0 ? *date : std::min(oldest, *date);
    }
    if (tl.snapshots == 1) {
      tl.begin_s = std::max(files[i].first - k_lookback_s, oldest);
      tl.start_s = tl.begin_s + k_warmup_s;
    }
    tl.end_s = files[i].first;
  }
  if (tl.snapshots == 0 || first_date.empty() || tl.end_s <= tl.start_s) {
    return std::nullopt;
  }
  for (const auto& [key, date] : first_date) {
    tl.published.push_back(date);
  }
  std::sort(tl.published.begin(), tl.published.end());
  tl.first_counted =
      static_cast<size_t>(std::upper_bound(tl.published.begin(), tl.published.end(), tl.start_s) -
                          tl.published.begin());
  tl.last_counted = static_cast<size_t>(
      std::upper_bound(tl.published.begin(), tl.published.end(), tl.end_s) - tl.published.begin());
  for (size_t k = tl.first_counted; k < tl.last_counted; ++k) {
    tl.never_visible += never_visible(tl, k) ? 1 : 0;
  }
  return tl;
}

std::vector<Timeline> load_archive(const fs::path& root) {
  std::vector<Timeline> out;
  for (const auto& d : feed_dirs(root)) {
    if (auto tl = load_feed(d)) {
      out.push_back(std::move(*tl));
    }
  }
  return out;
}

// ---- The schedulers -----------------------------------------------------------

enum class Kind { fixed, miniflux, khobord };

struct SchedulerSpec {
  std::string name;
  Kind kind = Kind::fixed;
  int64_t fixed_s = 0;
  double requests_per_day = 0;  // khobord: 0 = adaptive (the default)
  PollBounds bounds;            // khobord
  // khobord: a [[feed]]'s own max_interval (it holds under a budget too).
  std::map<std::string, int64_t> feed_max_s;
  int64_t mf_min_s = 300;  // Miniflux
  int64_t mf_max_s = k_day_s;
  double mf_factor = 1;
};

struct FeedResult {
  int64_t requests = 0;
  int64_t not_modified = 0;
  int64_t entries = 0;
  int64_t missed = 0;
  double days = 0;
  std::vector<double> delays;
  std::map<std::pair<int64_t, int64_t>, int64_t> missed_by_date;  // (published, rolled off) → n
};

struct RunResult {
  SchedulerSpec spec;
  std::vector<FeedResult> feeds;
  FeedResult all;
};

// One feed's state in a run.
struct FeedSim {
  size_t visible_end = 0;  // the content's end index at the last poll (0: never polled)
  bool polled = false;
  std::vector<int64_t> seen_at;  // per entry: first poll that saw it (-1: not yet)
  FeedPollState poll;
  std::vector<int64_t> seen_published;  // Miniflux: dates of the entries it has seen
};

struct Event {
  int64_t t = 0;
  size_t feed = 0;
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : feed > o.feed; }
};

// True when a feed's simulation is over at `t`: its span ended and every
// counted entry was seen or rolled off (or the drain time after the span passed).
bool feed_done(const Timeline& tl, const FeedSim& sim, int64_t t) {
  if (t <= tl.end_s) {
    return false;
  }
  bool pending = false;
  for (size_t k = tl.first_counted; k < tl.last_counted && !pending; ++k) {
    pending = sim.seen_at[k] < 0 && k + tl.size >= tl.last_counted;
  }
  return !pending || t > tl.end_s + k_drain_s;
}

// The entries [begin, end) of `tl` a poll at `t` sees (after the span, as the
// last snapshot left them).
std::pair<size_t, size_t> visible(const Timeline& tl, int64_t t) {
  const int64_t as_of = std::min(t, tl.end_s);
  const size_t end = static_cast<size_t>(
      std::upper_bound(tl.published.begin(), tl.published.end(), as_of) - tl.published.begin());
  return {end > tl.size ? end - tl.size : 0, end};
}

// Miniflux's next poll: a week over the entries it saw in the last week, times
// its factor, within its bounds.
int64_t miniflux_next(const SchedulerSpec& spec, const FeedSim& sim, int64_t t) {
  int64_t weekly = 0;
  for (int64_t p : sim.seen_published) {
    weekly += (p >= t - k_week_s && p <= t) ? 1 : 0;
  }
  int64_t interval = spec.mf_max_s;
  if (weekly > 0) {
    interval = static_cast<int64_t>(static_cast<double>(k_week_s) /
                                    (static_cast<double>(weekly) * spec.mf_factor));
    interval = std::max(std::min(interval, spec.mf_max_s), spec.mf_min_s);
  }
  return t + interval;
}

// khobord's next poll: what the daemon does with a finished transfer (daemon.cpp,
// finish()) that answered 200 with entries [begin, end), or 304.
int64_t khobord_next(const SchedulerSpec& spec, const Timeline& tl, FeedSim& sim,
                     PollPlanner& planner, size_t begin, size_t end, bool changed, int64_t t,
                     Rng& rng) {
  PollBounds bounds = spec.bounds;
  if (auto it = spec.feed_max_s.find(tl.feed); it != spec.feed_max_s.end()) {
    bounds.max_interval_s = std::max(it->second, bounds.min_interval_s);
  }
  PollObservation obs;
  obs.status = changed ? 200 : 304;
  if (changed) {
    const std::vector<int64_t> content_times(
        tl.published.begin() + static_cast<std::ptrdiff_t>(begin),
        tl.published.begin() + static_cast<std::ptrdiff_t>(end));
    obs.base_interval_s =
        planner.base_interval_s(tl.feed, std::span<const int64_t>(content_times), bounds, t);
    obs.ttl_s = tl.ttl_s;
  } else {
    obs.base_interval_s = planner.base_interval_s(tl.feed, std::nullopt, bounds, t);
  }
  PollDecision d = khobor::daemon::decide(sim.poll, obs, bounds, t, rng);
  return khobor::daemon::jittered_due_s(d, sim.poll.interval_s, rng);
}

// Feed i's counts and delays once the run is over, added to the totals.
void tally(const Timeline& tl, const FeedSim& sim, FeedResult& fr, FeedResult& all) {
  fr.days = static_cast<double>(tl.end_s - tl.start_s) / static_cast<double>(k_day_s);
  for (size_t k = tl.first_counted; k < tl.last_counted; ++k) {
    if (never_visible(tl, k)) {
      continue;
    }
    ++fr.entries;
    if (sim.seen_at[k] < 0) {
      ++fr.missed;
      const int64_t off = k + tl.size < tl.published.size() ? tl.published[k + tl.size] : 0;
      ++fr.missed_by_date[{tl.published[k], off}];
    } else {
      fr.delays.push_back(static_cast<double>(sim.seen_at[k] - tl.published[k]));
    }
  }
  all.requests += fr.requests;
  all.not_modified += fr.not_modified;
  all.entries += fr.entries;
  all.missed += fr.missed;
  all.days += fr.days;
  all.delays.insert(all.delays.end(), fr.delays.begin(), fr.delays.end());
}

RunResult run(const std::vector<Timeline>& feeds, const SchedulerSpec& spec, uint64_t seed) {
  RunResult res;
  res.spec = spec;
  Rng rng(seed);
  Rng phases(seed);  // the same first polls for every scheduler of a run
  std::uniform_int_distribution<int64_t> phase(0, k_warmup_s - 1);
  PollPlanner planner(spec.requests_per_day);
  std::vector<FeedSim> sims(feeds.size());
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue;
  res.feeds.resize(feeds.size());
  for (size_t i = 0; i < feeds.size(); ++i) {
    sims[i].seen_at.assign(feeds[i].published.size(), -1);
    sims[i].poll.url = feeds[i].feed;
    sims[i].poll.interval_s = spec.bounds.min_interval_s;
    queue.push({feeds[i].begin_s + phase(phases), i});
  }
  while (!queue.empty()) {
    const Event ev = queue.top();
    queue.pop();
    const Timeline& tl = feeds[ev.feed];
    FeedSim& sim = sims[ev.feed];
    FeedResult& fr = res.feeds[ev.feed];
    const int64_t t = ev.t;
    if (feed_done(tl, sim, t)) {
      continue;
    }
    const auto [begin, end] = visible(tl, t);
    const bool changed = !sim.polled || end != sim.visible_end;
    sim.polled = true;
    sim.visible_end = end;
    if (t >= tl.start_s && t <= tl.end_s) {
      ++fr.requests;
      fr.not_modified += changed ? 0 : 1;
    }
    for (size_t k = begin; k < end; ++k) {
      if (sim.seen_at[k] < 0) {
        sim.seen_at[k] = t;
        sim.seen_published.push_back(tl.published[k]);
      }
    }
    const int64_t next = spec.kind == Kind::fixed ? t + spec.fixed_s
                         : spec.kind == Kind::miniflux
                             ? miniflux_next(spec, sim, t)
                             : khobord_next(spec, tl, sim, planner, begin, end, changed, t, rng);
    queue.push({std::max(next, t + 1), ev.feed});
  }
  for (size_t i = 0; i < feeds.size(); ++i) {
    tally(feeds[i], sims[i], res.feeds[i], res.all);
  }
  return res;
}

// `runs` runs with seeds seed, seed + 1, …: other first-poll phases and jitter.
// Counts are summed (requests, entries and missed over all runs), delays pooled.
RunResult run_many(const std::vector<Timeline>& feeds, const SchedulerSpec& spec, uint64_t seed,
                   int runs) {
  RunResult total = run(feeds, spec, seed);
  for (int k = 1; k < runs; ++k) {
    RunResult r = run(feeds, spec, seed + static_cast<uint64_t>(k));
    for (size_t i = 0; i <= r.feeds.size(); ++i) {
      FeedResult& to = i < r.feeds.size() ? total.feeds[i] : total.all;
      const FeedResult& from = i < r.feeds.size() ? r.feeds[i] : r.all;
      to.requests += from.requests;
      to.not_modified += from.not_modified;
      to.entries += from.entries;
      to.missed += from.missed;
      for (const auto& [when, n] : from.missed_by_date) {
        to.missed_by_date[when] += n;
      }
      to.days += from.days;
      to.delays.insert(to.delays.end(), from.delays.begin(), from.delays.end());
    }
  }
  return total;
}

// The largest budget whose requests do not exceed `target` (bisection on a log
// scale; requests grow with the budget up to what min_interval allows).
RunResult run_at_budget(const std::vector<Timeline>& feeds, SchedulerSpec spec, int64_t target,
                        uint64_t seed, int runs) {
  double lo = 1;
  double hi = 1e7;
  std::optional<RunResult> best;
  for (int i = 0; i < 30; ++i) {
    double mid = std::sqrt(lo * hi);
    spec.requests_per_day = mid;
    RunResult r = run_many(feeds, spec, seed, runs);
    if (r.all.requests <= target) {
      lo = mid;
      if (!best || r.all.requests >= best->all.requests) {
        best = std::move(r);
      }
    } else {
      hi = mid;
    }
    if (hi / lo < 1.002) {
      break;
    }
  }
  if (!best) {
    spec.requests_per_day = lo;
    best = run_many(feeds, spec, seed, runs);
  }
  return std::move(*best);
}

// ---- Reporting ----------------------------------------------------------------

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) {
    s += x;
  }
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

std::string minutes(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s / 60);
  return buf;
}

int g_runs = 5;  // requests and entries are printed per run (their sum / g_runs)

long long per_run(int64_t n) {
  return static_cast<long long>((n + g_runs / 2) / g_runs);
}

void print_row(const std::string& name, const FeedResult& r) {
  // Days are summed over feeds and runs, as requests are.
  double per_feed_day = r.days > 0 ? static_cast<double>(r.requests) / r.days : 0;
  std::printf(
      "%-28s %8lld %7lld %6lld %7s %7s %7s %7s %9.1f %6.1f%%\n", name.c_str(), per_run(r.requests),
      per_run(r.entries), static_cast<long long>(r.missed),
      minutes(percentile(r.delays, 0.5)).c_str(), minutes(percentile(r.delays, 0.9)).c_str(),
      minutes(percentile(r.delays, 0.99)).c_str(), minutes(mean(r.delays)).c_str(), per_feed_day,
      r.requests > 0 ? 100.0 * static_cast<double>(r.not_modified) / static_cast<double>(r.requests)
                     : 0.0);
}

void print_header(const std::string& first) {
  std::printf("%-28s %8s %7s %6s %7s %7s %7s %7s %9s %7s\n", first.c_str(), "requests", "entries",
              "missed", "p50 min", "p90 min", "p99 min", "mean", "req/f/day", "304");
}

void print_json(const RunResult& r) {
  const FeedResult& a = r.all;
  std::printf(
      "{\"scheduler\":\"%s\",\"requests\":%lld,\"missed\":%lld,\"entries\":%lld,"
      "\"delay_p50_s\":%.0f,\"delay_p90_s\":%.0f,\"delay_mean_s\":%.1f,\"delay_p99_s\":%.0f,"
      "\"requests_per_feed_per_day\":%.2f,\"not_modified_share\":%.3f,"
      "\"requests_per_day_budget\":%.1f,\"runs\":%d}\n",
      r.spec.name.c_str(), per_run(a.requests), static_cast<long long>(a.missed),
      per_run(a.entries), percentile(a.delays, 0.5), percentile(a.delays, 0.9), mean(a.delays),
      percentile(a.delays, 0.99), a.days > 0 ? static_cast<double>(a.requests) / a.days : 0,
      a.requests > 0 ? static_cast<double>(a.not_modified) / static_cast<double>(a.requests) : 0,
      r.spec.requests_per_day, g_runs);
}

std::string utc(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%a %m-%d %H:%M:%S", &tm);
  return buf;
}

// Which entries each scheduler missed: published (UTC), rolled off, runs.
void print_missed(const std::vector<Timeline>& feeds, const std::vector<RunResult>& results) {
  std::printf("\nmissed entries (published UTC -> rolled off, entries summed over the runs)\n");
  for (const auto& r : results) {
    for (size_t i = 0; i < feeds.size(); ++i) {
      for (const auto& [when, n] : r.feeds[i].missed_by_date) {
        std::printf("%-28s %-24s %s -> %s  %lld\n", r.spec.name.c_str(), feeds[i].feed.c_str(),
                    utc(when.first).c_str(), when.second ? utc(when.second).c_str() : "-",
                    static_cast<long long>(n));
      }
    }
  }
}

int usage() {
  std::fprintf(stderr,
               "usage: freshness ARCHIVE_DIR [--per-feed] [--missed] [--runs K] [--seed N] "
               "[--min-interval S]\n"
               "         [--max-interval S] [--budget-max-interval S] [--requests-per-day R]\n"
               "         [--feed-max-interval FEED=S]\n"
               "         [--miniflux-min S] [--miniflux-max S] [--miniflux-factor F]\n"
               "%s",
               k_archive_usage);
  return 2;
}

// The command line.
struct Args {
  fs::path archive;
  bool per_feed = false;
  bool list_missed = false;
  uint64_t seed = 1;
  PollBounds khobord_bounds;                  // the daemon's defaults: 2 min to 60 min
  std::map<std::string, int64_t> feed_max_s;  // --feed-max-interval FEED=S
  int64_t budget_max_s = 0;  // 0: as khobord with a budget (24 h, and relative to it)
  double explicit_budget = 0;
  SchedulerSpec mf;  // miniflux's
};

// False when the command line is not understood (usage() then).
bool read_args(int argc, char** argv, Args& args) {
  args.mf.name = "miniflux-entry-freq";
  args.mf.kind = Kind::miniflux;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "freshness: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--per-feed") {
      args.per_feed = true;
    } else if (a == "--missed") {
      args.list_missed = true;
    } else if (a == "--runs") {
      g_runs = std::max(1, std::stoi(value()));
    } else if (a == "--seed") {
      args.seed = std::stoull(value());
    } else if (a == "--min-interval") {
      args.khobord_bounds.min_interval_s = std::stoll(value());
    } else if (a == "--max-interval") {
      args.khobord_bounds.max_interval_s = std::stoll(value());
    } else if (a == "--feed-max-interval") {
      const std::string v = value();
      const size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "freshness: --feed-max-interval wants FEED=SECONDS, not %s\n",
                     v.c_str());
        return false;
      }
      args.feed_max_s[v.substr(0, eq)] = std::stoll(v.substr(eq + 1));
    } else if (a == "--budget-max-interval") {
      args.budget_max_s = std::stoll(value());
    } else if (a == "--requests-per-day") {
      args.explicit_budget = std::stod(value());
    } else if (a == "--miniflux-min") {
      args.mf.mf_min_s = std::stoll(value());
    } else if (a == "--miniflux-max") {
      args.mf.mf_max_s = std::stoll(value());
    } else if (a == "--miniflux-factor") {
      args.mf.mf_factor = std::stod(value());
    } else if (!a.empty() && a[0] == '-') {
      return false;
    } else {
      args.archive = a;
    }
  }
  return true;
}

// One line per feed of the archive: snapshots, size, ttl, entries and their rate.
void print_archive(const fs::path& archive, const std::vector<Timeline>& feeds) {
  std::printf("archive %s: %zu feeds (no HTTP headers recorded: answers carry none)\n",
              archive.c_str(), feeds.size());
  std::printf("%-26s %5s %4s %5s %8s %7s %9s %8s %7s\n", "feed", "snaps", "N", "ttl", "entries",
              "days", "entries/d", "undated", "unseen");
  for (const auto& tl : feeds) {
    double days = static_cast<double>(tl.end_s - tl.start_s) / static_cast<double>(k_day_s);
    size_t counted = tl.last_counted - tl.first_counted;
    std::printf("%-26s %5zu %4zu %5lld %8zu %7.2f %9.1f %8zu %7zu\n", tl.feed.c_str(), tl.snapshots,
                tl.size, static_cast<long long>(tl.ttl_s), counted, days,
                days > 0 ? static_cast<double>(counted) / days : 0.0, tl.undated, tl.never_visible);
  }
}

// Every scheduler over the archive: fixed intervals, Miniflux, khobord's
// default, khobord at each peer's number of requests, khobord at --requests-per-day.
std::vector<RunResult> run_schedulers(const std::vector<Timeline>& feeds, const Args& args) {
  std::vector<RunResult> results;
  for (int64_t minutes_fixed : {5, 15, 60}) {
    SchedulerSpec s;
    s.name = "fixed-" + std::to_string(minutes_fixed) + "m";
    s.kind = Kind::fixed;
    s.fixed_s = minutes_fixed * 60;
    results.push_back(run_many(feeds, s, args.seed, g_runs));
  }
  results.push_back(run_many(feeds, args.mf, args.seed, g_runs));
  SchedulerSpec ka;
  ka.name = "khobord-adaptive";
  ka.kind = Kind::khobord;
  ka.bounds = args.khobord_bounds;
  ka.feed_max_s = args.feed_max_s;
  // With a budget and no explicit max_interval, khobord's ceiling is relative to
  // the budget under a 24 h bound (daemon.cpp, bounds_for); as the daemon does.
  SchedulerSpec kb = ka;
  kb.bounds.max_interval_s =
      std::max(args.budget_max_s > 0 ? args.budget_max_s : khobor::daemon::k_budget_max_interval_s,
               kb.bounds.min_interval_s);
  // The shipped default: [poll] requests_per_feed_per_day's default times the
  // feeds (poll_budget_per_day of a configuration that lists them).
  SchedulerSpec kd = kb;
  kd.name = "khobord-default";
  kd.requests_per_day =
      static_cast<double>(khobor::daemon::Config{}.poll_requests_per_feed_per_day) *
      static_cast<double>(feeds.size());
  results.push_back(run_many(feeds, kd, args.seed, g_runs));
  results.push_back(run_many(feeds, ka, args.seed, g_runs));
  const size_t peers = 4;  // results[0..3]: fixed 5, 15, 60 min and Miniflux
  for (size_t p = 0; p < peers; ++p) {
    SchedulerSpec s = kb;
    s.name = "khobord@" + results[p].spec.name;
    results.push_back(run_at_budget(feeds, s, results[p].all.requests, args.seed, g_runs));
  }
  if (args.explicit_budget > 0) {
    SchedulerSpec s = kb;
    s.name = "khobord-budget";
    s.requests_per_day = args.explicit_budget;
    results.push_back(run_many(feeds, s, args.seed, g_runs));
  }
  return results;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2 || !read_args(argc, argv, args)) {
    return usage();
  }
  if (args.archive.empty() || !fs::is_directory(args.archive)) {
    std::fprintf(stderr, "freshness: %s is not a directory\n", args.archive.c_str());
    return usage();
  }
  std::vector<Timeline> feeds = load_archive(args.archive);
  if (feeds.empty()) {
    std::fprintf(stderr, "freshness: no feed snapshots under %s\n", args.archive.c_str());
    return 1;
  }
  print_archive(args.archive, feeds);
  const std::vector<RunResult> results = run_schedulers(feeds, args);
  std::printf("\n");
  print_header("scheduler (all feeds)");
  for (const auto& r : results) {
    print_row(r.spec.name, r.all);
  }
  if (args.per_feed) {
    for (size_t i = 0; i < feeds.size(); ++i) {
      std::printf("\n");
      print_header(feeds[i].feed);
      for (const auto& r : results) {
        print_row(r.spec.name, r.feeds[i]);
      }
    }
  }
  if (args.list_missed) {
    print_missed(feeds, results);
  }
  std::printf("\n");
  for (const auto& r : results) {
    print_json(r);
  }
  return 0;
}
