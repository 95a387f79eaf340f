// Tests of `khobord --check-config` (daemon/check.h): every problem of a config and
// its watch lists, each with its own position.
#include "daemon/check.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/config.h"

using khobor::daemon::check_everything;
using khobor::daemon::config_problems;

namespace {
void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}
}  // namespace

TEST_CASE("config_problems reports every problem with its own position", "[daemon][check]") {
  auto problems = config_problems(R"([poll]
interval = "5 parsecs"
[log]
level = "loud"
[[feed]]
id = "a"
url = "ftp://example.org/feed"
[[feed]]
id = "b"
url = "https://example.org/b"
)",
                                  "k.toml", "/etc/khobor");
  REQUIRE(problems.size() == 3);
  CHECK_THAT(problems[0], Catch::StartsWith("k.toml:2:12: [poll] interval"));
  CHECK_THAT(problems[1], Catch::StartsWith("k.toml:4:9: [log] level"));
  CHECK_THAT(problems[2], Catch::StartsWith("k.toml:7:7: [[feed]] a url"));
}

TEST_CASE("config_problems of a good file is empty and gives the config", "[daemon][check]") {
  khobor::daemon::Config cfg;
  auto problems = config_problems("[[feed]]\nid = \"a\"\nurl = \"https://example.org/a\"\n",
                                  "k.toml", "/etc/khobor", &cfg);
  CHECK(problems.empty());
  REQUIRE(cfg.feeds.size() == 1);
  CHECK(cfg.feeds[0].id == "a");
}

TEST_CASE("A TOML syntax error is the one problem reported", "[daemon][check]") {
  auto problems = config_problems("[poll\ninterval = 3\n", "k.toml", "/");
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::StartsWith("k.toml:1:"));
}

TEST_CASE("check_everything adds the watch lists' problems to the config's", "[daemon][check]") {
  auto dir =
      std::filesystem::temp_directory_path() / ("khobor-check-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "wl");
  write(dir / "wl" / "bad.toml", "name = \"bad\"\nrules = [\"(পুতিন AND\"]\n");
  write(dir / "wl" / "good.toml", "name = \"good\"\nrules = [\"ঢাকা\"]\n");
  write(dir / "k.toml", "watchlists = \"wl\"\n[poll]\ninterval = -5\n");
  auto report = check_everything((dir / "k.toml").string());
  REQUIRE(report.problems.size() == 2);
  CHECK_THAT(report.problems[0], Catch::Contains("k.toml:3:12: [poll] interval"));
  CHECK_THAT(report.problems[1], Catch::Contains("bad.toml:2:"));
  CHECK(report.watchlists == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("check_everything warns, without a problem, when [http] contact is not set",
          "[daemon][check]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("khobor-check-contact-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "wl");
  write(dir / "k.toml", "watchlists = \"wl\"\n");
  auto report = check_everything((dir / "k.toml").string());
  CHECK(report.problems.empty());
  REQUIRE(report.warnings.size() == 1);
  CHECK_THAT(report.warnings[0], Catch::Contains("[http] contact is not set"));
  CHECK_THAT(report.warnings[0], Catch::StartsWith((dir / "k.toml").string() + ": "));

  write(dir / "k.toml", "watchlists = \"wl\"\n[http]\ncontact = \"mailto:desk@example.org\"\n");
  report = check_everything((dir / "k.toml").string());
  CHECK(report.problems.empty());
  CHECK(report.warnings.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("[stories] window sets the story window and is bounded", "[daemon][config]") {
  auto ok = khobor::daemon::parse_config("[stories]\nwindow = \"36h\"\n", "k.toml", "/");
  REQUIRE(ok);
  CHECK(ok->story_window_s == 36 * 3600);
  CHECK(khobor::daemon::parse_config("", "k.toml", "/")->story_window_s == 48 * 3600);
  auto bad = khobor::daemon::parse_config("[stories]\nwindow = \"5m\"\n", "k.toml", "/");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::StartsWith("k.toml:2:10: [stories] window"));
}
