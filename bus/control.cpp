// khobor/bus/control.cpp — the ROUTER socket that answers control requests, and its
// blocking client.
#include "bus/control.h"

#include <nlohmann/json.hpp>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace khobor::bus {

struct ControlServer::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::router};
};

ControlServer::ControlServer() : m_impl(std::make_unique<Impl>()) {}
ControlServer::~ControlServer() = default;

Result<std::unique_ptr<ControlServer>> ControlServer::bind(const std::string& endpoint,
                                                           const ServerSecurity& security,
                                                           std::string_view config_key) {
  if (auto allowed = check_bind_allowed(endpoint, security, config_key); !allowed) {
    return allowed.error();
  }
  std::unique_ptr<ControlServer> server(new ControlServer());
  auto& s = server->m_impl->socket;
  try {
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::sndhwm, 1000);
    s.set(zmq::sockopt::rcvhwm, 1000);
    s.set(zmq::sockopt::router_mandatory, 0);
    s.set(zmq::sockopt::maxmsgsize, k_max_request_bytes);
    if (security.enabled()) {
      s.set(zmq::sockopt::curve_server, 1);
      s.set(zmq::sockopt::curve_secretkey, security.curve_secret_key);
    }
    s.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error("bind", std::string(config_key) + " = \"" + endpoint +
                                  "\": cannot bind the control socket: " + e.what());
  }
  return server;
}

std::string ControlServer::endpoint() const {
  return m_impl->socket.get(zmq::sockopt::last_endpoint);
}

int ControlServer::fd() const {
  return m_impl->socket.get(zmq::sockopt::fd);
}

size_t ControlServer::process(const Handler& handler, size_t max) {
  size_t done = 0;
  auto& s = m_impl->socket;
  while (done < max) {
    std::vector<zmq::message_t> frames;
    auto got = zmq::recv_multipart(s, std::back_inserter(frames), zmq::recv_flags::dontwait);
    if (!got) {
      break;  // nothing waiting
    }
    ++done;
    if (frames.size() < 2) {
      continue;  // not [identity, (empty,) body]: drop it
    }
    std::string reply;
    try {
      reply = handler(frames.back().to_string_view());
    } catch (const std::exception& e) {
      reply = nlohmann::json{{"ok", false}, {"error", std::string("internal error: ") + e.what()}}
                  .dump();
    }
    // Echo the envelope (identity, and the empty delimiter of a REQ client).
    std::vector<zmq::const_buffer> out;
    for (size_t i = 0; i + 1 < frames.size(); ++i) {
      out.emplace_back(frames[i].data(), frames[i].size());
    }
    out.emplace_back(reply.data(), reply.size());
    // A client that went away or is full loses its reply; the loop never blocks.
    (void)zmq::send_multipart(s, out, zmq::send_flags::dontwait);
  }
  return done;
}

Result<std::string> control_request(const std::string& endpoint, std::string_view request_json,
                                    int timeout_ms, const ClientSecurity& security) {
  zmq::context_t ctx{1};
  zmq::socket_t s{ctx, zmq::socket_type::req};
  try {
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::rcvtimeo, timeout_ms);
    s.set(zmq::sockopt::sndtimeo, timeout_ms);
    if (security.enabled()) {
      auto keys = client_key_pair(security);
      if (!keys) {
        return keys.error();
      }
      const CurveKeyPair& client = *keys;
      s.set(zmq::sockopt::curve_serverkey, security.server_public_key);
      s.set(zmq::sockopt::curve_publickey, client.public_key);
      s.set(zmq::sockopt::curve_secretkey, client.secret_key);
    }
    s.connect(endpoint);
    if (!s.send(zmq::buffer(request_json.data(), request_json.size()), zmq::send_flags::none)) {
      return make_error("control", "cannot send to " + endpoint + " (is khobord running?)");
    }
    zmq::message_t reply;
    if (!s.recv(reply, zmq::recv_flags::none)) {
      return make_error("control",
                        "no answer from " + endpoint + " within " + std::to_string(timeout_ms) +
                            " ms: is khobord running, and is this its [control] endpoint?");
    }
    return reply.to_string();
  } catch (const zmq::error_t& e) {
    return make_error("control", endpoint + ": " + e.what());
  }
}

}  // namespace khobor::bus
