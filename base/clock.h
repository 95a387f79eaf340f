// khobor/base/clock.h — the one seam tests fake: time.
//
// Everything that schedules, expires or stamps reads time through a Clock. The
// daemon uses SystemClock; tests pass a ManualClock they move by hand. Both are
// thread-compatible (not synchronised).
#pragma once

#include <cstdint>

namespace khobor {

// Seconds and milliseconds since the Unix epoch (UTC).
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the epoch.
  virtual int64_t now_ms() const = 0;
  // Monotonic time in milliseconds (arbitrary origin), for timeouts and intervals.
  virtual int64_t mono_ms() const = 0;
  int64_t now_s() const { return now_ms() / 1000; }
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override;
  int64_t mono_ms() const override;
  // A process-wide instance; stateless, so sharing it is safe.
  static const SystemClock& instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : m_now(start_ms) {}
  int64_t now_ms() const override { return m_now; }
  int64_t mono_ms() const override { return m_now; }
  void advance_ms(int64_t d) { m_now += d; }
  void set_ms(int64_t t) { m_now = t; }

 private:
  int64_t m_now;
};

}  // namespace khobor
