// khobor feed — act on one feed's stored state: `khobor feed enable ID` revives a
// feed retired after an HTTP 410 (the store is written directly; a running
// khobord picks the change up on its next reload).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "daemon/config.h"
#include "store/store.h"
#include "tools/command.h"

namespace {

int run_feed(int argc, char** argv) {
  CLI::App app{"Act on one feed's stored state", "khobor feed"};
  app.require_subcommand(1);
  std::string config_path = khobor::daemon::k_default_config_path;
  std::string store_path;
  std::string id;
  CLI::App* enable = app.add_subcommand(
      "enable", "poll a retired feed (HTTP 410) again: clears retired, errors and the due time");
  enable->add_option("ID", id, "the feed's id ([[feed]] id)")->required();
  enable->add_option("--config", config_path, "khobord's configuration (for [store] path)");
  enable->add_option("--store", store_path,
                     "the store file (instead of the config's [store] path)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (store_path.empty()) {
    auto cfg = khobor::daemon::load_config(config_path);
    if (!cfg) {
      std::fprintf(stderr, "khobor feed: %s\n", cfg.error().message.c_str());
      return khobor::daemon::k_exit_config;
    }
    store_path = cfg->store_path;
  }
  auto store = khobor::store::Store::open(store_path);
  if (!store) {
    std::fprintf(stderr, "khobor feed: %s\n", store.error().message.c_str());
    return 1;
  }
  auto before = store->feed_state(id);
  if (!before || !store->enable_feed(id)) {
    std::fprintf(stderr,
                 "khobor feed: %s: no feed \"%s\" in the store (it was never polled; "
                 "`khobor status` lists the feeds)\n",
                 store_path.c_str(), id.c_str());
    return 1;
  }
  std::printf(
      "feed %s: %s; a running khobord polls it after `khobor reload` "
      "(or systemctl reload khobord)\n",
      id.c_str(), before->retired ? "enabled again" : "was not retired; errors cleared");
  return 0;
}

const khobor::tools::Registration k_reg{
    "feed", "act on a feed's stored state (feed enable ID: revive a retired feed)", &run_feed};

}  // namespace
