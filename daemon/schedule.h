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

// When a feed's first poll after start-up falls, in ms from the start: a stable
// spread in [0, window) derived from the feed id, so feeds do not all fire at
// once. The window is 100 ms per configured feed (`feeds`), at most the feed's
// own minimum interval: no feed waits longer for its first poll than between two.
int64_t startup_offset_ms(std::string_view feed_id, size_t feeds, int64_t min_interval_s);

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
// out across feeds and the times of day. Each feed's rate at each quarter hour
// of the UTC day, λ_f(b), is learnt from the dates of the entries of its last
// week: its entries per second times its own day shape (where in the day its
// entries came, lightly smoothed), shrunk towards the outlets' day pooled over
// every feed while the feed has few entries. Polls are placed at a rate
// r_f(b) = R · √λ_f(b) / Σ_g Σ_b' √λ_g(b') · 900 s per day, the square-root
// rule (which minimises the mean delay from publication to poll per entry for
// a number of polls; Cho and Garcia-Molina, "Effective page refresh policies",
// 2003) applied per quarter hour: the next poll is when one poll's worth of
// that rate has accumulated from now, so a poll lands soon after a feed's busy
// quarter begins rather than a quiet hour's interval later (for a feed that
// stamps a batch at one second, the rate ahead is its batch slots' hazard:
// nothing more from a slot whose batch came today, and the rest of a slot's
// window while its batch is late; see k_slot_gap_s; raised where the gaps
// between its batches say the next is due, see k_gap_min_batches; for a feed
// that trickles, its rate of the next hour times what its own week says
// follows a silent or an active hour; see k_activity_look_s). A busy feed
// must never roll an entry off unseen, so the next poll also comes before half as
// many entries as it carries are expected (at the learnt rates ahead, or at its
// recent burst rate). A feed that no body has shown a dated entry yet tells
// nothing of its rate: for its first week it takes the mean share, polled at
// the budget's mean interval as a fixed interval of the same cost would (its
// weight is the mean of the others', so the total stays R). Then clamped to
// [min_interval, ceiling] and raised to the hints by decide(), as always:
// every politeness rule holds, and R is a target that those bounds may
// override. The ceiling is the smaller of max_interval and k_ceiling_ratio
// times the mean interval the budget allows (feeds × 24 h / R): a quiet feed
// gives its polls to busy ones but never waits more than that.
//
// Memory: the entry times of the last week, per feed (memory() / restore()
// carry them across a restart). Thread-compatible.

// Under a budget with no max_interval given, the bound the daemon passes (the
// planner's budget-relative ceiling then decides).
inline constexpr int64_t k_budget_max_interval_s = 24 * 3600;

class PollPlanner {
 public:
  static constexpr int k_bins = 96;  // quarter hours of the UTC day
  static constexpr int64_t k_bin_s = 24 * 3600 / k_bins;
  static constexpr int64_t k_history_s = 7 * 24 * 3600;  // the rate is the last week's
  // The day shapes are smoothed over an hour each side (a triangle): scraped
  // and cron-driven feeds drift by tens of minutes from one day to the next.
  static constexpr int k_smooth_bins = 4;
  // The prior of a quarter hour's rate (the feed's mean rate, shaped as the
  // pooled day) weighs as this many days of the feed's own observation.
  static constexpr double k_prior_days = 1;
  // A feed's share of the budget is drawn from its rate over at least this
  // span, while the rollover guard keeps the rate over at least an hour. A
  // feed's first body is often one batch (30 entries of the last minutes):
  // over an hour that is a rate of 30 an hour, which took polls from every
  // other feed until a day had been seen; the guard must still assume it.
  static constexpr int64_t k_share_min_span_s = 6 * 3600;
  // No feed's interval exceeds this many times the budget's mean interval.
  static constexpr double k_ceiling_ratio = 4;
  // Every feed's rates are recomputed at most this often on the clock (and
  // when many feeds came or went: k_refresh_change); in between, a body recomputes its own
  // feed's rates alone, against the outlets' day as of the last full pass. One
  // pass costs about 3.4 µs a feed: once per body, a 10,000-feed round with
  // 2,000 bodies spent 68 s of CPU in it (bench/planner_bench). A body moves
  // the outlets' day by one week's entry in thousands.
  static constexpr int64_t k_refresh_s = 60;
  // … and when more feeds came or went since the last full pass than this
  // fraction of them (1/k): with few feeds any change, with 10,000 a thousand.
  static constexpr size_t k_refresh_change = 10;
  // A feed whose newest entries include this many stamped at one second
  // publishes in batches (a scraper or a cron regenerating it): a batch is one
  // event, not a rate that goes on, so the quarters ahead are planned from what
  // was learnt before the last k_batch_window_s (its entries and the time they
  // were observed), not from the batch just seen. Smoothed over an hour each
  // side, the batch otherwise drew polls for the hour after it, where the next
  // batch does not come.
  static constexpr size_t k_batch_entries = 10;
  static constexpr int64_t k_batch_window_s = 2 * 3600;
  // A batch feed's day as slots (its hazard, not its rate): its batches (at
  // least k_slot_batch_entries at one second) of the last week, by time of
  // day, chained into a slot while less than k_slot_gap_s apart, each spread
  // over ±k_slot_spread_s (a triangle: the days seen are few, and a batch
  // drifts by up to an hour). Once today's batch of a slot is seen, the slot
  // expects nothing more today; while it is not, what it brings is expected
  // over the part of its window not yet elapsed, conditioned on its not having
  // come yet, so polls gather where a late batch can still be. Used for a
  // batch feed (k_batch_entries above) with at least k_slot_min_share of its
  // entries in slots; its prior (for the quarters no slot covers, and a batch
  // off its slots) weighs k_slot_prior_days days, not k_prior_days: the
  // slots say where nothing is expected, and they are learnt from few days.
  static constexpr size_t k_slot_batch_entries = 5;
  static constexpr int64_t k_slot_gap_s = 45 * 60;
  static constexpr int64_t k_slot_spread_s = 75 * 60;
  static constexpr double k_slot_min_share = 0.5;
  static constexpr double k_slot_prior_days = 1.5;
  // A batch feed's next batch from the gaps between its batches (a renewal
  // hazard), which needs two gaps, not days: slots are learnt by time of day,
  // so on a feed's first day they know nothing ahead, while jugantor's and
  // bdnews24's batches come about every 3 h. Each gap of the week between
  // consecutive batches (at least k_slot_batch_entries at one second, from
  // k_gap_min_batches batches on) is spread ±k_gap_spread_s (a triangle);
  // the next batch (the mean batch's entries) is expected at the newest
  // batch plus a gap, conditioned on its not having come by now, over the day
  // ahead. That expectation counts as k_gap_days days of observation beside
  // the feed's rate ahead (slots or rate), which it may raise but never lower:
  // a batch off its usual gap (jugantor's 23:34 batch pushed out by another 30
  // minutes later) still has the slots' polls. Once the feed is later than
  // every gap but k_gap_min_survival of them, the gaps say nothing.
  static constexpr size_t k_gap_min_batches = 3;
  static constexpr int64_t k_gap_spread_s = 30 * 60;
  static constexpr double k_gap_days = 1;
  static constexpr double k_gap_min_survival = 0.05;
  // A feed that trickles (not a batch feed: see k_batch_entries) excites
  // itself: after an hour with an entry, more comes in the next half hour than
  // its hour-of-day rate expects, after a silent hour less (bdnews24-english
  // on W3: 1.31 and 0.47 times the rate). From its own week, at instants every
  // k_activity_step_s, the entries of the next k_activity_next_s over what its
  // learnt rate expects there, apart after k_activity_look_s with no entry
  // (silent) and with some (active), each over the week's mean ratio, is the
  // factor its rate ahead takes for the next k_activity_apply_s in the state
  // it is in now (then 1). Shrunk towards 1 as if k_activity_prior_days days,
  // and at least k_activity_prior_entries entries' worth, had shown 1: a feed
  // of few entries learns no factor from chance; clamped to
  // [k_activity_min_factor, k_activity_max_factor]. Learnt each time the feed
  // is planned, in one pass over its week (about 15 µs for a week of 400
  // entries), not at every refresh: there a 10,000-feed daemon would learn
  // 10,000 feeds' factors for each body.
  static constexpr int64_t k_activity_look_s = 3600;
  static constexpr int64_t k_activity_next_s = 1800;
  static constexpr int64_t k_activity_step_s = 600;
  static constexpr int64_t k_activity_apply_s = 3600;
  static constexpr double k_activity_prior_days = 1;
  static constexpr double k_activity_prior_entries = 5;
  static constexpr double k_activity_min_factor = 0.25;
  static constexpr double k_activity_max_factor = 4;

  // requests_per_day <= 0: no budget (base_interval_s is adaptive_interval_s).
  explicit PollPlanner(double requests_per_day = 0) : m_requests_per_day(requests_per_day) {}

  void set_requests_per_day(double requests_per_day) { m_requests_per_day = requests_per_day; }
  double requests_per_day() const { return m_requests_per_day; }
  bool budgeted() const { return m_requests_per_day > 0; }

  // The base interval for a feed's next poll (before hints), from a poll at
  // `now_s`: `body_entry_times` are the dates of the entries of a 200's body
  // (learnt: the feed's rate, its size, its day), nullopt for a 304. Without a
  // budget: adaptive_interval_s over the body (0 on a 304: keep the last). With
  // one: the feed's share described above.
  int64_t base_interval_s(std::string_view feed_id,
                          std::optional<std::span<const int64_t>> body_entry_times,
                          const PollBounds& bounds, int64_t now_s);

  // A feed left the configuration: its rate no longer takes a share.
  void forget(std::string_view feed_id);

  // What the planner learnt of a feed, to outlive a restart (khobord keeps it
  // in the store): its entry dates of the last week as of its last body, when
  // they are known from, that body's size, whether any body was dated.
  struct Memory {
    std::vector<int64_t> times;
    int64_t as_of_s = 0;
    int64_t observed_since_s = 0;
    size_t feed_size = 0;
    bool dated = false;
  };
  std::optional<Memory> memory(std::string_view feed_id) const;
  // Takes back what memory() gave (replacing what is known of the feed), as
  // of its last body; ignored when that is later than `now_s` (the clock
  // went back) or unset.
  void restore(std::string_view feed_id, const Memory& m, int64_t now_s);

  // What the planner has learnt (for status and tests): entries per day over the
  // last week (0 for an unknown feed), the outlets' day pooled over every feed
  // (mean 1, by UTC hour) and a feed's expected entries per hour at `t_s`.
  double rate_per_day(std::string_view feed_id) const;
  std::array<double, 24> day_shape() const;
  double expected_per_hour(std::string_view feed_id, int64_t t_s);
  // Full passes over every feed's rates so far (k_refresh_s, k_refresh_change).
  size_t full_passes() const { return m_full_passes; }

 private:
  using Bins = std::array<double, k_bins>;
  // One slot of a batch feed's day (see k_slot_gap_s): a window of the day
  // and where in it its batches' entries came.
  struct Slot {
    int64_t start_s = 0;     // the window's start, seconds into the UTC day
    std::vector<float> cum;  // the entries' share up to each minute of the window
    double entries = 0;      // its batches' entries in the last week
    int days = 0;            // the days a batch of it came on
  };
  struct FeedRates {
    std::vector<int64_t> times;  // entry dates of the last week, ascending
    int64_t observed_since_s = 0;
    size_t feed_size = 0;   // entries in the last body
    double rate_per_s = 0;  // over the last week, at the last body
    // The same over at least k_share_min_span_s: what the feed's share is
    // drawn from (see there).
    double share_rate_per_s = 0;
    Bins counts{};            // its entries of the last week by quarter hour
    Bins rate{};              // λ_f(b), entries per second (refreshed when dirty)
    Bins share_rate{};        // λ_f(b) from share_rate_per_s: the share's
    double weight = 0;        // Σ_b √λ_f(b) · k_bin_s
    bool dated = false;       // some body carried a dated entry
    int64_t as_of_s = 0;      // the last body's time
    std::vector<Slot> slots;  // its day as batch slots (empty: none)
    Bins loose{};             // its entries outside the slots' batches, by quarter hour
    double in_slots = 0;      // the share of its entries in the slots' batches
    // Its batches' gaps of the week (s), their mean entries and the newest
    // batch's time (see k_gap_min_batches; no gaps: fewer batches).
    std::vector<double> batch_gaps;
    double batch_entries = 0;
    int64_t last_batch_s = 0;
    bool stale = false;  // a body was learnt since its rates were computed
  };
  bool unknown(const FeedRates& f, int64_t now_s) const;
  void learn(FeedRates& f, std::span<const int64_t> entry_times, int64_t now_s);
  void count(FeedRates& f, int64_t t, double delta);
  void settle(FeedRates& f, size_t feed_size, int64_t now_s);
  void refresh();
  void refresh_feed(FeedRates& f);
  void ensure_fresh(FeedRates& f);
  void weigh_unknown();
  Bins pooled_share() const;
  static bool batch_feed(const FeedRates& f);
  static double activity_factor(const FeedRates& f, bool active);
  Bins rate_ahead(const FeedRates& f, int64_t now_s) const;
  static Bins activity_rate_ahead(const FeedRates& f, int64_t now_s);
  static void build_slots(FeedRates& f);
  Bins with_next_batch(const FeedRates& f, Bins rate, double prior_days, int64_t now_s) const;
  Bins slot_rate_ahead(const FeedRates& f, int64_t now_s) const;
  int64_t budget_interval_s(const FeedRates& f, const PollBounds& bounds, int64_t now_s) const;

  double m_requests_per_day = 0;
  std::map<std::string, FeedRates, std::less<>> m_feeds;
  Bins m_pooled{};               // entries by quarter hour, every feed, last week
  Bins m_pooled_share{};         // pooled_share() as of the last refresh
  double m_weight = 0;           // Σ_f weight
  bool m_dirty = false;          // a body was learnt since the last full refresh()
  int64_t m_refreshed_s = 0;     // m_now_s at the last full refresh()
  size_t m_refreshed_feeds = 0;  // feeds at the last full refresh()
  size_t m_feeds_changed = 0;    // feeds that came or went since
  size_t m_full_passes = 0;
  int64_t m_now_s = 0;  // the latest body's time (the exposure's end)
};

}  // namespace khobor::daemon
