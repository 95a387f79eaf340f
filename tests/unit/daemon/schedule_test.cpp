// Tests of daemon/schedule.h with fixed numbers: the adaptive interval, hints,
// backoff, HTTP outcomes, the start-up spread and the budget planner.
#include "daemon/schedule.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace khobor::daemon;

namespace {
constexpr int64_t k_now = 1'800'000'000;

PollObservation answered(long status, std::string retry_after = {}) {
  PollObservation o;
  o.status = status;
  o.retry_after = std::move(retry_after);
  return o;
}

PollObservation redirected(std::string to, bool permanent) {
  PollObservation o = answered(200);
  o.permanent_redirect = permanent;
  o.effective_url = std::move(to);
  return o;
}
}  // namespace

TEST_CASE("A feed without dated entries is polled at the maximum interval", "[daemon][schedule]") {
  PollBounds b;
  std::vector<int64_t> none;
  CHECK(adaptive_interval_s(none, b, {}, k_now) == b.max_interval_s);
}

TEST_CASE("A busy feed is polled at about half its recent gap", "[daemon][schedule]") {
  PollBounds b;
  std::vector<int64_t> times;
  for (int i = 0; i < 12; ++i) {
    times.push_back(k_now - 600 * i);  // one entry every 10 minutes, the newest now
  }
  CHECK(adaptive_interval_s(times, b, {}, k_now) == 300);
}

TEST_CASE("A breaking-news burst tightens the interval at once", "[daemon][schedule]") {
  PollBounds b;
  std::vector<int64_t> quiet;
  for (int i = 0; i < 10; ++i) {
    quiet.push_back(k_now - 3000 * i);  // every 50 minutes
  }
  int64_t before = adaptive_interval_s(quiet, b, {}, k_now);
  CHECK(before == 1500);
  // Three entries in the last 4 minutes.
  std::vector<int64_t> burst = quiet;
  for (auto& t : burst) {
    t -= 240;
  }
  burst.push_back(k_now);
  burst.push_back(k_now - 120);
  burst.push_back(k_now - 240);
  int64_t after = adaptive_interval_s(burst, b, {}, k_now);
  CHECK(after < before / 2);
  CHECK(after >= b.min_interval_s);
}

TEST_CASE("The interval stays within the feed's bounds", "[daemon][schedule]") {
  PollBounds b{300, 900, 6 * 3600};
  std::vector<int64_t> fast{k_now, k_now - 1, k_now - 2};
  CHECK(adaptive_interval_s(fast, b, {}, k_now) == 300);
  std::vector<int64_t> slow{k_now - 86400, k_now - 2 * 86400};
  CHECK(adaptive_interval_s(slow, b, {}, k_now) == 900);
}

TEST_CASE("ttl, max-age and Expires raise the interval", "[daemon][schedule]") {
  PollBounds b;
  std::vector<int64_t> fast{k_now, k_now - 60, k_now - 120};
  CHECK(adaptive_interval_s(fast, b, ScheduleHints{1800, -1, 0}, k_now) == 1800);
  CHECK(adaptive_interval_s(fast, b, ScheduleHints{0, 900, 0}, k_now) == 900);
  CHECK(adaptive_interval_s(fast, b, ScheduleHints{0, -1, k_now + 700}, k_now) == 700);
  // A hint beyond a day is held to a day.
  CHECK(adaptive_interval_s(fast, b, ScheduleHints{7 * 86400, -1, 0}, k_now) == 86400);
}

TEST_CASE("Backoff grows with errors, is jittered, floored and capped", "[daemon][schedule]") {
  PollBounds b{120, 3600, 6 * 3600};
  Rng rng(42);
  for (int errors = 1; errors <= 20; ++errors) {
    for (int i = 0; i < 50; ++i) {
      int64_t d = backoff_delay_s(errors, 600, b, rng);
      CHECK(d >= b.min_interval_s);
      CHECK(d <= b.min_interval_s +
                     std::min<int64_t>(b.backoff_cap_s, 600LL << std::min(errors - 1, 20)));
    }
  }
  // Full jitter: the delays spread out rather than repeating one value.
  std::vector<int64_t> seen;
  for (int i = 0; i < 20; ++i) {
    seen.push_back(backoff_delay_s(5, 600, b, rng));
  }
  std::sort(seen.begin(), seen.end());
  CHECK(std::unique(seen.begin(), seen.end()) - seen.begin() > 10);
}

TEST_CASE("Retry-After is read as seconds or as an HTTP-date", "[daemon][schedule]") {
  CHECK(parse_retry_after("120", k_now) == k_now + 120);
  CHECK(parse_retry_after(" 0 ", k_now) == k_now);
  // 1800000300 s is Fri, 15 Jan 2027 08:05:00 GMT.
  CHECK(parse_retry_after("Fri, 15 Jan 2027 08:05:00 GMT", k_now) == k_now + 300);
  CHECK(parse_retry_after("99999999999", k_now) == k_now + 86400);
  CHECK_FALSE(parse_retry_after("soon", k_now).has_value());
  CHECK_FALSE(parse_retry_after("", k_now).has_value());
}

TEST_CASE("The registrable domain comes from the public suffix list", "[daemon][schedule]") {
  CHECK(registrable_domain("https://www.prothomalo.com/feed/") == "prothomalo.com");
  CHECK(registrable_domain("https://feeds.bbci.co.uk/bengali/rss.xml") == "bbci.co.uk");
  CHECK(registrable_domain("https://www.ittefaq.com.bd/feed/") == "ittefaq.com.bd");
  CHECK(registrable_domain("http://127.0.0.1:8080/a.xml") == "127.0.0.1");
  CHECK(registrable_domain("not a url").empty());
}

TEST_CASE("Start-up offsets spread feeds over 100 ms per feed", "[daemon][schedule]") {
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < 1000; ++i) {
    const int64_t off = startup_offset_ms("feed-" + std::to_string(i), 1000, 600);
    REQUIRE(off >= 0);
    REQUIRE(off < 100'000);  // 1,000 feeds: a 100 s window, under the 600 s minimum
    ++buckets[static_cast<size_t>(off / 10'000)];
  }
  for (int n : buckets) {
    CHECK(n > 50);  // roughly 100 each
  }
  CHECK(startup_offset_ms("same", 1000, 600) == startup_offset_ms("same", 1000, 600));
  // The slots the code before base/hash.h gave (its FNV-1a from its own seed).
  CHECK(startup_offset_ms("prothomalo", 6000, 600) == 426080);
  CHECK(startup_offset_ms("bbc-bangla", 36'000, 3600) == 2071602);
}

TEST_CASE("A feed's start-up offset stays within its own min_interval", "[daemon][schedule]") {
  // 10,000 feeds make a 1,000 s window; a feed polled every 30 s at most starts
  // within its first 30 s, and the others keep the whole window.
  int64_t longest = 0;
  int64_t longest_default = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = "feed-" + std::to_string(i);
    longest = std::max(longest, startup_offset_ms(id, 10'000, 30));
    longest_default = std::max(longest_default, startup_offset_ms(id, 10'000, 3600));
  }
  CHECK(longest < 30'000);
  CHECK(longest > 25'000);           // spread over the 30 s, not bunched at the start
  CHECK(longest_default > 900'000);  // the 1,000 s window
  CHECK(longest_default < 1'000'000);
  CHECK(startup_offset_ms("a", 10'000, 0) == 0);  // no minimum: at once
}

TEST_CASE("304 moves only the schedule", "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 2, "", 0, false, 600};
  Rng rng(1);
  auto d = decide(st, answered(304), PollBounds{}, k_now, rng);
  CHECK(d.verdict == Verdict::not_modified);
  CHECK(d.next_due_s == k_now + 600);
  CHECK(st.consecutive_errors == 0);
  CHECK_FALSE(d.moved_to.has_value());
}

TEST_CASE("A 304 refreshes the server's max-age and Expires over the entries' interval",
          "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 0};
  Rng rng(3);
  PollBounds b;
  PollObservation body = answered(200);
  body.base_interval_s = 300;  // from the entries
  body.max_age_s = 1800;
  auto first = decide(st, body, b, k_now, rng);
  CHECK(first.next_due_s == k_now + 1800);
  CHECK(st.base_interval_s == 300);

  PollObservation shorter = answered(304);  // the server now says 10 minutes
  shorter.max_age_s = 600;
  CHECK(decide(st, shorter, b, k_now, rng).next_due_s == k_now + 600);
  CHECK(st.interval_s == 600);

  PollObservation expires = answered(304);  // no max-age, Expires in 20 minutes
  expires.expires_at_s = k_now + 1200;
  CHECK(decide(st, expires, b, k_now, rng).next_due_s == k_now + 1200);

  // No hint any more: back to the entries' own interval, not the last hint.
  CHECK(decide(st, answered(304), b, k_now, rng).next_due_s == k_now + 300);
  CHECK(st.interval_s == 300);
}

TEST_CASE("A 304 keeps the feed's own ttl from its last body", "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 0};
  Rng rng(4);
  PollObservation body = answered(200);
  body.base_interval_s = 300;
  body.ttl_s = 900;
  CHECK(decide(st, body, PollBounds{}, k_now, rng).next_due_s == k_now + 900);
  PollObservation brief = answered(304);
  brief.max_age_s = 60;  // lower than the ttl: the ttl still holds
  CHECK(decide(st, brief, PollBounds{}, k_now, rng).next_due_s == k_now + 900);
}

TEST_CASE("A permanent redirect seen on three consecutive polls moves the feed",
          "[daemon][schedule]") {
  FeedPollState st{"http://a/old", 0, "", 0, false, 600};
  Rng rng(1);
  PollObservation moved = redirected("http://a/new", true);
  CHECK_FALSE(decide(st, moved, {}, k_now, rng).moved_to.has_value());
  CHECK_FALSE(decide(st, moved, {}, k_now, rng).moved_to.has_value());
  auto d = decide(st, moved, {}, k_now, rng);
  REQUIRE(d.moved_to.has_value());
  CHECK(*d.moved_to == "http://a/new");
  CHECK(st.url == "http://a/new");
}

TEST_CASE("A broken streak or a temporary redirect never moves the feed", "[daemon][schedule]") {
  FeedPollState st{"http://a/old", 0, "", 0, false, 600};
  Rng rng(1);
  PollObservation moved = redirected("http://a/new", true);
  PollObservation plain = answered(200);
  decide(st, moved, {}, k_now, rng);
  decide(st, moved, {}, k_now, rng);
  decide(st, plain, {}, k_now, rng);  // the streak breaks
  CHECK_FALSE(decide(st, moved, {}, k_now, rng).moved_to.has_value());
  PollObservation temp = redirected("http://a/tmp", false);
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(decide(st, temp, {}, k_now, rng).moved_to.has_value());
  }
  CHECK(st.url == "http://a/old");
}

TEST_CASE("410 retires the feed", "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 600};
  Rng rng(1);
  auto d = decide(st, answered(410), {}, k_now, rng);
  CHECK(d.verdict == Verdict::retired);
  CHECK(st.retired);
}

TEST_CASE("429 and 503 hold the whole domain until Retry-After", "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 600};
  Rng rng(1);
  auto d = decide(st, answered(503, "900"), {}, k_now, rng);
  CHECK(d.verdict == Verdict::throttled);
  REQUIRE(d.domain_hold_until_s.has_value());
  CHECK(*d.domain_hold_until_s == k_now + 900);
  CHECK(d.next_due_s == k_now + 900);
  auto d2 = decide(st, answered(429), {}, k_now, rng);
  CHECK_FALSE(d2.domain_hold_until_s.has_value());
  CHECK(d2.next_due_s >= k_now + PollBounds{}.min_interval_s);
}

TEST_CASE("Failures back off and success resets the count", "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 600};
  Rng rng(7);
  PollBounds b;
  for (int i = 1; i <= 6; ++i) {
    auto d = decide(st, answered(500), b, k_now, rng);
    CHECK(d.verdict == Verdict::failed);
    CHECK(d.message == "HTTP 500");
    CHECK(st.consecutive_errors == i);
    CHECK(d.next_due_s >= k_now + b.min_interval_s);
    CHECK(d.next_due_s <= k_now + b.min_interval_s + b.backoff_cap_s);
  }
  PollObservation timeout;
  timeout.transport_error = true;
  timeout.error_text = "timeout";
  auto t = decide(st, timeout, b, k_now, rng);
  CHECK(t.message == "timeout");
  PollObservation fine = answered(200);
  fine.base_interval_s = 300;
  auto ok = decide(st, fine, b, k_now, rng);
  CHECK(ok.verdict == Verdict::ok);
  CHECK(st.consecutive_errors == 0);
  CHECK(ok.next_due_s == k_now + 300);
}

// ---- jittered_due_s and PollPlanner ----------------------------------------------

TEST_CASE("Jitter moves a success up to a tenth of the interval, never a failure",
          "[daemon][schedule]") {
  Rng rng(7);
  PollDecision ok;
  ok.verdict = Verdict::ok;
  ok.next_due_s = k_now + 600;
  PollDecision failed = ok;
  failed.verdict = Verdict::failed;
  for (int i = 0; i < 200; ++i) {
    int64_t t = jittered_due_s(ok, 600, rng);
    CHECK(t >= k_now + 600);
    CHECK(t <= k_now + 660);
    CHECK(jittered_due_s(failed, 600, rng) == k_now + 600);
  }
}

namespace {
// `count` entries `gap_s` apart, the newest at `newest_s`.
std::vector<int64_t> entries_every(int64_t gap_s, int count, int64_t newest_s) {
  std::vector<int64_t> t;
  for (int i = 0; i < count; ++i) {
    t.push_back(newest_s - i * gap_s);
  }
  return t;
}
// An evening edition: 60 entries within a minute at 20:30 UTC on each of the
// seven days before `day0` (midnight UTC).
std::vector<int64_t> daily_edition(int64_t day0) {
  std::vector<int64_t> t;
  for (int d = 7; d >= 1; --d) {
    for (int i = 0; i < 60; ++i) {
      t.push_back(day0 - d * 86400 + 20 * 3600 + 1800 + i);
    }
  }
  return t;
}
PollBounds wide_bounds() {
  PollBounds b;
  b.min_interval_s = 120;
  b.max_interval_s = 6 * 3600;
  return b;
}
}  // namespace

TEST_CASE("Without a budget the planner's interval is the adaptive one", "[daemon][schedule]") {
  PollPlanner planner;
  auto times = entries_every(600, 20, k_now);
  PollBounds b;
  CHECK(planner.base_interval_s("a", std::span<const int64_t>(times), b, k_now) ==
        adaptive_interval_s(times, b, ScheduleHints{}, k_now));
  CHECK(planner.base_interval_s("a", std::nullopt, b, k_now) == 0);  // a 304 keeps it
}

TEST_CASE("A budget is shared in proportion to the square root of each feed's rate",
          "[daemon][schedule]") {
  PollPlanner planner(400);
  PollBounds b = wide_bounds();
  // Feed "busy" publishes 16 times as often as "calm"; both carry many entries,
  // so rollover does not bind. Every quarter hour alike, so the day has no shape.
  auto busy = entries_every(56, 7 * 1543, k_now);
  auto calm = entries_every(900, 7 * 96, k_now);
  int64_t busy_i = planner.base_interval_s("busy", std::span<const int64_t>(busy), b, k_now);
  int64_t calm_i = planner.base_interval_s("calm", std::span<const int64_t>(calm), b, k_now);
  // Re-ask "busy" now that "calm" takes its share of the total too.
  busy_i = planner.base_interval_s("busy", std::nullopt, b, k_now);
  CHECK(planner.rate_per_day("busy") == Approx(1543).epsilon(0.02));
  CHECK(planner.rate_per_day("calm") == Approx(96).epsilon(0.02));
  // √16 = 4 times the polls; together about 400 a day.
  CHECK(static_cast<double>(calm_i) / static_cast<double>(busy_i) == Approx(4).epsilon(0.05));
  double per_day = 86400.0 / static_cast<double>(busy_i) + 86400.0 / static_cast<double>(calm_i);
  CHECK(per_day == Approx(400).epsilon(0.05));
}

TEST_CASE("A feed is polled more often in its busy hours than in its quiet ones",
          "[daemon][schedule]") {
  PollPlanner planner(200);
  PollBounds b = wide_bounds();
  // A week of entries: every 10 minutes from 04:00 to 16:00 UTC, one at 22:00.
  const int64_t day0 = (k_now / 86400) * 86400;
  std::vector<int64_t> times;
  for (int d = 7; d >= 1; --d) {
    for (int64_t s = 4 * 3600; s < 16 * 3600; s += 600) {
      times.push_back(day0 - d * 86400 + s);
    }
    times.push_back(day0 - d * 86400 + 22 * 3600);
  }
  planner.base_interval_s("f", std::span<const int64_t>(times), b, day0);
  auto shape = planner.day_shape();
  CHECK(shape[10] > 3 * shape[1]);
  int64_t at_ten = planner.base_interval_s("f", std::nullopt, b, day0 + 10 * 3600);
  int64_t at_one = planner.base_interval_s("f", std::nullopt, b, day0 + 1 * 3600);
  CHECK(at_ten * 2 < at_one);
}

TEST_CASE("A first body that is one batch does not take the budget from the other feeds",
          "[daemon][schedule]") {
  PollBounds b = wide_bounds();
  // The same 30 entries a day, seen as a spread-out body ("spread": one every
  // 48 minutes) or as one batch of the last minutes ("batch": what a scraped
  // feed's first body often is). Over its one hour the batch looked like 30
  // entries an hour; over k_share_min_span_s it is 5.
  auto spread = entries_every(48 * 60, 30, k_now);
  auto batch = entries_every(20, 30, k_now);
  auto interval_of_spread_beside = [&](const std::vector<int64_t>& other) {
    PollPlanner planner(200);
    planner.base_interval_s("other", std::span<const int64_t>(other), b, k_now);
    return planner.base_interval_s("spread", std::span<const int64_t>(spread), b, k_now);
  };
  int64_t beside_twin = interval_of_spread_beside(spread);
  int64_t beside_batch = interval_of_spread_beside(batch);
  // Over an hour the batch would take √24 ≈ 5 times the spread feed's share
  // (the spread feed's interval stretched 1.8-fold, measured before the share
  // span); over six hours √4 = 2 times at most, and the pooled day, busy now,
  // draws the spread feed's polls forward as well.
  CHECK(static_cast<double>(beside_batch) / static_cast<double>(beside_twin) < 1.4);
}

TEST_CASE("A busy feed is polled before it can roll over, whatever the budget",
          "[daemon][schedule]") {
  PollPlanner planner(10);  // ten requests a day: far too few for this feed
  PollBounds b = wide_bounds();
  // 30 entries, one every 2 minutes: the feed turns over in an hour.
  auto times = entries_every(120, 30, k_now);
  int64_t i = planner.base_interval_s("burst", std::span<const int64_t>(times), b, k_now);
  CHECK(i <= 30 * 120 / 2);
  CHECK(i >= b.min_interval_s);
}

TEST_CASE("The budget never breaks min_interval nor max_interval", "[daemon][schedule]") {
  PollBounds b;  // 2 min to 60 min
  PollPlanner generous(1e6);
  auto busy = entries_every(60, 30, k_now);
  CHECK(generous.base_interval_s("x", std::span<const int64_t>(busy), b, k_now) == 120);
  PollPlanner stingy(1);
  auto calm = entries_every(86400, 7, k_now);
  CHECK(stingy.base_interval_s("y", std::span<const int64_t>(calm), b, k_now) == 3600);
  // A feed without a dated entry in the last week: the maximum.
  std::vector<int64_t> old{k_now - 30 * 86400};
  CHECK(stingy.base_interval_s("z", std::span<const int64_t>(old), b, k_now) == 3600);
}

TEST_CASE("A forgotten feed no longer takes a share", "[daemon][schedule]") {
  PollPlanner planner(500);
  PollBounds b = wide_bounds();
  auto a = entries_every(900, 7 * 96, k_now);
  auto c = entries_every(900, 7 * 96, k_now);
  planner.base_interval_s("a", std::span<const int64_t>(a), b, k_now);
  planner.base_interval_s("c", std::span<const int64_t>(c), b, k_now);
  int64_t shared = planner.base_interval_s("a", std::nullopt, b, k_now);
  planner.forget("c");
  int64_t alone = planner.base_interval_s("a", std::nullopt, b, k_now);
  CHECK(alone * 2 == Approx(shared).epsilon(0.02));
  CHECK(planner.rate_per_day("c") == 0);
}

TEST_CASE("A feed that goes as another comes within a minute leaves no share behind",
          "[daemon][schedule]") {
  PollPlanner planner(500);
  PollBounds b = wide_bounds();
  auto a = entries_every(900, 7 * 96, k_now);
  auto c = entries_every(900, 7 * 96, k_now);
  auto d = entries_every(900, 7 * 96, k_now + 10);
  planner.base_interval_s("a", std::span<const int64_t>(a), b, k_now);
  planner.base_interval_s("c", std::span<const int64_t>(c), b, k_now);
  const int64_t beside_c = planner.base_interval_s("a", std::nullopt, b, k_now);
  // Within PollPlanner::k_refresh_s the feeds are two again, but c's weight
  // must not stay in the sum beside d's.
  planner.forget("c");
  planner.base_interval_s("d", std::span<const int64_t>(d), b, k_now + 10);
  const int64_t beside_d = planner.base_interval_s("a", std::nullopt, b, k_now + 10);
  CAPTURE(beside_c, beside_d);
  CHECK(beside_d == Approx(beside_c).epsilon(0.02));
}

TEST_CASE("A 304 takes the planner's interval and still honours the server's hints",
          "[daemon][schedule]") {
  FeedPollState st{"http://a/feed", 0, "", 0, false, 0};
  Rng rng(5);
  PollObservation body = answered(200);
  body.base_interval_s = 600;
  decide(st, body, PollBounds{}, k_now, rng);
  PollObservation later = answered(304);
  later.base_interval_s = 300;  // the busy hours began
  CHECK(decide(st, later, PollBounds{}, k_now, rng).next_due_s == k_now + 300);
  later.max_age_s = 900;
  CHECK(decide(st, later, PollBounds{}, k_now, rng).next_due_s == k_now + 900);
}

TEST_CASE("A feed's own busy quarter hours are learnt: polls gather where its entries come",
          "[daemon][schedule]") {
  PollPlanner planner(300);
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  // "edition": 60 entries within a minute at 20:30 UTC every day for a week;
  // "steady": an entry every 15 minutes, all day.
  const int64_t day0 = (k_now / 86400) * 86400;
  const std::vector<int64_t> edition = daily_edition(day0);
  auto steady = entries_every(900, 7 * 96, day0);
  planner.base_interval_s("steady", std::span<const int64_t>(steady), b, day0);
  planner.base_interval_s("edition", std::span<const int64_t>(edition), b, day0);
  CHECK(planner.expected_per_hour("edition", day0 + 20 * 3600 + 1800) >
        50 * planner.expected_per_hour("edition", day0 + 8 * 3600));
  // In the edition's quarter it is polled within minutes; at 08:00 it waits
  // far longer, but never past its next edition's quarter.
  int64_t at_edition = planner.base_interval_s("edition", std::nullopt, b, day0 + 20 * 3600 + 1800);
  int64_t at_eight = planner.base_interval_s("edition", std::nullopt, b, day0 + 8 * 3600);
  CHECK(at_edition <= 600);
  CHECK(at_eight > 10 * at_edition);
  // From 17:00 the next poll falls before the edition is half over.
  int64_t from_five = planner.base_interval_s("edition", std::nullopt, b, day0 + 17 * 3600);
  CHECK(day0 + 17 * 3600 + from_five <= day0 + 20 * 3600 + 1800 + 450);
}

TEST_CASE("A batch stamped at one second is not expected again in the hour after it",
          "[daemon][schedule]") {
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  const int64_t day0 = (k_now / 86400) * 86400;
  const int64_t edition = day0 + 20 * 3600 + 1800;
  const int64_t now = edition + 120;  // the first poll of a new feed, just after its edition
  auto steady = entries_every(900, 7 * 96, now);
  // Its body: 60 entries of 20:30 UTC, at one second (a scraper's batch) or
  // one a second (a newsroom's minute).
  const auto first_poll = [&](int64_t spacing_s) {
    std::vector<int64_t> body;
    for (int i = 0; i < 60; ++i) {
      body.push_back(edition + i * spacing_s);
    }
    PollPlanner planner(300);
    planner.base_interval_s("steady", std::span<const int64_t>(steady), b, now);
    return planner.base_interval_s("new", std::span<const int64_t>(body), b, now);
  };
  const int64_t batch = first_poll(0);
  const int64_t minute = first_poll(1);
  // Entries that keep coming may go on, and the hour ahead is expected busy; a
  // batch is over, and the next poll is planned from the feed's mean rate
  // alone (without the rule both wait 186 s).
  CHECK(minute <= 300);
  CHECK(batch > 3 * minute / 2);
}

TEST_CASE("An hour never observed takes the feed's mean rate, not a zero", "[daemon][schedule]") {
  PollPlanner planner(200);
  PollBounds b = wide_bounds();
  // First seen now: 20 entries over the last two hours, nothing known before.
  auto times = entries_every(360, 20, k_now);
  planner.base_interval_s("new", std::span<const int64_t>(times), b, k_now);
  double seen_hour = planner.expected_per_hour("new", k_now - 1800);
  double unseen_hour = planner.expected_per_hour("new", k_now + 12 * 3600);
  CHECK(unseen_hour > 0.2 * seen_hour);
}

TEST_CASE("Under a budget a quiet feed waits at most a few times the budget's mean interval",
          "[daemon][schedule]") {
  PollPlanner planner(48);  // two feeds: a mean interval of an hour
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  auto busy = entries_every(60, 7 * 1440, k_now);
  auto quiet = entries_every(7 * 86400 / 2, 2, k_now - 3600);
  planner.base_interval_s("busy", std::span<const int64_t>(busy), b, k_now);
  int64_t q = planner.base_interval_s("quiet", std::span<const int64_t>(quiet), b, k_now);
  CHECK(q <= static_cast<int64_t>(PollPlanner::k_ceiling_ratio * 3600));
  CHECK(q > 3600);  // it gives polls to the busy feed
  // An explicit max_interval still holds.
  PollBounds tight = wide_bounds();
  tight.max_interval_s = 1800;
  CHECK(planner.base_interval_s("quiet", std::nullopt, tight, k_now) <= 1800);
}

TEST_CASE("A feed with no dated entry yet is polled at the budget's mean interval",
          "[daemon][schedule]") {
  PollPlanner planner(96);  // two feeds: a mean interval of 30 minutes
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  auto steady = entries_every(900, 7 * 96, k_now);
  const std::vector<int64_t> none;
  planner.base_interval_s("steady", std::span<const int64_t>(steady), b, k_now);
  // An empty body (a new feed whose generator has not run yet): nothing is
  // known of its rate, so it is not left at the ceiling (4 × 30 min) …
  int64_t empty = planner.base_interval_s("empty", std::span<const int64_t>(none), b, k_now);
  CHECK(empty == 1800);
  // … and the other feed shares what is left: 48 polls a day, not 96.
  int64_t other = planner.base_interval_s("steady", std::nullopt, b, k_now);
  CHECK(other == Approx(1800).epsilon(0.05));
  // Empty for a week: it is quiet, and waits the ceiling again.
  const int64_t week_on = k_now + PollPlanner::k_history_s;
  auto later = entries_every(900, 7 * 96, week_on);
  planner.base_interval_s("steady", std::span<const int64_t>(later), b, week_on);
  CHECK(planner.base_interval_s("empty", std::span<const int64_t>(none), b, week_on) > 2 * 1800);
  // A new empty feed takes the mean share (three feeds now).
  CHECK(planner.base_interval_s("new", std::span<const int64_t>(none), b, week_on) ==
        Approx(3 * 86400 / 96).epsilon(0.01));
}

TEST_CASE("A restored planner plans as the one it was saved from", "[daemon][schedule]") {
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  const int64_t day0 = (k_now / 86400) * 86400;
  // "edition": 60 entries at 20:30 UTC every day of the week; "steady": one
  // every 15 minutes; "empty": no dated entry yet.
  const std::vector<int64_t> edition = daily_edition(day0);
  auto steady = entries_every(900, 7 * 96, day0);
  const std::vector<int64_t> none;
  PollPlanner before(300);
  before.base_interval_s("edition", std::span<const int64_t>(edition), b, day0 - 3600);
  before.base_interval_s("steady", std::span<const int64_t>(steady), b, day0);
  before.base_interval_s("empty", std::span<const int64_t>(none), b, day0);
  PollPlanner after(300);
  for (const char* id : {"edition", "steady", "empty"}) {
    auto m = before.memory(id);
    REQUIRE(m.has_value());
    after.restore(id, *m, day0 + 600);
  }
  CHECK_FALSE(after.memory("unknown").has_value());
  for (int64_t t : {day0 + 8 * 3600, day0 + 20 * 3600 + 1800}) {
    for (const char* id : {"edition", "steady", "empty"}) {
      CHECK(after.base_interval_s(id, std::nullopt, b, t) ==
            before.base_interval_s(id, std::nullopt, b, t));
    }
  }
  CHECK(after.expected_per_hour("edition", day0 + 20 * 3600 + 1800) ==
        Approx(before.expected_per_hour("edition", day0 + 20 * 3600 + 1800)));
  // A memory from the future (the clock went back) is not taken.
  PollPlanner skewed(300);
  skewed.restore("edition", *before.memory("edition"), day0 - 7200);
  CHECK_FALSE(skewed.memory("edition").has_value());
}

namespace {
// A scraped feed of 30 entries: batches of 20 at one second at 08:30, 11:30
// and 14:30 UTC, each 20 minutes early, on time or late by turns, on the six
// days before `day0`; then today's batches up to `today` of them (on time).
std::vector<int64_t> scraped_batches(int64_t day0, int today) {
  std::vector<int64_t> t;
  const auto batch = [&](int64_t at) {
    for (int i = 0; i < 20; ++i) {
      t.push_back(at);
    }
  };
  for (int d = 6; d >= 1; --d) {
    const int64_t drift = (d % 3 - 1) * 20 * 60;
    for (int64_t h : {8, 11, 14}) {
      batch(day0 - d * 86400 + h * 3600 + 1800 + drift);
    }
  }
  for (int k = 0; k < today; ++k) {
    batch(day0 + (8 + 3 * k) * 3600 + 1800);
  }
  return t;
}
}  // namespace

TEST_CASE("A batch slot whose batch came today draws no polls, a late one draws them",
          "[daemon][schedule]") {
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  const int64_t day0 = (k_now / 86400) * 86400 + 86400;
  auto steady = entries_every(900, 7 * 96, day0);
  // The planner after a poll two minutes after each batch of the week (each
  // body the feed's newest 30 entries), then one at `now_s` with `today` of
  // today's batches.
  const auto interval = [&](int today, int64_t now_s) {
    std::vector<int64_t> all = scraped_batches(day0, today);
    PollPlanner planner(100);
    planner.base_interval_s("steady", std::span<const int64_t>(steady), b, day0 - 7 * 86400);
    for (size_t end = 20; end <= all.size(); end += 20) {
      const int64_t t = end == all.size() ? now_s : all[end - 1] + 120;
      std::vector<int64_t> body(all.begin() + static_cast<std::ptrdiff_t>(end > 30 ? end - 30 : 0),
                                all.begin() + static_cast<std::ptrdiff_t>(end));
      planner.base_interval_s("steady", std::span<const int64_t>(steady), b, t);
      planner.base_interval_s("scraped", std::span<const int64_t>(body), b, t);
    }
    return planner.base_interval_s("scraped", std::nullopt, b, now_s);
  };
  // 12:00: today's 11:30 batch was seen (a poll at 11:32) or has not come
  // yet. Come, nothing more is expected of the 11:xx slot today: the next
  // poll waits for the 14:xx one (its window opens 75 min before 14:10, its
  // earliest batch). Not come, it is late (it came as late as 11:50), and the
  // rest of its window takes all it brings: polled within minutes. (Learnt as
  // a rate, both waited 21 min.)
  const int64_t at = day0 + 12 * 3600;
  const int64_t came = interval(2, at);
  const int64_t due = interval(1, at);
  CHECK(came > 4 * due);
  CHECK(due <= 600);
  CHECK(at + came >= day0 + 12 * 3600 + 50 * 60);
  // The later the batch, the likelier it comes in the next minutes: at 11:45
  // without it the next poll comes sooner than at 10:45, before its usual time.
  const int64_t late = interval(1, day0 + 11 * 3600 + 45 * 60);
  const int64_t early = interval(1, day0 + 10 * 3600 + 45 * 60);
  CHECK(late < early);
}

TEST_CASE("A trickle feed silent for the last hour is polled later than one active in it",
          "[daemon][schedule]") {
  // A week of a feed that trickles in bursts: every 247 minutes (no hour of
  // the day busier than another) six entries ten minutes apart, each at its
  // own second (no batch). Each body carries the whole week, so the rollover
  // guard does not bind. The same planner state is planned 5 minutes after
  // the newest entry (active: more is likely soon) and 70 minutes after it
  // (silent for an hour: its burst is over), at a mean interval of 15 minutes.
  const int64_t period = 247 * 60;
  std::vector<int64_t> times;
  for (int64_t start = k_now - 7 * 86400 + period; start < k_now; start += period) {
    for (int k = 0; k < 6; ++k) {
      times.push_back(start + k * 600);
    }
  }
  const int64_t newest = times.back();
  const auto planned_at = [&](int64_t now_s) {
    PollPlanner planner(96);
    std::vector<int64_t> seen;
    for (int64_t t : times) {
      if (t <= now_s) {
        seen.push_back(t);
      }
    }
    return planner.base_interval_s("trickle", std::span<const int64_t>(seen), wide_bounds(), now_s);
  };
  const int64_t after_activity = planned_at(newest + 5 * 60);
  const int64_t after_silence = planned_at(newest + 70 * 60);
  CAPTURE(after_activity, after_silence);
  // 681 s and 1174 s; planned by its hour-of-day rate alone, 817 s and 952 s.
  CHECK(after_activity < 750);
  CHECK(after_silence > 1050);
  CHECK(2 * after_silence > 3 * after_activity);
}

TEST_CASE("On its first day a batch feed is polled when its batches' gap says the next is due",
          "[daemon][schedule]") {
  PollBounds b = wide_bounds();
  b.max_interval_s = k_budget_max_interval_s;
  const int64_t day0 = (k_now / 86400) * 86400 + 86400;
  // A new feed of 100 entries (so the rollover guard does not bind) that a
  // scraper regenerates every 3 hours, 30 new entries at one second (01:00,
  // 04:00, 07:00), polled two minutes after each batch, beside a steady feed
  // of a week (one entry every 15 minutes), at a mean interval of 2 hours.
  // Its slots know nothing of 10:00 yet; the gaps between its batches do.
  auto steady = entries_every(900, 7 * 96, day0);
  PollPlanner planner(24);
  std::vector<int64_t> body;
  for (int64_t h : {1, 4, 7}) {
    body.insert(body.end(), 30, day0 + h * 3600);
    const int64_t t = day0 + h * 3600 + 120;
    planner.base_interval_s("steady", std::span<const int64_t>(steady), b, t);
    planner.base_interval_s("scraped", std::span<const int64_t>(body), b, t);
  }
  // Planned at 09:00 and 09:30 (after a 304), the next poll.
  const int64_t at9 =
      day0 + 9 * 3600 + planner.base_interval_s("scraped", std::nullopt, b, day0 + 9 * 3600);
  const int64_t at930 = day0 + 9 * 3600 + 1800 +
                        planner.base_interval_s("scraped", std::nullopt, b, day0 + 9 * 3600 + 1800);
  // 10:24 and 10:53 (by its slots and prior alone: 10:35 and 11:05).
  CAPTURE((at9 - day0) / 60, (at930 - day0) / 60);
  CHECK(at9 <= day0 + 10 * 3600 + 30 * 60);
  CHECK(at930 <= day0 + 11 * 3600);
}

TEST_CASE("A body learnt between full passes re-plans its own feed at once, as a full pass would",
          "[daemon][schedule]") {
  // Three feeds of a week (an entry every 20, 30 and 60 minutes), all learnt
  // at k_now: one full pass over every feed's rates. Ten seconds later, well
  // within PollPlanner::k_refresh_s, the first feed's body shows it has turned
  // busy (an entry every 2 minutes for the last two hours): its next poll must
  // come sooner at once, and where a planner making a full pass puts it.
  static_assert(PollPlanner::k_refresh_s > 10);
  const auto a = entries_every(1200, 7 * 72, k_now);
  const auto b = entries_every(1800, 7 * 48, k_now);
  const auto c = entries_every(3600, 7 * 24, k_now);
  std::vector<int64_t> busier = entries_every(120, 60, k_now + 10);
  busier.insert(busier.end(), a.begin(), a.end());
  std::sort(busier.begin(), busier.end());
  busier.erase(std::unique(busier.begin(), busier.end()), busier.end());

  PollPlanner throttled(96);
  throttled.base_interval_s("b", std::span<const int64_t>(b), wide_bounds(), k_now);
  throttled.base_interval_s("c", std::span<const int64_t>(c), wide_bounds(), k_now);
  const int64_t quiet =
      throttled.base_interval_s("a", std::span<const int64_t>(a), wide_bounds(), k_now);
  const int64_t busy =
      throttled.base_interval_s("a", std::span<const int64_t>(busier), wide_bounds(), k_now + 10);

  PollPlanner full(96);
  full.base_interval_s("b", std::span<const int64_t>(b), wide_bounds(), k_now);
  full.base_interval_s("c", std::span<const int64_t>(c), wide_bounds(), k_now);
  const int64_t reference =
      full.base_interval_s("a", std::span<const int64_t>(busier), wide_bounds(), k_now + 10);
  CAPTURE(quiet, busy, reference);
  CHECK(10 * busy < 9 * quiet);
  CHECK(std::abs(busy - reference) * 50 <= reference);  // within 2 %
}

TEST_CASE("Thousands of feeds starting within a minute make few full passes, and fair shares",
          "[daemon][schedule]") {
  // 2,000 feeds alike (an entry every 30 minutes for a week) learnt at once, as
  // khobord's first round: a full pass for each new feed was 2,000 passes over
  // up to 2,000 feeds. With k_refresh_change, more than a tenth must have
  // come since the last pass; a new feed's weight is added as it comes.
  constexpr size_t n = 2000;
  PollPlanner planner(static_cast<double>(n) * 48);
  const PollBounds b = wide_bounds();
  const auto times = entries_every(1800, 7 * 48, k_now);
  std::vector<int64_t> intervals;
  for (size_t i = 0; i < n; ++i) {
    intervals.push_back(planner.base_interval_s("f" + std::to_string(i),
                                                std::span<const int64_t>(times), b, k_now));
  }
  CAPTURE(planner.full_passes());
  CHECK(planner.full_passes() < 100);  // ten for each tenfold, every change below ten feeds
  // The last feed planned shares as the first does once a full pass ran
  // (a minute later): alike feeds, alike intervals.
  const int64_t after_pass = planner.base_interval_s("f0", std::nullopt, b, k_now + 61);
  const size_t passes = planner.full_passes();
  CAPTURE(intervals.back(), after_pass);
  CHECK(passes >= 2);
  CHECK(std::abs(intervals.back() - after_pass) * 20 <= after_pass);  // within 5 %
}
