// khobor status — what the running khobord says about itself and its feeds.
//
// Asks the control socket (`status`, bus/WIRE_FORMAT.md) and prints a summary and
// a table of the feeds with their health; --json prints the reply as it came,
// for scripts. Exit 0 when khobord answered, 1 when it did not.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "bus/control.h"
#include "tools/command.h"
#include "tools/control_client.h"

namespace {

using json = nlohmann::ordered_json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return "-";
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  return it->dump();
}

// "2026-11-28T01:02:03Z" → "01:02:03" today, else "2026-11-27 01:02".
std::string short_time(const json& j, const char* key) {
  std::string s = str(j, key);
  if (s.size() < 19) {
    return s;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", &tm);
  if (s.compare(0, 10, today) == 0) {
    return s.substr(11, 8) + "Z";
  }
  return s.substr(0, 10) + " " + s.substr(11, 5) + "Z";
}

std::string duration(int64_t s) {
  if (s < 60) {
    return std::to_string(s) + "s";
  }
  if (s < 3600) {
    return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  }
  if (s < 86400) {
    return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
  }
  return std::to_string(s / 86400) + "d" + std::to_string(s % 86400 / 3600) + "h";
}

// Columns padded to the widest cell (counting UTF-8 code points).
void print_table(const std::vector<std::vector<std::string>>& rows) {
  auto width = [](const std::string& s) { return khobor::utf8::count_code_points(s); };
  std::vector<size_t> w;
  for (const auto& r : rows) {
    w.resize(std::max(w.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) {
      w[i] = std::max(w[i], width(r[i]));
    }
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) {
        line += std::string(w[i] - width(r[i]) + 2, ' ');
      }
    }
    std::printf("%s\n", line.c_str());
  }
}

void print_feeds(const json& feeds) {
  std::vector<std::vector<std::string>> rows{{"FEED", "HTTP", "LAST SUCCESS", "ERRORS", "NEXT DUE",
                                              "EVERY", "ENTRIES", "BYTES", "LATENCY", "STATE"}};
  for (const auto& f : feeds) {
    std::string state = f.value("retired", false)       ? "retired"
                        : f.value("in_flight", false)   ? "fetching"
                        : str(f, "last_attempt") == "-" ? "never polled"
                                                        : "ok";
    std::string error = f.value("error", std::string());
    const std::string store_error = f.value("store_error", std::string());
    if (!store_error.empty()) {
      state = "not recorded: store fails (" + store_error + ")";  // the outlet is not at fault
    } else if (!error.empty()) {
      state = error;
    } else if (state == "ok" && f.value("ids", std::string()) == "links") {
      state = "ok, link ids";  // its guids change between polls
    } else if (state == "ok" && f.value("repaired", false)) {
      state = "ok, repaired";  // not well-formed, read anyway
    }
    const std::string odd = f.value("odd", std::string());
    if (!odd.empty() && store_error.empty() && error.empty()) {
      state += " (" + odd + ")";  // read, but its document is odd
    }
    rows.push_back(
        {str(f, "id"), str(f, "http_status"), short_time(f, "last_success"),
         str(f, "consecutive_errors"), short_time(f, "next_due"),
         f.value("interval_s", int64_t{0}) > 0 ? duration(f.value("interval_s", int64_t{0})) : "-",
         str(f, "entries"), str(f, "bytes"), str(f, "latency_ms") + " ms", state});
  }
  print_table(rows);
}

void print_status(const json& s) {
  const json& a = s["alerts"];
  std::printf("khobord %s, up %s, config %s\n", str(s, "version").c_str(),
              duration(s.value("uptime_s", int64_t{0})).c_str(), str(s, "config").c_str());
  std::printf(
      "alerts: %s published, %s dropped on a full socket, last seq %s (%s stored, "
      "from seq %s), %s subscription(s) on %s\n",
      str(a, "published").c_str(), str(a, "dropped").c_str(), str(a, "last_seq").c_str(),
      str(a, "stored").c_str(), str(a, "first_seq").c_str(), str(a, "subscribers").c_str(),
      str(s, "publish_endpoint").c_str());
  std::printf("watch lists: %s, rules: %s, store %s\n", str(s, "watchlists").c_str(),
              str(s, "rules").c_str(), str(s, "store").c_str());
  const json health = s.value("store_health", json::object());
  if (!health.value("error", std::string()).empty()) {
    std::printf(
        "STORE FAILING since %s (%s first): %s; polls are not recorded and are read "
        "again when it works\n",
        short_time(health, "failing_since").c_str(), str(health, "first_failed").c_str(),
        str(health, "error").c_str());
  }
  for (const auto& what : s.value("restart_needed", json::array())) {
    if (what.is_string()) {
      std::printf("NEEDS A RESTART to take effect: %s\n", what.get<std::string>().c_str());
    }
  }
  std::printf("\n");
  print_feeds(s["feeds"]);
}

int run_status(int argc, char** argv) {
  CLI::App app{"Show what the running khobord says about itself and its feeds", "khobor status"};
  std::string config_path;
  std::string control;
  std::string server_key;
  bool as_json = false;
  bool feeds_only = false;
  double timeout_s = 5;
  khobor::tools::add_config_option(app, config_path);
  app.add_option("--control", control, "khobord's [control] endpoint (default: the config's)");
  app.add_option("--server-key", server_key,
                 "khobord's CURVE public key for [control] (default: from the config's "
                 "curve_secret_key, when it has one)");
  app.add_flag("--json", as_json, "print khobord's reply as JSON (for scripts)");
  app.add_flag("--feeds", feeds_only, "only the feeds (the `feeds` request)");
  app.add_option("--timeout", timeout_s, "wait this long for an answer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto socket = khobor::tools::control_socket(config_path, control, server_key, "status");
  if (!socket) {
    std::fprintf(stderr, "khobor status: %s\n", socket.error().message.c_str());
    return khobor::daemon::k_exit_config;
  }
  control = socket->endpoint;
  json req = {{"cmd", feeds_only ? "feeds" : "status"}};
  auto r = khobor::bus::control_request(control, req.dump(), static_cast<int>(timeout_s * 1000),
                                        khobor::tools::client_security(socket->server_key));
  if (!r) {
    std::fprintf(stderr, "khobor status: %s\n", r.error().message.c_str());
    return 1;
  }
  json reply = json::parse(*r, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    std::fprintf(stderr, "khobor status: %s answered something that is not JSON\n",
                 control.c_str());
    return 1;
  }
  if (!reply.value("ok", false)) {
    std::fprintf(stderr, "khobor status: %s\n", str(reply, "error").c_str());
    return 1;
  }
  if (as_json) {
    std::printf("%s\n", reply.dump().c_str());
  } else if (feeds_only) {
    print_feeds(reply["feeds"]);
  } else {
    print_status(reply);
  }
  return 0;
}

const khobor::tools::Registration k_reg{
    "status", "show khobord's state and its feeds' health (--json for scripts)", &run_status};

}  // namespace
