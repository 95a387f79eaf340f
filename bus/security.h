// khobor/bus/security.h — who may connect to khobord's sockets.
//
// Endpoints on loopback (tcp://127.0.0.0/8, tcp://[::1], tcp://localhost) and
// ipc:// / inproc:// sockets are local and need no encryption. Any other
// endpoint must use CURVE: khobord refuses to bind it without a secret key.
// Keys are Z85 text (40 characters), as `khobor keygen` prints them.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace khobor::bus {

// A CURVE key pair, Z85-encoded.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// The server side of CURVE: khobord's secret key (public key derived from it).
struct ServerSecurity {
  std::string curve_secret_key;  // empty: no CURVE
  bool enabled() const { return !curve_secret_key.empty(); }
};

// The client side: the server's public key and the client's own pair.
struct ClientSecurity {
  std::string server_public_key;  // empty: no CURVE
  CurveKeyPair client;            // generated on the fly when empty
  bool enabled() const { return !server_public_key.empty(); }
};

// True for loopback TCP, ipc:// and inproc:// endpoints.
bool is_local_endpoint(std::string_view endpoint);

// Ok when `endpoint` may be bound with `security`; else an Error that says why
// and what to do ("set [publish] curve_secret_key, see khobor keygen").
Status check_bind_allowed(std::string_view endpoint, const ServerSecurity& security,
                          std::string_view config_key);

// The client's key pair for `security`: its own pair, or a fresh one when empty.
Result<CurveKeyPair> client_key_pair(const ClientSecurity& security);

// A fresh CURVE key pair (libzmq's zmq_curve_keypair).
Result<CurveKeyPair> generate_keypair();

// The public key that belongs to a Z85 secret key.
Result<std::string> public_key_of(const std::string& secret_key);

}  // namespace khobor::bus
