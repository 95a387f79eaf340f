// khobor/base/duration.h — durations as people write them in config files.
//
// One parser for every file that takes a duration (khobor.toml, watch lists).
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace khobor {

// "300", "90s", "5m", "2h", "1d", "1h30m" → seconds; an Error says what is expected.
Result<int64_t> parse_duration(std::string_view text);

}  // namespace khobor
