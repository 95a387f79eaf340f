// The control requests' replies (bus/WIRE_FORMAT.md, "Control") over a real
// SQLite store; the daemon's own state comes from a snapshot.
#include "daemon/control_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using khobor::Ok;
using khobor::Status;
using khobor::daemon::ControlApi;
using khobor::daemon::DaemonSnapshot;
using khobor::daemon::FeedView;
using khobor::store::NewAlert;
using khobor::store::Store;
using nlohmann::json;

namespace {

Store memory_store() {
  auto s = Store::open(":memory:");
  if (!s) {
    FAIL(s.error().message);
  }
  return std::move(*s);
}

// Append alerts for the watch lists in `lists`, in order; seq i+1 for lists[i].
void fill(Store& s, const std::vector<std::string>& lists) {
  auto tx = s.begin();
  for (size_t i = 0; i < lists.size(); ++i) {
    s.append_alert(NewAlert{"alert." + lists[i], lists[i], "f", "e" + std::to_string(i)},
                   1000 + static_cast<int64_t>(i), [&](int64_t seq) {
                     return json{{"v", 1}, {"seq", seq}, {"watchlist", lists[i]}}.dump();
                   });
  }
  tx.commit();
}

json ask(ControlApi& api, const json& req) {
  return json::parse(api.handle(req.dump()));
}

ControlApi::Hooks hooks(Status reload_result = Ok{}) {
  return {[] {
            DaemonSnapshot s;
            s.version = "test";
            s.published = 7;
            s.dropped = 2;
            s.totals.ok = 5;
            s.totals.not_modified = 11;
            s.totals.failed = 2;
            s.totals.repaired = 1;
            s.totals.add_round(1500);
            s.totals.add_round(500);
            khobor::store::FeedState h;
            h.feed_id = "a";
            h.url = "http://127.0.0.1/a.xml";
            h.http_status = 503;
            h.error = "HTTP 503";
            h.consecutive_errors = 2;
            h.last_attempt_ms = 1'790'000'000'000;
            s.feeds.push_back(FeedView{"a", "http://127.0.0.1/a.xml", false, false, h, true});
            s.feeds.push_back(
                FeedView{"b", "http://127.0.0.1/b.xml", true, false, std::nullopt, false, true});
            return s;
          },
          [reload_result] { return reload_result; }};
}

}  // namespace

TEST_CASE("Replay returns stored alerts after since, in seq order, in bounded batches",
          "[daemon][control]") {
  Store store = memory_store();
  fill(store, std::vector<std::string>(5, "w"));
  ControlApi api(store, hooks());

  json r = ask(api, {{"cmd", "replay"}, {"since", 1}, {"limit", 2}});
  REQUIRE(r["ok"] == true);
  REQUIRE(r["alerts"].size() == 2);
  CHECK(r["alerts"][0]["seq"] == 2);
  CHECK(r["alerts"][1]["seq"] == 3);
  CHECK(r["alerts"][0]["topic"] == "alert.w");
  CHECK(r["alerts"][0]["alert"]["seq"] == 2);  // the published object itself
  CHECK(r["more"] == true);
  CHECK(r["through"] == 3);
  CHECK(r["last"] == 5);

  r = ask(api, {{"cmd", "replay"}, {"since", 3}, {"limit", 2}});
  CHECK(r["alerts"].size() == 2);
  CHECK(r["more"] == false);
  CHECK(r["through"] == 5);

  r = ask(api, {{"cmd", "replay"}, {"since", 5}});
  CHECK(r["alerts"].empty());
  CHECK(r["more"] == false);
  CHECK(r["through"] == 5);
}

TEST_CASE("Replay caps the batch at 1000 alerts whatever the limit asks", "[daemon][control]") {
  Store store = memory_store();
  fill(store, std::vector<std::string>(1200, "w"));
  ControlApi api(store, hooks());
  json r = ask(api, {{"cmd", "replay"}, {"since", 0}, {"limit", 100000}});
  CHECK(r["alerts"].size() == ControlApi::k_max_replay);
  CHECK(r["through"] == 1000);
  CHECK(r["more"] == true);
}

TEST_CASE("Replay with a topic returns only its alerts but covers the others in through",
          "[daemon][control]") {
  Store store = memory_store();
  fill(store, {"a", "b", "b", "a", "b"});
  ControlApi api(store, hooks());
  json r = ask(api, {{"cmd", "replay"}, {"since", 0}, {"topic", "alert.a"}});
  REQUIRE(r["alerts"].size() == 2);
  CHECK(r["alerts"][0]["seq"] == 1);
  CHECK(r["alerts"][1]["seq"] == 4);
  CHECK(r["through"] == 5);  // seq 5 (alert.b) was looked at: no gap is left
  CHECK(r["more"] == false);
}

TEST_CASE("Status reports the daemon's counters, the outbox and each feed's health",
          "[daemon][control]") {
  Store store = memory_store();
  fill(store, {"w", "w", "w"});
  ControlApi api(store, hooks());
  json r = ask(api, {{"cmd", "status"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["alerts"]["published"] == 7);
  CHECK(r["alerts"]["dropped"] == 2);
  CHECK(r["alerts"]["last_seq"] == 3);
  CHECK(r["alerts"]["first_seq"] == 1);
  CHECK(r["alerts"]["stored"] == 3);
  CHECK(r["polls"] == json::parse(R"({"ok":5,"not_modified":11,"failed":2,"repaired":1})"));
  CHECK(r["loop"]["rounds"] == 2);
  CHECK(r["loop"]["busy_s"] == Approx(0.002));
  CHECK(r["loop"]["busy_max_s"] == Approx(0.0015));
  REQUIRE(r["feeds"].size() == 2);
  CHECK(r["feeds"][0]["id"] == "a");
  CHECK(r["feeds"][0]["http_status"] == 503);
  CHECK(r["feeds"][0]["error"] == "HTTP 503");
  CHECK(r["feeds"][0]["consecutive_errors"] == 2);
  CHECK(r["feeds"][0]["last_attempt"] == "2026-09-21T14:13:20Z");
  CHECK(r["feeds"][0]["last_success"].is_null());
  CHECK(r["feeds"][0]["ids"] == "links");
  CHECK(r["feeds"][1]["ids"] == "guids");
  CHECK(r["feeds"][1]["in_flight"] == true);
  CHECK(r["feeds"][0]["repaired"] == false);
  CHECK(r["feeds"][1]["repaired"] == true);
  CHECK(r["feeds"][1]["last_attempt"].is_null());

  json f = ask(api, {{"cmd", "feeds"}});
  CHECK(f["ok"] == true);
  CHECK(f["feeds"] == r["feeds"]);
}

TEST_CASE("Reload answers ok, or why the new configuration was refused", "[daemon][control]") {
  Store store = memory_store();
  ControlApi ok(store, hooks());
  CHECK(ask(ok, {{"cmd", "reload"}})["ok"] == true);
  ControlApi refused(store, hooks(khobor::make_error("reload", "khobor.toml:3:1: bad")));
  json r = ask(refused, {{"cmd", "reload"}});
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "khobor.toml:3:1: bad");
}

TEST_CASE("Bad requests get an error reply, never an exception", "[daemon][control]") {
  Store store = memory_store();
  ControlApi api(store, hooks());
  for (const char* bad :
       {"not json", "[1,2]", "{}", "{\"cmd\":\"explode\"}", "{\"cmd\":\"replay\",\"since\":-1}",
        "{\"cmd\":\"replay\",\"since\":\"x\"}", "{\"cmd\":\"replay\",\"topic\":5}"}) {
    json r = json::parse(api.handle(bad));
    CHECK(r["ok"] == false);
    CHECK_FALSE(r["error"].get<std::string>().empty());
  }
}
