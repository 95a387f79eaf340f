// khobor/daemon/check.cpp — `khobord --check-config`: the config, its endpoints and
// every watch list checked, each problem reported.
#include "daemon/check.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/config.h"
#include "daemon/daemon.h"
#include "watch/watchset.h"

namespace khobor::daemon {

CheckReport check_everything(const std::string& config_path) {
  CheckReport report;
  std::ifstream in(config_path, std::ios::binary);
  if (!in) {
    report.problems.push_back(config_path +
                              ": cannot read the configuration file (does it exist? give "
                              "another one with --config PATH)");
    return report;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string base = std::filesystem::path(config_path).parent_path().string();
  if (base.empty()) {
    base = ".";
  }
  Config cfg;
  report.problems = config_problems(
      text.str(), config_path, std::filesystem::absolute(base).lexically_normal().string(), &cfg);
  report.feeds = cfg.feeds.size();
  if (cfg.http.contact.empty()) {
    report.warnings.push_back(config_path + ": " + k_no_contact_warning);
  }
  if (auto st = check_endpoints(cfg); !st) {
    report.problems.push_back(st.error().message);
  }

  std::error_code ec;
  if (!std::filesystem::is_directory(cfg.watchlists_dir, ec)) {
    report.problems.push_back(config_path + ": watchlists: \"" + cfg.watchlists_dir +
                              "\" is not a directory (create it, or point watchlists at the "
                              "directory of watch-list files)");
    return report;
  }
  std::vector<watch::LoadProblem> problems;
  watch::WatchSet set = watch::WatchSet::load_dir(cfg.watchlists_dir, problems);
  for (const auto& p : problems) {
    report.problems.push_back(p.to_string());
  }
  report.watchlists = set.list_count();
  report.rules = set.rule_count();
  return report;
}

}  // namespace khobor::daemon
