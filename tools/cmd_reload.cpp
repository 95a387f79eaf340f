// khobor reload — make the running khobord re-read its config and watch lists.
//
// The same as SIGHUP (`systemctl reload khobord`), through the control socket, so
// the answer says whether the new configuration was taken or why it was refused
// (the old one stays then). Exit 0 when taken, 1 when refused or no answer.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bus/control.h"
#include "tools/command.h"
#include "tools/control_client.h"

namespace {

int run_reload(int argc, char** argv) {
  CLI::App app{"Make the running khobord re-read its config and watch lists", "khobor reload"};
  std::string config_path;
  std::string control;
  std::string server_key;
  double timeout_s = 10;
  khobor::tools::add_config_option(app, config_path);
  app.add_option("--control", control, "khobord's [control] endpoint (default: the config's)");
  app.add_option("--server-key", server_key,
                 "khobord's CURVE public key for [control] (default: from the config's "
                 "curve_secret_key, when it has one)");
  app.add_option("--timeout", timeout_s, "wait this long for an answer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto socket = khobor::tools::control_socket(config_path, control, server_key, "reload");
  if (!socket) {
    std::fprintf(stderr, "khobor reload: %s\n", socket.error().message.c_str());
    return khobor::daemon::k_exit_config;
  }
  control = socket->endpoint;
  auto r = khobor::bus::control_request(control, R"({"cmd":"reload"})",
                                        static_cast<int>(timeout_s * 1000),
                                        khobor::tools::client_security(socket->server_key));
  if (!r) {
    std::fprintf(stderr, "khobor reload: %s\n", r.error().message.c_str());
    return 1;
  }
  auto reply = nlohmann::json::parse(*r, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    std::fprintf(stderr, "khobor reload: %s answered something that is not JSON\n",
                 control.c_str());
    return 1;
  }
  if (!reply.value("ok", false)) {
    std::fprintf(stderr, "khobor reload: refused, the old configuration stays: %s\n",
                 reply.value("error", std::string("(no reason given)")).c_str());
    return 1;
  }
  std::printf("khobord reloaded its configuration\n");
  for (const auto& what : reply.value("restart_needed", nlohmann::json::array())) {
    if (what.is_string()) {
      std::printf("needs a restart to take effect: %s\n", what.get<std::string>().c_str());
    }
  }
  return 0;
}

const khobor::tools::Registration k_reg{
    "reload", "make khobord re-read its config and watch lists (as SIGHUP)", &run_reload};

}  // namespace
