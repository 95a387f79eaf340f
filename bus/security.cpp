// khobor/bus/security.cpp — which endpoints are local, and CURVE key pairs for the
// others (libzmq's Z85 keys).
#include "bus/security.h"

#include <zmq.h>

#include <array>

namespace khobor::bus {

bool is_local_endpoint(std::string_view endpoint) {
  auto starts = [&](std::string_view p) { return endpoint.substr(0, p.size()) == p; };
  if (starts("ipc://") || starts("inproc://")) {
    return true;
  }
  if (!starts("tcp://")) {
    return false;
  }
  std::string_view host = endpoint.substr(6);
  if (host.substr(0, 5) == "[::1]") {
    return host.size() == 5 || host[5] == ':';
  }
  auto colon = host.rfind(':');
  host = host.substr(0, colon);
  if (host == "localhost") {
    return true;
  }
  // 127.0.0.0/8, written as a dotted quad.
  if (host.substr(0, 4) != "127.") {
    return false;
  }
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

Status check_bind_allowed(std::string_view endpoint, const ServerSecurity& security,
                          std::string_view config_key) {
  if (is_local_endpoint(endpoint) || security.enabled()) {
    if (security.enabled() && security.curve_secret_key.size() != 40) {
      return make_error("config", std::string(config_key) +
                                      ": curve_secret_key must be 40 characters of Z85 "
                                      "(make one with `khobor keygen`)");
    }
    return Ok{};
  }
  return make_error("config",
                    std::string(config_key) + " = \"" + std::string(endpoint) +
                        "\" is not on loopback or an ipc socket, and alerts would travel "
                        "unencrypted: set curve_secret_key beside it (make keys with `khobor "
                        "keygen`), or bind to tcp://127.0.0.1:PORT or ipc:///run/khobor/NAME");
}

Result<CurveKeyPair> generate_keypair() {
  std::array<char, 41> pub{};
  std::array<char, 41> sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
    return make_error("curve", std::string("cannot make a CURVE key pair: ") +
                                   zmq_strerror(zmq_errno()) +
                                   " (is libzmq built with CURVE support?)");
  }
  return CurveKeyPair{pub.data(), sec.data()};
}

Result<CurveKeyPair> client_key_pair(const ClientSecurity& security) {
  if (!security.client.secret_key.empty()) {
    return security.client;
  }
  return generate_keypair();
}

Result<std::string> public_key_of(const std::string& secret_key) {
  if (secret_key.size() != 40) {
    return make_error("curve", "a CURVE secret key is 40 characters of Z85");
  }
  std::array<char, 41> pub{};
  if (zmq_curve_public(pub.data(), secret_key.c_str()) != 0) {
    return make_error("curve", std::string("not a CURVE secret key: ") + zmq_strerror(zmq_errno()));
  }
  return std::string(pub.data());
}

}  // namespace khobor::bus
