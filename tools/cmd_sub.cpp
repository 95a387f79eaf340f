// khobor sub — print the alerts khobord publishes.
//
// On a terminal each alert is one readable line; when stdout is piped, the alert's
// JSON (bus/WIRE_FORMAT.md), one per line, for scripts. --count and --timeout let
// scripts and tests stop it.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "bus/alert.h"
#include "bus/subscriber.h"
#include "tools/command.h"

namespace {

std::string local_time(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

// "#12 2026-11-28 06:41 [summit] dainik-alo: title — link (পুতিন)".
std::string readable(const std::string& topic, const std::string& payload) {
  auto a = khobor::bus::alert_from_json(payload);
  if (!a) {
    return topic + " " + payload + "   (" + a.error().message + ")";
  }
  std::string line = "#" + std::to_string(a->seq) + " ";
  int64_t when = a->entry.published ? *a->entry.published : a->time_ms / 1000;
  line += local_time(when) + " [" + a->watchlist + "] " + a->feed + ": " + a->entry.title;
  if (!a->entry.link.empty()) {
    line += " — " + a->entry.link;
  }
  std::string terms;
  for (const auto& h : a->hits) {
    if (terms.find(h.term) == std::string::npos) {
      terms += terms.empty() ? "" : ", ";
      terms += h.term;
    }
  }
  if (!terms.empty()) {
    line += " (" + terms + ")";
  }
  return line;
}

int run_sub(int argc, char** argv) {
  CLI::App app{"Print alerts as khobord publishes them", "khobor sub"};
  std::string endpoint = "tcp://127.0.0.1:5680";
  std::string topic = "alert.";
  int count = 0;
  double timeout_s = 0;
  std::string format = "auto";
  app.add_option("--endpoint", endpoint, "khobord's [publish] endpoint")->capture_default_str();
  app.add_option("--topic", topic, "topic prefix: alert. for all, alert.NAME for one watch list")
      ->capture_default_str();
  app.add_option("--count", count, "exit 0 after N alerts")->check(CLI::NonNegativeNumber);
  app.add_option("--timeout", timeout_s,
                 "give up after SECONDS (exit 1 if --count alerts did not arrive)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--format", format, "auto (text on a terminal, else json), text or json")
      ->check(CLI::IsMember({"auto", "text", "json"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  bool text = format == "text" || (format == "auto" && ::isatty(STDOUT_FILENO) == 1);

  auto sub = khobor::bus::Subscriber::connect(endpoint, topic);
  if (!sub) {
    std::fprintf(stderr, "khobor sub: %s\n", sub.error().message.c_str());
    return 2;
  }
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  int received = 0;
  while (count == 0 || received < count) {
    int wait = -1;
    if (timeout_s > 0) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        break;
      }
      wait = static_cast<int>(left);
    }
    auto m = sub->receive(wait);
    if (!m) {
      continue;
    }
    ++received;
    std::string line = text ? readable(m->topic, m->payload) : m->payload;
    std::fputs(line.c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  if (count > 0 && received < count) {
    std::fprintf(stderr, "khobor sub: %d of %d alert(s) before the timeout of %g s\n", received,
                 count, timeout_s);
    return 1;
  }
  return 0;
}

const khobor::tools::Registration k_reg{"sub", "print alerts as khobord publishes them", &run_sub};

}  // namespace
