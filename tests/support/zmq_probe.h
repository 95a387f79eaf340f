// khobor/tests/support/zmq_probe.h — raw ZeroMQ clients that send what a socket
// must refuse (an oversized request, an oversized subscription) and report what
// the server did: answered, or closed the connection (seen on a socket monitor).
//
// For tests only. Each probe owns its context and sockets; `pump` (optional) is
// called between short waits, for a server served on the caller's thread. Waits
// are bounded by `timeout`; nothing sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <zmq.hpp>

namespace khobor::testing {

struct ProbeOutcome {
  bool disconnected = false;  // the server closed the connection
  bool replied = false;       // a message came back
};

namespace detail {

inline std::string probe_monitor_endpoint() {
  static std::atomic<int> n{0};
  return "inproc://khobor-probe-" + std::to_string(++n);
}

// Wait until the monitor reports a disconnection or `socket` receives something.
inline ProbeOutcome watch(zmq::socket_t& socket, zmq::socket_t& monitor,
                          std::chrono::milliseconds timeout, const std::function<void()>& pump) {
  ProbeOutcome out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!out.disconnected && !out.replied && std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t items[] = {{monitor.handle(), 0, ZMQ_POLLIN, 0},
                               {socket.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, std::chrono::milliseconds(pump ? 20 : 200));
    if (pump) {
      pump();
    }
    if ((items[0].revents & ZMQ_POLLIN) != 0) {
      out.disconnected = true;  // the only event the monitor was asked for
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) {
      out.replied = true;
    }
  }
  return out;
}

}  // namespace detail

// A DEALER sends `body` to a ROUTER at `endpoint` as a REQ would (an empty
// delimiter frame, then the body).
inline ProbeOutcome probe_request(const std::string& endpoint, const std::string& body,
                                  std::chrono::milliseconds timeout,
                                  const std::function<void()>& pump = {}) {
  zmq::context_t ctx{1};
  zmq::socket_t socket{ctx, zmq::socket_type::dealer};
  socket.set(zmq::sockopt::linger, 0);
  const std::string at = detail::probe_monitor_endpoint();
  if (zmq_socket_monitor(socket.handle(), at.c_str(), ZMQ_EVENT_DISCONNECTED) != 0) {
    throw std::runtime_error("zmq_socket_monitor failed");
  }
  zmq::socket_t monitor{ctx, zmq::socket_type::pair};
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(at);
  socket.connect(endpoint);
  socket.send(zmq::message_t(), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(body.data(), body.size()), zmq::send_flags::none);
  return detail::watch(socket, monitor, timeout, pump);
}

// A SUB subscribes to `topic` at the publisher's `endpoint`; `replied` is never
// set (a subscriber gets messages only when something is published).
inline ProbeOutcome probe_subscription(const std::string& endpoint, const std::string& topic,
                                       std::chrono::milliseconds timeout,
                                       const std::function<void()>& pump = {}) {
  zmq::context_t ctx{1};
  zmq::socket_t socket{ctx, zmq::socket_type::sub};
  socket.set(zmq::sockopt::linger, 0);
  const std::string at = detail::probe_monitor_endpoint();
  if (zmq_socket_monitor(socket.handle(), at.c_str(), ZMQ_EVENT_DISCONNECTED) != 0) {
    throw std::runtime_error("zmq_socket_monitor failed");
  }
  zmq::socket_t monitor{ctx, zmq::socket_type::pair};
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(at);
  socket.set(zmq::sockopt::subscribe, topic);
  socket.connect(endpoint);
  return detail::watch(socket, monitor, timeout, pump);
}

}  // namespace khobor::testing
