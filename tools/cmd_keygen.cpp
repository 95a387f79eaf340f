// khobor keygen — make a CURVE key pair for a non-loopback endpoint.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "bus/security.h"
#include "tools/command.h"

namespace {

int run_keygen(int argc, char** argv) {
  CLI::App app{"Make a CURVE key pair (Z85) for khobord's endpoints and their clients",
               "khobor keygen"};
  bool toml = false;
  app.add_flag("--toml", toml, "print as TOML lines to paste into khobor.toml");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto keys = khobor::bus::generate_keypair();
  if (!keys) {
    std::fprintf(stderr, "khobor keygen: %s\n", keys.error().message.c_str());
    return 1;
  }
  if (toml) {
    std::printf("# khobord's side ([publish] or [control]):\ncurve_secret_key = \"%s\"\n",
                keys->secret_key.c_str());
    std::printf("# give subscribers the public key:\n# curve_public_key = \"%s\"\n",
                keys->public_key.c_str());
  } else {
    std::printf("public %s\nsecret %s\n", keys->public_key.c_str(), keys->secret_key.c_str());
  }
  return 0;
}

const khobor::tools::Registration k_reg{
    "keygen", "make a CURVE key pair for non-loopback endpoints", &run_keygen};

}  // namespace
