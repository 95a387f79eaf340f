// khobord — the daemon: a thin main over the khobor_daemon library.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "base/clock.h"
#include "base/log.h"
#include "daemon/check.h"
#include "daemon/config.h"
#include "daemon/daemon.h"

int main(int argc, char** argv) {
  // Before any thread exists (ZeroMQ's, curl's resolver): the signals are read
  // from a signalfd in the loop, never handled asynchronously.
  khobor::daemon::block_signals();

  CLI::App app{"khobord: polls Bengali news feeds, matches watch lists, publishes alerts"};
  khobor::daemon::DaemonOptions options;
  options.config_path = khobor::daemon::k_default_config_path;
  bool check = false;
  app.add_option("--config", options.config_path, "the configuration file")->capture_default_str();
  app.add_flag("--once", options.once, "poll every feed once, publish what matched, exit");
  app.add_option("--await-subscriber", options.await_subscriber_s,
                 "wait up to SECONDS for a subscriber before publishing (for scripts)")
      ->check(CLI::Range(0, 3600));
  app.add_flag("--check-config,--check", check, "check the configuration file, then exit");
  app.set_version_flag("--version", std::string("khobord ") + KHOBOR_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    if (check) {
      auto report = khobor::daemon::check_everything(options.config_path);
      for (const auto& p : report.problems) {
        std::fprintf(stderr, "khobord: %s\n", p.c_str());
      }
      for (const auto& w : report.warnings) {
        std::fprintf(stderr, "khobord: warning: %s\n", w.c_str());
      }
      if (!report.problems.empty()) {
        std::fprintf(stderr, "khobord: %zu problem(s) in %s and its watch lists\n",
                     report.problems.size(), options.config_path.c_str());
        return khobor::daemon::k_exit_config;
      }
      std::printf("%s: ok, %zu feed(s), %zu watch list(s), %zu rule(s)\n",
                  options.config_path.c_str(), report.feeds, report.watchlists, report.rules);
      return 0;
    }
    auto daemon = khobor::daemon::Daemon::create(options, khobor::SystemClock::instance());
    if (!daemon) {
      KHOBOR_LOG(error, daemon.error().message);
      if (daemon.error().code == "store_refused") {
        return khobor::daemon::k_exit_store_refused;
      }
      return daemon.error().code == "config" ? khobor::daemon::k_exit_config : 1;
    }
    return (*daemon)->run();
  } catch (const std::exception& e) {
    KHOBOR_LOG(error, std::string("khobord: ") + e.what());
    return 1;
  }
}
