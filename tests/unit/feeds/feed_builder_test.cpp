// FeedBuilder's identity rules: the hash set that finds repeated guids must agree
// with an exact count, whatever the guids look like.
#include "feeds/feed_builder.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using khobor::feeds::Entry;
using khobor::feeds::ParsedFeed;
using khobor::feeds::ParseOptions;
using khobor::feeds::detail::FeedBuilder;

namespace {

const std::string* repeat_warning(const ParsedFeed& feed) {
  for (const auto& w : feed.warnings) {
    if (w.find("' repeats ") != std::string::npos) {
      return &w;
    }
  }
  return nullptr;
}

}  // namespace

// Longer than 60 lines on purpose: the generator, the plain count and the
// builder's verdict on one random document sit together, so a failing seed reads
// as one story.
TEST_CASE("Repeated guids are found exactly as a full count finds them", "[feeds][identity]") {
  // Guid shapes that defeat a sampling key: equal length, equal start, middle and
  // end, differing elsewhere; plus URLs, short numbers and placeholders. Some
  // documents repeat one guid, some none.
  uint64_t state = 0xD1B54A32D192ED03ULL;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  auto make_guid = [&](size_t shape, size_t i) {
    switch (shape) {
      case 0:
        return "https://example.com/news/" + std::to_string(i) + ".html";
      case 1: {
        // 40 bytes, sampled bytes (0-7, 16-23, 32-39) all alike: the differing
        // digits sit at 8-15 and 24-31.
        std::string g =
            "AAAAAAAA" + std::string(8, 'x') + "BBBBBBBB" + std::string(8, 'y') + "CCCCCCCC";
        std::string n = std::to_string(i);
        for (size_t k = 0; k < n.size() && k < 8; ++k) {
          g[8 + k] = n[k];
          g[24 + k] = n[n.size() - 1 - k];
        }
        return g;
      }
      case 2:
        return std::to_string(i);
      default:
        return std::string(i % 7 == 0 ? "null" : "tag:example.com,2026:" + std::to_string(i));
    }
  };
  size_t repeating_docs = 0;
  for (int doc = 0; doc < 400; ++doc) {
    const ParseOptions options;
    FeedBuilder b(options);
    const size_t n = 1 + next(300);
    const size_t shape = next(4);
    const bool repeat = next(2) == 0;
    std::map<std::string, size_t> counts;
    for (size_t i = 0; i < n; ++i) {
      std::string guid = make_guid(shape, i);
      if (repeat && next(50) == 0) {
        guid = make_guid(shape, next(i + 1));  // an earlier (or this) entry's guid
      }
      Entry e;
      e.title = "entry " + std::to_string(i);
      e.link = "https://example.com/e/" + std::to_string(i);
      if (guid != "null") {
        ++counts[guid];
      }
      b.add_entry(std::move(e), std::move(guid), false);
    }
    size_t max_times = 0;
    for (const auto& [guid, times] : counts) {
      max_times = std::max(max_times, times);
    }
    ParsedFeed feed = b.finish();
    INFO("doc " << doc << " shape " << shape << " entries " << n);
    const std::string* w = repeat_warning(feed);
    if (max_times > 1) {
      ++repeating_docs;
      REQUIRE(w != nullptr);
      CHECK(w->find("' repeats " + std::to_string(max_times) + " times") != std::string::npos);
      // Every id falls back to the link.
      for (size_t i = 0; i < feed.entries.size(); ++i) {
        CHECK(feed.entries[i].id == "https://example.com/e/" + std::to_string(i));
      }
    } else {
      CHECK(w == nullptr);
    }
  }
  CHECK(repeating_docs > 50);
}
