// khobor — the command-line tool: a thin dispatcher over the subcommand table.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "tools/command.h"

namespace khobor::tools {
std::map<std::string, Command>& commands() {
  static std::map<std::string, Command> k_table;
  return k_table;
}
}  // namespace khobor::tools

namespace {
void usage(FILE* out) {
  std::fprintf(out, "usage: khobor COMMAND [ARGS...]\n\ncommands:\n");
  for (const auto& [name, cmd] : khobor::tools::commands()) {
    std::fprintf(out, "  %-10s %s\n", name.c_str(), cmd.help.c_str());
  }
  std::fprintf(out, "\n'khobor COMMAND --help' for a command's options.\n");
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("khobor %s\n", KHOBOR_VERSION);
    return 0;
  }
  auto& table = khobor::tools::commands();
  auto it = table.find(argv[1]);
  if (it == table.end()) {
    std::fprintf(stderr, "khobor: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
  }
  try {
    return it->second.run(argc - 1, argv + 1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "khobor %s: %s\n", argv[1], e.what());
    return 1;
  }
}
