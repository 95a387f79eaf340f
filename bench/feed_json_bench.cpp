// feed_json_bench — writing `khobor parse`'s JSON, four ways, over the same parsed
// feeds: the nlohmann::json tree per feed, dumped (what `khobor parse` did before);
// nlohmann's serializer without the tree per feed — a tree per entry, or one
// json string value per string; and the streaming writer `khobor parse` uses now
// (feeds/feed_json.h). All four give the same bytes (checked here, and in
// tests/unit/feeds/feed_json_test.cpp). Prints, per way, the time per pass over
// all the feeds and MB/s of JSON written, by CPU time, medians of 5 measurements of
// at least 1 s each; the parse itself is not timed.
//
// usage: feed_json_bench [DIR...] (default ../shared/data/feeds-bd)
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/dates.h"
#include "feeds/feed_json.h"
#include "feeds/parser.h"
#include "tests/support/feed_json_tree.h"

namespace {

using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::testing::entry_tree;
using khobor::testing::feed_tree;
using nlohmann::json;

struct Feed {
  std::string source;
  ParsedFeed parsed;
};

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// 1. The tree per feed, dumped.
void tree_per_feed(std::string& out, const Feed& f) {
  out += dump(feed_tree(f.source, f.parsed));
}

// The feed's frame by hand around `entries` (sorted keys, as the tree has them).
template <typename WriteEntry>
void frame(std::string& out, const Feed& f,
           const std::function<std::string(const std::string&)>& str, WriteEntry&& write_entry) {
  const ParsedFeed& p = f.parsed;
  out += "{\"bozo\":";
  out += p.bozo ? "true" : "false";
  out += ",\"encoding\":" + str(p.encoding) + ",\"entries\":[";
  for (size_t i = 0; i < p.entries.size(); ++i) {
    out += i == 0 ? "" : ",";
    write_entry(p.entries[i]);
  }
  out += "],\"format\":" + str(p.format) + ",\"link\":" + str(p.link) +
         ",\"source\":" + str(f.source) + ",\"title\":" + str(p.title) + ",\"warnings\":[";
  for (size_t i = 0; i < p.warnings.size(); ++i) {
    out += (i == 0 ? "" : ",") + str(p.warnings[i]);
  }
  out += "]}";
}

std::string nlohmann_string(const std::string& s) {
  return dump(json(s));
}

// 2. nlohmann's serializer on a tree per entry.
void tree_per_entry(std::string& out, const Feed& f) {
  frame(out, f, nlohmann_string, [&](const Entry& e) { out += dump(entry_tree(e)); });
}

// 3. nlohmann's serializer on one string value at a time.
void string_values(std::string& out, const Feed& f) {
  auto list = [&](const std::vector<std::string>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      out += (i == 0 ? "" : ",") + nlohmann_string(v[i]);
    }
    out += ']';
  };
  auto date = [&](const std::optional<int64_t>& t) {
    out += t ? "\"" + khobor::feeds::format_rfc3339(*t) + "\"" : std::string("null");
  };
  frame(out, f, nlohmann_string, [&](const Entry& e) {
    out += "{\"authors\":";
    list(e.authors);
    out += ",\"categories\":";
    list(e.categories);
    out += ",\"content\":" + nlohmann_string(e.content) + ",\"enclosures\":[";
    for (size_t i = 0; i < e.enclosures.size(); ++i) {
      const auto& x = e.enclosures[i];
      out += (i == 0 ? "{\"length\":" : ",{\"length\":") + std::to_string(x.length) +
             ",\"type\":" + nlohmann_string(x.type) + ",\"url\":" + nlohmann_string(x.url) + "}";
    }
    out += "],\"id\":" + nlohmann_string(e.id) + ",\"link\":" + nlohmann_string(e.link) +
           ",\"published\":";
    date(e.published);
    out += ",\"summary\":" + nlohmann_string(e.summary);
    if (!e.thumbnail.empty()) {
      out += ",\"thumbnail\":" + nlohmann_string(e.thumbnail);
    }
    out += ",\"title\":" + nlohmann_string(e.title) + ",\"updated\":";
    date(e.updated);
    out += '}';
  });
}

// 4. The streaming writer.
void streaming(std::string& out, const Feed& f) {
  khobor::feeds::append_feed_json(out, f.source, f.parsed);
}

std::string pass(const std::vector<Feed>& feeds, void (*way)(std::string&, const Feed&)) {
  std::string out;
  for (const auto& f : feeds) {
    way(out, f);
    out += '\n';
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> dirs(argv + 1, argv + argc);
  if (dirs.empty()) {
    dirs.emplace_back("../shared/data/feeds-bd");
  }
  std::vector<Feed> feeds;
  size_t input_bytes = 0;
  for (const auto& dir : dirs) {
    for (const auto& de : std::filesystem::recursive_directory_iterator(dir)) {
      if (!de.is_regular_file()) {
        continue;
      }
      std::ifstream in(de.path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      const std::string bytes = std::move(ss).str();
      auto parsed = khobor::feeds::parse_feed(bytes, {});
      if (parsed) {
        input_bytes += bytes.size();
        feeds.push_back({de.path().string(), std::move(*parsed)});
      }
    }
  }
  if (feeds.empty()) {
    std::fprintf(stderr, "feed_json_bench: no feeds under the given directories\n");
    return 1;
  }
  struct Way {
    const char* name;
    void (*write)(std::string&, const Feed&);
  };
  const Way ways[] = {{"nlohmann tree per feed (before)", tree_per_feed},
                      {"nlohmann tree per entry", tree_per_entry},
                      {"nlohmann per string value", string_values},
                      {"streaming writer (now)", streaming}};
  const std::string reference = pass(feeds, tree_per_feed);
  std::printf("%zu feeds, %.2f MB of feeds, %.2f MB of JSON\n", feeds.size(), input_bytes / 1e6,
              reference.size() / 1e6);
  std::printf("%-34s %12s %12s %10s\n", "way", "ms per pass", "JSON MB/s", "same bytes");
  for (const auto& way : ways) {
    const bool same = pass(feeds, way.write) == reference;
    std::vector<double> per_pass;
    for (int m = 0; m < 5; ++m) {
      int n = 0;
      const double start = cpu_seconds();
      double now = start;
      while (now - start < 1.0) {
        std::string out = pass(feeds, way.write);
        ++n;
        now = cpu_seconds();
      }
      per_pass.push_back((now - start) / n);
    }
    std::sort(per_pass.begin(), per_pass.end());
    const double t = per_pass[per_pass.size() / 2];
    std::printf("%-34s %12.2f %12.0f %10s\n", way.name, t * 1e3, reference.size() / 1e6 / t,
                same ? "yes" : "NO");
  }
  return 0;
}
