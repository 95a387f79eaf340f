// khobor/tests/support/process.h — a child process for integration tests.
//
// Spawns a program with its stdout and stderr sent to files (or stdout to a pipe
// the test reads), waits for it with a deadline through a pidfd (no sleeps), and
// kills it (by its pid, SIGKILL) if it is still running when the object goes away.
// Not thread-safe.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace khobor::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Process {
 public:
  // Start argv[0] with stdout/stderr appended to the given files ("" leaves them
  // alone). With `stdout_pipe`, stdout goes to a pipe read by read_stdout_line().
  // With `stdin_pipe`, the child's stdin is a pipe held open until the object dies.
  Process(const std::vector<std::string>& argv, const std::string& stdout_file,
          const std::string& stderr_file, bool stdout_pipe = false, bool stdin_pipe = false) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    int out_pipe[2] = {-1, -1};
    int in_pipe[2] = {-1, -1};
    if (stdout_pipe) {
      if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
      }
      posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
    } else if (!stdout_file.empty()) {
      posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, stdout_file.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    if (!stderr_file.empty()) {
      posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_file.c_str(),
                                       O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    if (stdin_pipe) {
      if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
      }
      posix_spawn_file_actions_adddup2(&fa, in_pipe[0], STDIN_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    int rc = posix_spawn(&m_pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (out_pipe[1] >= 0) {
      ::close(out_pipe[1]);
      m_stdout = out_pipe[0];
    }
    if (in_pipe[0] >= 0) {
      ::close(in_pipe[0]);
      m_stdin = in_pipe[1];
    }
    if (rc != 0) {
      throw std::runtime_error("cannot start " + argv[0]);
    }
    m_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0));
  }

  ~Process() {
    if (!m_status) {
      ::kill(m_pid, SIGKILL);
      wait_for_exit(std::chrono::seconds(5));
    }
    for (int fd : {m_pidfd, m_stdout, m_stdin}) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return m_pid; }
  void signal(int sig) const { ::kill(m_pid, sig); }

  // The exit status (or 128 + signal), nullopt when still running at the deadline.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
    if (m_status) {
      return m_status;
    }
    pollfd p{m_pidfd, POLLIN, 0};
    if (m_pidfd >= 0 && ::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
      return std::nullopt;
    }
    int status = 0;
    if (::waitpid(m_pid, &status, 0) != m_pid) {
      return std::nullopt;
    }
    m_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return m_status;
  }

  // One line of the child's stdout pipe (without the newline), within `timeout`.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (auto nl = m_buffer.find('\n'); nl != std::string::npos) {
        std::string line = m_buffer.substr(0, nl);
        m_buffer.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        return std::nullopt;
      }
      pollfd p{m_stdout, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) {
        continue;
      }
      char buf[512];
      ssize_t n = ::read(m_stdout, buf, sizeof buf);
      if (n <= 0) {
        return std::nullopt;
      }
      m_buffer.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  pid_t m_pid = -1;
  int m_pidfd = -1;
  int m_stdout = -1;
  int m_stdin = -1;
  std::string m_buffer;
  std::optional<int> m_status;
};

}  // namespace khobor::testing
