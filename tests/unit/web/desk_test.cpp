// The desk's cards from a real store written by khobord's Store and read
// read-only beside it: grouped by event, newest first, words marked, the
// outlets' timeline, the window, and a reader that sees only committed rows.
#include "web/desk.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "tests/support/temp_dir.h"

using khobor::store::NewAlert;
using khobor::store::Store;
using khobor::web::Desk;
using nlohmann::json;

namespace {

constexpr int64_t k_now = 1796292000;  // 2026-12-03T10:00:00Z

json alert(int64_t event, const std::string& feed, const std::string& title) {
  return {
      {"v", 1},
      {"watchlist", "summit"},
      {"rule", "পুতিন"},
      {"feed", feed},
      {"entry", {{"id", feed + title}, {"title", title}, {"link", "https://x.example/" + feed}}},
      {"hits", {{{"term", "পুতিন"}, {"field", "title"}, {"begin", 0}, {"end", 15}}}},
      {"snippet", "… পুতিনের সফর …"},
      {"event", {{"id", event}, {"sources", {feed}}, {"outlet_count", 1}, {"entry_count", 1}}}};
}

int64_t append(Store& s, const std::string& topic, json body, int64_t at_s) {
  return s.append_alert(NewAlert{topic, "summit", "f", "e"}, at_s * 1000, [&](int64_t seq) {
    body["seq"] = seq;
    return body.dump();
  });
}

std::string text(const json& runs) {
  std::string out;
  for (const auto& r : runs) {
    out += r[0].get<std::string>();
  }
  return out;
}

}  // namespace

TEST_CASE("Messages of an event become one card, newest event first", "[web][desk]") {
  khobor::testing::TempDir dir;
  auto store = Store::open(dir.file("k.db"));
  REQUIRE(store);
  {
    auto tx = store->begin();
    append(*store, "alert.summit", alert(0, "alo", "পুতিন ও কিম"), k_now - 600);
    append(*store, "alert.summit", alert(5, "bss", "পুতিন ভস্তোচনিতে"), k_now - 500);
    json update = alert(0, "samakal", "কিমের সঙ্গে পুতিন");
    update.erase("hits");
    update["event"]["outlet_count"] = 2;
    append(*store, "story.update", update, k_now - 60);
    append(*store, "alert.summit", alert(9, "old", "পুতিন আগের"), k_now - 3 * 86400);
    for (auto [seq, outlet, t] : {std::tuple{1, "alo", k_now - 600}, {2, "samakal", k_now - 60}}) {
      khobor::store::StoryEntryRow row;
      row.seq = seq;
      row.story = 1;
      row.event = 0;
      row.feed_id = outlet;
      row.entry_id = "e";
      row.outlet = outlet;
      row.time = t;
      store->save_story_entry(row);
    }
    tx.commit();
  }
  auto desk = Desk::open(dir.file("k.db"));
  REQUIRE(desk);
  json cards = desk->events(k_now, {})["events"];
  REQUIRE(cards.size() == 2);  // the 3-day-old alert is out of the 24 h window
  const json& first = cards[0];
  CHECK(first["event"] == 0);  // event 0's update is the newest message
  CHECK(text(first["headline"]) == "পুতিন ও কিম");
  CHECK(first["headline"][0] == json::array({"পুতিন", 1}));
  CHECK(first["outlet_count"] == 2);
  CHECK(first["entries"].size() == 2);
  CHECK(first["entries"][0]["kind"] == "update");
  CHECK(first["entries"][0]["title"][1] == json::array({"পুতিন", 1}));
  CHECK(first["watchlists"] == json::parse(R"([{"name":"summit","terms":["পুতিন"]}])"));
  CHECK(first["timeline"] == json::parse(R"([{"outlet":"alo","time":1796291400},
                                             {"outlet":"samakal","time":1796291940}])"));
  CHECK(text(first["snippet"]) == "… পুতিনের সফর …");
  CHECK(cards[1]["event"] == 5);
  CHECK(desk->card(5, k_now, {})["feed"] == "bss");
  CHECK(desk->card(77, k_now, {}).is_null());
}

TEST_CASE("The desk reads beside a writer and sees only what it committed", "[web][desk]") {
  khobor::testing::TempDir dir;
  auto store = Store::open(dir.file("k.db"));
  REQUIRE(store);
  {
    auto tx = store->begin();
    append(*store, "alert.summit", alert(1, "alo", "পুতিন"), k_now - 10);
    tx.commit();
  }
  auto desk = Desk::open(dir.file("k.db"));
  REQUIRE(desk);
  auto tx = store->begin();  // khobord is in the middle of a feed's transaction
  append(*store, "alert.summit", alert(2, "bss", "পুতিন"), k_now - 5);
  CHECK(desk->events(k_now, {})["events"].size() == 1);
  tx.commit();
  CHECK(desk->events(k_now, {})["events"].size() == 2);
  CHECK(desk->numbers(k_now, {}).store_bytes > 0);
}

TEST_CASE("A missing store is an error that names it", "[web][desk]") {
  khobor::testing::TempDir dir;
  auto desk = Desk::open(dir.file("none.db"));
  REQUIRE_FALSE(desk);
  CHECK(desk.error().message.find("none.db") != std::string::npos);
}
