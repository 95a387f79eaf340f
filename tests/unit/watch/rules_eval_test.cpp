// Every case of tests/fixtures/rules.jsonl (a copy of the project's
// eval/rules.jsonl): the rule, a text, whether it must match, and why.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "watch/watchset.h"

namespace {

// A one-rule watch list, as `khobor match --rule` builds it.
khobor::watch::WatchSet one_rule(const std::string& rule) {
  const nlohmann::json rules = nlohmann::json::array({rule});
  auto set = khobor::watch::WatchSet::from_toml("rules = " + rules.dump(), "rule.toml");
  REQUIRE(set.ok());
  return std::move(set).value();
}

}  // namespace

TEST_CASE("every case of rules.jsonl is decided as labelled", "[watch][eval]") {
  std::ifstream in(std::filesystem::path(KHOBOR_FIXTURES) / "rules.jsonl");
  REQUIRE(in);
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    const auto c = nlohmann::json::parse(line);
    const std::string rule = c.at("rule");
    const std::string text = c.at("text");
    const bool expected = c.at("match");
    ++cases;
    INFO("rule: " << rule << "\ntext: " << text << "\nwhy: " << c.value("why", ""));
    const auto set = one_rule(rule);
    khobor::watch::EntryText entry;
    entry.content = text;
    const auto matches = set.match(entry);
    CHECK(!matches.empty() == expected);
    for (const auto& m : matches) {
      REQUIRE(!m.hits.empty());
      for (const auto& h : m.hits) {
        CHECK(h.field == "content");
        CHECK(h.begin < h.end);
        CHECK(h.end <= text.size());
      }
    }
  }
  CHECK(cases >= 26);
}
