// khobor/bus/subscriber.h — receives alerts from a khobord publisher.
//
// A SUB socket connected to the publisher's endpoint, subscribed to a topic
// prefix ("alert." for every alert, "alert.summit" for one list). Connecting
// succeeds before the publisher exists: ZeroMQ reconnects in the background, and
// connections() counts every time the connection was (re)established (a socket
// monitor), so a caller knows when it may have missed messages and should replay.
// Owns its context and sockets; not thread-safe. Move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "bus/security.h"

namespace khobor::bus {

struct Message {
  std::string topic;
  std::string payload;
};

class Subscriber {
 public:
  // Connect to `endpoint`; with `security.enabled()` over CURVE (the server's
  // public key; the client's pair is generated when empty).
  static Result<Subscriber> connect(const std::string& endpoint, const std::string& topic_prefix,
                                    const ClientSecurity& security = {});

  ~Subscriber();
  Subscriber(Subscriber&&) noexcept;
  Subscriber& operator=(Subscriber&&) noexcept;

  // The next message, waiting up to `timeout_ms` (-1: forever); nullopt on
  // timeout. A message that is not two frames is skipped. (Re)connections seen
  // meanwhile are counted in connections().
  std::optional<Message> receive(int timeout_ms);

  // How many times the connection to the publisher was established so far.
  uint64_t connections() const;

  // The socket's file descriptor, readable when messages may be waiting (edge-
  // triggered, ZeroMQ's ZMQ_FD), for callers with their own poll loop.
  int fd() const;

 private:
  struct Impl;
  explicit Subscriber(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::bus
