// The alert's `story` object and the story.update message (WIRE_FORMAT.md).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bus/alert.h"

using namespace khobor::bus;

TEST_CASE("an alert carries its story and reads it back", "[bus]") {
  Alert a;
  a.seq = 7;
  a.time_ms = 1'700'000'000'000;
  a.watchlist = "summit";
  a.rule = "পুতিন";
  a.feed = "bss";
  a.entry.id = "e1";
  a.story = AlertStory{12, {"bss", "samakal"}, 1'700'000'000};
  const std::string json = to_json(a);
  const auto j = nlohmann::json::parse(json);
  CHECK(j.at("story").at("id") == 12);
  CHECK(j.at("story").at("sources") == nlohmann::json::array({"bss", "samakal"}));
  CHECK(j.at("story").at("first_seen") == "2023-11-14T22:13:20Z");
  const auto back = alert_from_json(json);
  REQUIRE(back.ok());
  REQUIRE(back->story.has_value());
  CHECK(back->story->id == 12);
  CHECK(back->story->sources == std::vector<std::string>{"bss", "samakal"});
  CHECK(back->story->first_seen == 1'700'000'000);
}

TEST_CASE("an alert without a story has no story field", "[bus]") {
  Alert a;
  a.seq = 1;
  a.watchlist = "w";
  a.entry.id = "e";
  CHECK_FALSE(nlohmann::json::parse(to_json(a)).contains("story"));
  const auto back = alert_from_json(to_json(a));
  REQUIRE(back.ok());
  CHECK_FALSE(back->story.has_value());
}

TEST_CASE("a story update names the story, the new entry and the outlets", "[bus]") {
  StoryUpdate u;
  u.seq = 9;
  u.time_ms = 1'700'000'000'000;
  u.story = 12;
  u.feed = "samakal";
  u.entry.id = "e2";
  u.entry.title = "t";
  u.outlet_count = 2;
  u.entry_count = 3;
  u.sources = {"bss", "samakal"};
  u.first_seen = 1'699'990'000;
  u.watchlists = {"summit"};
  const auto j = nlohmann::json::parse(to_json(u));
  CHECK(j.at("seq") == 9);
  CHECK(j.at("story") == 12);
  CHECK(j.at("entry").at("id") == "e2");
  CHECK(j.at("outlet_count") == 2);
  CHECK(j.at("entry_count") == 3);
  CHECK(j.at("watchlists") == nlohmann::json::array({"summit"}));
  CHECK(std::string(k_story_update_topic) == "story.update");
}

TEST_CASE("an alert and an update carry the event, an update reads back as written", "[bus]") {
  khobor::bus::Alert a;
  a.seq = 3;
  a.watchlist = "summit";
  a.rule = "পুতিন";
  a.feed = "bss";
  a.entry.id = "e1";
  a.event = khobor::bus::AlertEvent{7, {"bss", "samakal"}, 1'699'990'000, 2, 3};
  const auto ja = nlohmann::json::parse(to_json(a));
  CHECK(ja.at("event").at("id") == 7);
  CHECK(ja.at("event").at("sources") == nlohmann::json::array({"bss", "samakal"}));
  CHECK(ja.at("event").at("outlet_count") == 2);
  const auto back = khobor::bus::alert_from_json(to_json(a));
  REQUIRE(back.ok());
  REQUIRE(back->event.has_value());
  CHECK(back->event->entry_count == 3);

  StoryUpdate u;
  u.seq = 10;
  u.time_ms = 1'700'000'000'000;
  u.story = 12;
  u.feed = "samakal";
  u.entry.id = "e2";
  u.watchlist = "summit";
  u.watchlists = {"summit"};
  u.event = khobor::bus::AlertEvent{7, {"bss", "samakal", "jugantor"}, 1'699'990'000, 3, 4};
  u.new_entries = 2;
  u.new_sources = {"jugantor", "samakal"};
  const auto j = nlohmann::json::parse(to_json(u));
  CHECK(j.at("watchlist") == "summit");
  CHECK(j.at("event").at("id") == 7);
  CHECK(j.at("new_entries") == 2);
  const auto r = khobor::bus::story_update_from_json(to_json(u));
  REQUIRE(r.ok());
  CHECK(r->event.outlet_count == 3);
  CHECK(r->new_sources == u.new_sources);
  CHECK(r->time_ms == u.time_ms);
  CHECK(to_json(*r) == to_json(u));
  // A first-format update (no event) reads as its story's own event.
  const auto old = khobor::bus::story_update_from_json(
      R"({"v":1,"seq":4,"story":12,"feed":"f","entry":{"id":"e"},"watchlists":["summit"]})");
  REQUIRE(old.ok());
  CHECK(old->event.id == 12);
  CHECK(old->watchlist == "summit");
  CHECK_FALSE(khobor::bus::story_update_from_json("{\"v\":1}").ok());
}
