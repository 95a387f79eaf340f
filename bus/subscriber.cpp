// khobor/bus/subscriber.cpp — the SUB socket and the socket monitor that counts its
// (re)connections.
#include "bus/subscriber.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <zmq.hpp>

namespace khobor::bus {
namespace {

std::atomic<uint64_t> g_monitor_id{0};

}  // namespace

struct Subscriber::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::sub};
  zmq::socket_t monitor{context, zmq::socket_type::pair};
  uint64_t connections = 0;

  ~Impl() {
    monitor.close();
    socket.close();
    context.close();
  }

  // Count the ZMQ_EVENT_CONNECTED events waiting on the monitor; true if any.
  bool drain_monitor() {
    bool any = false;
    while (true) {
      zmq::message_t event;
      if (!monitor.recv(event, zmq::recv_flags::dontwait)) {
        return any;
      }
      bool more = event.more();
      if (event.size() >= 2) {
        uint16_t id = 0;
        std::memcpy(&id, event.data(), sizeof id);
        if (id == ZMQ_EVENT_CONNECTED) {
          ++connections;
          any = true;
        }
      }
      while (more) {  // the second frame: the endpoint
        zmq::message_t rest;
        if (!monitor.recv(rest, zmq::recv_flags::dontwait)) {
          break;
        }
        more = rest.more();
      }
    }
  }
};

Result<Subscriber> Subscriber::connect(const std::string& endpoint, const std::string& topic_prefix,
                                       const ClientSecurity& security) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.set(zmq::sockopt::reconnect_ivl, 20);
    impl->socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
    impl->socket.set(zmq::sockopt::rcvhwm, 100'000);
    if (security.enabled()) {
      auto keys = client_key_pair(security);
      if (!keys) {
        return keys.error();
      }
      const CurveKeyPair& client = *keys;
      impl->socket.set(zmq::sockopt::curve_serverkey, security.server_public_key);
      impl->socket.set(zmq::sockopt::curve_publickey, client.public_key);
      impl->socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
    }
    std::string monitor_at = "inproc://khobor-sub-monitor-" + std::to_string(++g_monitor_id);
    if (zmq_socket_monitor(impl->socket.handle(), monitor_at.c_str(), ZMQ_EVENT_CONNECTED) != 0) {
      throw zmq::error_t();
    }
    impl->monitor.set(zmq::sockopt::linger, 0);
    impl->monitor.connect(monitor_at);
    impl->socket.set(zmq::sockopt::subscribe, topic_prefix);
    impl->socket.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error("subscribe", "cannot connect to " + endpoint + ": " + e.what() +
                                       " (an endpoint looks like tcp://127.0.0.1:5680)");
  }
  return Subscriber(std::move(impl));
}

Subscriber::Subscriber(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Subscriber::~Subscriber() = default;
Subscriber::Subscriber(Subscriber&&) noexcept = default;
Subscriber& Subscriber::operator=(Subscriber&&) noexcept = default;

std::optional<Message> Subscriber::receive(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int wait = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      wait = static_cast<int>(std::max<int64_t>(left, 0));
    }
    zmq::pollitem_t items[2] = {{m_impl->socket.handle(), 0, ZMQ_POLLIN, 0},
                                {m_impl->monitor.handle(), 0, ZMQ_POLLIN, 0}};
    int n = 0;
    try {
      n = zmq::poll(items, 2, std::chrono::milliseconds(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) {
        return std::nullopt;
      }
      throw;
    }
    if (n == 0) {
      return std::nullopt;
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) {
      m_impl->drain_monitor();  // counted; the caller looks at connections()
    }
    std::vector<zmq::message_t> parts;
    while (true) {
      zmq::message_t part;
      if (!m_impl->socket.recv(part, zmq::recv_flags::dontwait)) {
        break;
      }
      parts.push_back(std::move(part));
      if (!parts.back().more()) {
        break;
      }
    }
    if (parts.size() == 2) {
      return Message{parts[0].to_string(), parts[1].to_string()};
    }
    if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
  }
}

uint64_t Subscriber::connections() const {
  return m_impl->connections;
}

int Subscriber::fd() const {
  return m_impl->socket.get(zmq::sockopt::fd);
}

}  // namespace khobor::bus
