// khobor/tools/exec.cpp — runs --exec's command: posix_spawn, a pipe, a pidfd.
#include "tools/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

extern char** environ;

namespace khobor::tools {
namespace {

using json = nlohmann::json;

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return "";
  }
  std::string s = it->is_string() ? it->get<std::string>() : it->dump();
  s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());  // environ cannot carry a NUL
  return s;
}

std::string joined(const json& array, const char* key = nullptr) {
  std::string out;
  if (!array.is_array()) {
    return out;
  }
  for (const auto& v : array) {
    std::string s = key != nullptr ? text(v, key) : (v.is_string() ? v.get<std::string>() : "");
    if (!s.empty() && (", " + out + ", ").find(", " + s + ", ") == std::string::npos) {
      out += (out.empty() ? "" : ", ") + s;
    }
  }
  return out;
}

// The child's environment: ours (the user's own KHOBOR_MAIL_TO and the like
// stay), with the message's variables in place of any of the same name.
std::vector<std::string> child_environment(const std::string& topic, const std::string& payload) {
  auto ours = exec_environment(topic, payload);
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view var(*e);
    const bool replaced = std::any_of(ours.begin(), ours.end(), [&](const auto& kv) {
      return var.size() > kv.first.size() && var.compare(0, kv.first.size(), kv.first) == 0 &&
             var[kv.first.size()] == '=';
    });
    if (!replaced) {
      env.emplace_back(var);
    }
  }
  for (auto& [name, value] : ours) {
    env.push_back(name + "=" + value);
  }
  return env;
}

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
};

Result<Child> spawn(const std::string& command, std::vector<std::string> env) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return make_error("exec", std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t dflt;
  sigemptyset(&none);
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGPIPE);  // khobor sub ignores it; the command should not
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dflt);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<char*> envp;
  for (auto& e : env) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  std::string sh = "/bin/sh";
  std::string dash_c = "-c";
  std::string cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    return make_error("exec", std::string("cannot start /bin/sh: ") + std::strerror(rc));
  }
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  return Child{pid, fds[1]};
}

std::string how_it_ended(int status) {
  if (WIFEXITED(status)) {
    return "exit " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "ended oddly";
}

Status ended(int status) {
  if (status == 0) {
    return Ok{};
  }
  return make_error("exec", how_it_ended(status));
}

// Stop a child that overran: SIGTERM to its group, SIGKILL if it lingers 2 s.
void terminate(pid_t pid, int pidfd) {
  ::kill(-pid, SIGTERM);
  pollfd p{pidfd, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) {
    ::kill(-pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// Feed the payload to the child and wait for it to end, within `timeout_ms`.
Status supervise(Child child, const std::string& input, int64_t timeout_ms) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
  if (pidfd < 0) {
    ::close(child.stdin_fd);
    int status = 0;
    ::waitpid(child.pid, &status, 0);  // no pidfd (an old kernel): no timeout either
    return ended(status);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t written = 0;
  for (;;) {
    pollfd p[2] = {{pidfd, POLLIN, 0}, {child.stdin_fd, POLLOUT, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 || ::poll(p, child.stdin_fd >= 0 ? 2 : 1, static_cast<int>(left)) == 0) {
      if (child.stdin_fd >= 0) {
        ::close(child.stdin_fd);
      }
      terminate(child.pid, pidfd);
      ::close(pidfd);
      return make_error("exec", "timed out after " + std::to_string(timeout_ms / 1000) + " s");
    }
    if (child.stdin_fd >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t n = ::write(child.stdin_fd, input.data() + written, input.size() - written);
      if (n > 0) {
        written += static_cast<size_t>(n);
      }
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        ::close(child.stdin_fd);  // all written, or the command does not read it
        child.stdin_fd = -1;
      }
    }
    if ((p[0].revents & POLLIN) != 0) {
      break;
    }
  }
  if (child.stdin_fd >= 0) {
    ::close(child.stdin_fd);
  }
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  ::close(pidfd);
  return ended(status);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> exec_environment(const std::string& topic,
                                                                  const std::string& payload) {
  json m = json::parse(payload, nullptr, false);
  if (!m.is_object()) {
    m = json::object();
  }
  const json entry = m.value("entry", json::object());
  const json event = m.value("event", json::object());
  const json story = m.value("story", json());
  const bool update = topic.rfind("story.", 0) == 0;
  return {
      {"KHOBOR_SEQ", text(m, "seq")},
      {"KHOBOR_TOPIC", topic},
      {"KHOBOR_KIND", update ? "update" : "alert"},
      {"KHOBOR_TIME", text(m, "time")},
      {"KHOBOR_WATCHLIST", text(m, "watchlist")},
      {"KHOBOR_RULE", text(m, "rule")},
      {"KHOBOR_FEED", text(m, "feed")},
      {"KHOBOR_FEED_TITLE", text(m, "feed_title")},
      {"KHOBOR_ENTRY_ID", text(entry, "id")},
      {"KHOBOR_TITLE", text(entry, "title")},
      {"KHOBOR_LINK", text(entry, "link")},
      {"KHOBOR_PUBLISHED", text(entry, "published")},
      {"KHOBOR_SNIPPET", text(m, "snippet")},
      {"KHOBOR_TERMS", joined(m.value("hits", json::array()), "term")},
      {"KHOBOR_EVENT", text(event, "id")},
      {"KHOBOR_OUTLETS", text(event, "outlet_count")},
      {"KHOBOR_SOURCES", joined(event.value("sources", json::array()))},
      {"KHOBOR_STORY", story.is_object() ? text(story, "id") : text(m, "story")},
  };
}

Status run_exec(const std::string& command, const std::string& topic, const std::string& payload,
                int64_t timeout_ms) {
  auto child = spawn(command, child_environment(topic, payload));
  if (!child) {
    return child.error();
  }
  return supervise(*child, payload + "\n", timeout_ms);
}

}  // namespace khobor::tools
