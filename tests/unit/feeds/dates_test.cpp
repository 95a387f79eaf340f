// Dates as feeds write them: RFC 822 variants, ISO 8601, Bengali.
#include "feeds/dates.h"

#include <catch2/catch.hpp>

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
