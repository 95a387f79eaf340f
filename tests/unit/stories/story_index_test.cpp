// Tests of stories/story_index.h: which entries share a story (copies, summaries,
// templates, numbers), and the window they leave with.
#include "stories/story_index.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "texts.h"

using namespace khobor::stories;
namespace t = khobor::stories::test;

namespace {
const int64_t k_t0 = 1'700'000'000;
const int64_t k_hour = 3600;
}  // namespace

TEST_CASE("a copy under another headline joins the report's story", "[stories]") {
  StoryIndex index;
  const Assignment report =
      index.add("r1", "বাসস", fingerprint(t::k_report_title, "", t::k_report_body), k_t0);
  CHECK(report.is_new);
  CHECK(report.first_entry == "r1");
  const Assignment copy =
      index.add("c1", "সমকাল", fingerprint(t::k_copy_title, "", t::k_copy_body), k_t0 + k_hour);
  CHECK_FALSE(copy.is_new);
  CHECK(copy.story == report.story);
  CHECK(copy.first_entry == "r1");
  CHECK(copy.matched_entry == "r1");
  CHECK(copy.score >= index.options().threshold);
  CHECK(copy.entry_count == 2);
  CHECK(copy.outlet_count == 2);
  CHECK(copy.sources == std::vector<std::string>{"বাসস", "সমকাল"});
  CHECK(copy.first_seen == k_t0);
  CHECK(index.story_count() == 1);
  CHECK(index.entry_count() == 2);
}

TEST_CASE("a short RSS item (title and one sentence) and the full report are one story",
          "[stories]") {
  StoryIndex index;
  const Assignment flash =
      index.add("f1", "ঢাকা পোস্ট", fingerprint(t::k_flash_title, t::k_flash_summary, ""), k_t0);
  const Assignment report = index.add(
      "r1", "বাসস", fingerprint(t::k_report_title, "", t::k_report_body), k_t0 + k_hour / 2);
  CHECK(flash.is_new);
  CHECK_FALSE(report.is_new);
  CHECK(report.story == flash.story);
  CHECK(report.first_entry == "f1");
}

TEST_CASE("another event at the same place in the same template starts its own story",
          "[stories]") {
  StoryIndex index;
  const Assignment report =
      index.add("r1", "বাসস", fingerprint(t::k_report_title, "", t::k_report_body), k_t0);
  const Assignment other =
      index.add("o1", "বাসস", fingerprint(t::k_other_title, "", t::k_other_body), k_t0 + k_hour);
  CHECK(other.is_new);
  CHECK(other.story != report.story);
  CHECK(index.story_count() == 2);
}

TEST_CASE("numbers that disagree keep a daily report apart from the day before's", "[stories]") {
  StoryIndex index;
  const char* day1 =
      "ডেঙ্গুতে একদিনে ১৩ জনের মৃত্যু হয়েছে। একই সময়ে হাসপাতালে ভর্তি হয়েছেন ২২৪২ জন রোগী। "
      "স্বাস্থ্য অধিদপ্তরের নিয়ন্ত্রণকক্ষ জানিয়েছে, এ বছর মোট মৃত্যু ৬৯৬ জন।";
  const char* day2 =
      "ডেঙ্গুতে একদিনে ১৫ জনের মৃত্যু হয়েছে। একই সময়ে হাসপাতালে ভর্তি হয়েছেন ২৪৩৮ জন রোগী। "
      "স্বাস্থ্য অধিদপ্তরের নিয়ন্ত্রণকক্ষ জানিয়েছে, এ বছর মোট মৃত্যু ৭১১ জন।";
  const Assignment a = index.add("d1", "x", fingerprint("ডেঙ্গুতে ১৩ মৃত্যু", "", day1), k_t0);
  const Assignment b =
      index.add("d2", "x", fingerprint("ডেঙ্গুতে ১৫ মৃত্যু", "", day2), k_t0 + 24 * k_hour);
  CHECK(b.is_new);
  CHECK(a.story != b.story);
}

TEST_CASE("stories leave with the window", "[stories]") {
  StoryOptions options;
  options.window_seconds = 10 * k_hour;
  StoryIndex index(options);
  const Fingerprint report = fingerprint(t::k_report_title, "", t::k_report_body);
  const Assignment first = index.add("r1", "a", report, k_t0);
  index.expire(k_t0 + 9 * k_hour);
  CHECK(index.story_count() == 1);
  CHECK(index.lookup(report, k_t0 + 9 * k_hour).has_value());
  index.expire(k_t0 + 11 * k_hour);
  CHECK(index.story_count() == 0);
  CHECK(index.entry_count() == 0);
  CHECK_FALSE(index.lookup(report, k_t0 + 11 * k_hour).has_value());
  const Assignment again = index.add("r2", "a", report, k_t0 + 11 * k_hour);
  CHECK(again.is_new);
  CHECK(again.story != first.story);
}

TEST_CASE("a story stays while a later entry is in the window, with its first entry's facts",
          "[stories]") {
  StoryOptions options;
  options.window_seconds = 10 * k_hour;
  StoryIndex index(options);
  const Fingerprint report = fingerprint(t::k_report_title, "", t::k_report_body);
  const Fingerprint copy = fingerprint(t::k_copy_title, "", t::k_copy_body);
  const Assignment first = index.add("r1", "a", report, k_t0);
  (void)index.add("c1", "b", copy, k_t0 + 8 * k_hour);
  // r1 leaves at t0 + 10 h; c1 keeps the story until t0 + 18 h.
  const Assignment late = index.add("c2", "c", copy, k_t0 + 12 * k_hour);
  CHECK(late.story == first.story);
  CHECK(late.first_entry == "r1");
  CHECK(late.first_seen == k_t0);
  CHECK(late.entry_count == 3);
  CHECK(late.sources == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("lookup answers without adding anything", "[stories]") {
  StoryIndex index;
  const Fingerprint report = fingerprint(t::k_report_title, "", t::k_report_body);
  const Assignment a = index.add("r1", "a", report, k_t0);
  const auto match = index.lookup(fingerprint(t::k_copy_title, "", t::k_copy_body), k_t0 + 1);
  REQUIRE(match.has_value());
  CHECK(match->story == a.story);
  CHECK(match->seq == a.seq);
  CHECK(index.entry_count() == 1);
  CHECK_FALSE(index.lookup(fingerprint(t::k_other_title, "", t::k_other_body), k_t0).has_value());
}

TEST_CASE("an index restored from saved entries answers as the original does", "[stories]") {
  StoryIndex original;
  std::vector<SavedEntry> saved;
  const auto add = [&](const char* id, const char* outlet, const Fingerprint& fp, int64_t time) {
    const Assignment a = original.add(id, outlet, fp, time);
    saved.push_back(SavedEntry{a.seq, a.story, id, outlet, time, fp});
    return a;
  };
  const Assignment r = add("r1", "a", fingerprint(t::k_report_title, "", t::k_report_body), k_t0);
  (void)add("o1", "b", fingerprint(t::k_other_title, "", t::k_other_body), k_t0 + 1);
  (void)add("c1", "c", fingerprint(t::k_copy_title, "", t::k_copy_body), k_t0 + 2);

  StoryIndex restored;
  for (const SavedEntry& e : saved) {
    restored.restore(e);
  }
  CHECK(restored.entry_count() == original.entry_count());
  CHECK(restored.story_count() == original.story_count());
  CHECK(restored.next_seq() == original.next_seq());
  const Fingerprint flash = fingerprint(t::k_flash_title, t::k_flash_summary, "");
  const Assignment x = original.add("f1", "d", flash, k_t0 + 3);
  const Assignment y = restored.add("f1", "d", flash, k_t0 + 3);
  CHECK(y.story == x.story);
  CHECK(y.story == r.story);
  CHECK(y.seq == x.seq);
  CHECK(y.entry_count == x.entry_count);
  CHECK(y.sources == x.sources);
  CHECK(y.first_entry == "r1");
}

TEST_CASE("restore refuses rows out of seq order", "[stories]") {
  StoryIndex index;
  const Fingerprint fp = fingerprint(t::k_report_title, "", t::k_report_body);
  index.restore(SavedEntry{5, 5, "a", "x", k_t0, fp});
  CHECK_THROWS_AS(index.restore(SavedEntry{4, 4, "b", "x", k_t0, fp}), std::invalid_argument);
  CHECK(index.next_seq() == 6);
}

TEST_CASE("memory follows the window: it is given back when entries leave", "[stories]") {
  StoryOptions options;
  options.window_seconds = 1000;
  StoryIndex index(options);
  const auto make = [](int i) {
    Fingerprint fp;
    for (int k = 0; k < 40; ++k) {
      fp.features.push_back(feature_hash("w" + std::to_string(i) + "_" + std::to_string(k), false));
    }
    return fp;
  };
  for (int i = 0; i < 50'000; ++i) {
    (void)index.add("e" + std::to_string(i), "x", make(i), k_t0 + i / 100);
  }
  const std::size_t peak = index.memory_bytes();
  CHECK(index.story_count() == 50'000);
  for (int i = 0; i < 100; ++i) {
    (void)index.add("late" + std::to_string(i), "x", make(100'000 + i), k_t0 + 5000);
  }
  CHECK(index.entry_count() == 100);
  // What stays is the fixed part (the 2 MB of feature counts) and 100 entries.
  CHECK(index.memory_bytes() < peak / 2);
}

TEST_CASE("copies of one text under many feed ids leave the index the size it was", "[stories]") {
  StoryIndex index;
  const Fingerprint fp = fingerprint(t::k_report_title, "", t::k_report_body);
  const Assignment first = index.add("r1", "feed-0", fp, k_t0);
  REQUIRE(first.is_new);
  const std::size_t postings = index.posting_count();
  const std::size_t entries = index.entry_count();
  CHECK(postings > 0);
  // The first copy from each of five feeds gives the story its record (first entry,
  // counts, outlets) and the index the five outlet names.
  for (int i = 1; i <= 5; ++i) {
    REQUIRE(index.add("r1", "feed-" + std::to_string(i % 5), fp, k_t0 + i).copy);
  }
  const std::size_t bytes = index.memory_bytes();
  // 1,000 more copies from the same five feeds: nothing grows.
  for (int i = 6; i <= 1005; ++i) {
    const Assignment c = index.add("r1", "feed-" + std::to_string(i % 5), fp, k_t0 + i);
    REQUIRE(c.copy);
    CHECK(c.story == first.story);
    CHECK(c.seq == first.seq);
    CHECK(c.entry_count == static_cast<uint32_t>(i + 1));
    CHECK(c.outlet_count == 5);
  }
  CHECK(index.posting_count() == postings);
  CHECK(index.entry_count() == entries);
  CHECK(index.story_count() == 1);
  CHECK(index.memory_bytes() == bytes);
  // 500 copies from 500 new feed ids: the story grows by its sources only (two
  // bytes each, plus the outlet names that the index keeps once for all stories).
  for (int i = 0; i < 500; ++i) {
    (void)index.add("r1", "other-feed-" + std::to_string(i), fp, k_t0 + 2000 + i);
  }
  const Assignment last = index.add("r1", "feed-1", fp, k_t0 + 3000);
  CHECK(last.outlet_count == 505);
  CHECK(last.sources.size() == k_max_sources);  // the first ones; outlet_count has them all
  CHECK(last.sources.front() == "feed-0");
  CHECK(last.entry_count == 1507);
  CHECK(index.posting_count() == postings);
  CHECK(index.entry_count() == entries);
}

TEST_CASE("a rewrite is indexed, only a near-exact copy is folded", "[stories]") {
  StoryIndex index;
  const Assignment report =
      index.add("r1", "a", fingerprint(t::k_report_title, "", t::k_report_body), k_t0);
  const std::size_t postings = index.posting_count();
  const Assignment version =
      index.add("c1", "b", fingerprint(t::k_copy_title, "", t::k_copy_body), k_t0 + 10);
  CHECK(version.story == report.story);
  CHECK_FALSE(version.copy);
  CHECK(index.entry_count() == 2);
  CHECK(index.posting_count() > postings);
}

TEST_CASE("restored stories take their copies back as counts, not as entries", "[stories]") {
  StoryIndex original;
  const Fingerprint fp = fingerprint(t::k_report_title, "", t::k_report_body);
  const Assignment first = original.add("r1", "feed-0", fp, k_t0);
  for (int i = 1; i <= 300; ++i) {
    (void)original.add("r1", "feed-" + std::to_string(i % 3), fp, k_t0 + i);
  }
  // What a caller saves: the indexed entry, and (story, outlet, count) of the copies.
  StoryIndex restored;
  restored.restore(SavedEntry{first.seq, first.story, "r1", "feed-0", k_t0, fp});
  CHECK(restored.restore_copies(first.story, "feed-1", 100));
  CHECK(restored.restore_copies(first.story, "feed-2", 100));
  CHECK(restored.restore_copies(first.story, "feed-0", 100));
  CHECK_FALSE(restored.restore_copies(first.story + 7, "feed-0", 5));  // not in the window
  CHECK(restored.entry_count() == 1);
  CHECK(restored.posting_count() == original.posting_count());
  const Assignment x = original.add("r1", "feed-9", fp, k_t0 + 400);
  const Assignment y = restored.add("r1", "feed-9", fp, k_t0 + 400);
  CHECK(y.copy);
  CHECK(y.story == x.story);
  CHECK(y.entry_count == x.entry_count);
  CHECK(y.outlet_count == x.outlet_count);
  CHECK(y.sources == x.sources);
}
