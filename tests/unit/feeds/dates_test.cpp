// Dates as feeds write them: RFC 822 variants, ISO 8601, Bengali.
#include "feeds/dates.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

using khobor::feeds::format_rfc3339;
using khobor::feeds::parse_date;

namespace {
std::string iso(std::string_view text, std::string_view zone = "Asia/Dhaka") {
  auto t = parse_date(text, zone);
  return t ? format_rfc3339(*t) : "null";
}
}  // namespace

TEST_CASE("RFC 822 dates and their real-world variants are read", "[feeds][dates]") {
  CHECK(iso("Sat, 06 Dec 2025 05:20:10 +0000") == "2025-12-06T05:20:10Z");
  CHECK(iso("Tue, 23 Dec 2025 03:00:19 -0000") == "2025-12-23T03:00:19Z");
  CHECK(iso("Sat, 22 Aug 2026 19:14:46 GMT") == "2026-08-22T19:14:46Z");
  CHECK(iso("Sat, 22 Aug 2026 19:14:46 +0600") == "2026-08-22T13:14:46Z");
  CHECK(iso("22 Aug 2026 19:14 EST") == "2026-08-23T00:14:00Z");           // no weekday, no seconds
  CHECK(iso("Thu, 01 Jan 04 19:48:21 GMT") == "2004-01-01T19:48:21Z");     // two-digit year
  CHECK(iso("Sunday, 06-Nov-94 08:49:37 GMT") == "1994-11-06T08:49:37Z");  // RFC 850
  CHECK(iso("Sun Nov  6 08:49:37 1994", "UTC") == "1994-11-06T08:49:37Z");  // asctime
  CHECK(iso("Sat, 22 Aug 2026 19:14:46") == "2026-08-22T13:14:46Z");        // no zone: Asia/Dhaka
}

TEST_CASE("ISO 8601, RFC 3339 and W3C-DTF dates are read", "[feeds][dates]") {
  CHECK(iso("2026-08-22T19:14:46Z") == "2026-08-22T19:14:46Z");
  CHECK(iso("2026-08-22T19:14:46.123+06:00") == "2026-08-22T13:14:46Z");
  CHECK(iso("2026-08-22T19:14+0600") == "2026-08-22T13:14:00Z");
  CHECK(iso("2026-08-22 19:14:46") == "2026-08-22T13:14:46Z");
  CHECK(iso("2026-08-22", "UTC") == "2026-08-22T00:00:00Z");
  CHECK(iso("2026-08", "UTC") == "2026-08-01T00:00:00Z");
  CHECK(iso("20260822T191446Z") == "2026-08-22T19:14:46Z");
}

TEST_CASE("Bengali dates with digits, month names and prefixes are read", "[feeds][dates]") {
  // Samakal's shape: a prefix, a line break, then "day month year | hh:mm" in Dhaka time.
  CHECK(iso("আপডেটঃ\n   ০৬ জুন ২০২৬ | ০৭:০৭") == "2026-06-06T01:07:00Z");
  CHECK(iso("প্রকাশ: ১৫ জানুয়ারি ২০২৬, ১০:৩০") == "2026-01-15T04:30:00Z");
  CHECK(iso("শনিবার, ২২ আগস্ট ২০২৬") == "2026-08-21T18:00:00Z");
  CHECK(iso("২২ সেপ্টেম্বর ২০২৬ রাত ১০:১৫") == "2026-09-22T16:15:00Z");
  CHECK(iso("২০২৬-০৮-২২T১৯:১৪:৪৬+০৬:০০") == "2026-08-22T13:14:46Z");
}

TEST_CASE("Unreadable dates are null, never a guess", "[feeds][dates]") {
  CHECK(iso("") == "null");
  CHECK(iso("yesterday") == "null");
  CHECK(iso("31 Feb 2026 10:00 GMT") == "null");
  CHECK(iso("Sat, 99 Dec 2025 05:20:10 +0000") == "null");
  CHECK(iso("2026-13-01") == "null");
}

TEST_CASE("Dates without a zone follow the configured zone", "[feeds][dates]") {
  CHECK(iso("2026-01-15 10:00", "Asia/Kolkata") == "2026-01-15T04:30:00Z");
  CHECK(iso("2026-07-15 10:00", "Europe/London") == "2026-07-15T09:00:00Z");
  CHECK(iso("2026-01-15 10:00", "UTC") == "2026-01-15T10:00:00Z");
}

namespace {

// Bengali digits for an ASCII number string.
std::string bengali_digits(std::string_view ascii) {
  static constexpr std::string_view k_digits[] = {"০", "১", "২", "৩", "৪", "৫", "৬", "৭", "৮", "৯"};
  std::string out;
  for (char c : ascii) {
    if (c >= '0' && c <= '9') {
      out.append(k_digits[c - '0']);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("The RFC 1123 fast path reads every date as the general readers do", "[feeds][dates]") {
  // Structured random dates in the fast path's shape, with fields in and out of
  // range and the zones feeds write; a character now and then replaced by another
  // that changes the shape. With a weekday in its place (the fast path does not look
  // at it), both paths must agree on every text, readable or not.
  using khobor::feeds::detail::parse_date_general;
  static constexpr const char* k_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "SAT"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                                             "DEC", "Mai", "Okt", "Dez", "dic", "Xyz"};
  static constexpr const char* k_zones[] = {"GMT",    "UTC",   "+0000", "-0000", "+0600", "-0530",
                                            "+06:00", "+1400", "+1500", "+0660", "UT",    "Z",
                                            "EST",    "+06",   "GMT+6", "+06:0", "gmt"};
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  size_t fast_readable = 0;
  for (int k = 0; k < 20000; ++k) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %s", k_days[next(8)],
                  static_cast<int>(next(33)), k_months[next(18)],
                  static_cast<int>(1960 + next(100)), static_cast<int>(next(26)),
                  static_cast<int>(next(61)), static_cast<int>(next(62)), k_zones[next(17)]);
    std::string text = buf;
    if (next(8) == 0) {
      text[4 + next(text.size() - 4)] = "0a:+ -9Z,"[next(9)];
    }
    auto fast = parse_date(text, "Asia/Dhaka");
    auto general = parse_date_general(text, "Asia/Dhaka");
    INFO(text);
    REQUIRE(fast == general);
    fast_readable += fast ? 1 : 0;
  }
  CHECK(fast_readable > 5000);  // the test did exercise readable dates
}

TEST_CASE("Bengali dates read as their English and ASCII spelling does", "[feeds][dates]") {
  static constexpr const char* k_bengali_months[] = {"জানুয়ারি",  "ফেব্রুয়ারি", "মার্চ",   "এপ্রিল",
                                                     "মে",       "জুন",       "জুলাই",   "আগস্ট",
                                                     "সেপ্টেম্বর", "অক্টোবর",   "নভেম্বর", "ডিসেম্বর"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  uint64_t state = 12345;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  size_t readable = 0;
  for (int k = 0; k < 3000; ++k) {
    const size_t m = next(12);
    char day_time[64];
    std::snprintf(day_time, sizeof day_time, "%02d|%04d|%02d:%02d", static_cast<int>(next(33)),
                  static_cast<int>(1990 + next(50)), static_cast<int>(next(25)),
                  static_cast<int>(next(60)));
    std::string_view dt = day_time;
    std::string day(dt.substr(0, 2));
    std::string year(dt.substr(3, 4));
    std::string time(dt.substr(8));
    // Samakal's shape, a prefix, a line break and padding, sometimes long enough
    // that the folded text no longer fits the folder's stack buffer.
    std::string padding(next(2) == 0 ? next(60) : 250 + next(100), ' ');
    std::string bengali = "আপডেটঃ\n" + padding + bengali_digits(day) + " " + k_bengali_months[m] +
                          " " + bengali_digits(year) + " | " + bengali_digits(time);
    std::string english = day + " " + k_months[m] + " " + year + " " + time;
    auto a = parse_date(bengali, "Asia/Dhaka");
    auto b = parse_date(english, "Asia/Dhaka");
    INFO(bengali);
    REQUIRE(a == b);
    readable += a ? 1 : 0;
  }
  CHECK(readable > 1000);
}

TEST_CASE("A number too long for any date field is no date, and no overflow", "[feeds][dates]") {
  // An ordinal day may carry any number of digits; its value stops at INT_MAX.
  CHECK(iso("4040440401st Dec 2025") == "null");
  CHECK(iso("Dec 99999999999999999999th 2025") == "null");
  CHECK(iso("৪০৪০৪৪০৪০১st ডিসেম্বর ২০২৫") == "null");
  CHECK(iso("1st Dec 2025", "UTC") == "2025-12-01T00:00:00Z");
}

TEST_CASE("A time prints in the zone asked for, to the minute, with that day's UTC offset",
          "[feeds][dates]") {
  using khobor::feeds::format_local_minute;
  const int64_t t = *parse_date("2023-09-13T09:55:00Z");
  CHECK(format_local_minute(t, "Asia/Dhaka") == "2023-09-13 15:55 +06:00");
  CHECK(format_local_minute(t, "Asia/Kolkata") == "2023-09-13 15:25 +05:30");
  CHECK(format_local_minute(t, "UTC") == "2023-09-13 09:55 +00:00");
  CHECK(format_local_minute(t, "America/New_York") == "2023-09-13 05:55 -04:00");  // summer
  CHECK(format_local_minute(*parse_date("2023-12-31T23:30:00Z"), "America/New_York") ==
        "2023-12-31 18:30 -05:00");
  CHECK(format_local_minute(*parse_date("2023-12-31T23:30:00Z"), "Asia/Dhaka") ==
        "2024-01-01 05:30 +06:00");  // the next day, the next year
  CHECK_FALSE(format_local_minute(t, "Nowhere/Atlantis").has_value());
}
