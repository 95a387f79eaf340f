// The outbox's retention: old published alerts are pruned in bounded batches,
// unpublished ones are kept, and seqs are never reused. Real SQLite.
#include <catch2/catch.hpp>

#include "store/store.h"

using khobor::store::NewAlert;
using khobor::store::Store;

namespace {

Store memory_store() {
  auto s = Store::open(":memory:");
  if (!s) {
    FAIL(s.error().message);
  }
  return std::move(*s);
}

int64_t append(Store& s, int64_t created_ms) {
  auto tx = s.begin();
  int64_t seq = s.append_alert(NewAlert{"alert.w", "w", "f", "e" + std::to_string(created_ms)},
                               created_ms, [](int64_t q) { return std::to_string(q); });
  tx.commit();
  return seq;
}

}  // namespace

TEST_CASE("Old published alerts are pruned in batches of at most the limit", "[store][outbox]") {
  Store s = memory_store();
  for (int i = 1; i <= 10; ++i) {
    int64_t seq = append(s, i * 1000);
    if (i != 3) {
      s.mark_published(seq);
    }
  }
  // Everything created before 8000 may go, except seq 3 (not yet published).
  CHECK(s.prune_alerts(8000, 4) == 3);  // of the 4 oldest rows, 3 is kept
  CHECK(s.first_seq() == 3);
  CHECK(s.prune_alerts(8000, 4) == 3);  // 5, 6, 7
  CHECK(s.prune_alerts(8000, 4) == 0);  // 8.. are too young
  CHECK(s.alert_count() == 4);          // 3, 8, 9, 10
  CHECK(s.alerts_after(0, 10).front().seq == 3);

  s.mark_published(3);
  CHECK(s.prune_alerts(8000, 100) == 1);
  CHECK(s.first_seq() == 8);
  CHECK(s.last_seq() == 10);
  CHECK(append(s, 11'000) == 11);  // a pruned seq is never given again
}

TEST_CASE("An empty outbox has first and last seq 0", "[store][outbox]") {
  Store s = memory_store();
  CHECK(s.first_seq() == 0);
  CHECK(s.last_seq() == 0);
  CHECK(s.prune_alerts(1'000'000, 10) == 0);
}
