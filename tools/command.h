// khobor/tools/command.h — the `khobor` subcommand table.
//
// Each subcommand lives in its own file tools/cmd_<name>.cpp and registers itself
// with a static Registration; main() dispatches on argv[1] (ninja's kTools table,
// filled from several files). Registrations happen before main(), single-threaded.
#pragma once

#include <map>
#include <string>

namespace khobor::tools {

// Runs a subcommand: argv[0] is the subcommand's name. Returns the exit status
// (0 ok, 1 the command's own "no"/failure, 2 usage error, 78 bad config).
using CommandFn = int (*)(int argc, char** argv);

struct Command {
  std::string help;  // one line
  CommandFn run = nullptr;
};

// The table, by name.
std::map<std::string, Command>& commands();

struct Registration {
  Registration(const char* name, const char* help, CommandFn run) {
    commands()[name] = Command{help, run};
  }
};

}  // namespace khobor::tools
