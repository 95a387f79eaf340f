// Rewrites that must join their event and look-alikes that must not, written for
// this test (not taken from the shared data): each entry is a title and a
// two-sentence summary, as an RSS item has. docs/stories.md ("Loose rewrites")
// gives the scores and the rewrites the index does not group.
#include <catch2/catch.hpp>
#include <string>

#include "stories/cluster.h"
#include "stories/fingerprint.h"
#include "stories/story_index.h"

using namespace khobor::stories;

namespace {

struct Item {
  const char* id;
  int64_t time;
  const char* title;
  const char* summary;
};

const Item k_flood_report = {
    "flood-a", 1700000000, "সিলেটে বন্যায় পানিবন্দি আড়াই লাখ মানুষ, খোলা হয়েছে ৩২০টি আশ্রয়কেন্দ্র",
    "টানা ভারী বৃষ্টি ও ভারতের মেঘালয় থেকে নেমে আসা পাহাড়ি ঢলে সিলেটের কোম্পানীগঞ্জ, গোয়াইনঘাট ও "
    "জৈন্তাপুর উপজেলার নিম্নাঞ্চল প্লাবিত হয়েছে। জেলা প্রশাসন জানিয়েছে, সুরমা নদীর পানি কানাইঘাট পয়েন্টে "
    "বিপৎসীমার ৮৫ সেন্টিমিটার ওপর দিয়ে প্রবাহিত হচ্ছে।"};
const Item k_flood_rewrite = {
    "flood-b", 1700003600,
    "পাহাড়ি ঢলে ডুবেছে সিলেটের তিন উপজেলা, সুরমার পানি বিপৎসীমার ৮৫ সেন্টিমিটার ওপরে",
    "মেঘালয়ে অতিবৃষ্টির ফলে নেমে আসা ঢলে গোয়াইনঘাট, কোম্পানীগঞ্জ ও জৈন্তাপুরে আড়াই লাখের বেশি মানুষ "
    "পানিবন্দি হয়ে পড়েছেন। তাঁদের জন্য ৩২০টি আশ্রয়কেন্দ্র প্রস্তুত রেখেছে জেলা প্রশাসন।"};
const Item k_lightning = {"flood-neg", 1700010000, "সিলেটে বজ্রপাতে দুই কৃষকের মৃত্যু",
                          "গোয়াইনঘাট উপজেলার হাওরে ধান কাটার সময় বজ্রপাতে দুই কৃষক নিহত হয়েছেন। জেলা "
                          "প্রশাসন নিহতদের পরিবারকে ২০ হাজার টাকা করে সহায়তা দিয়েছে।"};
const Item k_rate_report = {
    "rate-a", 1700200000, "নীতি সুদহার বাড়িয়ে ৯ শতাংশ করল বাংলাদেশ ব্যাংক",
    "মূল্যস্ফীতি নিয়ন্ত্রণে নীতি সুদহার ৫০ ভিত্তি পয়েন্ট বাড়িয়েছে কেন্দ্রীয় ব্যাংক। রোববার মুদ্রানীতি ঘোষণা করে "
    "গভর্নর বলেন, মূল্যস্ফীতি ৭ শতাংশে না নামা পর্যন্ত কঠোর অবস্থান থাকবে।"};
const Item k_rate_rewrite = {
    "rate-b", 1700203000, "মূল্যস্ফীতি ঠেকাতে আবার সুদহার বাড়াল কেন্দ্রীয় ব্যাংক",
    "বাংলাদেশ ব্যাংকের নতুন মুদ্রানীতিতে নীতি সুদহার সাড়ে ৮ থেকে বেড়ে ৯ শতাংশ হয়েছে। গভর্নর জানান, "
    "মূল্যস্ফীতি ৭ শতাংশের নিচে না আসা পর্যন্ত এ নীতি চলবে।"};
const Item k_reserves = {"rate-neg", 1700220000, "বাংলাদেশ ব্যাংকের রিজার্ভ কমে ১৯ বিলিয়ন ডলার",
                         "আমদানি দায় মেটাতে ডলার বিক্রি অব্যাহত থাকায় কেন্দ্রীয় ব্যাংকের রিজার্ভ কমেছে। "
                         "গভর্নর বলেন, রপ্তানি ও প্রবাসী আয় বাড়লে রিজার্ভ আবার বাড়বে।"};
const Item k_first_odi = {
    "odi-a", 1700020000, "জিম্বাবুয়েকে ৭ উইকেটে হারাল বাংলাদেশ, সিরিজে ১-০",
    "চট্টগ্রামের জহুর আহমেদ চৌধুরী স্টেডিয়ামে প্রথমে ব্যাট করে জিম্বাবুয়ে ২১৮ রানে অলআউট হয়। জবাবে লিটন "
    "দাসের ৮৬ রানের ইনিংসে ৪৩ ওভারেই লক্ষ্যে পৌঁছায় স্বাগতিকেরা।"};
const Item k_second_odi = {"odi-neg", 1700190000,
                           "দ্বিতীয় ওয়ানডেতে জিম্বাবুয়ের কাছে হারল বাংলাদেশ, সিরিজে ১-১",
                           "চট্টগ্রামে আগে ব্যাট করে জিম্বাবুয়ে তোলে ২৭১ রান। জবাবে ২৩৫ রানে থেমে যায় "
                           "বাংলাদেশের ইনিংস; লিটন দাস করেন ১৪ রান।"};

// The entry through both levels, as the daemon meets it.
Placement place(Clusterer& c, const Item& item, const char* outlet) {
  ClusterRecord r;
  r.id = item.id;
  r.title = item.title;
  r.summary = item.summary;
  r.outlet = outlet;
  r.published = item.time;
  return c.place(r);
}

}  // namespace

TEST_CASE("a rewrite with other words and the same facts joins the report's event", "[stories]") {
  Clusterer c;
  const Placement flood = place(c, k_flood_report, "a");
  const Placement flood_rewrite = place(c, k_flood_rewrite, "b");
  CHECK(flood_rewrite.story.is_new);                      // not a copy: its own story …
  CHECK(flood_rewrite.event.event == flood.event.event);  // … of the same event
  CHECK_FALSE(flood_rewrite.event.is_new);
  CHECK(flood_rewrite.event.probability >= EventOptions{}.model.threshold);
  CHECK(flood_rewrite.event.outlet_count == 2);

  const Placement rate = place(c, k_rate_report, "a");
  const Placement rate_rewrite = place(c, k_rate_rewrite, "c");
  CHECK(rate_rewrite.event.event == rate.event.event);
  CHECK(rate.event.event != flood.event.event);
}

TEST_CASE("the same place, people or institution in another event opens its own event",
          "[stories]") {
  Clusterer c;
  const Placement flood = place(c, k_flood_report, "a");
  (void)place(c, k_flood_rewrite, "b");
  const Placement lightning = place(c, k_lightning, "c");
  CHECK(lightning.event.is_new);
  CHECK(lightning.event.event != flood.event.event);

  const Placement first = place(c, k_first_odi, "a");
  const Placement second = place(c, k_second_odi, "b");  // two days later, other scores
  CHECK(second.event.is_new);
  CHECK(second.event.event != first.event.event);

  const Placement rate = place(c, k_rate_report, "a");
  (void)place(c, k_rate_rewrite, "c");
  const Placement reserves = place(c, k_reserves, "b");
  CHECK(reserves.event.is_new);
  CHECK(reserves.event.event != rate.event.event);
}

TEST_CASE("the story level leaves rewrites to the event level and joins copies", "[stories]") {
  const Fingerprint report = fingerprint(k_flood_report.title, k_flood_report.summary, "");
  const Fingerprint rewrite = fingerprint(k_flood_rewrite.title, k_flood_rewrite.summary, "");
  const Fingerprint other = fingerprint(k_lightning.title, k_lightning.summary, "");
  StoryIndex index;
  (void)index.add("r", "a", report, k_flood_report.time);
  const auto copy = index.lookup(report, k_flood_rewrite.time);
  REQUIRE(copy.has_value());
  CHECK(copy->score == Approx(similarity(report, report)));
  CHECK(copy->copy);
  CHECK_FALSE(index.lookup(rewrite, k_flood_rewrite.time).has_value());
  CHECK(similarity(report, rewrite) < StoryOptions{}.threshold);
  CHECK(similarity(report, other) < StoryOptions{}.threshold);
}
