// Tests of watch/: hits and spans, lists, exclude and feed filters, loading a
// directory, and the matcher against a plain reference on real text.
#include "watch/watchset.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "text/inflection.h"
#include "text/normalize.h"
#include "text/tokens.h"

using khobor::watch::EntryText;
using khobor::watch::LoadProblem;
using khobor::watch::WatchSet;

namespace {

WatchSet from(const std::string& toml) {
  auto set = WatchSet::from_toml(toml, "test.toml");
  INFO((set.ok() ? std::string() : set.error().message));
  REQUIRE(set.ok());
  return std::move(set).value();
}

EntryText content(std::string_view text) {
  EntryText e;
  e.content = text;
  return e;
}

// A fresh directory under the build tree, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::path(KHOBOR_BINARY_DIR) / "test-tmp" / name) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& file, const std::string& text) const {
    std::ofstream(path / file, std::ios::binary) << text;
  }
};

}  // namespace

TEST_CASE("hits give the term and byte spans into the original field", "[watch]") {
  const WatchSet set = from("rules = ['পুতিন AND \"উত্তর কোরিয়া\"']");
  // The text spells য় precomposed and has a ZWNJ: spans are still into it.
  const std::string text = "রুশ নেতা পুতিনের সঙ্গে উত্তর কোরি\u09DF\u200Cার নেতার বৈঠক।";
  const auto matches = set.match(content(text));
  REQUIRE(matches.size() == 1);
  const auto& m = matches.front();
  CHECK(m.watchlist == "test");
  CHECK(m.rule == "পুতিন AND \"উত্তর কোরিয়া\"");
  REQUIRE(m.hits.size() == 2);
  CHECK(m.hits[0].term == "পুতিন");
  CHECK(text.substr(m.hits[0].begin, m.hits[0].end - m.hits[0].begin) == "পুতিনের");
  CHECK(m.hits[1].term == "\"উত্তর কোরিয়া\"");
  CHECK(text.substr(m.hits[1].begin, m.hits[1].end - m.hits[1].begin) == "উত্তর কোরি\u09DF\u200Cার");
  CHECK(m.snippet.find("পুতিনের") != std::string::npos);
}

TEST_CASE("hits are found in the title, summary and content", "[watch]") {
  const WatchSet set = from("rules = ['Putin কিম']");
  EntryText e;
  e.title = "PUTIN meets";
  e.summary = "with কিমকে";
  const auto matches = set.match(e);
  REQUIRE(matches.size() == 1);
  REQUIRE(matches[0].hits.size() == 2);
  CHECK(matches[0].hits[0].field == "title");
  CHECK(matches[0].hits[0].begin == 0);
  CHECK(matches[0].hits[0].end == 5);
  CHECK(matches[0].hits[1].field == "summary");
  CHECK(matches[0].snippet == "PUTIN meets");
}

TEST_CASE("inflection-aware terms never match a longer word that only begins with them",
          "[watch]") {
  const WatchSet set = from("rules = ['কিম', 'ঢাকা']");
  CHECK(set.match(content("কিমা দিয়ে শিঙাড়া")).empty());
  CHECK(set.match(content("ঢাকাই জামদানি")).size() == 1);  // ঢাকা + emphatic ই
  CHECK(set.match(content("ঢাকাতেও")).size() == 1);        // তে + ও
  CHECK(set.match(content("ঢাকার")).size() == 1);
}

TEST_CASE("a phrase does not run across the end of a sentence", "[watch]") {
  const WatchSet set = from("rules = ['\"কিম জং\"']");
  CHECK(set.match(content("কিম জং উন")).size() == 1);
  CHECK(set.match(content("এলেন কিম। জং পরে")).empty());
}

TEST_CASE("the first matching rule is reported, and exclude vetoes the list", "[watch]") {
  const WatchSet set = from(R"(
name = "summit"
rules = ["স্যাটেলাইট", "পুতিন"]
exclude = ["খেলা"]
)");
  auto m = set.match(content("পুতিন স্যাটেলাইট নিয়ে বলেন"));
  REQUIRE(m.size() == 1);
  CHECK(m[0].rule == "স্যাটেলাইট");
  CHECK(m[0].watchlist == "summit");
  CHECK(set.match(content("পুতিন খেলা দেখেন")).empty());
  CHECK(set.match(content("পুতিন খেলাটি দেখেন")).empty());
}

TEST_CASE("feeds limits a list to some feed ids or globs", "[watch]") {
  const WatchSet set = from("rules = ['পুতিন']\nfeeds = ['prothomalo-*', 'bbc']");
  EntryText e = content("পুতিন");
  e.feed_id = "prothomalo-world";
  CHECK(set.match(e).size() == 1);
  e.feed_id = "bbc";
  CHECK(set.match(e).size() == 1);
  e.feed_id = "jugantor";
  CHECK(set.match(e).empty());
}

TEST_CASE("a bad watch list names file, line and column", "[watch]") {
  auto set = WatchSet::from_toml("name = \"x\"\nrules = [\n  \"পুতিন AND\",\n]\n", "lists/x.toml");
  REQUIRE_FALSE(set.ok());
  // The rule string starts at column 3; AND ends at rule column 9, the error is at
  // rule column 10, one past the quote: file column 3 + 10.
  CHECK(set.error().message.rfind("lists/x.toml:3:13: bad rule in 'rules'", 0) == 0);
  auto typo = WatchSet::from_toml("rules = ['a']\nexlude = ['b']\n", "t.toml");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().message.find("t.toml:2:1: unknown key 'exlude'") != std::string::npos);
  auto syntax = WatchSet::from_toml("rules = ['a'\n", "s.toml");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.error().message.rfind("s.toml:", 0) == 0);
  CHECK_FALSE(WatchSet::from_toml("name = 'x'\n", "r.toml").ok());
}

TEST_CASE("load_dir reads every list, a bad list keeps its previous rules", "[watch]") {
  TempDir dir("watchset-load");
  dir.write("summit.toml", "rules = ['পুতিন']\n");
  dir.write("cricket.toml", "name = 'খেলা'\ndescription = 'cricket'\nrules = ['ক্রিকেট*']\n");
  dir.write("notes.txt", "not a list");
  std::vector<LoadProblem> problems;
  const WatchSet first = WatchSet::load_dir(dir.path.string(), problems);
  CHECK(problems.empty());
  CHECK(first.list_names() == std::vector<std::string>{"summit", "খেলা"});
  CHECK(first.rule_count() == 2);

  // summit breaks; cricket changes; a new bad list appears.
  dir.write("summit.toml", "rules = ['পুতিন AND']\n");
  dir.write("cricket.toml", "name = 'খেলা'\nrules = ['ফুটবল']\n");
  dir.write("new.toml", "rules = [\n");
  problems.clear();
  const WatchSet second = WatchSet::load_dir(dir.path.string(), problems, &first);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].file.ends_with("new.toml"));
  CHECK(problems[0].message.find("left out") != std::string::npos);
  CHECK(problems[1].file.ends_with("summit.toml"));
  CHECK(problems[1].line == 1);
  CHECK(problems[1].column == 20);
  CHECK(problems[1].message.find("keeping its previous rules") != std::string::npos);
  CHECK(second.list_names() == std::vector<std::string>{"summit", "খেলা"});
  CHECK(second.match(content("পুতিনের বক্তব্য")).size() == 1);  // previous summit rules
  CHECK(second.match(content("ক্রিকেটাররা")).empty());        // the new cricket rules
  CHECK(second.match(content("ফুটবলের খবর")).size() == 1);

  // Without a previous set the bad list is left out.
  problems.clear();
  const WatchSet third = WatchSet::load_dir(dir.path.string(), problems);
  CHECK(third.list_names() == std::vector<std::string>{"খেলা"});
}

TEST_CASE("two files may not give a list the same name", "[watch]") {
  TempDir dir("watchset-names");
  dir.write("a.toml", "name = 'same'\nrules = ['x']\n");
  dir.write("b.toml", "name = 'same'\nrules = ['y']\n");
  std::vector<LoadProblem> problems;
  const WatchSet set = WatchSet::load_dir(dir.path.string(), problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].file.ends_with("b.toml"));
  CHECK(set.list_count() == 1);
}

TEST_CASE("a missing directory is a problem, and keeps the previous set", "[watch]") {
  std::vector<LoadProblem> problems;
  const WatchSet none = WatchSet::load_dir("/nonexistent/khobor-watch", problems);
  REQUIRE(problems.size() == 1);
  CHECK(none.list_count() == 0);
  const WatchSet prev = from("rules = ['পুতিন']");
  const WatchSet kept = WatchSet::load_dir("/nonexistent/khobor-watch", problems, &prev);
  CHECK(kept.list_count() == 1);
}

TEST_CASE("many lists match in name order, one match per list", "[watch]") {
  TempDir dir("watchset-many");
  for (int i = 0; i < 50; ++i) {
    dir.write("l" + std::to_string(100 + i) + ".toml",
              "rules = ['শব্দ" + std::to_string(i) + "', 'সাধারণ']\n");
  }
  std::vector<LoadProblem> problems;
  const WatchSet set = WatchSet::load_dir(dir.path.string(), problems);
  REQUIRE(problems.empty());
  const auto all = set.match(content("সাধারণ কথা"));
  REQUIRE(all.size() == 50);
  CHECK(all.front().watchlist == "l100");
  CHECK(all.back().watchlist == "l149");
  CHECK(set.match(content("শব্দ7")).size() == 1);
}

TEST_CASE("spans are right early and late in a long field with every variant spelling", "[watch]") {
  const WatchSet set = from("rules = ['উৎসব AND রাশিয়া AND Putin']");
  // Variants before, between and after the hits: the spans must still land on
  // the words as written.
  const std::string filler = "রাশি\u09DF\u200Cার কোরি\u09DFা ক\u09C7\u09BE ১৩ ABC Ä\u0323 ";
  std::string text = "উত\u09CD\u200Dসবের আগে ";
  for (int i = 0; i < 200; ++i) {
    text += filler;
  }
  const size_t late = text.size();
  text += "PUTIN’s বক্তব্য";
  EntryText e;
  e.content = text;
  const auto matches = set.match(e);
  REQUIRE(matches.size() == 1);
  const auto& hits = matches[0].hits;
  REQUIRE(hits.size() >= 3);
  CHECK(text.substr(hits.front().begin, hits.front().end - hits.front().begin) ==
        "উত\u09CD\u200Dসবের");
  CHECK(text.substr(hits[1].begin, hits[1].end - hits[1].begin) == "রাশি\u09DF\u200Cার");
  CHECK(hits.back().begin == late);
  CHECK(text.substr(hits.back().begin, hits.back().end - hits.back().begin) == "PUTIN’s");
}

TEST_CASE("two watch sets on one thread never mix up their token lookups", "[watch]") {
  const std::string text = "পুতিনের সঙ্গে কিমের বৈঠক";
  for (int round = 0; round < 3; ++round) {
    const WatchSet a = from("rules = ['পুতিন']");
    const WatchSet b = from("rules = ['কিম']");
    for (int k = 0; k < 2; ++k) {
      const auto ma = a.match(content(text));
      REQUIRE(ma.size() == 1);
      REQUIRE(ma[0].hits.size() == 1);
      CHECK(text.substr(ma[0].hits[0].begin, ma[0].hits[0].end - ma[0].hits[0].begin) == "পুতিনের");
      const auto mb = b.match(content(text));
      REQUIRE(mb.size() == 1);
      REQUIRE(mb[0].hits.size() == 1);
      CHECK(text.substr(mb[0].hits[0].begin, mb[0].hits[0].end - mb[0].hits[0].begin) == "কিমের");
    }
  }  // the sets are freed each round: new ones may reuse their addresses
}

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The hits a one-word rule must give on `line`, found the slow, obvious way:
// every token of the mapped normal form, compared with the word directly.
std::vector<std::pair<uint32_t, uint32_t>> reference_hits(const std::string& line,
                                                          const std::string& word, char kind) {
  const auto mapped = khobor::text::normalize_mapped(line);
  const std::string w = khobor::text::normalize(word);
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const auto& t : khobor::text::tokenize(mapped.text)) {
    bool hit = false;
    if (kind == '=') {
      hit = t.text == w;
    } else if (kind == '*') {
      hit = t.text.starts_with(w);
    } else {
      hit = t.text == w || (t.text.size() > w.size() && t.text.starts_with(w) &&
                            khobor::text::is_ending_chain(t.text.substr(w.size())));
    }
    if (hit) {
      out.emplace_back(mapped.source_offset[t.begin], mapped.source_offset[t.end]);
    }
  }
  return out;
}

}  // namespace

// Longer than 60 lines on purpose: the lines, the rules drawn from their words and
// the comparison with the reference read as one experiment, top to bottom.
TEST_CASE("the matcher's fast lookups give the hits of a plain reference", "[watch][property]") {
  // Lines of the fixture (every variant spelling of the issue is in it) and,
  // when present, of some shared feeds: each line one entry.
  std::vector<std::string> lines;
  auto add_lines = [&](const std::string& text, size_t max) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line) && lines.size() < max) {
      if (!line.empty()) {
        lines.push_back(line);
      }
    }
  };
  add_lines(read_text(std::filesystem::path(KHOBOR_FIXTURES) / "text" / "mixed.txt"), 1000);
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "feeds-bd" / "latest";
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      add_lines(read_text(e.path()), lines.size() + 150);
    }
  } else {
    WARN("the shared feeds are absent: the fixture only");
  }
  // Rule words from the text's own tokens: inflected words, exact words, prefixes.
  std::vector<std::string> vocabulary;
  for (const auto& line : lines) {
    const std::string n = khobor::text::normalize(line);
    for (const auto& t : khobor::text::tokenize(n)) {
      vocabulary.emplace_back(t.text);
    }
  }
  std::sort(vocabulary.begin(), vocabulary.end());
  vocabulary.erase(std::unique(vocabulary.begin(), vocabulary.end()), vocabulary.end());
  REQUIRE(vocabulary.size() > 20);
  size_t compared = 0;
  for (size_t k = 0; k < vocabulary.size(); k += vocabulary.size() / 60 + 1) {
    for (const char kind : {'~', '=', '*'}) {
      std::string word = vocabulary[k];
      if (kind == '*') {
        // the first two or three code points
        size_t cut = 0;
        for (int cp = 0; cp < 3 && cut < word.size(); ++cp) {
          do {
            ++cut;
          } while (cut < word.size() && khobor::utf8::is_continuation(word[cut]));
        }
        word = word.substr(0, cut);
      }
      const std::string rule = (kind == '=' ? "=" : "") + word + (kind == '*' ? "*" : "");
      INFO("rule " << rule);
      auto parsed = WatchSet::from_toml("rules = ['" + rule + "']", "ref.toml");
      if (!parsed.ok()) {
        continue;  // e.g. a word the rule language reads as an operator
      }
      const WatchSet set = std::move(parsed).value();
      for (const auto& line : lines) {
        auto expected = reference_hits(line, word, kind);
        if (expected.size() > 32) {
          expected.resize(32);  // a match reports at most 32 hits
        }
        const auto matches = set.match(content(line));
        std::vector<std::pair<uint32_t, uint32_t>> got;
        for (const auto& m : matches) {
          for (const auto& h : m.hits) {
            got.emplace_back(h.begin, h.end);
          }
        }
        INFO("line " << line);
        REQUIRE(got == expected);
        compared += expected.size();
      }
    }
  }
  CHECK(compared > 50);
}
