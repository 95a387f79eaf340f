// khobor match — try a rule or a watch list on text from stdin.
//
//   khobor match --rule 'পুতিন AND কিম' < text.txt
//   khobor match --watchlist config/watchlists/summit.toml [--feed ID] < text.txt
//
// Prints one JSON object: `match` (bool), `hits` (each with `term`, `begin`,
// `end` — UTF-8 byte offsets into the input — and the matched `text`), and when
// it matched, `watchlist`, `rule` and `snippet`. Exit 0 on a match, 1 on none,
// 2 on a bad rule or list (the message names the column, or file:line:column).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "tools/command.h"
#include "watch/rule.h"
#include "watch/watchset.h"

namespace {

// The watch set of one rule; nullopt (after saying where and why on stderr)
// when the rule is bad.
std::optional<khobor::Result<khobor::watch::WatchSet>> rule_set(const std::string& rule) {
  khobor::watch::RuleError err;
  if (!khobor::watch::parse_rule(rule, err)) {
    // Bengali vowel signs have no width of their own, so a caret under the
    // column would point at the wrong place: show the rule from there instead.
    size_t at = 0;
    for (int col = 1; at < rule.size(); ++at) {
      if ((static_cast<unsigned char>(rule[at]) & 0xC0) != 0x80 && col++ == err.column) {
        break;
      }
    }
    std::fprintf(stderr, "khobor match: bad rule at column %d: %s\n  rule: %s\n  here: %s\n",
                 err.column, err.message.c_str(), rule.c_str(),
                 at < rule.size() ? rule.substr(at).c_str() : "(the end)");
    return std::nullopt;
  }
  return khobor::watch::WatchSet::from_toml(
      "name = \"rule\"\nrules = [" + nlohmann::json(rule).dump() + "]\n", "--rule");
}

// The watch set of a watch-list file; nullopt (after saying so) when unreadable.
std::optional<khobor::Result<khobor::watch::WatchSet>> list_set(const std::string& watchlist) {
  std::ifstream in(watchlist, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in) {
    std::fprintf(stderr, "khobor match: cannot read %s\n", watchlist.c_str());
    return std::nullopt;
  }
  return khobor::watch::WatchSet::from_toml(ss.str(), watchlist);
}

// The first match's JSON line: match, watch list (with_list), rule, hits with
// their text, snippet.
nlohmann::json match_json(const std::vector<khobor::watch::Match>& matches, const std::string& text,
                          bool with_list) {
  nlohmann::json out;
  out["match"] = !matches.empty();
  out["hits"] = nlohmann::json::array();
  if (!matches.empty()) {
    const auto& m = matches.front();
    if (with_list) {
      out["watchlist"] = m.watchlist;
    }
    out["rule"] = m.rule;
    for (const auto& h : m.hits) {
      out["hits"].push_back({{"term", h.term},
                             {"begin", h.begin},
                             {"end", h.end},
                             {"text", text.substr(h.begin, h.end - h.begin)}});
    }
    out["snippet"] = m.snippet;
  }
  return out;
}

int run_match(int argc, char** argv) {
  CLI::App app{"Try a watch rule or a watch list on text read from stdin", "khobor match"};
  std::string rule;
  std::string watchlist;
  std::string feed;
  auto* rule_opt = app.add_option("--rule", rule, "a rule in the watch-list language");
  auto* list_opt =
      app.add_option("--watchlist", watchlist, "a watch-list TOML file")->check(CLI::ExistingFile);
  rule_opt->excludes(list_opt);
  app.add_option("--feed", feed, "the feed id the text comes from (for a list's `feeds`)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (rule_opt->count() == 0 && list_opt->count() == 0) {
    std::fprintf(stderr, "khobor match: give --rule 'RULE' or --watchlist FILE\n");
    return 2;
  }
  const auto set = rule_opt->count() != 0 ? rule_set(rule) : list_set(watchlist);
  if (!set) {
    return 2;
  }
  if (!set->ok()) {
    std::fprintf(stderr, "%s\n", set->error().message.c_str());
    return 2;
  }
  std::string text;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) {
    text.append(buf, n);
  }
  khobor::watch::EntryText entry;
  entry.feed_id = feed;
  entry.content = text;
  const auto matches = (*set)->match(entry);
  const nlohmann::json out = match_json(matches, text, list_opt->count() != 0);
  std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return matches.empty() ? 1 : 0;
}

const khobor::tools::Registration k_reg{
    "match", "try a watch rule (--rule) or list (--watchlist) on text from stdin", &run_match};

}  // namespace
