// khobor/tools/control_client.h — what the commands that talk to khobord share.
//
// They find khobord the way khobord finds itself: from its config file (--config,
// default /etc/khobor/khobor.toml, read with khobord's own loader), with flags
// overriding each value. Thread-safe.
#pragma once

#include <string>

#include "base/result.h"
#include "bus/security.h"
#include "daemon/config.h"

namespace CLI {
class App;
}

namespace khobor::tools {

// One of khobord's sockets as a client connects to it.
struct Socket {
  std::string endpoint;
  std::string server_key;  // the CURVE public key ("" : plain)
};

// What a client needs from khobord's config; `config` is the whole of it.
struct DaemonConfig {
  daemon::Config config;  // built-in defaults when no file was read
  bool from_file = false;
};

// Read khobord's config for a client. `path` empty: the default file, whose
// absence (or, with a warning on stderr, unreadability) means built-in defaults.
// A named file must be readable. An Error (exit 78) when the file cannot be used:
// a TOML syntax error or a bad [publish] / [control] key (problems elsewhere in
// the file are khobord's concern, `khobord --check-config` reports them).
Result<DaemonConfig> read_daemon_config(const std::string& path, const char* command);

// The socket to connect to: the flags win (`flag_key` goes with whichever
// endpoint is used), else the config's endpoint with the public key derived from
// its curve_secret_key. An Error when that secret key is no CURVE key.
Result<Socket> resolve_socket(const std::string& flag_endpoint, const std::string& flag_key,
                              const std::string& config_endpoint,
                              const std::string& config_secret_key);

// khobord's control socket for `command`: the flags, else the config at
// `config_path` (read only when no endpoint flag was given).
Result<Socket> control_socket(const std::string& config_path, const std::string& flag_endpoint,
                              const std::string& flag_key, const char* command);

// The --config option, as every client command spells it.
void add_config_option(CLI::App& app, std::string& path);

// CURVE for a client of an endpoint whose server public key is `server_key`
// (empty: plain); the client's own key pair is made on the fly.
inline bus::ClientSecurity client_security(const std::string& server_key) {
  bus::ClientSecurity s;
  s.server_public_key = server_key;
  return s;
}

}  // namespace khobor::tools
