#include "bus/subscriber.h"

#include <chrono>
#include <zmq.hpp>

namespace khobor::bus {

struct Subscriber::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::sub};

  ~Impl() {
    socket.close();
    context.close();
  }
};

Result<Subscriber> Subscriber::connect(const std::string& endpoint,
                                       const std::string& topic_prefix) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->socket.set(zmq::sockopt::linger, 0);
    impl->socket.set(zmq::sockopt::reconnect_ivl, 20);
    impl->socket.set(zmq::sockopt::reconnect_ivl_max, 1000);
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
    zmq::pollitem_t item{m_impl->socket.handle(), 0, ZMQ_POLLIN, 0};
    int n = 0;
    try {
      n = zmq::poll(&item, 1, std::chrono::milliseconds(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) {
        return std::nullopt;
      }
      throw;
    }
    if (n == 0) {
      return std::nullopt;
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

int Subscriber::fd() const {
  return m_impl->socket.get(zmq::sockopt::fd);
}

}  // namespace khobor::bus
