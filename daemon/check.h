// khobor/daemon/check.h — `khobord --check-config`: every problem, not only the first.
//
// Reads the configuration file and every watch list it names, and returns all
// the problems found, each as "file:line:column: what" (for ExecStartPre and for
// people fixing a file). Pure apart from reading the files; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace khobor::daemon {

struct CheckReport {
  std::vector<std::string> problems;  // empty: all is well
  std::vector<std::string> warnings;  // worth fixing, but khobord runs (no [http] contact)
  size_t feeds = 0;                   // counted in the parts that were readable
  size_t watchlists = 0;
  size_t rules = 0;
};

CheckReport check_everything(const std::string& config_path);

// What --check-config and the start-up log say when [http] contact is not set.
inline constexpr const char* k_no_contact_warning =
    "[http] contact is not set: the outlets' webmasters see \"khobor/" KHOBOR_VERSION
    "\" and no way to reach you; set it to a URL or a mailto: address (see "
    "config/khobor.toml)";

}  // namespace khobor::daemon
