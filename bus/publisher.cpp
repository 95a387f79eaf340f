// khobor/bus/publisher.cpp — the XPUB socket: non-blocking sends counted as sent or
// dropped, and the subscriptions it sees.
#include "bus/publisher.h"

#include <chrono>
#include <set>
#include <zmq.hpp>

namespace khobor::bus {

struct Publisher::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::xpub};
  std::string endpoint;
  std::multiset<std::string> subscriptions;
  uint64_t sent = 0;
  uint64_t dropped = 0;

  ~Impl() {
    socket.close();  // waits up to ZMQ_LINGER
    context.close();
  }

  // Read every pending subscription message without waiting.
  void drain() {
    while (true) {
      zmq::message_t msg;
      zmq::recv_result_t got;
      try {
        got = socket.recv(msg, zmq::recv_flags::dontwait);
      } catch (const zmq::error_t&) {
        return;
      }
      if (!got) {
        return;
      }
      if (msg.size() == 0) {
        continue;
      }
      const auto* data = static_cast<const char*>(msg.data());
      std::string topic(data + 1, msg.size() - 1);
      if (data[0] == 1) {
        subscriptions.insert(topic);
      } else if (data[0] == 0) {
        if (auto it = subscriptions.find(topic); it != subscriptions.end()) {
          subscriptions.erase(it);
        }
      }
    }
  }
};

Result<Publisher> Publisher::bind(const std::string& endpoint, PublisherOptions options) {
  if (auto allowed = check_bind_allowed(endpoint, options.security, "[publish] endpoint");
      !allowed) {
    return allowed.error();
  }
  auto impl = std::make_unique<Impl>();
  try {
    impl->socket.set(zmq::sockopt::sndhwm, options.send_hwm);
    impl->socket.set(zmq::sockopt::linger, options.linger_ms);
    // A subscriber at its high-water mark makes the send fail (EAGAIN) instead
    // of ZeroMQ dropping the message silently: the drop is counted and shown in
    // `khobor status`, and every subscriber sees a gap in seq and replays it.
    impl->socket.set(zmq::sockopt::xpub_nodrop, 1);
    impl->socket.set(zmq::sockopt::maxmsgsize, k_max_subscription_bytes);
    if (options.security.enabled()) {
      impl->socket.set(zmq::sockopt::curve_server, 1);
      impl->socket.set(zmq::sockopt::curve_secretkey, options.security.curve_secret_key);
    }
    impl->socket.bind(endpoint);
    impl->endpoint = impl->socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return make_error("publish", "cannot bind the alert socket to " + endpoint + ": " + e.what() +
                                     " (check [publish] endpoint; is another khobord running?)");
  }
  return Publisher(std::move(impl));
}

Publisher::Publisher(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Publisher::~Publisher() = default;
Publisher::Publisher(Publisher&&) noexcept = default;
Publisher& Publisher::operator=(Publisher&&) noexcept = default;

bool Publisher::publish(const std::string& topic, const std::string& payload) {
  try {
    auto first = m_impl->socket.send(zmq::buffer(topic),
                                     zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    if (!first) {
      ++m_impl->dropped;
      return false;
    }
    // Once the first frame is queued, ZeroMQ takes the rest of the message.
    auto second = m_impl->socket.send(zmq::buffer(payload), zmq::send_flags::dontwait);
    if (!second) {
      ++m_impl->dropped;
      return false;
    }
  } catch (const zmq::error_t&) {
    ++m_impl->dropped;
    return false;
  }
  ++m_impl->sent;
  return true;
}

int Publisher::poll_subscriptions(int timeout_ms) {
  m_impl->drain();
  if (m_impl->subscriptions.empty() && timeout_ms != 0) {
    zmq::pollitem_t item{m_impl->socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms));
    } catch (const zmq::error_t&) {
      return static_cast<int>(m_impl->subscriptions.size());
    }
    m_impl->drain();
  }
  return static_cast<int>(m_impl->subscriptions.size());
}

bool Publisher::wait_for_subscriber(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (poll_subscriptions(static_cast<int>(std::max<int64_t>(left, 0))) > 0) {
      return true;
    }
    if (left <= 0) {
      return false;
    }
  }
}

const std::string& Publisher::endpoint() const {
  return m_impl->endpoint;
}
uint64_t Publisher::sent() const {
  return m_impl->sent;
}
uint64_t Publisher::dropped() const {
  return m_impl->dropped;
}

}  // namespace khobor::bus
