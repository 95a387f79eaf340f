// khobor/tools/control_client.cpp — a client's reading of khobord's config file.
#include "tools/control_client.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace khobor::tools {
namespace {

// The problems a client cannot work around: the file's syntax, or a key of the
// sockets it connects to. Empty when the file is usable.
std::string blocking_problems(const std::vector<std::string>& problems, bool parsed) {
  std::string out;
  for (const auto& p : problems) {
    const bool ours =
        p.find("[publish]") != std::string::npos || p.find("[control]") != std::string::npos;
    if (!parsed || ours) {
      out += (out.empty() ? "" : "\n") + p;
    }
  }
  return out;
}

}  // namespace

Result<DaemonConfig> read_daemon_config(const std::string& path, const char* command) {
  const bool named = !path.empty();
  const std::string file = named ? path : daemon::k_default_config_path;
  DaemonConfig out;
  std::error_code ec;
  if (!named && !std::filesystem::exists(file, ec)) {
    return out;  // no khobord installed here: the built-in defaults
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const std::string why = std::strerror(errno);
    if (named) {
      return make_error("config", file + ": cannot read the configuration file (" + why + ")");
    }
    std::fprintf(stderr,
                 "khobor %s: %s: cannot read it (%s); using the built-in endpoints (give "
                 "--config, or the endpoints and keys as options)\n",
                 command, file.c_str(), why.c_str());
    return out;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto base = std::filesystem::absolute(std::filesystem::path(file).parent_path(), ec);
  daemon::Config checked;
  auto problems =
      daemon::config_problems(text.str(), file, base.lexically_normal().string(), &checked);
  std::string blocking = blocking_problems(problems, !checked.file.empty());
  if (!blocking.empty()) {
    return make_error("config", blocking);
  }
  out.config = std::move(checked);
  out.from_file = true;
  return out;
}

Result<Socket> resolve_socket(const std::string& flag_endpoint, const std::string& flag_key,
                              const std::string& config_endpoint,
                              const std::string& config_secret_key) {
  if (!flag_endpoint.empty()) {
    return Socket{flag_endpoint, flag_key};
  }
  Socket s{config_endpoint, flag_key};
  if (s.server_key.empty() && !config_secret_key.empty()) {
    auto pub = bus::public_key_of(config_secret_key);
    if (!pub) {
      return pub.error();
    }
    s.server_key = *pub;
  }
  return s;
}

Result<Socket> control_socket(const std::string& config_path, const std::string& flag_endpoint,
                              const std::string& flag_key, const char* command) {
  if (!flag_endpoint.empty()) {
    return Socket{flag_endpoint, flag_key};
  }
  auto cfg = read_daemon_config(config_path, command);
  if (!cfg) {
    return cfg.error();
  }
  return resolve_socket(flag_endpoint, flag_key, cfg->config.control_endpoint,
                        cfg->config.control_curve_secret_key);
}

void add_config_option(CLI::App& app, std::string& path) {
  app.add_option("--config", path,
                 std::string("khobord's configuration file, read for the endpoints and CURVE "
                             "keys the options below do not give (default: ") +
                     daemon::k_default_config_path + "; when absent, the built-in defaults)");
}

}  // namespace khobor::tools
