// khobor/bus/control.h — the control socket: JSON requests and replies over ZeroMQ.
//
// khobord binds a ROUTER socket; clients (khobor status, khobor sub, a Python
// script with a REQ socket) send one JSON object and get one JSON object back.
// The requests and replies are documented in bus/WIRE_FORMAT.md ("Control").
//
// ControlServer is used from the event loop's thread only (not thread-safe): its
// fd() becomes readable when requests may be waiting — it is edge-triggered, so
// call process() after every wake-up of the loop, not only when fd() fired.
// control_request() is a blocking client call; each call owns its own socket.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "bus/security.h"

namespace khobor::bus {

// The largest request the control socket reads (ZMQ_MAXMSGSIZE). The requests
// are a few dozen bytes; a larger message is not read: ZeroMQ closes that
// client's connection when its size arrives, so the request gets no reply and
// costs no memory (bus/WIRE_FORMAT.md, "Control").
inline constexpr int64_t k_max_request_bytes = 64 * 1024;

class ControlServer {
 public:
  // Takes the request's JSON text, returns the reply's JSON text. Must not throw;
  // an exception is turned into an {"ok":false,"error":…} reply.
  using Handler = std::function<std::string(std::string_view request)>;

  // Bind a ROUTER socket at `endpoint` (refused for a non-local endpoint without
  // CURVE; see check_bind_allowed). `config_key` names the setting in errors.
  static Result<std::unique_ptr<ControlServer>> bind(
      const std::string& endpoint, const ServerSecurity& security,
      std::string_view config_key = "[control] endpoint");
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // The endpoint actually bound (a tcp://…:* endpoint gets its real port).
  std::string endpoint() const;

  // A file descriptor to poll for POLLIN (edge-triggered; see above).
  int fd() const;

  // Answer up to `max` waiting requests without blocking; returns how many.
  size_t process(const Handler& handler, size_t max = 64);

 private:
  ControlServer();
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Send one request and wait up to `timeout_ms` for the reply. An Error when the
// daemon does not answer in time (is khobord running? is the endpoint right?).
Result<std::string> control_request(const std::string& endpoint, std::string_view request_json,
                                    int timeout_ms, const ClientSecurity& security = {});

}  // namespace khobor::bus
