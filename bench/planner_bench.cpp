// planner_bench — the time the budgeted PollPlanner takes in a daemon round of
// many feeds (docs/freshness.md, "Configuring it").
//
// FEEDS feeds (default 10,000) each with a week of history restored as khobord
// restores it after a restart (PollPlanner::restore): half trickle (entries at
// their own seconds, 10–100 a day, more by day than by night), half batch
// feeds (10–30 entries at one second every 3 h, drifting ±30 min), each
// carrying its newest 30. Then one round as the daemon polls: every feed once,
// spread over ROUND seconds (default 600), CHANGED percent of them (default 20,
// poll_bench's "real" round) answering 200 with a body holding one new entry,
// the rest 304. Each answer is one base_interval_s call, as khobord makes it
// (a 200 marks its feed's rates for a refresh; every feed's are recomputed at
// most once a minute of the clock, PollPlanner::k_refresh_s).
// Prints the round's wall and CPU time and the calls' p50 / p99 / max (wall). A measurement on
// the fake clock, never a pass/fail test.
//
// usage: planner_bench [FEEDS [CHANGED [ROUND]]]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "daemon/schedule.h"

namespace {

using khobor::daemon::PollBounds;
using khobor::daemon::PollPlanner;

constexpr int64_t k_day_s = 86'400;
constexpr int64_t k_now = 1'776'643'200;  // 2026-04-20 00:00 UTC
constexpr size_t k_carried = 30;

// A week of entry times before `now_s` for feed `i`.
std::vector<int64_t> week_of(size_t i, std::mt19937& rng) {
  std::vector<int64_t> times;
  if (i % 2 == 0) {
    std::uniform_real_distribution<double> per_day(10, 100);
    std::uniform_int_distribution<int64_t> at(0, 7 * k_day_s - 1);
    const auto n = static_cast<size_t>(per_day(rng) * 7);
    while (times.size() < n) {
      int64_t t = k_now - 7 * k_day_s + at(rng);
      const int64_t hour = (t % k_day_s) / 3600;
      if (hour >= 18 || hour < 2) {  // a quiet night (UTC+6) keeps a third
        if (std::uniform_int_distribution<int>(0, 2)(rng) != 0) {
          continue;
        }
      }
      times.push_back(t);
    }
  } else {
    std::uniform_int_distribution<int64_t> size(10, 30);
    std::uniform_int_distribution<int64_t> drift(-1800, 1800);
    const int64_t phase = static_cast<int64_t>(i % 10) * 600;
    for (int64_t t = k_now - 7 * k_day_s + phase; t < k_now; t += 3 * 3600) {
      const int64_t at = std::min(t + drift(rng), k_now - 1);
      for (int64_t k = size(rng); k > 0; --k) {
        times.push_back(at);
      }
    }
  }
  std::sort(times.begin(), times.end());
  return times;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const size_t feeds = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10'000;
  const int changed_pct = argc > 2 ? std::atoi(argv[2]) : 20;
  const int64_t round_s = argc > 3 ? std::strtoll(argv[3], nullptr, 10) : 600;
  if (feeds == 0 || changed_pct < 0 || changed_pct > 100 || round_s <= 0) {
    std::fprintf(stderr, "usage: planner_bench [FEEDS [CHANGED [ROUND]]]\n");
    return 2;
  }
  // A mean interval of 15 minutes per feed.
  PollPlanner planner(static_cast<double>(feeds) * 96);
  PollBounds bounds;
  bounds.min_interval_s = 120;
  bounds.max_interval_s = khobor::daemon::k_budget_max_interval_s;

  std::mt19937 rng(1);
  std::vector<std::string> ids;
  std::vector<std::vector<int64_t>> carried;
  ids.reserve(feeds);
  carried.reserve(feeds);
  const auto restore_start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < feeds; ++i) {
    ids.push_back("feed-" + std::to_string(i));
    std::vector<int64_t> week = week_of(i, rng);
    PollPlanner::Memory m;
    m.as_of_s = k_now;
    m.observed_since_s = k_now - 7 * k_day_s;
    m.feed_size = k_carried;
    m.dated = true;
    m.times = week;
    planner.restore(ids.back(), m, k_now);
    const size_t keep = std::min(k_carried, week.size());
    carried.emplace_back(week.end() - static_cast<std::ptrdiff_t>(keep), week.end());
  }
  const double restore_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restore_start).count();

  std::vector<double> call_ms;
  call_ms.reserve(feeds);
  size_t bodies = 0;
  int64_t sum_interval = 0;
  const auto round_start = std::chrono::steady_clock::now();
  const std::clock_t round_cpu = std::clock();
  for (size_t i = 0; i < feeds; ++i) {
    const int64_t now_s = k_now + round_s * static_cast<int64_t>(i) / static_cast<int64_t>(feeds);
    const bool body = static_cast<int>(i % 100) < changed_pct;
    std::optional<std::span<const int64_t>> times;
    if (body) {
      auto& c = carried[i];
      c.erase(c.begin());
      c.push_back(now_s - 60);
      times = std::span<const int64_t>(c);
      ++bodies;
    }
    const auto t0 = std::chrono::steady_clock::now();
    sum_interval += planner.base_interval_s(ids[i], times, bounds, now_s);
    call_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double round_wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - round_start).count();
  const double round_cpu_s =
      static_cast<double>(std::clock() - round_cpu) / static_cast<double>(CLOCKS_PER_SEC);
  std::printf(
      "planner_bench: %zu feeds (restore %.2f s), a round of %zu calls (%zu bodies, the rest "
      "304): %.2f s (CPU %.2f s), per call p50 %.3f ms p99 %.3f ms max %.3f ms; mean interval %.0f "
      "s\n",
      feeds, restore_s, call_ms.size(), bodies, round_wall, round_cpu_s, percentile(call_ms, 0.5),
      percentile(call_ms, 0.99), percentile(call_ms, 1.0),
      static_cast<double>(sum_interval) / static_cast<double>(feeds));
  return 0;
}
