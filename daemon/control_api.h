// khobor/daemon/control_api.h — the answers to khobord's control requests.
//
// The control socket (bus/control.h) carries JSON requests; ControlApi turns one
// request into one reply: `status`, `feeds`, `reload` and `replay` (documented in
// bus/WIRE_FORMAT.md, "Control"). What only the running daemon knows (uptime,
// counters, the configured feeds) comes from a snapshot hook; reload is a hook;
// replay reads the store's outbox. Borrows the Store (which must outlive it); not
// thread-safe (the loop thread only).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace khobor::daemon {

// One configured feed as status shows it.
struct FeedView {
  std::string id;
  std::string url;
  bool in_flight = false;                  // a transfer is running now
  bool retired = false;                    // 410 Gone: not polled until enabled again
  std::optional<store::FeedState> health;  // nullopt: never polled
  bool link_ids = false;      // its guids change between polls: entries go by their links
  bool repaired = false;      // its last body was not well-formed and was read anyway
  std::string store_error{};  // why its last poll could not be recorded ("" : it was)
  std::string odd{};          // what is odd about its document now ("" : nothing)
};

// The loop's counters since start: polls by outcome, repaired bodies, and how long
// each round of the loop worked (from its wake-up to its next wait).
struct LoopTotals {
  uint64_t ok = 0;            // 200: a body read
  uint64_t not_modified = 0;  // 304
  uint64_t failed = 0;        // an HTTP error, a transport error, a body that is no feed
  uint64_t repaired = 0;      // bodies that were not well-formed and were read anyway
  uint64_t rounds = 0;
  int64_t busy_us = 0;      // the rounds' work, in all
  int64_t busy_max_us = 0;  // the longest round's work
  void add_round(int64_t us) {
    ++rounds;
    busy_us += us;
    busy_max_us = us > busy_max_us ? us : busy_max_us;
  }
};

// What the daemon reports about itself.
struct DaemonSnapshot {
  std::string version;
  int64_t started_ms = 0;  // wall clock
  int64_t uptime_s = 0;
  std::string config_file;
  std::string store_path;
  std::string publish_endpoint;
  std::string control_endpoint;
  size_t watchlists = 0;
  size_t rules = 0;
  uint64_t published = 0;  // alerts handed to the socket since start
  uint64_t dropped = 0;    // of those, refused by a full socket (recoverable by replay)
  int subscribers = 0;     // topic subscriptions seen on the publisher
  LoopTotals totals;
  // A store fault now ("" : the store works): its cause, what failed first, since
  // when (wall ms); and how many store calls failed since start.
  std::string store_error;
  std::string store_error_in;
  int64_t store_error_since_ms = 0;
  int64_t store_failures = 0;
  // What the last reload could not apply without a restart (empty: nothing).
  std::vector<std::string> restart_needed;
  std::vector<FeedView> feeds;
};

class ControlApi {
 public:
  // The most alerts one replay reply carries, whatever `limit` asks.
  static constexpr size_t k_max_replay = 1000;

  struct Hooks {
    std::function<DaemonSnapshot()> snapshot;
    std::function<Status()> reload;  // as SIGHUP; an Error says why it was refused
  };

  ControlApi(store::Store& store, Hooks hooks) : m_store(store), m_hooks(std::move(hooks)) {}

  // Answer one request (a JSON object with "cmd"); never throws for bad input:
  // the reply is {"ok":false,"error":…} then.
  std::string handle(std::string_view request);

 private:
  store::Store& m_store;
  Hooks m_hooks;
};

}  // namespace khobor::daemon
