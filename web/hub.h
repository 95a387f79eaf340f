// khobor/web/hub.h — hands each new card to every live page (server-sent events).
//
// The follower thread push()es; each live page's connection thread wait()s with
// its own cursor. The last 64 items are kept, so a page that fell further behind
// is told to fetch everything again (a "resync" item). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace khobor::web {

class Hub {
 public:
  static constexpr const char* k_resync = "resync";

  void push(std::string item);

  // The cursor of a page that joins now (it sees what is pushed after).
  uint64_t cursor() const;

  // The items after `cursor` (moving it), waiting up to `wait` for one: empty on
  // timeout, nullopt once closed. A cursor older than the kept items gets one
  // item, k_resync.
  std::optional<std::vector<std::string>> wait(uint64_t& cursor, std::chrono::milliseconds wait);

  // Count a live page in, unless `limit` are already there; leave() counts it out.
  bool join(size_t limit);
  void leave();
  size_t pages() const;

  // Wake every waiter for good (the server stops).
  void close();

 private:
  static constexpr size_t k_keep = 64;
  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<std::string> m_items;  // ids m_next - size() … m_next - 1
  uint64_t m_next = 1;
  size_t m_pages = 0;
  bool m_closed = false;
};

}  // namespace khobor::web
