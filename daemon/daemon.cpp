// khobor/daemon/daemon.cpp — khobord's loop (Daemon::Impl): the feeds' slots and
// due-queue, one finished transfer at a time, the timers, reload and store faults.
#include "daemon/daemon.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <unordered_map>

#include "base/log.h"
#include "bus/control.h"
#include "bus/publisher.h"
#include "bus/security.h"
#include "daemon/check.h"
#include "daemon/config.h"
#include "daemon/control_api.h"
#include "daemon/pipeline.h"
#include "daemon/retention.h"
#include "daemon/schedule.h"
#include "feeds/fetcher.h"
#include "feeds/parser.h"
#include "store/store.h"
#include "watch/watchset.h"

namespace khobor::daemon {
namespace {

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// sd_notify is a no-op outside systemd ($NOTIFY_SOCKET unset).
void notify(const std::string& state) {
  sd_notify(0, state.c_str());
}

uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

watch::WatchSet load_watchlists(const std::string& dir, const watch::WatchSet* previous) {
  std::vector<watch::LoadProblem> problems;
  watch::WatchSet set = watch::WatchSet::load_dir(dir, problems, previous);
  for (const auto& p : problems) {
    KHOBOR_LOG(warning, "watch list " + p.to_string());
  }
  return set;
}

// One configured feed and where it is in its cycle.
struct FeedSlot {
  FeedConfig config;
  FeedPollState poll;
  PollBounds bounds;   // [poll] defaults with the feed's own min/max_interval
  std::string domain;  // registrable domain of poll.url: concurrency and holds
  int64_t due_mono_ms = 0;
  bool in_flight = false;
  bool polled = false;      // at least once since start (for --once)
  std::string store_error;  // why its last poll could not be recorded ("" : it was)
  // What is odd about its document now ("" : nothing; oddity()), and which kinds.
  std::string odd;
  unsigned odd_kinds = 0;
};

// An entry of the due-queue: a feed and the time it was scheduled for. Entries
// whose feed was rescheduled since (or is in flight, or retired) are stale and
// skipped when they reach the top.
struct DueItem {
  int64_t due_mono_ms = 0;
  std::string feed_id;
  bool operator>(const DueItem& o) const { return due_mono_ms > o.due_mono_ms; }
};
using DueQueue = std::priority_queue<DueItem, std::vector<DueItem>, std::greater<>>;

feeds::FetchOptions fetch_options(const HttpConfig& h) {
  feeds::FetchOptions o;
  o.connect_timeout_ms = h.connect_timeout_s * 1000;
  o.total_timeout_ms = h.timeout_s * 1000;
  o.low_speed_bytes = h.low_speed_bytes;
  o.low_speed_seconds = h.low_speed_time_s;
  o.max_body_bytes = h.max_body_bytes;
  o.max_redirects = h.max_redirects;
  o.max_connections = static_cast<int>(h.max_connections);
  o.max_per_host = static_cast<int>(h.max_per_domain);
  o.ca_file = h.ca_file;
  o.proxy = h.proxy;
  o.user_agent = feeds::user_agent(h.contact);
  return o;
}

// The entries' dates (published, else updated) for the adaptive interval.
std::vector<int64_t> entry_times(const feeds::ParsedFeed& feed) {
  std::vector<int64_t> times;
  times.reserve(feed.entries.size());
  for (const auto& e : feed.entries) {
    if (e.published) {
      times.push_back(*e.published);
    } else if (e.updated) {
      times.push_back(*e.updated);
    }
  }
  return times;
}

}  // namespace

Status check_endpoints(const Config& cfg) {
  if (auto st = bus::check_bind_allowed(cfg.publish_endpoint, {cfg.publish_curve_secret_key},
                                        "[publish] endpoint");
      !st) {
    return st;
  }
  return bus::check_bind_allowed(cfg.control_endpoint, {cfg.control_curve_secret_key},
                                 "[control] endpoint");
}

namespace {

// How often a store that SQLite opened read-only is opened again.
constexpr int64_t k_reopen_every_ms = 5'000;
// How long a write waits for another connection's lock (store/sqlite.h), and how
// long while a fault showed the lock held.
constexpr int k_busy_ms = 5'000;
constexpr int k_busy_fault_ms = 200;
// How often the retention round runs (daemon/retention.h).
constexpr int64_t k_prune_every_ms = 60'000;

}  // namespace

void block_signals() {
  sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

// The control socket takes reload and replays every stored alert: an ipc socket
// is opened to its group only (mode 0660; the runtime directory's 0750 keeps
// everyone else out), and loopback TCP, open to every local user, is warned about.
Result<std::unique_ptr<bus::ControlServer>> bind_control(const Config& cfg) {
  const std::string& endpoint = cfg.control_endpoint;
  const bool ipc = endpoint.rfind("ipc://", 0) == 0;
  auto bound = bus::ControlServer::bind(endpoint, {cfg.control_curve_secret_key});
  if (!bound) {
    if (ipc) {
      return make_error(bound.error().code,
                        bound.error().message +
                            " (its directory must exist and be writable by khobord's user: "
                            "systemd's RuntimeDirectory=khobor makes /run/khobor)");
    }
    return bound.error();
  }
  if (ipc && endpoint.size() > 6 && endpoint[6] != '@') {  // '@': abstract, no file
    const std::string path = endpoint.substr(6);
    if (::chmod(path.c_str(), 0660) != 0) {
      KHOBOR_LOG(warning, "cannot open the control socket " + path +
                              " to its group (chmod: " + strerror(errno) + ")");
    }
  } else if (!ipc && cfg.control_curve_secret_key.empty()) {
    KHOBOR_LOG(warning, "[control] endpoint = \"" + endpoint +
                            "\" is loopback TCP: any local user can send reload and replay "
                            "every stored alert; the default, ipc:///run/khobor/control, admits "
                            "only root and the khobor group");
  }
  return std::move(*bound);
}

}  // namespace

struct Daemon::Impl {
  DaemonOptions options;
  const Clock& clock;
  Config config;
  store::Store store;
  bus::Publisher publisher;
  feeds::Fetcher fetcher;
  watch::WatchSet watches;
  stories::StoryIndex stories;     // the story window, rebuilt from the store at start
  stories::EventIndex events;      // the events above the stories, rebuilt with them
  int64_t next_update_due_ms = 0;  // the store's earliest pending update (wall ms; 0: none)
  std::map<std::string, FeedSlot> slots;
  DueQueue due;
  std::unordered_map<std::string, int64_t> domain_holds;  // domain → held until (mono ms)
  Rng rng{std::random_device{}()};
  PollPlanner planner;  // poll_budget_per_day(config) shared across feeds (0: adaptive)
  int signal_fd = -1;
  int watch_fd = -1;  // inotify on the watch-lists directory (-1: not watched)
  int watch_wd = -1;
  std::string watched_dir;  // the directory watch_wd is on
  std::atomic<bool> stop{false};
  uint64_t published_total = 0;
  int64_t watchdog_ms = 0;  // ping period (half of WATCHDOG_USEC), 0: off
  int64_t next_watchdog_mono = 0;
  bool awaited_subscriber = false;              // --await-subscriber's wait is behind us
  std::unique_ptr<bus::ControlServer> control;  // null when embedded without one
  std::unique_ptr<ControlApi> control_api;
  bool control_backlog = false;  // process() hit its cap: look again at once
  int64_t started_ms = 0;
  int64_t started_mono = 0;
  int64_t next_prune_mono = 0;
  // One summary line per round (the poll interval) instead of a line per feed:
  // healthy feeds stay quiet in the journal at info level.
  struct RoundStats {
    int64_t polls = 0, not_modified = 0, changed = 0, new_entries = 0, alerts = 0, updates = 0,
            failed = 0, unrecorded = 0;
  } round;
  int64_t next_round_log_mono = 0;
  LoopTotals totals;  // since start, for status (and khobor web's /metrics)
  std::chrono::steady_clock::time_point woke{};  // the loop's last wake-up
  std::set<std::string> repaired_feeds;          // their last body was not well-formed, read anyway
  std::string reload_error;  // why the last reload was refused (empty when it was not)
  // What the last reload could not apply without a restart (reply, log, status).
  std::vector<std::string> restart_needed;
  std::optional<Config> pending_control;  // a reload's new [control], bound after the requests
  // The store's health (issue 14): a fault is logged when it begins and when it
  // ends, not on every poll, and shown in STATUS= and `khobor status`.
  struct StoreHealth {
    std::string cause;     // "" while the store works
    std::string first_in;  // what failed first ("feed X", "publishing the outbox")
    int64_t since_ms = 0;  // wall clock
    int64_t failures = 0;  // failed store calls since start (never reset)
  } store_health;
  int64_t sent_through = 0;      // highest seq sent, even when marking it published failed
  bool publish_pending = false;  // a store fault left the outbox unsent: try again
  int64_t next_publish_retry_mono = 0;
  int64_t next_reopen_mono = 0;  // a read-only store: when to open it again (0: no need)

  Impl(DaemonOptions o, const Clock& c, Config cfg, store::Store st, bus::Publisher pub)
      : options(std::move(o)),
        clock(c),
        config(std::move(cfg)),
        store(std::move(st)),
        publisher(std::move(pub)),
        fetcher(fetch_options(config.http)),
        stories(stories::StoryOptions{config.story_window_s, stories::StoryOptions{}.threshold}) {}

  Pipeline pipeline() {
    return Pipeline(store, clock, &stories, &events, UpdatePolicy{config.group_interval_s});
  }

  // A store call failed: the first failure of a fault is logged (error) and set
  // in STATUS=; later ones only at debug level, until store_recovered().
  void store_failed(const std::string& what, const store::StoreError& e) {
    ++store_health.failures;
    if (e.read_only() && next_reopen_mono == 0) {
      next_reopen_mono = clock.mono_ms() + k_reopen_every_ms;
    }
    if (e.busy()) {
      // While another program holds the lock, each write would wait the whole
      // busy timeout and the loop would crawl: wait briefly until it is free.
      store.database().set_busy_timeout(k_busy_fault_ms);
    }
    if (!store_health.cause.empty()) {
      KHOBOR_LOG(debug, what + ": the store still fails: " + e.what());
      return;
    }
    store_health.cause = e.reason();
    store_health.first_in = what;
    store_health.since_ms = clock.now_ms();
    KHOBOR_LOG(error, "the store " + config.store_path + " fails (" + what + "): " + e.what() +
                          "; polls are not recorded and their entries are read again, until "
                          "it works again (logged once)");
    notify("STATUS=" + status_line());
  }

  // A store write went through: a fault, if there was one, has ended.
  void store_recovered() {
    if (store_health.cause.empty()) {
      return;
    }
    KHOBOR_LOG(notice, "the store " + config.store_path + " works again, after " +
                           std::to_string((clock.now_ms() - store_health.since_ms) / 1000) +
                           " s of \"" + store_health.cause + "\"");
    store_health.cause.clear();
    store_health.first_in.clear();
    store.database().set_busy_timeout(k_busy_ms);
    notify("STATUS=" + status_line());
  }

  // Coalesced updates whose group_interval has passed go to the outbox and out.
  void flush_updates() {
    if (next_update_due_ms == 0 || clock.now_ms() < next_update_due_ms) {
      return;
    }
    const int64_t failures = store_health.failures;
    try {
      const std::vector<int64_t> seqs = pipeline().flush_updates();
      next_update_due_ms = store.next_update_due();
      if (!seqs.empty()) {
        round.updates += static_cast<int64_t>(seqs.size());
        KHOBOR_LOG(debug, std::to_string(seqs.size()) + " coalesced story update(s) due");
        publish();
      }
      if (store_health.failures == failures) {
        store_recovered();
      }
    } catch (const store::StoreError& e) {
      store_failed("sending the coalesced updates", e);
      next_update_due_ms = clock.now_ms() + 1000;
    }
  }

  ~Impl() {
    if (watch_fd >= 0) {
      ::close(watch_fd);
    }
    if (signal_fd >= 0) {
      ::close(signal_fd);
    }
  }

  // The feed's stored state outside a poll (start-up, reload, status, a request's
  // validators): a store fault makes it unknown (nullopt) instead of stopping the loop.
  std::optional<store::FeedState> stored_state(const std::string& id) {
    try {
      return store.feed_state(id);
    } catch (const store::StoreError& e) {
      store_failed("reading feed " + id, e);
      return std::nullopt;
    }
  }

  PollBounds bounds_for(const FeedConfig& f) const {
    PollBounds b;
    b.min_interval_s = f.min_interval_s > 0 ? f.min_interval_s : config.poll_min_interval_s;
    b.max_interval_s = f.max_interval_s > 0 ? f.max_interval_s : config.poll_max_interval_s;
    if (planner.budgeted() && f.max_interval_s == 0 && !config.poll_max_interval_set) {
      // Under a budget without an explicit max_interval, the planner's ceiling
      // is relative to the budget (PollPlanner::k_ceiling_ratio), within a day.
      b.max_interval_s = k_budget_max_interval_s;
    }
    b.max_interval_s = std::max(b.max_interval_s, b.min_interval_s);
    b.backoff_cap_s = config.poll_backoff_cap_s;
    return b;
  }

  void schedule(const std::string& id, FeedSlot& s, int64_t due_mono_ms) {
    s.due_mono_ms = due_mono_ms;
    due.push({due_mono_ms, id});
  }

  // A new slot for `f`, resumed from what the store knows about the feed: a
  // lasting redirect, retirement, errors, the interval and the next due time.
  FeedSlot make_slot(const FeedConfig& f, int64_t now_mono, int64_t now_ms) {
    FeedSlot s;
    s.config = f;
    s.bounds = bounds_for(f);
    s.poll.url = f.url;
    s.poll.interval_s = s.bounds.min_interval_s;
    s.due_mono_ms = now_mono;
    auto st = stored_state(f.id);
    if (st && !st->moved_to.empty() && st->moved_from == f.url) {
      s.poll.url = st->moved_to;
    }
    bool same = st && st->url == s.poll.url;
    if (same) {
      s.poll.retired = st->retired;
      s.poll.consecutive_errors = st->consecutive_errors;
      if (st->interval_s > 0) {
        s.poll.interval_s =
            std::clamp(st->interval_s, s.bounds.min_interval_s, s.bounds.max_interval_s);
      }
      s.poll.base_interval_s = st->base_interval_s;
      s.poll.ttl_s = st->ttl_s;
    }
    s.domain = registrable_domain(s.poll.url);
    if (options.once) {
      return s;
    }
    if (same && st->next_due_ms > now_ms) {
      // After a restart, a feed polled recently waits for its stored due time.
      int64_t longest = (s.bounds.max_interval_s + s.bounds.backoff_cap_s) * 1000;
      s.due_mono_ms = now_mono + std::min(st->next_due_ms - now_ms, longest);
    } else {
      // Spread the start over a window so the feeds do not all fire at once.
      s.due_mono_ms =
          now_mono + startup_offset_ms(f.id, config.feeds.size(), s.bounds.min_interval_s);
    }
    return s;
  }

  // Rebuild the feed slots and the due-queue from `config`, keeping the state of
  // feeds that stay; a retired feed revived in the store (khobor feed enable) is
  // polled again.
  void set_feeds() {
    planner.set_requests_per_day(static_cast<double>(poll_budget_per_day(config)));
    std::map<std::string, FeedSlot> next;
    const int64_t now_mono = clock.mono_ms();
    const int64_t now_ms = clock.now_ms();
    for (const FeedConfig& f : config.feeds) {
      if (!f.enabled) {
        continue;
      }
      auto old = slots.find(f.id);
      if (old != slots.end() && old->second.config.url == f.url) {
        FeedSlot s = std::move(old->second);
        s.config = f;
        s.bounds = bounds_for(f);
        if (s.poll.retired) {
          auto st = stored_state(f.id);
          if (st && !st->retired) {
            KHOBOR_LOG(notice, "feed " + f.id + ": enabled again; polling " + s.poll.url);
            s.poll.retired = false;
            s.poll.consecutive_errors = 0;
            s.due_mono_ms = now_mono;
          }
        }
        next.emplace(f.id, std::move(s));
        continue;
      }
      next.emplace(f.id, make_slot(f, now_mono, now_ms));
    }
    for (const auto& [id, s] : slots) {
      if (next.find(id) == next.end()) {
        planner.forget(id);  // its rate no longer takes a share of the budget
        forget_planner_memory(id);
      }
    }
    slots = std::move(next);
    due = DueQueue{};
    for (auto& [id, s] : slots) {
      if (!s.in_flight && !s.poll.retired) {
        schedule(id, s, s.due_mono_ms);
      }
    }
  }

  // The slot of the queue's top when that entry is still valid; stale entries
  // are dropped on the way.
  FeedSlot* top_slot() {
    while (!due.empty()) {
      const DueItem& top = due.top();
      auto it = slots.find(top.feed_id);
      if (it != slots.end() && !it->second.in_flight && !it->second.poll.retired &&
          it->second.due_mono_ms == top.due_mono_ms) {
        return &it->second;
      }
      due.pop();
    }
    return nullptr;
  }

  // The feed's domain is held (429/503 Retry-After): move it to the end of the
  // hold. True when it was held.
  bool defer_if_held(const std::string& id, FeedSlot& s, int64_t now_mono) {
    auto hold = domain_holds.find(s.domain);
    if (hold == domain_holds.end()) {
      return false;
    }
    if (hold->second <= now_mono) {
      domain_holds.erase(hold);
      return false;
    }
    if (options.once) {
      s.polled = true;
      KHOBOR_LOG(warning, "feed " + id + ": skipped, its domain " + s.domain +
                              " asked to wait (Retry-After)");
      return true;
    }
    schedule(id, s, hold->second);
    // The store shows when it is polled next (a row is made if it was never polled).
    try {
      store::FeedState st = store.feed_state(id).value_or(store::FeedState{});
      st.feed_id = id;
      st.url = s.poll.url;
      st.next_due_ms = clock.now_ms() + (hold->second - now_mono);
      store.save_feed_state(st);
    } catch (const store::StoreError& e) {
      store_failed("feed " + id, e);  // only what status shows: the hold is in memory
    }
    KHOBOR_LOG(info, "feed " + id + ": its domain " + s.domain + " is held for " +
                         std::to_string((hold->second - now_mono) / 1000) + " s more");
    return true;
  }

  void forget_planner_memory(const std::string& id) {
    try {
      store.forget_planner_memory(id);
    } catch (const store::StoreError& e) {
      store_failed("forgetting feed " + id + "'s planner memory", e);
    }
  }

  // The Retry-After holds saved before a restart that have not ended yet.
  void restore_domain_holds() {
    const int64_t now_ms = clock.now_ms();
    const int64_t now_mono = clock.mono_ms();
    std::vector<store::DomainHold> holds;
    try {
      holds = store.domain_holds(now_ms);
    } catch (const store::StoreError& e) {
      store_failed("reading the saved domain holds (polling without them)", e);
    }
    for (const store::DomainHold& h : holds) {
      int64_t& hold = domain_holds[h.domain];
      hold = std::max(hold, now_mono + (h.until_ms - now_ms));
      KHOBOR_LOG(notice, "domain " + h.domain + ": still held for " +
                             std::to_string((h.until_ms - now_ms) / 1000) +
                             " s (Retry-After before the restart)");
    }
  }

  // Hand every feed that is due to the fetcher (which queues beyond its limits).
  void start_due() {
    const int64_t now = clock.mono_ms();
    while (FeedSlot* sp = top_slot()) {
      if (sp->due_mono_ms > now) {
        break;
      }
      std::string id = due.top().feed_id;
      due.pop();
      FeedSlot& s = *sp;
      if (defer_if_held(id, s, now)) {
        continue;
      }
      feeds::FetchRequest req;
      req.feed_id = id;
      req.url = s.poll.url;
      req.domain = s.domain;
      req.headers = s.config.headers;
      if (auto st = stored_state(id); st && st->url == s.poll.url) {
        req.etag = st->etag;
        req.last_modified = st->last_modified;
      }
      KHOBOR_LOG(debug, "feed " + id + ": fetching " + req.url);
      fetcher.add(std::move(req));
      s.in_flight = true;
    }
  }

  // --once: nothing is due any more and nothing is in flight.
  bool all_polled_once() { return top_slot() == nullptr && fetcher.in_flight() == 0; }

  int timeout_ms() {
    const int64_t now = clock.mono_ms();
    int64_t next = now + 60'000;
    if (FeedSlot* s = top_slot()) {
      next = std::min(next, s->due_mono_ms);
    }
    if (watchdog_ms > 0) {
      next = std::min(next, next_watchdog_mono);
    }
    if (!options.once) {
      next = std::min(next, next_prune_mono);
    }
    if (next_update_due_ms > 0) {
      next = std::min(next, now + std::max<int64_t>(next_update_due_ms - clock.now_ms(), 0));
    }
    if (publish_pending) {
      next = std::min(next, next_publish_retry_mono);
    }
    if (next_reopen_mono > 0) {
      next = std::min(next, next_reopen_mono);
    }
    if (control_backlog) {
      next = now;
    }
    return static_cast<int>(std::clamp<int64_t>(next - now, 0, 60'000));
  }

  // WATCHDOG=1 at half the period systemd asked for (WatchdogSec=).
  void ping_watchdog() {
    if (watchdog_ms <= 0) {
      return;
    }
    const int64_t now = clock.mono_ms();
    if (now >= next_watchdog_mono) {
      notify("WATCHDOG=1");
      next_watchdog_mono = now + watchdog_ms;
    }
  }

  // Sends the outbox. On a store fault what is left waits (publish_pending) and
  // goes out when the store works again; an alert sent whose "published" mark
  // could not be written is not sent twice (sent_through).
  void publish() {
    try {
      if (store.unpublished(1).empty()) {
        publish_pending = false;
        return;
      }
      if (options.await_subscriber_s > 0 && !awaited_subscriber) {
        awaited_subscriber = true;
        if (!publisher.wait_for_subscriber(options.await_subscriber_s * 1000)) {
          KHOBOR_LOG(warning, "no subscriber on " + publisher.endpoint() + " after " +
                                  std::to_string(options.await_subscriber_s) +
                                  " s; publishing anyway");
        }
      }
      const size_t n = publish_outbox(store, publisher, &sent_through);
      publish_pending = false;
      published_total += n;
      if (n > 0) {
        KHOBOR_LOG(debug,
                   "published " + std::to_string(n) + " alert(s) on " + publisher.endpoint());
      }
    } catch (const store::StoreError& e) {
      publish_pending = true;
      store_failed("publishing the outbox", e);
    }
  }

  // SQLite keeps a connection to a file it could not write read-only: open the
  // store again every few seconds, so that giving the file back to khobord's user
  // ends the fault without a restart.
  void reopen_store() {
    const int64_t now = clock.mono_ms();
    if (next_reopen_mono == 0 || now < next_reopen_mono) {
      return;
    }
    next_reopen_mono = now + k_reopen_every_ms;
    auto fresh = store::Store::open(config.store_path);
    if (!fresh || fresh->database().read_only()) {
      return;
    }
    store = std::move(*fresh);  // the same object: the control API's reference holds
    next_reopen_mono = 0;
    KHOBOR_LOG(notice, "the store " + config.store_path + " is writable again: reopened");
  }

  // After a store fault stopped the outbox, try it again once a second.
  void retry_publish() {
    const int64_t now = clock.mono_ms();
    if (!publish_pending || now < next_publish_retry_mono) {
      return;
    }
    next_publish_retry_mono = now + 1000;
    const int64_t failures = store_health.failures;
    publish();
    if (store_health.failures == failures && !publish_pending) {
      store_recovered();
    }
  }

  // Carry a decision into the slot (next due, with jitter on a success), the
  // domain holds and the feed's stored health `st`.
  void apply_decision(const std::string& id, FeedSlot& slot, const PollDecision& d,
                      store::FeedState& st, int64_t now_s) {
    int64_t next_due_s = jittered_due_s(d, slot.poll.interval_s, rng);
    if (d.domain_hold_until_s && !slot.domain.empty()) {
      int64_t until = clock.mono_ms() + (*d.domain_hold_until_s - now_s) * 1000;
      int64_t& hold = domain_holds[slot.domain];
      hold = std::max(hold, until);
      KHOBOR_LOG(notice, "domain " + slot.domain + ": held for " +
                             std::to_string(*d.domain_hold_until_s - now_s) +
                             " s (Retry-After from feed " + id + ")");
    }
    if (d.moved_to) {
      KHOBOR_LOG(notice, "feed " + id + ": moved permanently to " + *d.moved_to + " (seen on " +
                             std::to_string(k_redirect_streak_to_move) +
                             " polls in a row); polling it from now on; update its url in " +
                             config.file);
      slot.domain = registrable_domain(slot.poll.url);
    }
    st.url = slot.poll.url;
    st.consecutive_errors = slot.poll.consecutive_errors;
    st.interval_s = slot.poll.interval_s;
    st.base_interval_s = slot.poll.base_interval_s;
    st.ttl_s = slot.poll.ttl_s;
    st.retired = slot.poll.retired;
    bool moved = slot.poll.url != slot.config.url;
    st.moved_to = moved ? slot.poll.url : "";
    st.moved_from = moved ? slot.config.url : "";
    st.next_due_ms = slot.poll.retired ? 0 : next_due_s * 1000;
    if (!slot.poll.retired && !options.once) {
      schedule(id, slot, clock.mono_ms() + std::max<int64_t>(next_due_s - now_s, 1) * 1000);
    }
  }

  // The entries a feed's first successful poll keeps quiet ([poll] backlog).
  Quiet backlog_quiet(const FeedSlot& slot, int64_t now_s) const {
    const Backlog b = slot.config.backlog.value_or(config.poll_backlog);
    Quiet q;
    q.all = b.kind == Backlog::Kind::none;
    if (b.kind == Backlog::Kind::window) {
      q.before_s = now_s - b.seconds;
    }
    return q;
  }

  // One finished transfer: parse, pipeline, publish, reschedule. Every store call
  // of the poll is inside this boundary: a store fault costs this poll only (its
  // transaction rolled back, so its entries stay unseen and its validators are not
  // saved: the next poll reads the body again) and, since the outlet did nothing
  // wrong, the feed keeps its interval instead of backing off.
  void finish(feeds::FetchResponse& r) {
    auto it = slots.find(r.feed_id);
    if (it == slots.end()) {
      return;  // the feed left the config while it was being fetched
    }
    FeedSlot& slot = it->second;
    if (r.url != slot.poll.url) {
      return;  // a reload changed the feed's URL while the old one was fetched
    }
    slot.in_flight = false;
    slot.polled = true;
    std::optional<feeds::ParsedFeed> parsed;
    const PollObservation obs = observe(r, slot, clock.now_ms() / 1000, parsed);
    if (parsed) {
      note_oddity(r.feed_id, slot, *parsed);
    }
    bool scheduled = false;
    const int64_t failures = store_health.failures;
    try {
      record(r, slot, obs, parsed, scheduled);
      slot.store_error.clear();
      if (store_health.failures == failures) {
        store_recovered();
      }
    } catch (const store::StoreError& e) {
      slot.store_error = e.reason();
      store_failed("feed " + r.feed_id, e);
      ++round.polls;
      ++round.unrecorded;
      if (!scheduled && !options.once) {
        schedule(r.feed_id, slot, clock.mono_ms() + slot.poll.interval_s * 1000);
      }
    }
  }

  // What is odd about a feed's document (feeds/ warnings): repaired XML, a
  // guessed or mended encoding, ids that are not what they should be. Returns the
  // kinds (bits 1, 2, 4) and sets `text` to a short description.
  static unsigned oddity(const feeds::ParsedFeed& parsed, std::string& text) {
    unsigned kinds = 0;
    auto add = [&](unsigned kind, const std::string& what) {
      if ((kinds & kind) == 0) {
        kinds |= kind;
        text += (text.empty() ? "" : "; ") + what.substr(0, 160);
      }
    };
    if (parsed.bozo) {
      add(1, "not well-formed, repaired");
    }
    for (const std::string& w : parsed.warnings) {
      if (w.rfind("encoding: ", 0) == 0) {
        add(2, "encoding " + w.substr(10));
      } else if (w.rfind("identity: ", 0) == 0) {
        add(4, "ids " + w.substr(10));
      }
    }
    return kinds;
  }

  // Logs a feed's oddity once when it begins (or changes kind) and once when it
  // ends, never on every poll; `khobor status` shows it meanwhile.
  void note_oddity(const std::string& id, FeedSlot& slot, const feeds::ParsedFeed& parsed) {
    std::string text;
    const unsigned kinds = oddity(parsed, text);
    if (kinds == slot.odd_kinds) {
      slot.odd = kinds == 0 ? "" : text;
      return;
    }
    if (kinds == 0) {
      KHOBOR_LOG(notice,
                 "feed " + id + ": its document reads cleanly again (was: " + slot.odd + ")");
    } else {
      KHOBOR_LOG(warning, "feed " + id + " (" + slot.poll.url + "): " + text +
                              " (said once; again when it ends)");
    }
    slot.odd_kinds = kinds;
    slot.odd = text;
  }

  // What the transfer says, for decide(); parses a 2xx body into `parsed`.
  PollObservation observe(const feeds::FetchResponse& r, const FeedSlot& slot, int64_t now_s,
                          std::optional<feeds::ParsedFeed>& parsed) {
    PollObservation obs;
    obs.status = r.status;
    obs.permanent_redirect = r.permanent_redirect;
    obs.effective_url = r.effective_url;
    obs.retry_after = r.retry_after;
    obs.max_age_s = r.max_age_seconds;
    obs.expires_at_s = parse_http_date(r.expires);
    if (r.error) {
      obs.transport_error = true;
      obs.error_text = r.error->message;
    } else if (r.status >= 200 && r.status < 300) {
      feeds::ParseOptions po;
      po.content_type = r.content_type;
      po.base_url = r.effective_url;
      auto p = feeds::parse_feed(r.body, po);
      if (p) {
        parsed = std::move(*p);
        // The interval from the entries' dates alone (or the feed's share of the
        // budget); <ttl>, max-age and Expires are honoured by decide().
        std::vector<int64_t> times = entry_times(*parsed);
        obs.base_interval_s =
            planner.base_interval_s(r.feed_id, std::span<const int64_t>(times), slot.bounds, now_s);
        obs.ttl_s = parsed->ttl_seconds;
      } else {
        obs.parse_error = true;
        obs.error_text = "unreadable feed: " + p.error().message;
      }
    }
    if (!r.error && r.status == 304) {
      obs.base_interval_s = planner.base_interval_s(r.feed_id, std::nullopt, slot.bounds, now_s);
    }
    return obs;
  }

  // Decide the feed's next poll and record the outcome in the store (throws
  // store::StoreError; `scheduled` tells whether the slot was rescheduled first).
  void record(const feeds::FetchResponse& r, FeedSlot& slot, const PollObservation& obs,
              const std::optional<feeds::ParsedFeed>& parsed, bool& scheduled) {
    const int64_t now_ms = clock.now_ms();
    const int64_t now_s = now_ms / 1000;
    store::FeedState st = store.feed_state(r.feed_id).value_or(store::FeedState{});
    // Before the first successful poll (under any URL) the backlog is quiet.
    const bool first_poll = st.last_success_ms == 0;
    if (st.url != slot.poll.url) {
      st = store::FeedState{};  // another URL: its validators do not apply
    }
    st.feed_id = r.feed_id;
    st.url = slot.poll.url;
    st.last_attempt_ms = now_ms;
    st.http_status = r.status;
    st.bytes = r.bytes;
    st.latency_ms = r.elapsed_ms;
    PollDecision d = decide(slot.poll, obs, slot.bounds, now_s, rng);
    apply_decision(r.feed_id, slot, d, st, now_s);
    scheduled = true;
    switch (d.verdict) {
      case Verdict::ok:
        st.error.clear();
        st.last_success_ms = now_ms;
        st.last_body_ms = now_ms;
        st.etag = r.etag;
        st.last_modified = r.last_modified;
        st.entries = static_cast<int64_t>(parsed->entries.size());
        record_entries(r.feed_id, slot, *parsed, st, first_poll, now_s);
        save_planner_memory(r.feed_id);
        break;
      case Verdict::not_modified:
        st.error.clear();
        st.last_success_ms = now_ms;
        store.save_feed_state(st);
        KHOBOR_LOG(debug, "feed " + r.feed_id + ": not modified (304)");
        ++round.polls;
        ++round.not_modified;
        ++totals.not_modified;
        break;
      case Verdict::failed:
      case Verdict::throttled:
      case Verdict::retired:
        record_failure(r.feed_id, slot, d, st, now_s);
        break;
    }
  }

  // How the feeds are polled, for the start-up and reload lines of the journal.
  std::string polling_text() const {
    if (!planner.budgeted()) {
      return "(no budget: each feed's interval adapts to its entries)";
    }
    return "(a budget of " + std::to_string(static_cast<int64_t>(planner.requests_per_day())) +
           " requests a day" +
           (config.poll_requests_per_day > 0
                ? std::string(", [poll] requests_per_day)")
                : ", " + std::to_string(config.poll_requests_per_feed_per_day) + " a feed)");
  }

  // Under a budget, what the planner learnt of the feed outlives a restart.
  void save_planner_memory(const std::string& id) {
    if (!planner.budgeted()) {
      return;
    }
    auto m = planner.memory(id);
    if (!m) {
      return;
    }
    try {
      store.save_planner_memory({id, m->as_of_s, m->observed_since_s,
                                 static_cast<int64_t>(m->feed_size), m->dated, m->times});
    } catch (const store::StoreError& e) {
      store_failed("saving feed " + id + "'s planner memory (a restart learns it afresh)", e);
    }
  }

  // What the planner learnt before a restart, for the configured feeds (the
  // rows of feeds gone from the configuration go).
  void restore_planner() {
    std::vector<store::PlannerMemoryRow> rows;
    try {
      rows = store.planner_memories();
      const int64_t now_s = clock.now_ms() / 1000;
      size_t restored = 0;
      for (store::PlannerMemoryRow& row : rows) {
        if (slots.find(row.feed_id) == slots.end()) {
          store.forget_planner_memory(row.feed_id);
          continue;
        }
        planner.restore(row.feed_id,
                        PollPlanner::Memory{std::move(row.times), row.as_of_s, row.observed_since_s,
                                            static_cast<size_t>(row.feed_size), row.dated},
                        now_s);
        ++restored;
      }
      if (restored > 0) {
        KHOBOR_LOG(notice, "budget planner: what it learnt of " + std::to_string(restored) +
                               " feed(s) before the restart is restored");
      }
    } catch (const store::StoreError& e) {
      store_failed("reading the planner's memory (learning afresh)", e);
    }
  }

  // A 200 with a feed: the pipeline's one transaction, then the outbox goes out.
  void record_entries(const std::string& id, const FeedSlot& slot, const feeds::ParsedFeed& parsed,
                      const store::FeedState& st, bool first_poll, int64_t now_s) {
    const Quiet quiet = first_poll ? backlog_quiet(slot, now_s) : Quiet{};
    PipelineResult res = pipeline().process(id, parsed, watches, st, quiet);
    if (res.quiet > 0) {
      KHOBOR_LOG(notice, "feed " + id + ": first poll: " + std::to_string(res.quiet) + " of its " +
                             std::to_string(res.new_entries) +
                             " entries are older than [poll] backlog; marked seen without "
                             "alerting");
    }
    if (res.pending_updates > 0) {
      next_update_due_ms = store.next_update_due();
    }
    if (res.switched_to_link_ids) {
      // Said once: from now on the store remembers that this feed uses link ids.
      KHOBOR_LOG(notice, "feed " + id +
                             ": its guids change on every poll; entries are identified "
                             "by their links from now on");
    }
    // Quiet in the journal: a poll that brought nothing new is debug.
    std::string summary = "feed " + id + ": " + std::to_string(res.entries) + " entries, " +
                          std::to_string(res.new_entries) + " new, " +
                          std::to_string(res.alert_seqs.size()) + " alert(s)";
    if (parsed.bozo) {
      summary += " (the feed is not well-formed, read anyway)";
    }
    count_body(id, parsed.bozo);
    KHOBOR_LOG(debug, summary);
    ++round.polls;
    ++round.changed;
    round.new_entries += static_cast<int64_t>(res.new_entries);
    round.alerts += static_cast<int64_t>(res.alert_seqs.size());
    round.updates += static_cast<int64_t>(res.update_seqs.size());
    publish();
  }

  // The outlet failed (HTTP, transport, parse) or asked to wait: its error and
  // health, and a domain hold that a restart must still honour.
  void record_failure(const std::string& id, const FeedSlot& slot, const PollDecision& d,
                      store::FeedState& st, int64_t now_s) {
    st.error = d.message;
    if (d.domain_hold_until_s && !slot.domain.empty()) {
      store.save_domain_hold(slot.domain, *d.domain_hold_until_s * 1000);
    }
    store.save_feed_state(st);
    ++round.polls;
    ++round.failed;
    ++totals.failed;
    KHOBOR_LOG(warning, "feed " + id + " (" + slot.poll.url + "): " + d.message +
                            (d.verdict == Verdict::retired
                                 ? ""
                                 : "; next try in " + std::to_string(d.next_due_s - now_s) + " s"));
  }

  // Points the inotify watch at the configured watch-lists directory (again after
  // a reload changed it). Without it, SIGHUP still reloads the lists.
  void watch_directory() {
    if (watch_fd < 0) {
      watch_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (watch_fd < 0) {
        KHOBOR_LOG(warning, std::string("cannot watch the watch lists (inotify: ") +
                                strerror(errno) + "); SIGHUP reloads them");
        return;
      }
    }
    if (watch_wd >= 0 && watched_dir == config.watchlists_dir) {
      return;
    }
    if (watch_wd >= 0) {
      ::inotify_rm_watch(watch_fd, watch_wd);
    }
    watched_dir = config.watchlists_dir;
    // Editors save by writing the file (IN_CLOSE_WRITE) or by renaming a new one
    // over it (IN_MOVED_TO); a list goes away by IN_DELETE or IN_MOVED_FROM.
    watch_wd = ::inotify_add_watch(watch_fd, watched_dir.c_str(),
                                   IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE);
    if (watch_wd < 0) {
      KHOBOR_LOG(warning, "cannot watch " + watched_dir + " (" + strerror(errno) +
                              "); SIGHUP reloads the watch lists");
    }
  }

  // Drains the inotify fd; reloads the watch lists when a *.toml changed. The new
  // set replaces the old one whole, between two entries (this thread matches).
  void handle_watch_events() {
    alignas(inotify_event) char buf[4096];
    bool changed = false;
    for (;;) {
      const ssize_t n = ::read(watch_fd, buf, sizeof buf);
      if (n <= 0) {
        break;
      }
      for (ssize_t off = 0; off < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        if ((ev->mask & IN_Q_OVERFLOW) != 0) {
          changed = true;
        } else if (ev->len > 0) {
          const std::string_view name(ev->name);
          changed = changed || (name.ends_with(".toml") && !name.starts_with("."));
        }
      }
    }
    if (changed) {
      watches = load_watchlists(config.watchlists_dir, &watches);
      KHOBOR_LOG(notice, "watch lists reloaded from " + config.watchlists_dir + ": " +
                             std::to_string(watches.list_count()) + " list(s), " +
                             std::to_string(watches.rule_count()) + " rule(s)");
    }
  }

  // Drain the signalfd: SIGHUP reloads; SIGTERM or SIGINT sets `stop`.
  void handle_signals() {
    signalfd_siginfo info{};
    while (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (info.ssi_signo == SIGHUP) {
        do_reload();
      } else {
        KHOBOR_LOG(notice,
                   std::string("stopping on ") + strsignal(static_cast<int>(info.ssi_signo)));
        stop = true;
      }
    }
  }

  bool do_reload() {
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
    auto cfg = load_config(options.config_path);
    if (cfg) {
      if (auto st = check_endpoints(*cfg); !st) {
        cfg = st.error();
      }
    }
    if (!cfg) {
      reload_error = cfg.error().message;
      KHOBOR_LOG(error, "reload: keeping the old configuration: " + cfg.error().message);
      notify("READY=1\nSTATUS=reload failed; running with the old configuration");
      return false;
    }
    reload_error.clear();
    note_restart_needed(*cfg);
    rebind_publisher(*cfg);
    if (control && (cfg->control_endpoint != config.control_endpoint ||
                    cfg->control_curve_secret_key != config.control_curve_secret_key)) {
      // Not now: this may be the control socket's own reload request, whose reply
      // goes out on the old socket; serve_control() rebinds after it.
      pending_control = *cfg;
    }
    config.keep_alerts_s = cfg->keep_alerts_s;
    config.forget_after_s = cfg->forget_after_s;
    config.group_interval_s = cfg->group_interval_s;
    std::string dir = cfg->watchlists_dir;
    watch::WatchSet next = load_watchlists(dir, dir == config.watchlists_dir ? &watches : nullptr);
    config.feeds = cfg->feeds;
    config.poll_interval_s = cfg->poll_interval_s;
    config.poll_min_interval_s = cfg->poll_min_interval_s;
    config.poll_max_interval_s = cfg->poll_max_interval_s;
    config.poll_max_interval_set = cfg->poll_max_interval_set;
    config.poll_backoff_cap_s = cfg->poll_backoff_cap_s;
    config.poll_requests_per_day = cfg->poll_requests_per_day;
    config.poll_requests_per_feed_per_day = cfg->poll_requests_per_feed_per_day;
    config.poll_backlog = cfg->poll_backlog;
    config.watchlists_dir = dir;
    config.log_level = cfg->log_level;
    log::set_level(config.log_level);
    watches = std::move(next);
    set_feeds();
    if (!options.once) {
      watch_directory();
    }
    KHOBOR_LOG(notice, "reloaded " + options.config_path + ": " + std::to_string(slots.size()) +
                           " feed(s) " + polling_text() + ", " +
                           std::to_string(watches.list_count()) + " watch list(s), " +
                           std::to_string(watches.rule_count()) + " rule(s)");
    notify("READY=1\nSTATUS=" + status_line());
    return true;
  }

  // What a reload could not apply: [store] path and [http] wait for a restart
  // (said in the log, in the reload's reply and in status until they match again).
  void note_restart_needed(const Config& next) {
    restart_needed.clear();
    if (next.store_path != config.store_path) {
      restart_needed.push_back("[store] path (the store stays " + config.store_path + ")");
    }
    if (!(next.http == config.http)) {
      restart_needed.push_back("[http] (fetching keeps its settings)");
    }
    for (const std::string& what : restart_needed) {
      KHOBOR_LOG(warning, "reload: " + what + " changed; it takes effect at the next restart");
    }
  }

  // [publish] changed: bind the new endpoint, then let the old socket go
  // (subscribers reconnect to the new one). Same address with a new key: the old
  // socket must let go first, and comes back if the new one cannot bind.
  void rebind_publisher(const Config& next) {
    if (next.publish_endpoint == config.publish_endpoint &&
        next.publish_curve_secret_key == config.publish_curve_secret_key) {
      return;
    }
    auto bind = [](const Config& c) {
      bus::PublisherOptions o;
      o.security.curve_secret_key = c.publish_curve_secret_key;
      return bus::Publisher::bind(c.publish_endpoint, o);
    };
    auto fresh = bind(next);
    if (!fresh && next.publish_endpoint == config.publish_endpoint) {
      { bus::Publisher old = std::move(publisher); }
      fresh = bind(next);
      if (!fresh) {
        auto back = bind(config);
        if (back) {
          publisher = std::move(*back);
        }
      }
    }
    if (!fresh) {
      restart_needed.push_back("[publish] endpoint: " + fresh.error().message +
                               " (alerts stay on " + config.publish_endpoint + ")");
      KHOBOR_LOG(error, "reload: " + restart_needed.back());
      return;
    }
    publisher = std::move(*fresh);
    config.publish_endpoint = next.publish_endpoint;
    config.publish_curve_secret_key = next.publish_curve_secret_key;
    KHOBOR_LOG(notice, "reload: alerts are published on " + publisher.endpoint() + " now");
  }

  // The [control] endpoint a reload asked for, bound after the current requests.
  void rebind_control() {
    if (!pending_control) {
      return;
    }
    Config next = std::move(*pending_control);
    pending_control.reset();
    auto fresh = bind_control(next);
    if (!fresh && next.control_endpoint == config.control_endpoint) {
      control.reset();  // the same address with a new key: let go of it first
      fresh = bind_control(next);
      if (!fresh) {
        auto back = bind_control(config);
        control = back ? std::move(*back) : nullptr;
      }
    }
    if (!fresh) {
      restart_needed.push_back("[control] endpoint: " + fresh.error().message +
                               " (control stays on " + config.control_endpoint + ")");
      KHOBOR_LOG(error, "reload: " + restart_needed.back());
      return;
    }
    control = std::move(*fresh);
    config.control_endpoint = next.control_endpoint;
    config.control_curve_secret_key = next.control_curve_secret_key;
    KHOBOR_LOG(notice, "reload: the control socket is on " + control->endpoint() + " now");
  }

  // ---- the control socket (daemon/control_api.h) ----

  DaemonSnapshot snapshot() {
    DaemonSnapshot s;
    s.version = KHOBOR_VERSION;
    s.started_ms = started_ms;
    s.uptime_s = (clock.mono_ms() - started_mono) / 1000;
    s.config_file = options.config_path;
    s.store_path = config.store_path;
    s.publish_endpoint = publisher.endpoint();
    s.control_endpoint = control ? control->endpoint() : "";
    s.watchlists = watches.list_count();
    s.rules = watches.rule_count();
    s.published = published_total;
    s.dropped = publisher.dropped();
    s.subscribers = publisher.poll_subscriptions(0);
    s.totals = totals;
    s.store_error = store_health.cause;
    s.store_error_in = store_health.first_in;
    s.store_error_since_ms = store_health.cause.empty() ? 0 : store_health.since_ms;
    s.store_failures = store_health.failures;
    s.restart_needed = restart_needed;
    for (const auto& [id, slot] : slots) {
      FeedView f{id,    slot.poll.url, slot.in_flight,   slot.poll.retired, stored_state(id),
                 false, false,         slot.store_error, slot.odd};
      f.repaired = repaired_feeds.count(id) != 0;
      if (f.health && f.health->url != slot.poll.url) {
        f.health.reset();  // state of an earlier URL
      }
      try {
        auto identity = store.feed_identity(id);
        f.link_ids = identity && identity->link_ids;
      } catch (const store::StoreError& e) {
        store_failed("reading feed " + id, e);
      }
      s.feeds.push_back(std::move(f));
    }
    return s;
  }

  void serve_control() {
    if (!control) {
      return;
    }
    if (!control_api) {
      control_api = std::make_unique<ControlApi>(
          store, ControlApi::Hooks{[this] { return snapshot(); },
                                   [this]() -> Status {
                                     if (do_reload()) {
                                       return Ok{};
                                     }
                                     return make_error("reload", reload_error);
                                   }});
    }
    constexpr size_t k_batch = 64;
    control_backlog =
        control->process([this](std::string_view req) { return control_api->handle(req); },
                         k_batch) == k_batch;
    rebind_control();
  }

  // A 200's body read: counted, and the feed marked when it had to be repaired.
  void count_body(const std::string& feed_id, bool repaired) {
    ++totals.ok;
    totals.repaired += repaired ? 1 : 0;
    if (repaired) {
      repaired_feeds.insert(feed_id);
    } else {
      repaired_feeds.erase(feed_id);
    }
  }

  // Wait in curl_multi_poll; the time since the last wake-up was the previous
  // round's work (the first wait follows the start-up, which is not a round).
  void wait_for_work(std::vector<feeds::PollFd>& extra) {
    const auto now = std::chrono::steady_clock::now();
    if (woke.time_since_epoch().count() != 0) {
      totals.add_round(std::chrono::duration_cast<std::chrono::microseconds>(now - woke).count());
    }
    fetcher.poll(extra, timeout_ms());
    woke = std::chrono::steady_clock::now();
  }

  // The round's summary line, once per poll interval (and at the end of --once).
  void log_round(bool force) {
    const int64_t now = clock.mono_ms();
    if (!force && now < next_round_log_mono) {
      return;
    }
    next_round_log_mono = now + std::max<int64_t>(config.poll_interval_s, 60) * 1000;
    if (round.polls == 0) {
      return;
    }
    KHOBOR_LOG(info,
               std::to_string(round.polls) + " poll(s): " + std::to_string(round.not_modified) +
                   " not modified, " + std::to_string(round.changed) + " read (" +
                   std::to_string(round.new_entries) + " new entries), " +
                   std::to_string(round.failed) + " failed" +
                   (round.unrecorded > 0
                        ? ", " + std::to_string(round.unrecorded) + " not recorded (store fault)"
                        : "") +
                   "; " + std::to_string(round.alerts) + " alert(s), " +
                   std::to_string(round.updates) + " update(s)");
    round = RoundStats{};
    notify("STATUS=" + status_line());
  }

  // Bounded state (daemon/retention.h): once a minute, every second while a
  // batch came back full, so the loop never stalls on it and the file stops growing.
  void prune_due() {
    const int64_t now = clock.mono_ms();
    if (options.once || now < next_prune_mono) {
      return;
    }
    bool more = false;
    try {
      RetentionPolicy policy;
      policy.keep_alerts_ms = config.keep_alerts_s * 1000;
      policy.forget_after_ms = config.forget_after_s * 1000;
      policy.window_ms = config.story_window_s * 1000;
      const RetentionRound r = prune_round(store, policy, clock.now_ms());
      more = r.more;
      if (r.alerts + r.seen + r.links + r.event_alerts > 0) {
        KHOBOR_LOG(debug, "pruned " + std::to_string(r.alerts) + " alert(s), " +
                              std::to_string(r.seen) + " seen entries, " + std::to_string(r.links) +
                              " links, " + std::to_string(r.event_alerts) + " event alert rows");
      }
    } catch (const store::StoreError& e) {
      store_failed("pruning old state", e);
    }
    next_prune_mono = now + (more ? 1'000 : k_prune_every_ms);
  }

  // The STATUS= line systemctl status shows: "312 feeds, 2 failing, 3 watch
  // lists, 14 alerts published".
  std::string status_line() const {
    size_t failing = 0;
    size_t retired = 0;
    for (const auto& [id, slot] : slots) {
      failing += slot.poll.consecutive_errors > 0 && !slot.poll.retired ? 1 : 0;
      retired += slot.poll.retired ? 1 : 0;
    }
    const std::string fault =
        store_health.cause.empty() ? "" : "store failing: " + store_health.cause + "; ";
    return fault + std::to_string(slots.size()) + " feeds, " + std::to_string(failing) +
           " failing, " + (retired > 0 ? std::to_string(retired) + " retired, " : std::string()) +
           std::to_string(watches.list_count()) + " watch lists, " +
           std::to_string(published_total) + " alerts published";
  }

  // Before the loop: the signalfd, the watchdog, the schedule. False when khobord
  // cannot run.
  bool start_up() {
    if (options.use_signalfd) {
      sigset_t set = handled_signals();
      signal_fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
      if (signal_fd < 0) {
        KHOBOR_LOG(error, "cannot create a signalfd; stopping");
        return false;
      }
    }
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
      watchdog_ms = std::max<int64_t>(static_cast<int64_t>(watchdog_usec / 2000), 1);
    }
    restore_domain_holds();
    set_feeds();
    restore_planner();
    if (!options.once) {
      watch_directory();
    }
    started_ms = clock.now_ms();
    started_mono = clock.mono_ms();
    next_prune_mono = started_mono;
    next_round_log_mono = started_mono + std::max<int64_t>(config.poll_interval_s, 60) * 1000;
    KHOBOR_LOG(notice, "khobord " KHOBOR_VERSION " serving: " + std::to_string(slots.size()) +
                           " feed(s) " + polling_text() + ", " +
                           std::to_string(watches.list_count()) + " watch list(s), alerts on " +
                           publisher.endpoint() + ", store " + config.store_path);
    if (store.database().read_only()) {
      store_failed("opening the store", store::StoreError::read_only_file(config.store_path));
    }
    notify("READY=1\nSTATUS=" + status_line());
    return true;
  }

  // One turn of the loop: wait for the next thing to do and do it. False: stop.
  bool turn() {
    ping_watchdog();
    start_due();
    if (options.once && all_polled_once()) {
      return false;
    }
    std::vector<feeds::PollFd> extra;
    if (signal_fd >= 0) {
      extra.push_back({signal_fd, POLLIN, 0});
    }
    if (control) {
      extra.push_back({control->fd(), POLLIN, 0});
    }
    const size_t watch_index = extra.size();
    if (watch_fd >= 0) {
      extra.push_back({watch_fd, POLLIN, 0});
    }
    wait_for_work(extra);
    if (signal_fd >= 0 && (extra[0].revents & POLLIN) != 0) {
      handle_signals();
      if (stop) {
        return false;
      }
    }
    if (watch_fd >= 0 && (extra[watch_index].revents & POLLIN) != 0) {
      handle_watch_events();
    }
    for (auto& r : fetcher.take_finished()) {
      finish(r);
      ping_watchdog();  // a locked store can hold each write up to its busy timeout
    }
    reopen_store();
    retry_publish();
    publisher.poll_subscriptions(0);
    // ZMQ_FD is edge-triggered: look after every wake-up, not only when it fired.
    serve_control();
    flush_updates();
    prune_due();
    log_round(false);
    return true;
  }

  int run() {
    if (!start_up()) {
      return 1;
    }
    try {
      // Alerts committed but not sent before the last stop go out first.
      publish();
      while (!stop && turn()) {
      }
    } catch (const std::exception& e) {
      KHOBOR_LOG(error, std::string("stopping on an unexpected error: ") + e.what());
      notify("STOPPING=1");
      fetcher.cancel_all();
      return 1;
    }
    notify("STOPPING=1\nSTATUS=stopping");
    fetcher.cancel_all();
    log_round(true);
    KHOBOR_LOG(notice, "stopped: " + status_line() +
                           (publisher.dropped() > 0
                                ? ", " + std::to_string(publisher.dropped()) + " dropped"
                                : ""));
    if (options.once && !store_health.cause.empty()) {
      KHOBOR_LOG(error, "--once: polls were not recorded (the store fails: " + store_health.cause +
                            "); their entries are read again next time");
      return 1;
    }
    return 0;
  }
};

Result<std::unique_ptr<Daemon>> Daemon::create(const DaemonOptions& options, const Clock& clock) {
  auto cfg = load_config(options.config_path);
  if (!cfg) {
    return cfg.error();
  }
  log::set_level(cfg->log_level);
  if (cfg->http.contact.empty()) {
    KHOBOR_LOG(warning, cfg->file + ": " + k_no_contact_warning);
  }
  if (auto st = check_endpoints(*cfg); !st) {
    return st.error();
  }
  auto store = store::Store::open(cfg->store_path);
  if (!store) {
    return store.error();
  }
  bus::PublisherOptions pub_options;
  pub_options.security.curve_secret_key = cfg->publish_curve_secret_key;
  auto pub = bus::Publisher::bind(cfg->publish_endpoint, pub_options);
  if (!pub) {
    return pub.error();
  }
  // A one-shot poll serves no control socket (and so runs beside a service).
  std::unique_ptr<bus::ControlServer> control;
  if (!options.once) {
    auto bound = bind_control(*cfg);
    if (!bound) {
      return bound.error();
    }
    control = std::move(*bound);
  }
  auto impl =
      std::make_unique<Impl>(options, clock, std::move(*cfg), std::move(*store), std::move(*pub));
  impl->control = std::move(control);
  impl->watches = load_watchlists(impl->config.watchlists_dir, nullptr);
  try {
    const size_t restored =
        restore_stories(impl->store, impl->stories, impl->clock.now_ms() / 1000, &impl->events);
    impl->next_update_due_ms = impl->store.next_update_due();
    KHOBOR_LOG(info, "stories: " + std::to_string(restored) + " entries of the last " +
                         std::to_string(impl->stories.options().window_seconds / 3600) +
                         " h restored, " + std::to_string(impl->stories.story_count()) +
                         " stories, " + std::to_string(impl->events.event_count()) +
                         " open events");
  } catch (const std::exception& e) {
    return make_error("store", "cannot rebuild the story index from " + impl->config.store_path +
                                   ": " + e.what());
  }
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  return m_impl->run();
}

void Daemon::request_stop() {
  m_impl->stop = true;
  m_impl->fetcher.wakeup();
}

void Daemon::wake() {
  m_impl->fetcher.wakeup();
}

}  // namespace khobor::daemon
