// Tests of stories/cluster.h (`khobor cluster`'s records) and the clustering's
// quality on the labelled stories and events.
#include "stories/cluster.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "stories/eval.h"

using namespace khobor::stories;

TEST_CASE("RFC 3339 times with offsets, Z or no zone become epoch seconds", "[stories]") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2024-08-05T16:20:00+06:00") == parse_rfc3339("2024-08-05T10:20:00Z"));
  CHECK(parse_rfc3339("2024-08-05T10:20:00.123Z") == 1722853200);
  CHECK(parse_rfc3339("2024-08-05 10:20:00") == 1722853200);
  CHECK(parse_rfc3339("2024-08-05") == 1722816000);
  CHECK_FALSE(parse_rfc3339("5 Aug 2024").has_value());
  CHECK_FALSE(parse_rfc3339("2024-13-05T10:20:00Z").has_value());
}

TEST_CASE("a cluster record needs an id, other fields may be missing", "[stories]") {
  const auto ok = parse_cluster_record(R"({"id":"a","title":"t","published":null})");
  REQUIRE(ok.ok());
  CHECK(ok->id == "a");
  CHECK(ok->title == "t");
  CHECK_FALSE(ok->published.has_value());

  const auto no_id = parse_cluster_record(R"({"title":"t"})");
  REQUIRE_FALSE(no_id.ok());
  CHECK(no_id.error().message.find("\"id\"") != std::string::npos);

  const auto bad_date = parse_cluster_record(R"({"id":"a","published":"yesterday"})");
  REQUIRE_FALSE(bad_date.ok());
  CHECK(bad_date.error().message.find("published") != std::string::npos);

  const auto bad_type = parse_cluster_record(R"({"id":"a","title":5})");
  REQUIRE_FALSE(bad_type.ok());
  CHECK(bad_type.error().message.find("title") != std::string::npos);

  CHECK_FALSE(parse_cluster_record("{not json").ok());
}

TEST_CASE("cluster output lines carry id, story, duplicate_of, score, event and event_p in order",
          "[stories]") {
  Clusterer c;
  ClusterRecord a;
  a.id = "a";
  a.title = "ঢাকায় দুই দিনের আন্তর্জাতিক জলবায়ু সম্মেলন শুরু, ৪০ দেশের প্রতিনিধি";
  a.published = 1'700'000'000;
  ClusterRecord b = a;
  b.id = "b";
  const std::string first = cluster_json_line(a, c.place(a));
  const std::string second = cluster_json_line(b, c.place(b));
  CHECK(first == R"({"id":"a","story":0,"duplicate_of":null,"score":0.0,"event":0,"event_p":0.0})");
  CHECK(second == R"({"id":"b","story":0,"duplicate_of":"a","score":1.0,"event":0,"event_p":0.0})");
}

TEST_CASE("quality on the labelled stories, by event: P >= 0.97, R >= 0.95, <= 1 hard negative",
          "[stories][quality]") {
  const std::string path = std::string(KHOBOR_FIXTURES) + "/stories.jsonl";
  const auto records = load_labelled(path);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 144);
  const PairwiseScores s = evaluate_events(*records, StoryOptions{}, EventOptions{});
  INFO("precision " << s.precision << " recall " << s.recall << " hard negatives merged "
                    << s.hard_negatives_merged << "/" << s.hard_negatives);
  CHECK(s.precision >= 0.97);
  CHECK(s.recall >= 0.95);
  CHECK(s.hard_negatives_merged <= 1);
  CHECK(s.hard_negatives == 26);
}

TEST_CASE("the story level alone keeps its precision and its copies and summaries",
          "[stories][quality]") {
  const std::string path = std::string(KHOBOR_FIXTURES) + "/stories.jsonl";
  const auto records = load_labelled(path);
  REQUIRE(records.ok());
  const PairwiseScores s = evaluate(*records, StoryOptions{});
  INFO("precision " << s.precision << " recall " << s.recall);
  CHECK(s.precision >= 0.97);
  CHECK(s.hard_negatives_merged == 0);
  // Copies, light edits and summaries are the story level's job; rewrites are the
  // event level's.
  CHECK(s.recall_by_kind.at("verbatim") >= 0.85);
  CHECK(s.recall_by_kind.at("light_edit") >= 0.9);
  CHECK(s.recall_by_kind.at("summary") >= 0.8);
}

// The weeks of real feeds labelled by event (shared data; skipped when absent). The
// floors sit a little under what the trained model reaches (docs/stories.md), so a
// change that loses grouping or starts merging related happenings fails here; F1 is
// what bench/event_train chooses the threshold by.
struct WeekFloors {
  const char* name;
  double f1;
  double precision;
  double recall;
};

TEST_CASE("events on the real labelled weeks do not regress", "[stories][quality]") {
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "eval";
  // The model reaches w3 P 0.688 R 0.373 F1 0.484 and w2 P 0.682 R 0.416 F1 0.517.
  for (const WeekFloors& w :
       {WeekFloors{"events-w3", 0.46, 0.66, 0.35}, WeekFloors{"events-w2", 0.49, 0.66, 0.39}}) {
    const std::string name = w.name;
    if (!std::filesystem::exists(dir / (name + ".jsonl"))) {
      WARN("no " << (dir / (name + ".jsonl")) << ": skipped");
      continue;
    }
    const auto week = load_event_week((dir / (name + ".jsonl")).string(),
                                      (dir / (name + "-pairs.jsonl")).string());
    REQUIRE(week.ok());
    Clusterer c;
    std::vector<uint64_t> events;
    for (const EventRecord& r : week->records) {
      events.push_back(c.place(r.record).event.event);
    }
    const EventScores s = score_events(*week, events);
    const double p = s.bengali.precision;
    const double r = s.bengali.recall;
    const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    INFO(name << ": bn-bn precision " << p << " recall " << r << " F1 " << f1 << " related merged "
              << s.related_rate);
    CHECK(f1 >= w.f1);
    CHECK(p >= w.precision);
    CHECK(r >= w.recall);
    CHECK(s.related_rate <= 0.03);
  }
}

TEST_CASE("headline paraphrases (BnPC val) join the first headline's event", "[stories][quality]") {
  const char* env = std::getenv("KHOBOR_SHARED_DATA");
  const std::filesystem::path file =
      std::filesystem::path(env != nullptr ? env : KHOBOR_SHARED_DATA) / "paraphrase" /
      "BnPC_val.csv";
  if (!std::filesystem::exists(file)) {
    WARN("no " << file << ": skipped");
    return;
  }
  const auto pairs = load_paraphrase_pairs(file.string());
  REQUIRE(pairs.ok());
  REQUIRE(pairs->size() > 1000);
  const EventOptions options;
  const auto found = paraphrase_candidates(*pairs, options);
  REQUIRE(found.size() == pairs->size());
  int tp = 0;
  int fp = 0;
  int fn = 0;
  for (std::size_t i = 0; i < pairs->size(); ++i) {
    const bool joined = found[i] && found[i]->probability >= options.model.threshold;
    tp += joined && (*pairs)[i].same ? 1 : 0;
    fp += joined && !(*pairs)[i].same ? 1 : 0;
    fn += !joined && (*pairs)[i].same ? 1 : 0;
  }
  const double p = tp + fp > 0 ? static_cast<double>(tp) / (tp + fp) : 0.0;
  const double r = tp + fn > 0 ? static_cast<double>(tp) / (tp + fn) : 0.0;
  const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  // The model (trained with BnPC_train's pairs and a DAgger round) reaches P 0.920 R
  // 0.615 F1 0.737 at the event level alone; trained on the weeks only it was P 0.975 R
  // 0.321 F1 0.483 (with the file's headlines still events, not background only).
  INFO("BnPC val, event level: precision " << p << " recall " << r << " F1 " << f1);
  CHECK(f1 >= 0.71);
  CHECK(p >= 0.90);
}
