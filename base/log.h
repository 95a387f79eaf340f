// khobor/base/log.h — the one logging facade.
//
// Each line goes to stderr in one write(2), prefixed with its sd-daemon priority
// (<3> error … <7> debug) so journald files it at the right level. Outside
// journald (no $JOURNAL_STREAM) a local timestamp follows the prefix. The level
// is checked before anything is formatted. Thread-safe: one write per line.
#pragma once

#include <string_view>

namespace khobor::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// Set the most verbose level that is written (default: info).
void set_level(Level level);
Level level();
inline bool enabled(Level l) {
  return static_cast<int>(l) <= static_cast<int>(level());
}

// Parse "error", "warning", "notice", "info" or "debug"; false if unknown.
bool parse_level(std::string_view name, Level& out);

// Write one line (the message must not end with a newline).
void write(Level l, std::string_view message);

}  // namespace khobor::log

// Level-gated: the arguments are not evaluated when the level is off.
#define KHOBOR_LOG(lvl, expr)                                  \
  do {                                                         \
    if (::khobor::log::enabled(::khobor::log::Level::lvl)) {   \
      ::khobor::log::write(::khobor::log::Level::lvl, (expr)); \
    }                                                          \
  } while (0)
