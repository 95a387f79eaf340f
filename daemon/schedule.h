// khobor/daemon/schedule.h — when to poll a feed next, and how to treat its server.
//
// Pure functions and a small state machine over values: no I/O, no clock (time is
// passed in), randomness from a caller-owned generator, so every rule here is
// tested with fixed numbers. Thread-compatible. The formulas are documented in
// ARCHITECTURE.md ("Scheduling").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::daemon {

using Rng = std::mt19937_64;

// Per-feed bounds on the polling interval (defaults: 2 min to 60 min).
struct PollBounds {
  int64_t min_interval_s = 120;
  int64_t max_interval_s = 3600;
  int64_t backoff_cap_s = 6 * 3600;  // the longest wait after repeated failures
};

// What the feed and its server say about how often to ask (0 / -1: absent).
struct ScheduleHints {
  int64_t ttl_s = 0;         // RSS <ttl> or sy:updatePeriod/sy:updateFrequency
  int64_t max_age_s = -1;    // Cache-Control max-age
  int64_t expires_at_s = 0;  // Expires, as a time
};

// The adaptive interval from the times (seconds since epoch, any order) of the
// entries the feed carries: the recent gaps between entries, each weighted half
// as much as the next more recent one, halved (poll about twice per expected new
// entry), clamped to `bounds`, then raised to honour `hints` (up to 24 h). With
// fewer than two dated entries: the maximum interval.
int64_t adaptive_interval_s(std::span<const int64_t> entry_times, const PollBounds& bounds,
                            const ScheduleHints& hints, int64_t now_s);

// `interval_s` raised to honour `hints` (the longest of ttl, max-age and the time
// until Expires, held to at most 24 h); the last step of adaptive_interval_s.
int64_t honour_hints(int64_t interval_s, const ScheduleHints& hints, int64_t now_s);

// Full-jitter exponential backoff after `consecutive_errors` (>= 1) failures:
// floor + uniform(0, min(cap, base * 2^(errors-1))), where floor = bounds.min.
// Never returns less than bounds.min_interval_s, never more than the cap plus it.
int64_t backoff_delay_s(int consecutive_errors, int64_t base_interval_s, const PollBounds& bounds,
                        Rng& rng);

// A Retry-After value, delta-seconds or an HTTP-date, as an absolute time; nullopt
// when unreadable. The wait is capped at 24 h.
std::optional<int64_t> parse_retry_after(std::string_view value, int64_t now_s);

// An Expires header as a time (0 when unreadable).
int64_t parse_http_date(std::string_view value);

// The registrable domain of a URL's host ("www.prothomalo.com" → "prothomalo.com",
// "bbc.co.uk" stays), from the Public Suffix List via libpsl; the host itself
// for IP addresses and unknown suffixes; empty for a URL without a host.
std::string registrable_domain(std::string_view url);

// Where in its first interval a feed starts at start-up: a stable spread in
// [0, interval) derived from the feed id, so feeds do not all fire at once.
int64_t startup_offset_s(std::string_view feed_id, int64_t interval_s);

// ---- The per-feed state machine of HTTP outcomes --------------------------------

struct FeedPollState {
  std::string url;  // the URL polled (updated by lasting permanent redirects)
  int consecutive_errors = 0;
  std::string redirect_target;  // a permanent redirect seen on consecutive polls …
  int redirect_streak = 0;      // … and how many polls in a row
  bool retired = false;         // 410 Gone: kept, not polled until enabled again
  int64_t interval_s = 0;       // the current adaptive interval (hints honoured)
  int64_t base_interval_s = 0;  // the part from the entries' dates alone (0: unknown)
  int64_t ttl_s = 0;            // the feed's <ttl> / sy:updatePeriod in its last body
};

struct PollObservation {
  long status = 0;               // HTTP status (0: no response)
  bool transport_error = false;  // DNS, TLS, timeout, body cap, bad scheme…
  bool parse_error = false;      // the body was read but is no feed
  std::string error_text;
  bool permanent_redirect = false;  // every redirect on the way was 301/308
  std::string effective_url;
  std::string retry_after;  // raw header
  // 2xx with a body: the interval from this poll's entries alone (adaptive_interval_s
  // without hints, or PollPlanner::base_interval_s; 0: keep) and the body's own
  // <ttl> / sy:updatePeriod. A 304 may carry a planner's interval too (the hour
  // of day moved); 0 keeps the last one.
  int64_t base_interval_s = 0;
  int64_t ttl_s = 0;
  // Any response: Cache-Control max-age (-1: absent) and Expires (0: absent). A
  // 304 carries them too, so they are honoured afresh on every answer.
  int64_t max_age_s = -1;
  int64_t expires_at_s = 0;
};

enum class Verdict { ok, not_modified, failed, retired, throttled };

struct PollDecision {
  Verdict verdict = Verdict::ok;
  int64_t next_due_s = 0;
  std::optional<std::string> moved_to;         // the stored URL changes to this
  std::optional<int64_t> domain_hold_until_s;  // 429/503: the whole domain waits
  std::string message;                         // for the log and status (empty when ok)
};

// How many consecutive polls must see the same permanent redirect before the
// stored URL follows it.
inline constexpr int k_redirect_streak_to_move = 3;

// Apply one poll's outcome to `state` and decide the next poll:
// 200 → ok (resets errors); 304 → not_modified (only the schedule moves; a
// planner's interval in obs.base_interval_s replaces the kept one);
// 301/308 on 3 consecutive polls → moved_to; 302/307 never move;
// 410 → retired; 429/503 → throttled until Retry-After for the whole domain
// (or a backoff when absent); any other failure → exponential backoff with full
// jitter up to the cap.
PollDecision decide(FeedPollState& state, const PollObservation& obs, const PollBounds& bounds,
                    int64_t now_s, Rng& rng);

// When the poll after `d` happens: after a 200 or a 304, up to a tenth of the
// feed's interval later than d.next_due_s (uniform), so feeds polled together
// drift apart; after anything else exactly d.next_due_s (backoff is jittered
// already, Retry-After is the server's).
int64_t jittered_due_s(const PollDecision& d, int64_t interval_s, Rng& rng);

// ---- A budget of requests shared across feeds (optional) ------------------------
//
// Without a budget each feed's interval comes from its own recent gaps
// (adaptive_interval_s). With `[poll] requests_per_day = R` the planner shares R
// out across feeds and hours: a feed whose rate at this hour of the day is
// λ_f(h) = λ_f · s(h) is polled at a rate ∝ √λ_f(h) (the square-root rule, which
// minimises the mean delay from publication to poll for a given number of polls;
// Cho and Garcia-Molina, "Effective page refresh policies", 2003), where λ_f is
// the feed's entries per day over the last week and s(h) the shape of the
// outlets' day, pooled over every feed. A busy feed must never roll an entry
// off unseen, so the interval is also at most half the time the feed takes to
// publish as many entries as it carries, at the larger of its hourly rate and
// its recent burst rate. Then clamped to [min_interval, max_interval] and
// raised to the hints by decide(), as always: every politeness rule holds, and R
// is a target that those bounds may override (a feed is never polled less often
// than max_interval nor more often than min_interval).
//
// Memory: the entry times of the last week, per feed. Thread-compatible.
class PollPlanner {
 public:
  static constexpr int k_hours = 24;
  static constexpr int64_t k_history_s = 7 * 24 * 3600;  // the rate is the last week's

  // requests_per_day <= 0: no budget (base_interval_s is adaptive_interval_s).
  explicit PollPlanner(double requests_per_day = 0) : m_requests_per_day(requests_per_day) {}

  void set_requests_per_day(double requests_per_day) { m_requests_per_day = requests_per_day; }
  double requests_per_day() const { return m_requests_per_day; }
  bool budgeted() const { return m_requests_per_day > 0; }

  // The base interval for a feed's next poll (before hints), from a poll at
  // `now_s`: `body_entry_times` are the dates of the entries of a 200's body
  // (learnt: the feed's rate, its size, the day's shape), nullopt for a 304.
  // Without a budget: adaptive_interval_s over the body (0 on a 304: keep the
  // last). With one: the feed's share described above.
  int64_t base_interval_s(std::string_view feed_id,
                          std::optional<std::span<const int64_t>> body_entry_times,
                          const PollBounds& bounds, int64_t now_s);

  // A feed left the configuration: its rate no longer takes a share.
  void forget(std::string_view feed_id);

  // What the planner has learnt (for status and tests): entries per day over the
  // last week (0 for an unknown feed) and the day's shape, mean 1, UTC hours.
  double rate_per_day(std::string_view feed_id) const;
  std::array<double, k_hours> day_shape() const;

 private:
  struct FeedRates {
    std::vector<int64_t> times;  // entry dates of the last week, ascending, unique
    int64_t observed_since_s = 0;
    size_t feed_size = 0;   // entries in the last body
    double rate_per_s = 0;  // over the last week, at the last body
    double sqrt_rate = 0;   // its share's weight, as counted in m_sum_sqrt_rate
  };
  void learn(FeedRates& f, std::span<const int64_t> entry_times, int64_t now_s);
  int64_t budget_interval_s(const FeedRates& f, const PollBounds& bounds, int64_t now_s) const;

  double m_requests_per_day = 0;
  std::map<std::string, FeedRates, std::less<>> m_feeds;
  double m_sum_sqrt_rate = 0;                   // Σ √λ_f over the feeds
  std::array<double, k_hours> m_hour_counts{};  // entries by UTC hour, every feed, last week
};

}  // namespace khobor::daemon
