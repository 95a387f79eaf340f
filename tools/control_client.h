// khobor/tools/control_client.h — what the commands that talk to khobord share.
//
// The default endpoints (the same defaults as khobord's config) and the CURVE
// settings built from --server-key. Header-only helpers; thread-safe.
#pragma once

#include <string>

#include "bus/security.h"
#include "daemon/config.h"

namespace khobor::tools {

// khobord's default [control] endpoint.
inline std::string default_control_endpoint() {
  return daemon::Config{}.control_endpoint;
}

// khobord's default [publish] endpoint.
inline std::string default_publish_endpoint() {
  return daemon::Config{}.publish_endpoint;
}

// CURVE for a client of an endpoint whose server public key is `server_key`
// (empty: plain); the client's own key pair is made on the fly.
inline bus::ClientSecurity client_security(const std::string& server_key) {
  bus::ClientSecurity s;
  s.server_public_key = server_key;
  return s;
}

}  // namespace khobor::tools
