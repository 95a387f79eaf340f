// khobor/daemon/schedule.cpp — the polling formulas and the per-feed state machine of
// schedule.h, and the budget planner.
#include "daemon/schedule.h"

#include <curl/curl.h>
#include <libpsl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <set>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"

namespace khobor::daemon {
namespace {

constexpr int64_t k_day_s = 24 * 3600;
constexpr size_t k_gaps_considered = 10;

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

}  // namespace

int64_t adaptive_interval_s(std::span<const int64_t> entry_times, const PollBounds& bounds,
                            const ScheduleHints& hints, int64_t now_s) {
  std::vector<int64_t> times(entry_times.begin(), entry_times.end());
  // Entries dated in the future are clock skew: count them as "now".
  for (auto& t : times) {
    t = std::min(t, now_s);
  }
  std::sort(times.begin(), times.end(), std::greater<>());
  times.erase(std::unique(times.begin(), times.end()), times.end());

  int64_t interval = bounds.max_interval_s;
  if (times.size() >= 2) {
    // Weighted mean of the most recent gaps: weight 1, 1/2, 1/4, … from the newest.
    double sum = 0;
    double weights = 0;
    double w = 1.0;
    for (size_t i = 0; i + 1 < times.size() && i < k_gaps_considered; ++i) {
      sum += w * static_cast<double>(times[i] - times[i + 1]);
      weights += w;
      w *= 0.5;
    }
    // The silence since the newest entry counts as a gap too once it is longer
    // than the mean: a feed that went quiet slows down.
    double mean = sum / weights;
    double silence = static_cast<double>(now_s - times[0]);
    if (silence > mean) {
      mean = (mean + silence) / 2;
    }
    interval = static_cast<int64_t>(mean / 2);
  }
  interval = std::clamp(interval, bounds.min_interval_s, bounds.max_interval_s);
  return honour_hints(interval, hints, now_s);
}

int64_t honour_hints(int64_t interval, const ScheduleHints& hints, int64_t now_s) {
  int64_t floor = 0;
  if (hints.ttl_s > 0) {
    floor = std::max(floor, hints.ttl_s);
  }
  if (hints.max_age_s > 0) {
    floor = std::max(floor, hints.max_age_s);
  }
  if (hints.expires_at_s > now_s) {
    floor = std::max(floor, hints.expires_at_s - now_s);
  }
  return std::max(interval, std::min(floor, k_day_s));
}

int64_t backoff_delay_s(int consecutive_errors, int64_t base_interval_s, const PollBounds& bounds,
                        Rng& rng) {
  int shift = std::clamp(consecutive_errors - 1, 0, 30);
  double ceiling =
      static_cast<double>(std::max<int64_t>(base_interval_s, 1)) * std::ldexp(1.0, shift);
  int64_t cap = std::max<int64_t>(bounds.backoff_cap_s, 1);
  int64_t top = static_cast<int64_t>(std::min(ceiling, static_cast<double>(cap)));
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(top, 0));
  return bounds.min_interval_s + dist(rng);
}

int64_t parse_http_date(std::string_view value) {
  std::string s(trim(value));
  if (s.empty()) {
    return 0;
  }
  time_t t = curl_getdate(s.c_str(), nullptr);
  return t < 0 ? 0 : static_cast<int64_t>(t);
}

std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_s) {
  std::string_view v = trim(value);
  if (v.empty()) {
    return std::nullopt;
  }
  int64_t when = 0;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t secs = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (ec != std::errc{}) {
      secs = k_day_s;  // absurdly large: cap below
    }
    when = now_s + std::min(secs, k_day_s);
  } else {
    when = parse_http_date(v);
    if (when == 0) {
      return std::nullopt;
    }
    when = std::clamp(when, now_s, now_s + k_day_s);
  }
  return when;
}

std::string registrable_domain(std::string_view url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  std::string s(url);
  if (!u ||
      curl_url_set(u.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return {};
  }
  char* raw = nullptr;
  if (curl_url_get(u.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return {};
  }
  std::unique_ptr<char, CurlFree> host(raw);
  std::string h(host.get());
  h = ascii_lowered(h);
  if (h.empty() || h.front() == '[' ||
      std::all_of(h.begin(), h.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    return h;  // an IP address is its own domain
  }
  const char* reg = psl_registrable_domain(psl_builtin(), h.c_str());
  return reg != nullptr ? std::string(reg) : h;
}

int64_t startup_offset_ms(std::string_view feed_id, size_t feeds, int64_t min_interval_s) {
  const int64_t window_ms =
      std::min(static_cast<int64_t>(feeds) * 100, std::max<int64_t>(min_interval_s, 0) * 1000);
  if (window_ms <= 1) {
    return 0;
  }
  // FNV-1a, stable across runs and machines, but from the seed this function has
  // always used (FNV's offset basis with its last digit lost): a different seed
  // would move every feed's start-up slot.
  constexpr uint64_t k_seed = 1469598103934665603ULL;
  const uint64_t h = fnv1a64(feed_id, k_seed);
  return static_cast<int64_t>(h % static_cast<uint64_t>(window_ms));
}

namespace {

// Permanent redirects: remembered only while the same target shows on consecutive
// polls; any other answer breaks the streak.
void follow_redirect(FeedPollState& state, const PollObservation& obs, PollDecision& d) {
  const bool moved = obs.permanent_redirect && !obs.effective_url.empty() &&
                     obs.effective_url != state.url && obs.status >= 200 && obs.status < 400;
  if (!moved) {
    state.redirect_target.clear();
    state.redirect_streak = 0;
    return;
  }
  if (obs.effective_url == state.redirect_target) {
    ++state.redirect_streak;
  } else {
    state.redirect_target = obs.effective_url;
    state.redirect_streak = 1;
  }
  if (state.redirect_streak >= k_redirect_streak_to_move) {
    d.moved_to = state.redirect_target;
    state.url = state.redirect_target;
    state.redirect_target.clear();
    state.redirect_streak = 0;
  }
}

// A 200 or 304: the interval from the entries (kept from the last body) raised to
// the hints this response carries (a 304 refreshes max-age and Expires as a 200 does).
void answered(FeedPollState& state, const PollObservation& obs, int64_t now_s, PollDecision& d) {
  state.consecutive_errors = 0;
  if (obs.base_interval_s > 0) {
    state.base_interval_s = obs.base_interval_s;  // on a 304, a planner's: the hour moved
    if (obs.status != 304) {
      state.ttl_s = obs.ttl_s;
    }
  }
  if (state.base_interval_s > 0) {
    state.interval_s = honour_hints(
        state.base_interval_s, ScheduleHints{state.ttl_s, obs.max_age_s, obs.expires_at_s}, now_s);
  }
  d.verdict = obs.status == 304 ? Verdict::not_modified : Verdict::ok;
  d.next_due_s = now_s + state.interval_s;
}

// A 429 or 503: Retry-After when the server gives one (it holds the whole domain),
// else the error backoff.
void throttled(FeedPollState& state, const PollObservation& obs, const PollBounds& bounds,
               int64_t now_s, Rng& rng, PollDecision& d) {
  ++state.consecutive_errors;
  const auto until = parse_retry_after(obs.retry_after, now_s);
  d.verdict = Verdict::throttled;
  d.message = "HTTP " + std::to_string(obs.status) +
              (until ? ": the server asks to wait " + std::to_string(*until - now_s) + " s"
                     : ": no Retry-After, backing off");
  // The backoff is drawn either way (the jitter's random stream stays as it was).
  const int64_t backoff =
      now_s + backoff_delay_s(state.consecutive_errors, state.interval_s, bounds, rng);
  if (until) {
    d.domain_hold_until_s = *until;
    d.next_due_s = std::max(*until, now_s + bounds.min_interval_s);
  } else {
    d.next_due_s = backoff;
  }
}

}  // namespace

PollDecision decide(FeedPollState& state, const PollObservation& obs, const PollBounds& bounds,
                    int64_t now_s, Rng& rng) {
  PollDecision d;
  if (state.interval_s <= 0) {
    state.interval_s = bounds.max_interval_s;
  }
  follow_redirect(state, obs, d);
  const auto fail = [&](std::string message) {
    ++state.consecutive_errors;
    d.verdict = Verdict::failed;
    d.message = std::move(message);
    d.next_due_s = now_s + backoff_delay_s(state.consecutive_errors, state.interval_s, bounds, rng);
  };
  if (obs.transport_error) {
    fail(obs.error_text.empty() ? "transfer failed" : obs.error_text);
  } else if (obs.status >= 200 && obs.status < 300 && obs.parse_error) {
    fail(obs.error_text.empty() ? "the body is not a feed" : obs.error_text);
  } else if (obs.status == 304 || (obs.status >= 200 && obs.status < 300)) {
    answered(state, obs, now_s, d);
  } else if (obs.status == 410) {
    state.retired = true;
    d.verdict = Verdict::retired;
    d.message = "HTTP 410 Gone: the feed is retired (khobor feed enable ID revives it)";
    d.next_due_s = 0;
  } else if (obs.status == 429 || obs.status == 503) {
    throttled(state, obs, bounds, now_s, rng, d);
  } else {
    fail(obs.status == 0 ? (obs.error_text.empty() ? "no response" : obs.error_text)
                         : "HTTP " + std::to_string(obs.status));
  }
  return d;
}

int64_t jittered_due_s(const PollDecision& d, int64_t interval_s, Rng& rng) {
  if (d.verdict != Verdict::ok && d.verdict != Verdict::not_modified) {
    return d.next_due_s;
  }
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(interval_s, 0) / 10);
  return d.next_due_s + jitter(rng);
}

// ---- PollPlanner ----------------------------------------------------------------

namespace {

using Bins = std::array<double, PollPlanner::k_bins>;

int64_t tod_of(int64_t t_s) {
  int64_t s = t_s % k_day_s;
  return s < 0 ? s + k_day_s : s;
}

size_t bin_of(int64_t t_s) {
  int64_t s = t_s % k_day_s;
  if (s < 0) {
    s += k_day_s;
  }
  return static_cast<size_t>(s / PollPlanner::k_bin_s);
}

// Circular smoothing with a triangular kernel k_smooth_bins wide on each side:
// a batch that comes earlier or later tomorrow (cron-driven feeds drift by tens
// of minutes) is still expected.
Bins smoothed(const Bins& c) {
  constexpr size_t n = PollPlanner::k_bins;
  constexpr int w = PollPlanner::k_smooth_bins;
  Bins out{};
  double norm = 0;
  for (int d = -w; d <= w; ++d) {
    norm += w + 1 - std::abs(d);
  }
  for (size_t b = 0; b < n; ++b) {
    double sum = 0;
    for (int d = -w; d <= w; ++d) {
      sum += (w + 1 - std::abs(d)) * c[static_cast<size_t>(static_cast<int>(b + n) + d) % n];
    }
    out[b] = std::max(sum / norm, 0.0);
  }
  return out;
}

// The weighted mean of the newest gaps (1, 1/2, 1/4, … from the newest), the
// silence since the newest entry averaged in when longer: as adaptive_interval_s.
// 0 with fewer than two times. `times` ascending.
double recent_gap_s(const std::vector<int64_t>& times, int64_t now_s) {
  if (times.size() < 2) {
    return 0;
  }
  double sum = 0;
  double weights = 0;
  double w = 1.0;
  size_t i = times.size() - 1;
  for (size_t k = 0; k < k_gaps_considered && i > 0; ++k, --i) {
    sum += w * static_cast<double>(times[i] - times[i - 1]);
    weights += w;
    w *= 0.5;
  }
  double mean = sum / weights;
  double silence = static_cast<double>(now_s - times.back());
  if (silence > mean) {
    mean = (mean + silence) / 2;
  }
  return mean;
}

// Seconds from `now_s` until ∫ rate(t) dt reaches `amount`, walking the quarter
// hours of `rate` (per second) ahead; `limit_s` when it is not reached by then.
double time_to_accumulate(const Bins& rate, double scale, double amount, int64_t now_s,
                          double limit_s) {
  double elapsed = 0;
  int64_t t = now_s;
  while (elapsed < limit_s) {
    size_t b = bin_of(t);
    double seg = static_cast<double>(PollPlanner::k_bin_s - (t % PollPlanner::k_bin_s));
    seg = std::min(seg, limit_s - elapsed);
    double r = rate[b] * scale;
    if (r * seg >= amount) {
      return elapsed + amount / r;
    }
    amount -= r * seg;
    elapsed += seg;
    t += static_cast<int64_t>(seg);
  }
  return limit_s;
}

// ∫ rate(t) dt over [from_s, to_s), walking the quarter hours of `rate`.
double expected_between(const Bins& rate, int64_t from_s, int64_t to_s) {
  double sum = 0;
  for (int64_t t = from_s; t < to_s;) {
    int64_t end = std::min(to_s, (t / PollPlanner::k_bin_s + 1) * PollPlanner::k_bin_s);
    sum += rate[bin_of(t)] * static_cast<double>(end - t);
    t = end;
  }
  return sum;
}

// How many times each quarter hour of the day lies within [since_s, now_s),
// in whole quarters (a quarter half covered counts a half).
Bins exposure(int64_t since_s, int64_t now_s) {
  Bins e{};
  int64_t span = std::max<int64_t>(now_s - since_s, 0);
  double full = static_cast<double>(span / k_day_s);
  e.fill(full);
  for (int64_t t = now_s - span % k_day_s; t < now_s;) {
    int64_t end = std::min(now_s, (t / PollPlanner::k_bin_s + 1) * PollPlanner::k_bin_s);
    e[bin_of(t)] += static_cast<double>(end - t) / static_cast<double>(PollPlanner::k_bin_s);
    t = end;
  }
  return e;
}

// λ(b) in entries per second: `own` entries of quarter b over the `seen` times
// it was observed, with k_prior_days of `mean_per_s` spread as the day `pooled`
// (shares summing to 1) as the prior: a quarter never observed takes the prior
// alone, not a zero.
Bins learnt_rate(const Bins& own, const Bins& seen, double mean_per_s, const Bins& pooled,
                 double prior_days = PollPlanner::k_prior_days) {
  const double bin_s = static_cast<double>(PollPlanner::k_bin_s);
  Bins rate{};
  for (size_t b = 0; b < PollPlanner::k_bins; ++b) {
    double prior = mean_per_s * bin_s * PollPlanner::k_bins * pooled[b];
    rate[b] = (own[b] + prior_days * prior) / (seen[b] + prior_days) / bin_s;
  }
  return rate;
}

// A batch: entries stamped at one second.
struct Batch {
  int64_t t;
  double n;
};
// Batches of one slot, each with its time of day unwrapped past midnight.
using Chain = std::vector<std::pair<int64_t, Batch>>;

// The batches (at least min_entries at one second) among ascending `times`; the
// other entries are counted by quarter hour into `loose`.
std::vector<Batch> batches_of(const std::vector<int64_t>& times, size_t min_entries, Bins& loose) {
  std::vector<Batch> batches;
  for (size_t i = 0; i < times.size();) {
    size_t j = i;
    while (j < times.size() && times[j] == times[i]) {
      ++j;
    }
    if (j - i >= min_entries) {
      batches.push_back({times[i], static_cast<double>(j - i)});
    } else {
      for (size_t k = i; k < j; ++k) {
        loose[bin_of(times[k])] += 1;
      }
    }
    i = j;
  }
  return batches;
}

// The batches by time of day, from just after the widest gap of the day, chained
// while less than `gap_s` apart.
std::vector<Chain> chains_of_day(std::vector<Batch> batches, int64_t gap_s) {
  std::vector<Chain> chains;
  if (batches.empty()) {
    return chains;
  }
  std::sort(batches.begin(), batches.end(),
            [](const Batch& a, const Batch& b) { return tod_of(a.t) < tod_of(b.t); });
  const size_t n = batches.size();
  size_t first = 0;
  int64_t widest = -1;
  for (size_t k = 0; k < n; ++k) {
    int64_t g = tod_of(batches[(k + 1) % n].t) - tod_of(batches[k].t);
    if (k + 1 == n) {
      g += k_day_s;
    }
    if (g > widest) {
      widest = g;
      first = (k + 1) % n;
    }
  }
  const int64_t base = tod_of(batches[first].t);
  int64_t prev = base;
  for (size_t k = 0; k < n; ++k) {
    const Batch& b = batches[(first + k) % n];
    int64_t u = tod_of(b.t);
    if (u < base) {
      u += k_day_s;
    }
    if (k == 0 || u - prev > gap_s) {
      chains.emplace_back();
    }
    chains.back().push_back({u, b});
    prev = u;
  }
  return chains;
}

}  // namespace

void PollPlanner::count(FeedRates& f, int64_t t, double delta) {
  f.counts[bin_of(t)] += delta;
  m_pooled[bin_of(t)] += delta;
}

void PollPlanner::learn(FeedRates& f, std::span<const int64_t> entry_times, int64_t now_s) {
  std::vector<int64_t> body(entry_times.begin(), entry_times.end());
  for (auto& t : body) {
    t = std::min(t, now_s);  // dated in the future: clock skew, count as now
  }
  std::sort(body.begin(), body.end());
  // The body is the truth for the span it covers: what was known from its
  // oldest date on is replaced (entries at the same second all count).
  if (!body.empty()) {
    auto from = std::lower_bound(f.times.begin(), f.times.end(), body.front());
    for (auto it = from; it != f.times.end(); ++it) {
      count(f, *it, -1);
    }
    f.times.erase(from, f.times.end());
    for (int64_t t : body) {
      if (t > now_s - k_history_s) {
        f.times.push_back(t);
        count(f, t, +1);
      }
    }
    if (f.observed_since_s == 0 || body.front() < f.observed_since_s) {
      f.observed_since_s = std::max(body.front(), now_s - k_history_s);
    }
  } else if (f.observed_since_s == 0) {
    f.observed_since_s = now_s;
  }
  f.dated = f.dated || !body.empty();
  settle(f, entry_times.size(), now_s);
}

// What follows a body (or a restored memory) as of `now_s`: a week kept, the
// feed's size, its mean rates.
void PollPlanner::settle(FeedRates& f, size_t feed_size, int64_t now_s) {
  auto keep = std::lower_bound(f.times.begin(), f.times.end(), now_s - k_history_s + 1);
  for (auto it = f.times.begin(); it != keep; ++it) {
    count(f, *it, -1);
  }
  f.times.erase(f.times.begin(), keep);

  f.feed_size = feed_size;
  f.as_of_s = now_s;
  int64_t span = now_s - std::max(f.observed_since_s, now_s - k_history_s);
  // A feed with no entry in what was observed still gets a trickle of a rate
  // (half an entry over the span), so its share follows the day, not the floor.
  double n = std::max(static_cast<double>(f.times.size()), 0.5);
  f.rate_per_s = n / static_cast<double>(std::max<int64_t>(span, 3600));
  f.share_rate_per_s = n / static_cast<double>(std::max(span, k_share_min_span_s));
  m_now_s = std::max(m_now_s, now_s);
  m_dirty = true;
  f.stale = true;
  build_slots(f);
}

// The feed's batches of the last week (at least k_slot_batch_entries at one
// second) by time of day, chained into slots while less than k_slot_gap_s
// apart (from just after the widest gap of the day); each slot keeps where in
// its window its entries came (each batch a triangle ±k_slot_spread_s), its
// entries and the days a batch of it came on. Entries outside batches, and
// batches of a chain longer than a quarter day (no slot: the feed publishes
// all day), are counted by quarter hour as `loose`.
void PollPlanner::build_slots(FeedRates& f) {
  f.slots.clear();
  f.loose = {};
  f.in_slots = 0;
  const int64_t spread = k_slot_spread_s;
  std::vector<Batch> batches = batches_of(f.times, k_slot_batch_entries, f.loose);
  // The gaps between consecutive batches (with_next_batch).
  f.batch_gaps.clear();
  f.batch_entries = 0;
  f.last_batch_s = 0;
  if (batches.size() >= k_gap_min_batches) {
    for (size_t i = 1; i < batches.size(); ++i) {
      f.batch_gaps.push_back(static_cast<double>(batches[i].t - batches[i - 1].t));
    }
    for (const Batch& b : batches) {
      f.batch_entries += b.n;
    }
    f.batch_entries /= static_cast<double>(batches.size());
    f.last_batch_s = batches.back().t;
  }
  const std::vector<Chain> chains = chains_of_day(std::move(batches), k_slot_gap_s);
  double total = static_cast<double>(f.times.size());
  for (const auto& chain : chains) {
    const int64_t lo = chain.front().first - spread;
    const int64_t len = chain.back().first + spread - lo;
    if (len > k_day_s / 4) {
      for (const auto& [u, b] : chain) {
        f.loose[bin_of(b.t)] += b.n;
      }
      continue;
    }
    Slot slot;
    slot.start_s = tod_of(lo);
    const size_t minutes = static_cast<size_t>((len + 59) / 60);
    std::vector<double> cum(minutes + 1, 0.0);
    std::set<int64_t> days;
    for (const auto& [u, b] : chain) {
      slot.entries += b.n;
      days.insert((b.t - (u - lo)) / 60);  // the window's start that day
    }
    for (size_t m = 0; m < minutes; ++m) {
      double at = static_cast<double>(lo) + 60.0 * static_cast<double>(m) + 30.0;
      double d = 0;
      for (const auto& [u, b] : chain) {
        d += b.n * std::max(0.0, 1.0 - std::abs(at - static_cast<double>(u)) /
                                           static_cast<double>(std::max<int64_t>(spread, 60)));
      }
      cum[m + 1] = cum[m] + d;
    }
    if (cum.back() <= 0) {
      continue;
    }
    // Kept as float: a share to 1e-7 is far finer than a batch's drift.
    slot.cum.reserve(cum.size());
    for (const double c : cum) {
      slot.cum.push_back(static_cast<float>(c / cum.back()));
    }
    slot.days = static_cast<int>(days.size());
    f.in_slots += slot.entries / total;
    f.slots.push_back(std::move(slot));
  }
}

// The outlets' day: every feed's entries by quarter hour over the times each
// quarter was observed (a day of the mean rate as the prior), smoothed, with a
// floor of a tenth of the mean (no quarter is ever assumed silent); sums to 1.
Bins PollPlanner::pooled_share() const {
  Bins counts{};
  Bins seen{};
  for (const auto& [id, f] : m_feeds) {
    Bins e = exposure(f.observed_since_s, m_now_s);
    for (size_t b = 0; b < k_bins; ++b) {
      counts[b] += f.counts[b];
      seen[b] += e[b];
    }
  }
  counts = smoothed(counts);
  seen = smoothed(seen);
  double all_counts = 0;
  double all_seen = 0;
  for (size_t b = 0; b < k_bins; ++b) {
    all_counts += counts[b];
    all_seen += seen[b];
  }
  Bins share{};
  if (all_counts <= 0 || all_seen <= 0) {
    share.fill(1.0 / k_bins);
    return share;
  }
  double mean = all_counts / all_seen;
  double total = 0;
  for (size_t b = 0; b < k_bins; ++b) {
    share[b] = (counts[b] + k_prior_days * mean) / (seen[b] + k_prior_days);
    total += share[b];
  }
  for (auto& v : share) {
    v = (v + 0.1 * total / k_bins) / (1.1 * total);
  }
  return share;
}

// λ_f(b) for every feed: its entries in quarter b over the times b was
// observed, with k_prior_days of its mean rate spread as the pooled day as the
// prior (a quarter never observed yet takes the prior alone, not a zero); and
// the weights Σ_b √λ_f(b) · k_bin_s.
void PollPlanner::refresh() {
  m_pooled_share = pooled_share();
  for (auto& [id, f] : m_feeds) {
    refresh_feed(f);
  }
  weigh_unknown();
  m_dirty = false;
  m_refreshed_s = m_now_s;
  m_refreshed_feeds = m_feeds.size();
  m_feeds_changed = 0;
  ++m_full_passes;
}

// One feed's λ_f(b) and weight against m_pooled_share (the prior's mean rate
// as guarded, and the share's).
void PollPlanner::refresh_feed(FeedRates& f) {
  Bins own = smoothed(f.counts);
  Bins seen = smoothed(exposure(f.observed_since_s, m_now_s));
  f.rate = learnt_rate(own, seen, f.rate_per_s, m_pooled_share);
  f.share_rate = learnt_rate(own, seen, f.share_rate_per_s, m_pooled_share);
  f.weight = 0;
  for (size_t b = 0; b < k_bins; ++b) {
    f.weight += std::sqrt(f.share_rate[b]) * static_cast<double>(k_bin_s);
  }
  f.stale = false;
}

// Before planning `f`: every feed's rates when k_refresh_s has passed since the
// last full pass, or more feeds came or went since than 1/k_refresh_change of
// those it saw (any, below k_refresh_change feeds); else `f`'s alone when it
// learnt a body, its weight's change carried into Σ weights (a feed that went
// took its weight out). A feed not yet dated keeps the weight the last full
// pass gave it (the others' mean): its interval is the budget's mean interval
// whatever its rates (budget_interval_s). A full pass for each new feed or each
// undated one's answer made 10,000 feeds starting 10,000 passes of 34 ms (the
// warm-up round of bench/poll_bench.sh: 170 s of CPU instead of 7 s).
void PollPlanner::ensure_fresh(FeedRates& f) {
  if (!m_dirty) {
    return;
  }
  if (m_now_s - m_refreshed_s >= k_refresh_s ||
      m_feeds_changed > m_refreshed_feeds / k_refresh_change) {
    refresh();
    return;
  }
  if (f.stale && !unknown(f, m_now_s)) {
    const double before = f.weight;
    refresh_feed(f);
    m_weight += f.weight - before;
  }
}

bool PollPlanner::unknown(const FeedRates& f, int64_t now_s) const {
  return !f.dated && now_s - f.observed_since_s < k_history_s;
}

// A feed with no dated entry yet weighs as the mean of the others (see
// budget_interval_s), so that the feeds it is polled beside still share R
// less its polls; then m_weight = Σ_f weight.
void PollPlanner::weigh_unknown() {
  double known_weight = 0;
  size_t known = 0;
  for (const auto& [id, f] : m_feeds) {
    if (!unknown(f, m_now_s)) {
      known_weight += f.weight;
      ++known;
    }
  }
  m_weight = 0;
  for (auto& [id, f] : m_feeds) {
    if (known > 0 && unknown(f, m_now_s)) {
      f.weight = known_weight / static_cast<double>(known);
    }
    m_weight += f.weight;
  }
}

std::array<double, 24> PollPlanner::day_shape() const {
  Bins share = pooled_share();
  std::array<double, 24> hours{};
  for (size_t b = 0; b < k_bins; ++b) {
    hours[b * 24 / k_bins] += share[b] * 24;  // mean 1
  }
  return hours;
}

bool PollPlanner::batch_feed(const FeedRates& f) {
  const size_t n = f.times.size();
  return n >= k_batch_entries && f.times[n - k_batch_entries] == f.times.back();
}

// A trickle feed's factor after an active hour (`active`) or a silent one
// (see k_activity_look_s), learnt from its week up to its last body against
// f.share_rate; 1 when nothing is learnt. One pass over the week's instants,
// the entries' indices only moving forward.
double PollPlanner::activity_factor(const FeedRates& f, bool active) {
  const std::vector<int64_t>& times = f.times;
  int64_t t = f.observed_since_s + k_activity_look_s;
  t = (t + k_activity_step_s - 1) / k_activity_step_s * k_activity_step_s;
  std::array<double, 2> seen{};      // entries after silent / active instants
  std::array<double, 2> expected{};  // what the rate expected there
  double instants = 0;
  size_t look = 0;  // the first entry after t - k_activity_look_s
  size_t at = 0;    // the first entry after t
  size_t next = 0;  // the first entry after t + k_activity_next_s
  for (; t + k_activity_next_s <= f.as_of_s; t += k_activity_step_s) {
    while (look < times.size() && times[look] <= t - k_activity_look_s) {
      ++look;
    }
    while (at < times.size() && times[at] <= t) {
      ++at;
    }
    while (next < times.size() && times[next] <= t + k_activity_next_s) {
      ++next;
    }
    const size_t state = at > look ? 1 : 0;
    seen[state] += static_cast<double>(next - at);
    expected[state] += expected_between(f.share_rate, t, t + k_activity_next_s);
    instants += 1;
  }
  const size_t s = active ? 1 : 0;
  const double all_seen = seen[0] + seen[1];
  const double all_expected = expected[0] + expected[1];
  if (all_seen <= 0 || all_expected <= 0 || expected[s] <= 0) {
    return 1;
  }
  // The state's ratio over the week's: the factor moves the rate ahead, not
  // its level (the share already has that).
  const double mean_ratio = all_seen / all_expected;
  const double days = instants * static_cast<double>(k_activity_step_s) / k_day_s;
  // The prior: k_activity_prior_days of this state's expected entries (per
  // day observed), at least k_activity_prior_entries, with a ratio of 1.
  const double prior = std::max(expected[s] * k_activity_prior_days / std::max(days, 1e-9),
                                k_activity_prior_entries);
  return std::clamp((seen[s] / mean_ratio + prior) / (expected[s] + prior), k_activity_min_factor,
                    k_activity_max_factor);
}

// A trickle feed's f.share_rate with the next k_activity_apply_s times the
// factor of the state it is in at `now_s` (an entry in the last
// k_activity_look_s or none); a quarter partly in that span takes the factor
// for its part.
Bins PollPlanner::activity_rate_ahead(const FeedRates& f, int64_t now_s) {
  Bins rate = f.share_rate;
  const auto newest = std::upper_bound(f.times.begin(), f.times.end(), now_s);
  const bool active = newest != f.times.begin() && *std::prev(newest) > now_s - k_activity_look_s;
  const double factor = activity_factor(f, active);
  const int64_t until = now_s + k_activity_apply_s;
  for (int64_t t = now_s; t < until;) {
    const int64_t bin_end = (t / k_bin_s + 1) * k_bin_s;
    const double part =
        static_cast<double>(std::min(until, bin_end) - t) / static_cast<double>(bin_end - t);
    rate[bin_of(t)] *= 1 + part * (factor - 1);
    t = bin_end;
  }
  return rate;
}

// The share's λ_f(b) to place the next poll by: f.share_rate times its
// activity factor for the next hour (activity_rate_ahead), except for a
// feed that publishes in batches (its newest k_batch_entries at one second):
// its slots' hazard (slot_rate_ahead) when most of its entries are in slots,
// else its rate learnt as refresh() does but from what was known
// k_batch_window_s ago: the batch just seen is not expected again.
Bins PollPlanner::rate_ahead(const FeedRates& f, int64_t now_s) const {
  if (!batch_feed(f)) {
    return activity_rate_ahead(f, now_s);
  }
  if (!f.slots.empty() && f.in_slots >= k_slot_min_share) {
    return with_next_batch(f, slot_rate_ahead(f, now_s), k_slot_prior_days, now_s);
  }
  const int64_t cut = now_s - k_batch_window_s;
  Bins counts = f.counts;
  for (auto it = std::upper_bound(f.times.begin(), f.times.end(), cut); it != f.times.end(); ++it) {
    counts[bin_of(*it)] -= 1;
  }
  return with_next_batch(f,
                         learnt_rate(smoothed(counts), smoothed(exposure(f.observed_since_s, cut)),
                                     f.share_rate_per_s, m_pooled_share),
                         k_prior_days, now_s);
}

// `rate` (a batch feed's rate ahead, learnt with a prior of `prior_days`)
// raised to what its next batch's gap says (see k_gap_min_batches): the
// entries of the next batch by quarter hour over the day ahead, counted as
// k_gap_days days of observation beside the days each quarter was observed.
Bins PollPlanner::with_next_batch(const FeedRates& f, Bins rate, double prior_days,
                                  int64_t now_s) const {
  if (f.batch_gaps.empty()) {
    return rate;
  }
  const double spread = static_cast<double>(k_gap_spread_s);
  // The share of gaps shorter than x (each a triangle ±spread).
  const auto share_below = [&](double x) {
    double sum = 0;
    for (const double g : f.batch_gaps) {
      const double u = (x - g) / spread;
      if (u >= 1) {
        sum += 1;
      } else if (u >= 0) {
        sum += 1 - 0.5 * (1 - u) * (1 - u);
      } else if (u > -1) {
        sum += 0.5 * (1 + u) * (1 + u);
      }
    }
    return sum / static_cast<double>(f.batch_gaps.size());
  };
  const double last = static_cast<double>(f.last_batch_s);
  const double survival = 1 - share_below(static_cast<double>(now_s) - last);
  if (survival < k_gap_min_survival) {
    return rate;
  }
  Bins expect{};
  double before = 1 - survival;
  for (int64_t t = now_s; t < now_s + k_day_s;) {
    const int64_t end = (t / k_bin_s + 1) * k_bin_s;
    const double upto = share_below(static_cast<double>(end) - last);
    expect[bin_of(t)] += f.batch_entries * (upto - before) / survival;
    before = upto;
    t = end;
  }
  const Bins seen = smoothed(exposure(f.observed_since_s, now_s));
  const double bin_s = static_cast<double>(k_bin_s);
  for (size_t b = 0; b < k_bins; ++b) {
    const double days = seen[b] + prior_days;
    rate[b] =
        std::max(rate[b], (rate[b] * days + k_gap_days * expect[b] / bin_s) / (days + k_gap_days));
  }
  return rate;
}

// The share's λ_f(b) ahead for a feed whose day is slots (build_slots): per
// slot, the occurrence of its window under way (else the next one). Under way
// with entries of it already seen: what it usually brings beyond them (none
// after its usual batch); under way with none seen: what it brings on a day it
// comes (the days it came over the days observed: p) conditioned on not having
// come yet, n · p·S / (1 − p + p·S) with S its share not yet elapsed; ahead:
// n · p. What remains is spread over the rest of its window as its batches
// came, and learnt with the loose entries as refresh() learns a rate (its
// prior weighing k_slot_prior_days), so a slot whose batch is late draws polls
// to where it can still be, and a slot whose batch came draws none.
Bins PollPlanner::slot_rate_ahead(const FeedRates& f, int64_t now_s) const {
  Bins seen = smoothed(exposure(f.observed_since_s, now_s));
  Bins own = smoothed(f.loose);
  Bins expect{};
  for (const Slot& slot : f.slots) {
    const double minutes = static_cast<double>(slot.cum.size() - 1);
    const int64_t len = 60 * static_cast<int64_t>(slot.cum.size() - 1);
    const auto share_at = [&](int64_t into_s) {
      double pos = std::clamp(static_cast<double>(into_s) / 60.0, 0.0, minutes);
      size_t m = std::min(static_cast<size_t>(pos), slot.cum.size() - 2);
      const double lo = slot.cum[m];
      return lo + (static_cast<double>(slot.cum[m + 1]) - lo) * (pos - static_cast<double>(m));
    };
    int64_t start = now_s - tod_of(now_s - slot.start_s);
    const bool under_way = now_s < start + len;
    if (!under_way) {
      start += k_day_s;
    }
    double past = under_way ? share_at(now_s - start) : 0;
    double got = 0;
    if (under_way) {
      got = static_cast<double>(std::upper_bound(f.times.begin(), f.times.end(), now_s) -
                                std::lower_bound(f.times.begin(), f.times.end(), start));
    }
    // The occurrences before `start` all ended; those that ended after the
    // feed was first observed were observed.
    double observed = std::max(
        0.0, std::ceil(static_cast<double>(start + len - f.observed_since_s) / k_day_s) - 1);
    observed += (under_way && got > 0) ? 1 : 0;
    const double days = static_cast<double>(slot.days);
    const double p = days / std::max(observed, days);
    const double per_day = slot.entries / days;
    const double rest = 1 - past;
    double remaining = 0;
    if (under_way && got > 0) {
      remaining = std::max(0.0, per_day - got);
    } else if (under_way) {
      remaining = per_day * p * rest / std::max(1 - p + p * rest, 1e-9);
    } else {
      remaining = per_day * p;
    }
    if (remaining <= 0 || rest <= 1e-9) {
      continue;
    }
    // Spread over the quarters of the rest of the window.
    int64_t t = under_way ? now_s : start;
    double before = past;
    while (t < start + len) {
      int64_t end = std::min(start + len, (t / k_bin_s + 1) * k_bin_s);
      double upto = share_at(end - start);
      expect[bin_of(t)] += remaining * (upto - before) / rest;
      before = upto;
      t = end;
    }
  }
  // What is expected of a quarter, as if counted on each time it was observed.
  for (size_t b = 0; b < k_bins; ++b) {
    own[b] += expect[b] * seen[b];
  }
  return learnt_rate(own, seen, f.share_rate_per_s, m_pooled_share, k_slot_prior_days);
}

int64_t PollPlanner::budget_interval_s(const FeedRates& f, const PollBounds& bounds,
                                       int64_t now_s) const {
  double feeds = static_cast<double>(std::max<size_t>(m_feeds.size(), 1));
  double ceiling =
      std::min(static_cast<double>(bounds.max_interval_s),
               k_ceiling_ratio * feeds * static_cast<double>(k_day_s) / m_requests_per_day);
  ceiling = std::max(ceiling, static_cast<double>(bounds.min_interval_s));
  Bins root = rate_ahead(f, now_s);
  for (auto& r : root) {
    r = std::sqrt(r);
  }
  // Polls per second at quarter b: R · √λ_f(b) / Σ weights, per day.
  double scale = m_weight > 0 ? m_requests_per_day / m_weight : 0;
  double interval = time_to_accumulate(root, scale, 1.0, now_s, ceiling);
  // Nothing known of its rate (an empty feed whose generator has not run yet):
  // its trickle of a rate would leave it at the ceiling, and its first entries
  // waited that long (W1's bonikbarta-dnp: 3 h at 60 min's budget).
  if (unknown(f, now_s)) {
    interval = std::min(interval, feeds * static_cast<double>(k_day_s) / m_requests_per_day);
  }
  // Never let the feed roll over: before half its size is expected, at the
  // learnt rates ahead or at its recent burst rate.
  if (f.feed_size > 0) {
    double half = 0.5 * static_cast<double>(f.feed_size);
    interval = std::min(interval, time_to_accumulate(f.rate, 1.0, half, now_s, ceiling));
    double gap = recent_gap_s(f.times, now_s);
    if (gap > 0) {
      interval = std::min(interval, half * gap);
    }
  }
  return std::clamp(static_cast<int64_t>(interval), bounds.min_interval_s,
                    static_cast<int64_t>(ceiling));
}

int64_t PollPlanner::base_interval_s(std::string_view feed_id,
                                     std::optional<std::span<const int64_t>> body_entry_times,
                                     const PollBounds& bounds, int64_t now_s) {
  auto it = m_feeds.find(feed_id);
  if (body_entry_times) {
    if (it == m_feeds.end()) {
      it = m_feeds.emplace(std::string(feed_id), FeedRates{}).first;
      ++m_feeds_changed;
    }
    learn(it->second, *body_entry_times, now_s);
  }
  if (!budgeted()) {
    return body_entry_times ? adaptive_interval_s(*body_entry_times, bounds, ScheduleHints{}, now_s)
                            : 0;
  }
  if (it == m_feeds.end()) {
    return 0;
  }
  ensure_fresh(it->second);
  return budget_interval_s(it->second, bounds, now_s);
}

std::optional<PollPlanner::Memory> PollPlanner::memory(std::string_view feed_id) const {
  auto it = m_feeds.find(feed_id);
  if (it == m_feeds.end()) {
    return std::nullopt;
  }
  const FeedRates& f = it->second;
  return Memory{f.times, f.as_of_s, f.observed_since_s, f.feed_size, f.dated};
}

void PollPlanner::restore(std::string_view feed_id, const Memory& m, int64_t now_s) {
  if (m.as_of_s <= 0 || m.as_of_s > now_s || m.observed_since_s > m.as_of_s) {
    return;  // nothing learnt, or the clock went back: learn afresh
  }
  forget(feed_id);
  FeedRates& f = m_feeds.emplace(std::string(feed_id), FeedRates{}).first->second;
  ++m_feeds_changed;
  f.observed_since_s = m.observed_since_s;
  f.dated = m.dated;
  std::vector<int64_t> times = m.times;
  std::sort(times.begin(), times.end());
  for (int64_t t : times) {
    if (t <= m.as_of_s) {
      f.times.push_back(t);
      count(f, t, +1);
    }
  }
  settle(f, m.feed_size, m.as_of_s);
}

void PollPlanner::forget(std::string_view feed_id) {
  auto it = m_feeds.find(feed_id);
  if (it == m_feeds.end()) {
    return;
  }
  for (int64_t t : it->second.times) {
    m_pooled[bin_of(t)] -= 1;
  }
  m_weight -= it->second.weight;  // its share goes with it, before any full pass
  m_feeds.erase(it);
  m_dirty = true;
  ++m_feeds_changed;
}

double PollPlanner::rate_per_day(std::string_view feed_id) const {
  auto it = m_feeds.find(feed_id);
  return it == m_feeds.end() ? 0 : it->second.rate_per_s * static_cast<double>(k_day_s);
}

double PollPlanner::expected_per_hour(std::string_view feed_id, int64_t t_s) {
  auto it = m_feeds.find(feed_id);
  if (it == m_feeds.end()) {
    return 0;
  }
  ensure_fresh(it->second);
  return it->second.rate[bin_of(t_s)] * 3600;
}

}  // namespace khobor::daemon
