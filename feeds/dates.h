// khobor/feeds/dates.h — the dates feeds write, to seconds since the epoch (UTC).
//
// Reads RFC 822/1123/2822 and their real-world variants (two-digit years, no
// seconds, no weekday, named zones, -0000), RFC 850, asctime, ISO 8601 / RFC 3339 /
// W3C-DTF (reduced precision too), and dates written in Bengali: Bengali digits,
// Bengali month and weekday names, time-of-day words (রাত, বিকাল…) and prefixes such
// as "আপডেটঃ" or "প্রকাশ:". A date with no zone is read in `default_timezone`
// (an IANA name; ICU's tables). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace khobor::feeds {

// Seconds since the epoch, or nullopt when `text` holds no date we can read.
std::optional<int64_t> parse_date(std::string_view text,
                                  std::string_view default_timezone = "Asia/Dhaka");

namespace detail {

// parse_date without its allocation-free fast path for the RFC 1123 shape nearly
// every RSS feed writes: the general readers alone. For tests that check the fast
// path reads every date it takes to the same time as the general readers.
std::optional<int64_t> parse_date_general(std::string_view text,
                                          std::string_view default_timezone = "Asia/Dhaka");

}  // namespace detail

// RFC 3339 in UTC with a Z, e.g. "2026-06-06T01:07:00Z".
std::string format_rfc3339(int64_t epoch_seconds);

// `epoch_seconds` as the wall time in `zone` (an IANA name; ICU's tables) to the
// minute, with the zone's UTC offset at that instant: "2023-09-13 15:55 +06:00".
// nullopt when ICU does not know the zone.
std::optional<std::string> format_local_minute(int64_t epoch_seconds, std::string_view zone);

}  // namespace khobor::feeds
