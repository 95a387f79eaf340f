// khobor/tools/follower.h — follows khobord's messages in seq order, each once.
//
// The live PUB stream plus replay from the control socket: a gap in seq (a
// reconnect, a restart of khobord, a drop) is filled by replay before anything
// later is delivered, and repeats are dropped. `khobor sub` and `khobor web` both
// follow khobord through it. Used from one thread; stop() may be called from any.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bus/subscriber.h"

namespace khobor::tools {

struct FollowOptions {
  std::string control;             // the [control] endpoint, for replay
  std::string control_key;         // its CURVE public key ("" : plain)
  std::string topic;               // topic prefix ("" : every message)
  std::string state_file;          // keep the last delivered seq here ("" : nowhere)
  int count = 0;                   // stop after this many deliveries (0: never)
  double timeout_s = 0;            // stop after this long (0: never)
  const char* who = "khobor sub";  // names the program in messages on stderr
};

// Hands one message on. True when it was delivered (the position moves past
// it); false when it could not be and never will in this run: the follower then
// stops with the position before it, so a --state file keeps it for next time.
using Deliver =
    std::function<bool(const std::string& topic, const std::string& payload, int64_t seq)>;

class Follower {
 public:
  // `position`: the last seq already delivered (replay starts after it), or
  // nullopt to start with the live stream (the first message anchors it).
  Follower(FollowOptions options, bus::Subscriber sub, std::optional<int64_t> position,
           Deliver deliver);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Until --count messages were delivered, --timeout passed, a delivery failed
  // or stop(); the exit status (1 when --count was not reached or a delivery
  // failed, else 0).
  int run();

  // Ask run() to return (within a quarter of a second).
  void stop();

  // The time left before --timeout, in ms (-1: no timeout).
  int64_t remaining_ms() const;

  // True once stop() was called.
  bool stopping() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The last seq kept in a state file: nullopt when the file does not exist yet.
Result<std::optional<int64_t>> read_state(const std::string& path);

}  // namespace khobor::tools
