// Tests of watch/rule.h: the rule language's terms, precedence and errors.
#include "watch/rule.h"

#include <catch2/catch.hpp>
#include <string>

#include "text/normalize.h"

using khobor::watch::parse_rule;
using khobor::watch::Rule;
using khobor::watch::RuleError;

namespace {

Rule parse_ok(const std::string& text) {
  RuleError err;
  auto rule = parse_rule(text, err);
  INFO(text << " → column " << err.column << ": " << err.message);
  REQUIRE(rule.has_value());
  return *rule;
}

RuleError parse_bad(const std::string& text) {
  RuleError err;
  auto rule = parse_rule(text, err);
  INFO(text);
  REQUIRE_FALSE(rule.has_value());
  return err;
}

// Evaluates with the given terms (by their written form) present.
bool holds(const Rule& r, const std::vector<std::string>& present) {
  return r.eval([&](int k) {
    const auto& w = r.terms[static_cast<size_t>(k)].written;
    return std::find(present.begin(), present.end(), w) != present.end();
  });
}

}  // namespace

TEST_CASE("a rule's terms are words, phrases, exact and prefix forms", "[watch][rule]") {
  const Rule r = parse_ok("পুতিন \"উত্তর কোরিয়া\" =কিম ক্রিকেট* জং-উন");
  REQUIRE(r.terms.size() == 5);
  CHECK(r.terms[0].tokens == std::vector<std::string>{"পুতিন"});
  CHECK(r.terms[1].written == "\"উত্তর কোরিয়া\"");
  CHECK(r.terms[1].tokens.size() == 2);
  CHECK(r.terms[2].exact);
  CHECK(r.terms[2].written == "=কিম");
  CHECK(r.terms[3].prefix);
  CHECK(r.terms[3].tokens == std::vector<std::string>{"ক্রিকেট"});
  CHECK(r.terms[4].tokens == std::vector<std::string>{"জং", "উন"});
  CHECK(r.terms[1].column == 7);
}

TEST_CASE("terms are normalised like the text they are matched against", "[watch][rule]") {
  const Rule r = parse_ok("Putin রাশি\u09DFা ১৩");
  CHECK(r.terms[0].tokens.front() == "putin");
  CHECK(r.terms[1].tokens.front() == khobor::text::normalize("রাশিয়া"));
  CHECK(r.terms[2].tokens.front() == "13");
}

TEST_CASE("juxtaposition is AND, OR binds looser, NOT binds tightest", "[watch][rule]") {
  const Rule r = parse_ok("a b OR c NOT d");  // (a AND b) OR (c AND NOT d)
  CHECK(holds(r, {"a", "b"}));
  CHECK_FALSE(holds(r, {"a"}));
  CHECK(holds(r, {"c"}));
  CHECK_FALSE(holds(r, {"c", "d"}));
  CHECK(holds(r, {"a", "b", "d"}));
  const Rule p = parse_ok("(a OR b) AND NOT (c OR d)");
  CHECK(holds(p, {"b"}));
  CHECK_FALSE(holds(p, {"b", "d"}));
  CHECK(p.positive == std::vector<bool>{true, true, false, false});
}

TEST_CASE("lower-case and, or, not are words", "[watch][rule]") {
  const Rule r = parse_ok("rock and roll");
  CHECK(r.terms.size() == 3);
}

TEST_CASE("bad rules name the column of the problem", "[watch][rule]") {
  CHECK(parse_bad("").column == 1);
  CHECK(parse_bad("   ").message.find("empty") != std::string::npos);
  CHECK(parse_bad("পুতিন AND").column == 10);
  CHECK(parse_bad("পুতিন AND OR কিম").column == 11);
  CHECK(parse_bad("(পুতিন OR কিম").column == 1);
  CHECK(parse_bad("পুতিন)").column == 6);
  CHECK(parse_bad("কিম \"উত্তর কোরিয়া").column == 5);
  CHECK(parse_bad("কিম =").column == 5);
  CHECK(parse_bad("ক*ম").column == 2);
  CHECK(parse_bad("=কিম*").column == 1);
  CHECK(parse_bad("কিম ()").column == 6);
  CHECK(parse_bad("কিম ।").column == 5);
  CHECK(parse_bad("NOT কিম").message.find("none of its words") != std::string::npos);
  CHECK(parse_bad("কিম OR NOT পুতিন").column == 1);
}
