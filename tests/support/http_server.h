// khobor/tests/support/http_server.h — a tiny real HTTP/1.1 server on loopback.
//
// For tests only: binds 127.0.0.1 on a free port, serves each connection in its
// own short-lived turn on one background thread (Connection: close), answers with
// a handler the test gives, and records every request it read (method, path,
// headers) so tests can assert on what the client sent. Thread-safe: the handler
// runs on the server thread; requests() copies under a lock.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace khobor::testing {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  explicit HttpServer(Handler handler) : m_handler(std::move(handler)) {
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_listen < 0) {
      throw std::runtime_error("test server: socket failed");
    }
    int one = 1;
    ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_listen, 64) != 0) {
      ::close(m_listen);
      throw std::runtime_error("test server: bind/listen on 127.0.0.1 failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }

  ~HttpServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listen);
  }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return m_port; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

  // Forget the requests recorded so far: a long test's memory stays its own.
  void clear_requests() {
    std::lock_guard lock(m_mutex);
    std::vector<HttpRequest>().swap(m_requests);
  }

 private:
  static const char* reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 301:
        return "Moved Permanently";
      case 302:
        return "Found";
      case 304:
        return "Not Modified";
      case 308:
        return "Permanent Redirect";
      case 404:
        return "Not Found";
      case 500:
        return "Internal Server Error";
      case 503:
        return "Service Unavailable";
      default:
        return "Status";
    }
  }

  void serve() {
    while (!m_stop) {
      pollfd p{m_listen, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      int fd = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        continue;
      }
      handle(fd);
      ::close(fd);
    }
  }

  void handle(int fd) {
    std::string in;
    if (!read_head(fd, in)) {
      return;
    }
    std::optional<HttpRequest> req = parse_request(in);
    if (!req) {
      return;
    }
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(*req);
    }
    send_reply(fd, *req, m_handler(*req));
  }

  // Reads until the end of the request's head (or 5 s, or 64 KiB); false when
  // the client went away.
  static bool read_head(int fd, std::string& in) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (in.find("\r\n\r\n") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline && in.size() < 65536) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        continue;
      }
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) {
        return false;
      }
      in.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  // The request line and the headers (names lower-cased); nullopt when the
  // request line is malformed.
  static std::optional<HttpRequest> parse_request(const std::string& in) {
    HttpRequest req;
    size_t line_end = in.find("\r\n");
    if (line_end == std::string::npos) {
      return std::nullopt;
    }
    std::string line = in.substr(0, line_end);
    size_t sp1 = line.find(' ');
    size_t sp2 = line.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
      return std::nullopt;
    }
    req.method = line.substr(0, sp1);
    req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end + 2;
    while (true) {
      size_t end = in.find("\r\n", pos);
      if (end == std::string::npos || end == pos) {
        break;
      }
      std::string h = in.substr(pos, end - pos);
      size_t colon = h.find(':');
      if (colon != std::string::npos) {
        std::string name = h.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers[name] = value;
      }
      pos = end + 2;
    }
    return req;
  }

  static void send_reply(int fd, const HttpRequest& req, const HttpReply& reply) {
    std::string out =
        "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
        "\r\nConnection: close\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n";
    for (const auto& [name, value] : reply.headers) {
      out += name + ": " + value + "\r\n";
    }
    out += "\r\n";
    if (req.method != "HEAD") {
      out += reply.body;
    }
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n <= 0) {
        return;
      }
      off += static_cast<size_t>(n);
    }
  }

  Handler m_handler;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mutex;
  std::vector<HttpRequest> m_requests;
  std::thread m_thread;
};

}  // namespace khobor::testing
