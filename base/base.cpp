// khobor/base/base.cpp — the system clock, the logging facade's level and output,
// and duration parsing (clock.h, log.h, duration.h).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

#include "base/clock.h"
#include "base/duration.h"
#include "base/log.h"

namespace khobor {

int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::mono_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock k_clock;
  return k_clock;
}

namespace log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
}  // namespace

void set_level(Level l) {
  g_level.store(static_cast<int>(l));
}
Level level() {
  return static_cast<Level>(g_level.load());
}

bool parse_level(std::string_view name, Level& out) {
  if (name == "error") {
    out = Level::error;
    return true;
  }
  if (name == "warning" || name == "warn") {
    out = Level::warning;
    return true;
  }
  if (name == "notice") {
    out = Level::notice;
    return true;
  }
  if (name == "info") {
    out = Level::info;
    return true;
  }
  if (name == "debug") {
    out = Level::debug;
    return true;
  }
  return false;
}

void write(Level l, std::string_view message) {
  static const bool k_journal = std::getenv("JOURNAL_STREAM") != nullptr;
  std::string line;
  line.reserve(message.size() + 32);
  line += '<';
  line += static_cast<char>('0' + static_cast<int>(l));
  line += '>';
  if (!k_journal) {
    char stamp[32];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
    line += stamp;
  }
  line += message;
  line += '\n';
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) {
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace log
Result<int64_t> parse_duration(std::string_view text) {
  auto bad = [&] {
    return make_error("duration",
                      "expected seconds (300) or a duration like \"90s\", \"5m\", "
                      "\"2h\", \"1h30m\", got \"" +
                          std::string(text) + "\"");
  };
  if (text.empty()) {
    return bad();
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 10'000'000'000) {
        return bad();
      }
      ++i;
    }
    if (i == start) {
      return bad();
    }
    int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        default:
          return bad();
      }
      ++i;
    } else if (start != 0) {
      return bad();  // "1h30": a number without a unit after a unit
    }
    total += n * unit;
  }
  return total;
}

}  // namespace khobor
