// khobor/tools/follower.cpp — the live stream plus replay, in seq order, each once.
#include "tools/follower.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "bus/control.h"
#include "tools/control_client.h"

namespace khobor::tools {
namespace {

using json = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

// The seq of a message's JSON, nullopt when there is none.
std::optional<int64_t> seq_of(const std::string& payload) {
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer()) {
    return std::nullopt;
  }
  return j["seq"].get<int64_t>();
}

// Write the seq to `path` atomically: a crash leaves the old or the new number.
bool write_state(const std::string& path, int64_t seq) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out || !(out << seq << '\n') || !out.flush()) {
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace

Result<std::optional<int64_t>> read_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) {
      return std::optional<int64_t>{};
    }
    return make_error("state", path + ": cannot read the state file");
  }
  long long v = 0;
  if (!(in >> v) || v < 0) {
    return make_error("state", path +
                                   ": not a state file (one number, the last seq); "
                                   "remove it to start from the oldest stored alert");
  }
  return std::optional<int64_t>{static_cast<int64_t>(v)};
}

struct Follower::Impl {
  Impl(FollowOptions o, bus::Subscriber s, std::optional<int64_t> pos, Deliver d)
      : opts(std::move(o)),
        sub(std::move(s)),
        deliver(std::move(d)),
        position(pos),
        anchored(pos.has_value()),
        need_catch_up(pos.has_value()) {
    start = SteadyClock::now();
  }

  static constexpr auto k_idle_check = std::chrono::seconds(10);
  static constexpr int k_live_give_up = 3;  // tries before a live-only gap is reported

  FollowOptions opts;
  bus::Subscriber sub;
  Deliver deliver;
  std::optional<int64_t> position;  // every seq up to here is delivered or not ours
  std::optional<int64_t> saved;
  bool anchored = false;  // the position came from --state/--since/--from-start
  bool need_catch_up = false;
  bool warned_pruned = false;
  bool failed = false;  // a delivery failed: stop, keep the position before it
  std::atomic<bool> stop_asked{false};
  std::map<int64_t, bus::Message> held;
  int delivered = 0;
  int failures = 0;
  uint64_t seen_connections = 0;
  std::chrono::milliseconds backoff{100};
  SteadyClock::time_point start;
  SteadyClock::time_point next_try{};
  SteadyClock::time_point last_check{};

  bool done() const { return failed || stop_asked || (opts.count > 0 && delivered >= opts.count); }

  int64_t remaining_ms() const {
    if (opts.timeout_s <= 0) {
      return -1;
    }
    auto end = start + std::chrono::milliseconds(static_cast<int64_t>(opts.timeout_s * 1000));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - SteadyClock::now());
    return std::max<int64_t>(left.count(), 0);
  }

  // How long the next receive may wait.
  int64_t wait_ms(SteadyClock::time_point now) const {
    int64_t wait = 250;  // look at connections() and stop() this often
    if (need_catch_up) {
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_try - now).count();
    }
    if (opts.timeout_s > 0) {
      wait = std::min(wait, remaining_ms());
    }
    return std::max<int64_t>(std::min<int64_t>(wait, 250), 0);
  }

  int run() {
    last_check = SteadyClock::now();
    while (!done()) {
      auto now = SteadyClock::now();
      if (opts.timeout_s > 0 && remaining_ms() == 0) {
        break;
      }
      if (sub.connections() != seen_connections) {
        seen_connections = sub.connections();
        need_catch_up = need_catch_up || anchored;  // may have missed some
      }
      if (anchored && now - last_check >= k_idle_check) {
        need_catch_up = true;  // quiet for a while: make sure nothing was lost
      }
      if (need_catch_up && now >= next_try) {
        try_catch_up();
        continue;
      }
      if (auto m = sub.receive(static_cast<int>(wait_ms(now)))) {
        on_live(*m);
      }
    }
    return exit_status();
  }

  int exit_status() const {
    if (failed) {
      return 1;
    }
    if (opts.count > 0 && delivered < opts.count && !stop_asked) {
      std::fprintf(stderr, "%s: %d of %d message(s) before the timeout of %g s\n", opts.who,
                   delivered, opts.count, opts.timeout_s);
      return 1;
    }
    return 0;
  }

  void hand_on(const std::string& topic, const std::string& payload, int64_t seq) {
    if (done()) {
      return;
    }
    if (!deliver(topic, payload, seq)) {
      failed = true;
      return;
    }
    ++delivered;
    position = seq;
  }

  void save() {
    if (!opts.state_file.empty() && position && position != saved) {
      if (!write_state(opts.state_file, *position)) {
        std::fprintf(stderr, "%s: cannot write the state file %s\n", opts.who,
                     opts.state_file.c_str());
      }
      saved = position;
    }
  }

  void on_live(const bus::Message& m) {
    auto seq = seq_of(m.payload);
    if (!seq) {
      std::fprintf(stderr, "%s: skipped a message without a seq on %s\n", opts.who,
                   m.topic.c_str());
      return;
    }
    last_check = SteadyClock::now();
    if (!position) {
      hand_on(m.topic, m.payload, *seq);  // live only: the first message anchors the position
    } else if (*seq <= *position) {
      return;  // a repeat (replay and the live stream overlapped)
    } else if (*seq == *position + 1 && held.empty()) {
      hand_on(m.topic, m.payload, *seq);
    } else {
      held.emplace(*seq, m);  // past a gap: wait for the replay to fill it
      if (!need_catch_up) {
        need_catch_up = true;
        next_try = SteadyClock::now();
      }
      return;
    }
    save();
  }

  // Replay from the control socket until it has nothing more; then deliver what
  // the live stream held back. On failure, try again later (bounded backoff).
  void try_catch_up() {
    std::string error;
    if (!replay_all(error)) {
      replay_failed(error);
      save();
      return;
    }
    failures = 0;
    backoff = std::chrono::milliseconds(100);
    last_check = SteadyClock::now();
    release_held();
    need_catch_up = !held.empty();
    save();
  }

  void replay_failed(const std::string& error) {
    if (failed) {
      return;  // a delivery failed: nothing to retry here
    }
    ++failures;
    if (failures == 1 || failures % 10 == 0) {
      std::fprintf(stderr, "%s: replay from %s failed (%s); retrying\n", opts.who,
                   opts.control.c_str(), error.c_str());
    }
    next_try = SteadyClock::now() + backoff;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    if (!anchored && failures >= k_live_give_up && !held.empty()) {
      // Live only, no replay to be had: say what is missing and go on.
      std::fprintf(stderr, "%s: messages %lld..%lld are missing (no replay)\n", opts.who,
                   static_cast<long long>(*position + 1),
                   static_cast<long long>(held.begin()->first - 1));
      position = held.begin()->first - 1;
      release_held();
      need_catch_up = !held.empty();
      failures = 0;
    }
  }

  // Deliver the held live messages that follow on from the position.
  void release_held() {
    while (!held.empty() && !done()) {
      auto it = held.begin();
      if (it->first <= *position) {
        held.erase(it);
      } else if (it->first == *position + 1) {
        hand_on(it->second.topic, it->second.payload, it->first);
        if (failed) {
          return;
        }
        held.erase(it);
      } else {
        return;
      }
    }
  }

  // One replay request from the position: the reply, or an Error.
  Result<json> replay_page() {
    json req = {{"cmd", "replay"}, {"since", position.value_or(0)}, {"limit", 1000}};
    if (!opts.topic.empty()) {
      req["topic"] = opts.topic;
    }
    auto r =
        bus::control_request(opts.control, req.dump(), 3000, client_security(opts.control_key));
    if (!r) {
      return r.error();
    }
    json reply = json::parse(*r, nullptr, false);
    if (reply.is_discarded() || !reply.is_object() || !reply.value("ok", false)) {
      return make_error(
          "replay", reply.is_object() ? reply.value("error", std::string("not ok")) : "not JSON");
    }
    return reply;
  }

  void warn_pruned(const json& reply) {
    int64_t pos = position.value_or(0);
    int64_t first = reply.value("first", int64_t{0});
    if (first > pos + 1 && !warned_pruned) {
      warned_pruned = true;
      std::fprintf(stderr,
                   "%s: messages %lld..%lld are no longer stored (older than "
                   "[store] keep_alerts)\n",
                   opts.who, static_cast<long long>(pos + 1), static_cast<long long>(first - 1));
    }
  }

  bool replay_all(std::string& error) {
    while (!done()) {
      auto reply = replay_page();
      if (!reply) {
        error = reply.error().message;
        return false;
      }
      warn_pruned(*reply);
      for (const auto& item : (*reply)["alerts"]) {
        int64_t seq = item.value("seq", int64_t{0});
        if (seq > position.value_or(0)) {
          hand_on(item.value("topic", std::string()), item["alert"].dump(), seq);
        }
      }
      if (!done()) {
        position = std::max(position.value_or(0), reply->value("through", int64_t{0}));
      }
      save();
      if (!reply->value("more", false)) {
        return !failed;
      }
    }
    return !failed;
  }
};

Follower::Follower(FollowOptions options, bus::Subscriber sub, std::optional<int64_t> position,
                   Deliver deliver)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(sub), position,
                                    std::move(deliver))) {}

Follower::~Follower() = default;

int Follower::run() {
  return m_impl->run();
}

void Follower::stop() {
  m_impl->stop_asked = true;
}

int64_t Follower::remaining_ms() const {
  return m_impl->remaining_ms();
}

bool Follower::stopping() const {
  return m_impl->stop_asked;
}

}  // namespace khobor::tools
