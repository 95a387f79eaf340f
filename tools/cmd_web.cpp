// khobor web — the desk: a live web page of the alerted events and the feeds'
// health, and Prometheus /metrics, served on loopback by default.
//
// A process of its own beside khobord (which stays lean and hardened): it reads
// khobord's store read-only for the page and follows khobord's stream (the same
// follower as `khobor sub`, gaps filled by replay) to push each new alert or
// update to the open pages at once. The endpoints, the store and [web] come
// from khobord's config; options override. Stops on SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "bus/security.h"
#include "bus/subscriber.h"
#include "daemon/config.h"
#include "store/sqlite.h"
#include "tools/command.h"
#include "tools/control_client.h"
#include "tools/follower.h"
#include "web/server.h"

namespace {

struct Options {
  std::string config;
  std::string listen;
  std::string store;
  std::string window;
  std::string endpoint;
  std::string control;
  std::string server_key;
  std::string control_key;
};

void add_options(CLI::App& app, Options& o) {
  khobor::tools::add_config_option(app, o.config);
  app.add_option("--listen", o.listen,
                 "serve on HOST:PORT (default: the config's [web] listen, 127.0.0.1:5682; "
                 "port 0: any free one)");
  app.add_option("--store", o.store, "khobord's store, read-only (default: the config's)");
  app.add_option("--window", o.window,
                 "the page shows the events alerted this recently (default: [web] window, 24h)");
  app.add_option("--endpoint", o.endpoint, "khobord's [publish] endpoint (default: the config's)");
  app.add_option("--control", o.control, "khobord's [control] endpoint (default: the config's)");
  app.add_option("--server-key", o.server_key, "CURVE public key for [publish]");
  app.add_option("--control-key", o.control_key, "CURVE public key for [control]");
}

// The server's options from the config and the flags; an Error says which is bad.
khobor::Result<khobor::web::WebOptions> web_options(const Options& o,
                                                    const khobor::daemon::Config& cfg) {
  khobor::web::WebOptions w;
  auto listen = khobor::daemon::split_listen(o.listen.empty() ? cfg.web_listen : o.listen);
  if (!listen) {
    return khobor::make_error("usage", "--listen " + o.listen + ": expected HOST:PORT");
  }
  std::tie(w.host, w.port) = *listen;
  w.store_path = o.store.empty() ? cfg.store_path : o.store;
  w.desk.window_s = cfg.web_window_s;
  if (!o.window.empty()) {
    auto s = khobor::parse_duration(o.window);
    if (!s) {
      return khobor::make_error("usage", "--window " + o.window + ": " + s.error().message);
    }
    w.desk.window_s = *s;
  }
  w.desk.story_window_s = cfg.story_window_s;
  auto ctl = khobor::tools::resolve_socket(o.control, o.control_key, cfg.control_endpoint,
                                           cfg.control_curve_secret_key);
  if (!ctl) {
    return ctl.error();
  }
  w.control = ctl->endpoint;
  w.control_key = ctl->server_key;
  return w;
}

// The last seq in the store: the page shows everything up to it already.
int64_t last_seq(const std::string& store) {
  auto db = khobor::store::Database::open_readonly(store);
  if (!db) {
    return 0;
  }
  auto q = db->prepare("SELECT COALESCE(MAX(seq), 0) FROM alerts");
  return q.step() ? q.column_int(0) : 0;
}

// Stops the server and the follower on SIGTERM/SIGINT (blocked in every thread).
void wait_for_signal(khobor::web::WebServer& server, khobor::tools::Follower& follower) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  follower.stop();
  server.stop();
}

int serve(const khobor::web::WebOptions& opts, const khobor::tools::Socket& pub) {
  auto server = khobor::web::WebServer::bind(opts);
  if (!server) {
    std::fprintf(stderr, "khobor web: %s\n", server.error().message.c_str());
    return 1;
  }
  auto sub = khobor::bus::Subscriber::connect(pub.endpoint, "",
                                              khobor::tools::client_security(pub.server_key));
  if (!sub) {
    std::fprintf(stderr, "khobor web: %s\n", sub.error().message.c_str());
    return 2;
  }
  khobor::web::WebServer* web = server->get();
  khobor::tools::FollowOptions fo{opts.control, opts.control_key, "", "", 0, 0, "khobor web"};
  khobor::tools::Follower follower(
      fo, std::move(*sub), last_seq(opts.store_path),
      [web](const std::string& topic, const std::string& payload, int64_t seq) {
        web->on_message(topic, payload, seq);
        return true;
      });
  const bool v6 = opts.host.find(':') != std::string::npos;
  const std::string tcp = std::string("tcp://") + (v6 ? "[" + opts.host + "]" : opts.host) + ":0";
  if (!khobor::bus::is_local_endpoint(tcp)) {
    std::fprintf(stderr,
                 "khobor web: serving on %s, off loopback: the page has no login, anyone who "
                 "can reach this address sees the desk\n",
                 opts.host.c_str());
  }
  std::printf("khobor web: the desk is on http://%s%s%s:%d/\n", v6 ? "[" : "", opts.host.c_str(),
              v6 ? "]" : "", web->port());
  std::fflush(stdout);
  std::thread follow([&follower] { follower.run(); });
  std::thread signals([web, &follower] { wait_for_signal(*web, follower); });
  const bool ok = web->run();
  follower.stop();
  follow.join();
  pthread_kill(signals.native_handle(), SIGTERM);  // releases its sigwait if no signal came
  signals.join();
  return ok ? 0 : 1;
}

int run_web(int argc, char** argv) {
  CLI::App app{"Serve the desk: a live page of the alerted events, the feeds' health, /metrics",
               "khobor web"};
  Options o;
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto cfg = khobor::tools::read_daemon_config(o.config, "web");
  if (!cfg) {
    std::fprintf(stderr, "khobor web: %s\n", cfg.error().message.c_str());
    return khobor::daemon::k_exit_config;
  }
  auto opts = web_options(o, cfg->config);
  auto pub = khobor::tools::resolve_socket(o.endpoint, o.server_key, cfg->config.publish_endpoint,
                                           cfg->config.publish_curve_secret_key);
  if (!opts || !pub) {
    std::fprintf(stderr, "khobor web: %s\n", (!opts ? opts.error() : pub.error()).message.c_str());
    return 2;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts: sigwait takes them
  return serve(*opts, *pub);
}

const khobor::tools::Registration k_reg{
    "web", "serve the desk: a live page of events, the feeds' health, /metrics", &run_web};

}  // namespace
