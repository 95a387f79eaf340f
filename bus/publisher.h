// khobor/bus/publisher.h — publishes alerts on a ZeroMQ PUB-style socket.
//
// The socket is an XPUB (a PUB that also sees subscriptions, so khobord can tell
// whether anyone listens). A message is two frames: the topic, then the payload.
// Sending never blocks: send is non-blocking, and a message the socket cannot take
// (ZMQ_XPUB_NODROP: some subscriber is at its high-water mark) is dropped for
// every subscriber and counted; subscribers see the gap in seq and recover it
// through replay (WIRE_FORMAT.md). Closing waits at most `linger_ms` for queued messages. Owns its
// context and socket; not thread-safe (the loop thread only). Move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "bus/security.h"

namespace khobor::bus {

// The largest message the alert socket reads from a subscriber (ZMQ_MAXMSGSIZE):
// subscriptions are a byte and a topic prefix; a longer one closes that
// subscriber's connection instead of being read.
inline constexpr int64_t k_max_subscription_bytes = 64 * 1024;

struct PublisherOptions {
  int send_hwm = 10'000;    // messages queued per subscriber before ZeroMQ drops
  int linger_ms = 1'000;    // how long close waits for queued messages
  ServerSecurity security;  // CURVE; required for an endpoint off loopback/ipc
};

class Publisher {
 public:
  // Bind to `endpoint` ("tcp://127.0.0.1:5680", "ipc:///run/khobor/alerts.sock",
  // "tcp://127.0.0.1:*" for a free port). An endpoint that is not local is
  // refused without CURVE (check_bind_allowed). The Error names the endpoint and why.
  static Result<Publisher> bind(const std::string& endpoint, PublisherOptions options = {});

  ~Publisher();
  Publisher(Publisher&&) noexcept;
  Publisher& operator=(Publisher&&) noexcept;

  // Send one message without blocking; false (and counted) when it was dropped.
  bool publish(const std::string& topic, const std::string& payload);

  // Read the subscription messages that arrived, waiting up to `timeout_ms` for
  // the first; returns how many topic prefixes are subscribed now.
  int poll_subscriptions(int timeout_ms);
  // Wait until at least one subscription is seen or `timeout_ms` passed.
  bool wait_for_subscriber(int timeout_ms);

  // The endpoint actually bound (the port filled in for "*").
  const std::string& endpoint() const;
  uint64_t sent() const;
  uint64_t dropped() const;

 private:
  struct Impl;
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::bus
