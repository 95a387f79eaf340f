// khobor/tests/support/next_message.h — the next bus message a subscriber gets
// within a deadline, for the tests that publish and read back.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "bus/subscriber.h"

namespace khobor::testing {

// The next message within `timeout_ms`, or nullopt. receive() itself waits through
// (re)connections, which it counts; this bounds the whole wait by one deadline.
inline std::optional<bus::Message> next_message(bus::Subscriber& sub, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (auto m = sub.receive(static_cast<int>(std::max<int64_t>(left.count(), 1)))) {
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace khobor::testing
