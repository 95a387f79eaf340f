// The event level: rewrites by other outlets join one event, an entry that joins a
// story brings its story's event, an outlet's template the next day opens a new
// event, restore() gives back the same decisions, and explanations name features.
// The texts are written for these tests.
#include "stories/events.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "stories/cluster.h"

using namespace khobor::stories;

namespace {

constexpr int64_t k_t0 = 1'750'000'000;

ClusterRecord record(const char* id, const char* outlet, int64_t time, const char* title,
                     const char* summary) {
  ClusterRecord r;
  r.id = id;
  r.outlet = outlet;
  r.published = time;
  r.title = title;
  r.summary = summary;
  return r;
}

// Three newsrooms' own reports of one bridge opening, a copy of the first, and the
// next day's related but different happening (a toll decision on the same bridge).
const ClusterRecord k_first =
    record("a1", "alo", k_t0, "কর্ণফুলী নদীর ওপর নতুন সেতু উদ্বোধন করলেন প্রধানমন্ত্রী",
           "চট্টগ্রামের কর্ণফুলী নদীর ওপর নির্মিত ১ দশমিক ২ কিলোমিটার দীর্ঘ ছয় লেনের সেতু বুধবার উদ্বোধন "
           "করেছেন প্রধানমন্ত্রী। সেতুটি নির্মাণে ব্যয় হয়েছে ২ হাজার ৪০০ কোটি টাকা।");
const ClusterRecord k_second =
    record("b1", "kantha", k_t0 + 2 * 3600, "দক্ষিণ চট্টগ্রামের অপেক্ষার অবসান, চালু হলো কর্ণফুলী সেতু",
           "দীর্ঘ প্রতীক্ষার পর বুধবার দুপুরে ফিতা কেটে কর্ণফুলী সেতু খুলে দিলেন প্রধানমন্ত্রী। ছয় লেনের এই "
           "সেতুতে খরচ হয়েছে ২ হাজার ৪০০ কোটি টাকা।");
const ClusterRecord k_third =
    record("c1", "chobbish", k_t0 + 3 * 3600,
           "২ হাজার ৪০০ কোটি টাকার কর্ণফুলী সেতু উদ্বোধন, কাল থেকে যান চলাচল",
           "সরকারপ্রধান বুধবার চট্টগ্রামে আনুষ্ঠানিকভাবে সেতুটির উদ্বোধন করেন। আগামীকাল ভোর থেকে বাস ও "
           "ট্রাক চলবে বলে জানিয়েছে সড়ক বিভাগ।");
const ClusterRecord k_copy =
    record("d1", "desh", k_t0 + 4 * 3600, "কর্ণফুলী নদীর ওপর নতুন সেতু উদ্বোধন করলেন প্রধানমন্ত্রী",
           "চট্টগ্রামের কর্ণফুলী নদীর ওপর নির্মিত ১ দশমিক ২ কিলোমিটার দীর্ঘ ছয় লেনের সেতু বুধবার উদ্বোধন "
           "করেছেন প্রধানমন্ত্রী। সেতুটি নির্মাণে ব্যয় হয়েছে ২ হাজার ৪০০ কোটি টাকা।");
const ClusterRecord k_toll =
    record("e1", "desh", k_t0 + 30 * 3600, "কর্ণফুলী সেতুতে টোল নির্ধারণ, গাড়িপ্রতি ৭৫ টাকা",
           "সড়ক পরিবহন মন্ত্রণালয় কর্ণফুলী সেতুর টোলহার ঠিক করেছে। বাসে ২৫০ টাকা ও ট্রাকে ৪০০ টাকা টোল "
           "দিতে হবে বলে প্রজ্ঞাপনে জানানো হয়েছে।");

}  // namespace

TEST_CASE("three outlets' own reports of one happening are one event, a copy comes by story",
          "[stories][events]") {
  Clusterer c;
  const Placement first = c.place(k_first);
  const Placement second = c.place(k_second);
  const Placement third = c.place(k_third);
  CHECK(first.event.is_new);
  CHECK(second.story.is_new);
  CHECK(third.story.is_new);
  CHECK(second.event.event == first.event.event);
  CHECK(third.event.event == first.event.event);
  CHECK(third.event.outlet_count == 3);
  CHECK(third.event.story_count == 3);

  EventExplanation why;
  const Placement copy = c.place(k_copy, &why);
  CHECK(copy.story.story == first.story.story);
  CHECK(copy.event.event == first.event.event);
  CHECK(why.via_story);
  CHECK(copy.event.entry_count == 4);
  CHECK(copy.event.sources == std::vector<std::string>{"alo", "kantha", "chobbish", "desh"});

  const Placement toll = c.place(k_toll);
  CHECK(toll.event.is_new);
  CHECK(toll.event.event != first.event.event);
}

TEST_CASE("an explanation names the best candidate's features and probability",
          "[stories][events]") {
  Clusterer c;
  (void)c.place(k_first);
  EventExplanation why;
  const Placement second = c.place(k_second, &why);
  REQUIRE_FALSE(why.via_story);
  REQUIRE_FALSE(why.candidates.empty());
  const EventCandidate& best = why.candidates.front();
  CHECK(best.event == second.event.event);
  CHECK(best.probability == Approx(second.event.probability));
  CHECK(best.features[1] > 0.0);  // cos_all: they share words
  CHECK(std::string(k_event_feature_names[8]) == "same_outlet");
  CHECK(best.features[8] == 0.0);  // another outlet
  const std::string line = explain_json_line(k_second, second, why, 0.5);
  CHECK(line.find("\"decision\":\"join\"") != std::string::npos);
  CHECK(line.find("\"cos_title\"") != std::string::npos);
}

TEST_CASE("an outlet's look-alike a day later is never in its earlier event", "[stories][events]") {
  EventIndex events;
  StoryIndex stories;
  const auto add = [&](const ClusterRecord& r, const char* outlet, int64_t time) {
    const Fingerprint fp = fingerprint(r.title, r.summary, r.body);
    return events.add(stories.add(r.id, outlet, fp, time), outlet, fp, time);
  };
  const EventAssignment today = add(k_first, "alo", k_t0);
  // The same outlet with the same text 20 hours later (a template, or a repeat).
  const EventAssignment tomorrow = add(k_second, "alo", k_t0 + 20 * 3600);
  CHECK(tomorrow.event != today.event);
  // Another outlet at that time still may join.
  const EventAssignment other = add(k_third, "chobbish", k_t0 + 20 * 3600 + 60);
  CHECK_FALSE(other.is_new);
}

TEST_CASE("restore() gives an index that decides as the one that was never stopped",
          "[stories][events]") {
  StoryIndex stories_a;
  EventIndex events_a;
  std::vector<SavedEntry> saved_stories;
  std::vector<SavedEventEntry> saved_events;
  const auto add = [&](const ClusterRecord& r) {
    const Fingerprint fp = fingerprint(r.title, r.summary, r.body);
    const Assignment s = stories_a.add(r.id, r.outlet, fp, *r.published);
    const EventAssignment e = events_a.add(s, r.outlet, fp, *r.published);
    saved_stories.push_back({s.seq, s.story, r.id, r.outlet, *r.published, fp});
    saved_events.push_back({s.story, e.event, r.outlet, *r.published, fp});
    return e;
  };
  const EventAssignment first = add(k_first);
  (void)add(k_second);

  StoryIndex stories_b;
  EventIndex events_b;
  for (std::size_t i = 0; i < saved_stories.size(); ++i) {
    stories_b.restore(saved_stories[i]);
    events_b.restore(saved_events[i]);
  }
  CHECK(events_b.event_count() == events_a.event_count());
  const Fingerprint fp = fingerprint(k_third.title, k_third.summary, "");
  const auto a = events_a.candidates(k_third.outlet, fp, *k_third.published);
  const auto b = events_b.candidates(k_third.outlet, fp, *k_third.published);
  REQUIRE(a.size() == b.size());
  REQUIRE_FALSE(a.empty());
  CHECK(b.front().event == first.event);
  CHECK(b.front().probability == Approx(a.front().probability));
  const Assignment s = stories_b.add(k_third.id, k_third.outlet, fp, *k_third.published);
  const EventAssignment e = events_b.add(s, k_third.outlet, fp, *k_third.published);
  CHECK(e.event == first.event);
  CHECK(e.outlet_count == 3);
}

TEST_CASE("events close after the window and their ids are never reused", "[stories][events]") {
  Clusterer c;
  const Placement first = c.place(k_first);
  ClusterRecord late = k_second;
  late.published = k_t0 + 5 * 86400;  // far outside the 24 h window
  const Placement second = c.place(late);
  CHECK(second.event.is_new);
  CHECK(second.event.event > first.event.event);
  CHECK(c.events().event_count() == 1);
}

TEST_CASE("restore_copies() gives an event back the copies the story index folded in",
          "[stories][events]") {
  StoryIndex stories_a;
  EventIndex events_a;
  std::vector<SavedEntry> saved_stories;
  std::vector<SavedEventEntry> saved_events;
  uint64_t copy_story = 0;
  for (const ClusterRecord* r : {&k_first, &k_second, &k_copy}) {
    const Fingerprint fp = fingerprint(r->title, r->summary, r->body);
    const Assignment s = stories_a.add(r->id, r->outlet, fp, *r->published);
    const EventAssignment e = events_a.add(s, r->outlet, fp, *r->published);
    if (s.copy) {
      copy_story = s.story;  // the daemon saves only (story, outlet) for a copy
    } else {
      saved_stories.push_back({s.seq, s.story, r->id, r->outlet, *r->published, fp});
      saved_events.push_back({s.story, e.event, r->outlet, *r->published, fp});
    }
  }
  REQUIRE(saved_stories.size() == 2);  // k_copy is a near-exact copy of k_first

  StoryIndex stories_b;
  EventIndex events_b;
  for (std::size_t i = 0; i < saved_stories.size(); ++i) {
    stories_b.restore(saved_stories[i]);
    events_b.restore(saved_events[i]);
  }
  REQUIRE(stories_b.restore_copies(copy_story, k_copy.outlet, 1));
  CHECK(events_b.restore_copies(copy_story, k_copy.outlet, 1));
  CHECK_FALSE(events_b.restore_copies(copy_story + 999, k_copy.outlet, 1));  // no such story

  const Fingerprint fp = fingerprint(k_third.title, k_third.summary, "");
  const Assignment sa = stories_a.add(k_third.id, k_third.outlet, fp, *k_third.published);
  const EventAssignment ea = events_a.add(sa, k_third.outlet, fp, *k_third.published);
  const Assignment sb = stories_b.add(k_third.id, k_third.outlet, fp, *k_third.published);
  const EventAssignment eb = events_b.add(sb, k_third.outlet, fp, *k_third.published);
  CHECK(eb.event == ea.event);
  CHECK(eb.entry_count == ea.entry_count);
  CHECK(eb.outlet_count == ea.outlet_count);
  CHECK(eb.outlet_count == 4);
}

namespace {

// A stream where events overlap: each entry takes 12 features of one of 100 topics
// (20 each: its headline) and 18 of a shared vocabulary of 3,000 words (numbers
// among them), a tenth repeat a feature (a fingerprint built by hand may), and 50 h
// pass (events close).
std::vector<Fingerprint> topic_stream(std::size_t n) {
  std::mt19937 rng(11);
  std::vector<Fingerprint> out;
  for (std::size_t i = 0; i < n; ++i) {
    Fingerprint fp;
    const uint32_t topic = static_cast<uint32_t>(rng() % 100);
    for (uint32_t k = 0; k < 12; ++k) {
      fp.features.push_back((topic * 40 + static_cast<uint32_t>(rng() % 20) + 1) * 2654435761U);
    }
    for (uint32_t k = 0; k < 18; ++k) {
      fp.features.push_back((static_cast<uint32_t>(rng() % 3000) + 10'000) * 2246822519U);
    }
    if (i % 10 != 3) {
      for (std::size_t k = 1; k < fp.features.size(); ++k) {
        const auto first = fp.features.begin();
        if (std::find(first, first + static_cast<std::ptrdiff_t>(k), fp.features[k]) !=
            first + static_cast<std::ptrdiff_t>(k)) {
          fp.features.erase(first + static_cast<std::ptrdiff_t>(k--));
        }
      }
    }
    fp.title_features = static_cast<uint8_t>(6 + rng() % 6);
    out.push_back(fp);
  }
  return out;
}

}  // namespace

TEST_CASE("an event of one member kept compact scores and decides as its full aggregate",
          "[stories][events]") {
  EventOptions reference_options;
  reference_options.compact_singletons = false;
  StoryIndex stories;
  EventIndex compact;
  EventIndex reference(reference_options);
  const char* outlets[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
  std::size_t scored = 0;
  std::size_t joined = 0;
  const std::vector<Fingerprint> stream = topic_stream(3000);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    const Fingerprint& fp = stream[i];
    const int64_t t = k_t0 + static_cast<int64_t>(i) * 60;
    const char* outlet = outlets[i % 8];
    const auto want = reference.candidates(outlet, fp, t);
    const auto got = compact.candidates(outlet, fp, t);
    REQUIRE(got.size() == want.size());
    for (std::size_t k = 0; k < got.size(); ++k) {
      REQUIRE(got[k].event == want[k].event);
      for (std::size_t j = 0; j < k_event_feature_count; ++j) {
        REQUIRE(got[k].features[j] == Approx(want[k].features[j]).margin(1e-9));
      }
      ++scored;
    }
    const Assignment s = stories.add("e" + std::to_string(i), outlet, fp, t);
    const EventAssignment a = compact.add(s, outlet, fp, t);
    const EventAssignment b = reference.add(s, outlet, fp, t);
    REQUIRE(a.event == b.event);
    REQUIRE(a.is_new == b.is_new);
    REQUIRE(a.entry_count == b.entry_count);
    REQUIRE(a.story_count == b.story_count);
    REQUIRE(a.sources == b.sources);
    joined += a.is_new ? 0 : 1;
  }
  CHECK(scored > 10'000);  // the stream does exercise the scoring
  CHECK(joined > 300);     // and events of several members (promoted from one)
  CHECK(compact.event_count() == reference.event_count());
  CHECK(compact.memory_bytes() < reference.memory_bytes());
}

TEST_CASE("events closing as the window moves free their slots for new ones, found by id",
          "[stories][events]") {
  // 20,000 entries 20 s apart (111 h: the 36 h window turns three times over), each
  // with features of its own, so each opens an event; every 7th instead joins the
  // story of the entry 100 before, which the index must find by id while the
  // events around it close.
  EventIndex events;
  std::size_t peak_bytes = 0;
  for (uint64_t i = 0; i < 20'000; ++i) {
    Fingerprint fp;
    for (uint32_t k = 0; k < 24; ++k) {
      fp.features.push_back(static_cast<uint32_t>((i * 24 + k + 1) * 2654435761ULL));
    }
    fp.title_features = 8;
    Assignment s;
    s.story = 1'000 + i;
    if (i % 7 == 0 && i >= 100) {
      s.story = 1'000 + i - 100;
      s.is_new = false;
    }
    const int64_t t = k_t0 + static_cast<int64_t>(i) * 20;
    const EventAssignment a = events.add(s, "o" + std::to_string(i % 5), fp, t);
    REQUIRE(a.event == s.story);
    REQUIRE(a.is_new == s.is_new);
    REQUIRE(a.entry_count == (s.is_new ? 1U : 2U));
    REQUIRE(events.event_count() <= 36 * 180 + 1);
    if (i == 7'000) {
      peak_bytes = events.memory_bytes();
    }
  }
  // Slots and the id map were reused, not grown, as the window moved.
  CHECK(events.memory_bytes() < peak_bytes * 11 / 10);
  events.expire(k_t0 + 20'000 * 20 + 37 * 3600);
  CHECK(events.event_count() == 0);
}

TEST_CASE("count_background() counts words for IDF and opens no event", "[stories][events]") {
  const Fingerprint first = fingerprint(k_first.title, k_first.summary, "");
  const Fingerprint second = fingerprint(k_second.title, k_second.summary, "");
  // The same report as background only: nothing to join, no event open.
  EventIndex background;
  background.count_background(first, k_t0);
  CHECK(background.event_count() == 0);
  CHECK(background.candidates("kantha", first, k_t0 + 60).empty());
  // With the first report as an event, the background copies of the bridge story make
  // its words common, so the second report scores lower than without them.
  EventIndex plain;
  plain.add_labelled(1, 1, "alo", first, k_t0);
  for (int i = 0; i < 50; ++i) {
    background.count_background(first, k_t0);
  }
  background.add_labelled(1, 1, "alo", first, k_t0);
  CHECK(background.event_count() == 1);
  const auto with = background.candidates("kantha", second, k_t0 + 2 * 3600);
  const auto without = plain.candidates("kantha", second, k_t0 + 2 * 3600);
  REQUIRE(with.size() == 1);
  REQUIRE(without.size() == 1);
  CHECK(with.front().event == 1);
  CHECK(with.front().probability < without.front().probability);
}
