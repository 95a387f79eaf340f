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
