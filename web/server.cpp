// khobor/web/server.cpp — routes, security headers, the live stream, metrics.
#include "web/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bus/control.h"
#include "store/sqlite.h"
#include "web/hub.h"
#include "web/metrics.h"

namespace khobor::web {
namespace {

using json = nlohmann::json;

// No inline script or style, nothing from elsewhere, no framing, no forms.
constexpr const char* k_csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

int64_t now_s() {
  return static_cast<int64_t>(std::time(nullptr));
}

void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace

struct WebServer::Impl {
  WebOptions opts;
  httplib::Server http;
  Hub hub;
  int port = 0;
  std::atomic<int64_t> messages{0};
  std::atomic<int64_t> requests{0};
  std::unique_ptr<Desk> follower_desk;  // the follower thread's own connection

  // khobord's reply to `cmd`, or null when it does not answer.
  json ask(const char* cmd) const {
    bus::ClientSecurity sec;
    sec.server_public_key = opts.control_key;
    auto r = bus::control_request(opts.control, json{{"cmd", cmd}}.dump(), 2000, sec);
    if (!r) {
      return json();
    }
    json reply = json::parse(*r, nullptr, false);
    return reply.is_object() && reply.value("ok", false) ? reply : json();
  }

  void routes() {
    for (const char* path : {"/", "/app.js", "/app.css"}) {
      http.Get(path, [](const httplib::Request& req, httplib::Response& res) {
        const Asset* a = find_asset(req.path);
        res.set_content(a->body, a->type);
      });
    }
    http.Get("/api/events", [this](const httplib::Request&, httplib::Response& res) {
      auto desk = Desk::open(opts.store_path);
      if (!desk) {
        send_json(res, {{"error", desk.error().message}}, 503);
        return;
      }
      send_json(res, desk->events(now_s(), opts.desk));
    });
    http.Get("/api/feeds", [this](const httplib::Request&, httplib::Response& res) {
      json reply = ask("feeds");
      if (reply.is_null()) {
        send_json(res, {{"error", "khobord does not answer on " + opts.control}}, 503);
        return;
      }
      send_json(res, {{"feeds", reply["feeds"]}});
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http.Get("/live", [this](const httplib::Request&, httplib::Response& res) { live(res); });
  }

  std::string metrics() const {
    json status = ask("status");
    auto desk = Desk::open(opts.store_path);
    DeskNumbers numbers;
    if (desk) {
      numbers = desk->numbers(now_s(), opts.desk);
    }
    WebCounters web{messages.load(), static_cast<int64_t>(hub.pages()), requests.load()};
    return prometheus_text(status, desk ? &numbers : nullptr, web);
  }

  // Server-sent events: a "card" event per new or changed card, a comment every
  // 15 s to keep the connection (and proxies) awake.
  void live(httplib::Response& res) {
    if (!hub.join(opts.max_live)) {
      res.status = 503;
      res.set_header("Retry-After", "30");
      res.set_content("too many live pages\n", "text/plain");
      return;
    }
    auto cursor = std::make_shared<uint64_t>(hub.cursor());
    auto first = std::make_shared<bool>(true);
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, cursor, first](size_t, httplib::DataSink& sink) {
          std::string out;
          if (*first) {
            *first = false;
            out = "retry: 2000\nevent: hello\ndata: {}\n\n";
            return sink.write(out.data(), out.size());
          }
          auto items = hub.wait(*cursor, std::chrono::seconds(15));
          if (!items) {
            return false;  // the server stops
          }
          out = items->empty() ? ": still here\n\n" : "";
          for (const auto& item : *items) {
            out += item == Hub::k_resync ? "event: resync\ndata: {}\n\n"
                                         : "event: card\ndata: " + item + "\n\n";
          }
          return sink.write(out.data(), out.size());
        },
        [this](bool) { hub.leave(); });
  }

  void guards() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      ++requests;
      res.set_header("Content-Security-Policy", k_csp);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("X-Frame-Options", "DENY");
      if (req.method != "GET" && req.method != "HEAD") {
        res.status = 405;
        res.set_header("Allow", "GET, HEAD");
        res.set_content("only GET: nothing here changes state\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "error";
          try {
            std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();  // a store locked past its busy timeout, mostly
          } catch (...) {
          }
          send_json(res, {{"error", what}}, 503);
        });
  }
};

WebServer::WebServer() : m_impl(std::make_unique<Impl>()) {}
WebServer::~WebServer() {
  stop();
}

Result<std::unique_ptr<WebServer>> WebServer::bind(const WebOptions& options) {
  auto check = Desk::open(options.store_path);
  if (!check) {
    return check.error();
  }
  std::unique_ptr<WebServer> s(new WebServer());
  Impl& i = *s->m_impl;
  i.opts = options;
  const size_t threads = options.max_live + 8;  // live pages hold theirs; the rest for the others
  i.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  i.http.set_keep_alive_timeout(5);
  i.http.set_payload_max_length(64 * 1024);
  i.guards();
  i.routes();
  i.port = options.port == 0
               ? i.http.bind_to_any_port(options.host)
               : (i.http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (i.port < 0) {
    return make_error("web", "cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) +
                                 " (in use, or not an address of this machine?)");
  }
  return s;
}

int WebServer::port() const {
  return m_impl->port;
}

bool WebServer::run() {
  return m_impl->http.listen_after_bind();
}

void WebServer::stop() {
  m_impl->hub.close();
  m_impl->http.stop();
}

void WebServer::on_message(const std::string&, const std::string& payload, int64_t) {
  ++m_impl->messages;
  json m = json::parse(payload, nullptr, false);
  if (!m.is_object()) {
    return;
  }
  if (!m_impl->follower_desk) {
    auto desk = Desk::open(m_impl->opts.store_path);
    if (!desk) {
      return;
    }
    m_impl->follower_desk = std::make_unique<Desk>(std::move(*desk));
  }
  try {
    json card = m_impl->follower_desk->card(Desk::card_key(m), now_s(), m_impl->opts.desk);
    if (!card.is_null()) {
      m_impl->hub.push(card.dump(-1, ' ', false, json::error_handler_t::replace));
    }
  } catch (const store::StoreError&) {
    m_impl->hub.push(Hub::k_resync);  // the page fetches everything when the store lets it
  }
}

}  // namespace khobor::web
