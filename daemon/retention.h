// khobor/daemon/retention.h — one round of khobord's bounded-state pruning.
//
// What the loop runs once a minute (store/SCHEMA.md, "Retention"): at most a
// batch of each prune, then free pages back to the file system and a passive WAL
// checkpoint. Shared by the daemon, bench/store_size and the month test, so all
// three prune the same way. Throws store::StoreError like any store call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "store/store.h"

namespace khobor::daemon {

struct RetentionPolicy {
  int64_t keep_alerts_ms = 30LL * 86'400'000;   // [store] keep_alerts
  int64_t forget_after_ms = 30LL * 86'400'000;  // [store] forget_after
  int64_t window_ms = 72LL * 3'600'000;         // [stories] window
  size_t batch = 500;                           // rows per statement at most
  int vacuum_pages = 1024;                      // free pages given back per round
};

struct RetentionRound {
  size_t alerts = 0, seen = 0, links = 0, event_alerts = 0;  // rows deleted
  bool more = false;  // a batch came back full: run again soon
};

// However a feed behaves, an entry not carried for this long is forgotten.
inline constexpr int64_t k_forget_cap_ms = 365LL * 86'400'000;

RetentionRound prune_round(store::Store& store, const RetentionPolicy& policy, int64_t now_ms);

}  // namespace khobor::daemon
