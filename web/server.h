// khobor/web/server.h — `khobor web`'s HTTP side (cpp-httplib, Debian's
// libcpp-httplib): the desk page and its script and style, the cards as JSON,
// the live stream of new cards (server-sent events), the feeds' health and
// Prometheus /metrics. Only GET and HEAD; every response carries a
// Content-Security-Policy that allows no inline script and nothing from another
// origin. Feed text reaches the page only as JSON rendered as text.
// Thread-safe: httplib serves each connection on a thread of its pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "web/desk.h"

namespace khobor::web {

struct WebOptions {
  std::string host = "127.0.0.1";
  int port = 5682;  // 0: any free port
  std::string store_path;
  DeskOptions desk;
  std::string control;      // khobord's [control] endpoint (feeds, status)
  std::string control_key;  // its CURVE public key ("" : plain)
  size_t max_live = 32;     // live pages at once (each holds a connection thread)
};

class WebServer {
 public:
  // Check the store and bind the listening socket (not yet serving).
  static Result<std::unique_ptr<WebServer>> bind(const WebOptions& options);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // The port bound (the real one when 0 was asked).
  int port() const;

  // Serve until stop(); false when the server failed.
  bool run();
  // End run() and every live page; callable from any thread.
  void stop();

  // A message from khobord (the follower's thread): its event's card, read
  // fresh from the store, goes to every live page.
  void on_message(const std::string& topic, const std::string& payload, int64_t seq);

 private:
  WebServer();
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The page's files, embedded at build time from web/static/.
struct Asset {
  const char* path;  // "/", "/app.js", "/app.css"
  const char* type;  // its Content-Type
  const char* body;
};
const Asset* find_asset(const std::string& path);

}  // namespace khobor::web
