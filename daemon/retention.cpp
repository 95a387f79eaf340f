// One round of khobord's retention (daemon/retention.h).
#include "daemon/retention.h"

namespace khobor::daemon {

RetentionRound prune_round(store::Store& store, const RetentionPolicy& policy, int64_t now_ms) {
  RetentionRound r;
  r.alerts = store.prune_alerts(now_ms - policy.keep_alerts_ms, policy.batch);
  r.seen = store.prune_seen(now_ms, policy.forget_after_ms, k_forget_cap_ms, policy.batch);
  r.links = store.prune_seen_links(now_ms - policy.forget_after_ms, policy.batch);
  // An event's row outlives its window twice over: a late report still updates it.
  r.event_alerts = store.prune_event_alerts(now_ms - 2 * policy.window_ms, policy.batch);
  r.more = r.alerts == policy.batch || r.seen == policy.batch || r.links == policy.batch ||
           r.event_alerts == policy.batch;
  store.incremental_vacuum(policy.vacuum_pages);
  store.checkpoint();
  return r;
}

}  // namespace khobor::daemon
