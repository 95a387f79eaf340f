// khobor/daemon/daemon.h — khobord's event loop, as a library.
//
// One thread runs everything: curl's sockets (through the Fetcher), a signalfd
// for SIGTERM/SIGINT/SIGHUP, the control socket, an inotify watch on the watch
// lists, and the timers (next feed due, watchdog, prune, coalesced updates,
// retries after a store fault) meet in one curl_multi_poll. Per finished
// transfer: parse → pipeline (stories, events, match, one store transaction) →
// publish the outbox after the commit → reschedule. The Daemon owns the store,
// the publisher, the fetcher and the watch lists; not thread-safe except
// request_stop() and wake(). ARCHITECTURE.md ("The loop") describes it.
#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "daemon/config.h"

namespace khobor::daemon {

struct DaemonOptions {
  std::string config_path;
  bool once = false;           // poll every feed once, publish, return
  int await_subscriber_s = 0;  // before publishing, wait this long for a subscriber
  // false when embedded in another program (a test running the loop on a thread):
  // no signalfd, request_stop() ends the loop.
  bool use_signalfd = true;
};

// Ok when both endpoints of `cfg` may be bound: on loopback or ipc, or with a
// CURVE secret key (bus/security.h); else an Error ("config") saying why.
Status check_endpoints(const Config& cfg);

// Block SIGTERM, SIGINT and SIGHUP in the calling thread (and the threads it
// starts later), so they are read from the Daemon's signalfd. Call first in main.
void block_signals();

class Daemon {
 public:
  // Load the config and the watch lists, open the store, bind the publisher. The
  // Error's code is "config" for a bad configuration (exit 78), else a runtime one.
  static Result<std::unique_ptr<Daemon>> create(const DaemonOptions& options, const Clock& clock);

  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Run the loop until stopped (or until every feed was polled once with
  // `once`). Returns the exit status: 0 on a clean stop.
  int run();

  // Ask the loop to stop soon (thread-safe): how an embedding program without
  // the signalfd (use_signalfd = false) ends run().
  void request_stop();

  // Wake the loop to look at its clock again (thread-safe): for a test that moves
  // a fake clock on, since the loop otherwise sleeps until its next timer.
  void wake();

 private:
  struct Impl;
  explicit Daemon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::daemon
