// khobor/stories/eval.h — measuring same-story detection on labelled records.
//
// Used by the evaluation program (bench/story_eval) and by the quality test that
// runs tests/fixtures/stories.jsonl; both stream the records through a Clusterer
// exactly as `khobor cluster` does. Pure functions over values, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "stories/cluster.h"

namespace khobor::stories {

// One record of eval/stories.jsonl: the cluster record plus its labels.
struct LabelledRecord {
  ClusterRecord record;
  std::string story;       // ground-truth event id
  std::string kind;        // original, verbatim, light_edit, rewrite, summary, hard_negative, …
  std::string related_to;  // hard negatives: the story they must not join
};

// Reads a stories.jsonl file; errors name the file and line.
Result<std::vector<LabelledRecord>> load_labelled(const std::string& path);

struct PairwiseScores {
  uint64_t true_pairs = 0;       // pairs in one true story
  uint64_t predicted_pairs = 0;  // pairs put in one story
  uint64_t correct_pairs = 0;    // both
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::size_t hard_negatives = 0;
  std::size_t hard_negatives_merged = 0;  // joined with the story named in related_to
  double hard_negative_rate = 0;
  // Recall of pairs (first version, other version) by the other version's kind.
  std::map<std::string, double> recall_by_kind;
  std::vector<std::string> mistakes;  // "A-0012 joined A-0005 (score 0.61), truth differs"
};

// Pairwise precision/recall/F1 of `predicted` (one story id per record) against the
// labels, and the hard-negative merge rate.
PairwiseScores score_clustering(const std::vector<LabelledRecord>& records,
                                const std::vector<Assignment>& predicted);

// Streams the records through a Clusterer with `options` and scores the result.
PairwiseScores evaluate(const std::vector<LabelledRecord>& records, const StoryOptions& options);

// The same, scoring the event level (records grouped by their event, not their story).
PairwiseScores evaluate_events(const std::vector<LabelledRecord>& records,
                               const StoryOptions& options, const EventOptions& event_options);

// ---- events (eval/events-w*.jsonl and their labelled pairs) ----

// One record of an events week: the cluster record plus its gold event.
struct EventRecord {
  ClusterRecord record;
  std::string event;  // gold event id
  std::string link;
  bool english = false;  // the headline is mostly Latin script
};

// A labelled pair of an events week, by index into the records.
struct EventPair {
  std::size_t a = 0;
  std::size_t b = 0;
  char label = 'd';  // 's' same_event, 'r' related, 'd' different
  bool same_outlet = false;
};

struct EventWeek {
  std::vector<EventRecord> records;
  std::vector<EventPair> pairs;
};

// Reads `<name>.jsonl` and `<name>-pairs.jsonl` (the pairs file may be absent).
Result<EventWeek> load_event_week(const std::string& records_path, const std::string& pairs_path);

// Pairwise scores of a predicted grouping (one id per record) over one kind of pair.
struct PairScores {
  uint64_t gold = 0;       // same-event pairs of this kind
  uint64_t predicted = 0;  // pairs of this kind put together
  uint64_t correct = 0;
  double precision = 1;
  double recall = 1;
  double f1 = 0;
};

struct EventScores {
  PairScores bengali;           // cross-outlet pairs of two Bengali items (the goal)
  PairScores english;           // cross-outlet pairs of an English and a Bengali item
  PairScores all;               // every pair, same outlet or not
  uint64_t related = 0;         // pairs labelled related
  uint64_t related_merged = 0;  // of those, put together
  double related_rate = 0;
};

// Scores `predicted` (one group id per record) against the week's gold events. A
// pair counts as cross-outlet when the pairs file says so, or, for a pair it does not
// list, when the two feeds differ.
EventScores score_events(const EventWeek& week, const std::vector<uint64_t>& predicted);

// ---- headline paraphrases (paraphrase/BnPC_*.csv) ----

// One row of a BnPC-style file: two headlines and whether they tell the same story.
struct ParaphrasePair {
  std::string a;
  std::string b;
  bool same = false;
};

// Reads a CSV file of `sentence1,sentence2,label` rows after a header line (quoted
// fields may hold commas, quotes and newlines); rows whose label is not 0 or 1 are
// skipped. The error names the file when it cannot be read.
Result<std::vector<ParaphrasePair>> load_paraphrase_pairs(const std::string& path);

// What the event level makes of each pair, title only: every headline of the file
// is first counted as background in the document frequencies only (as a daemon has
// seen the day's news; no event, so never a candidate: EventIndex::count_background),
// then each pair's first headline opens an event and the second is
// scored against the open events, a minute later, from another outlet. The second's
// candidate for the first's event, or nullopt when that event is not among its
// candidates. One index for the whole file, with `options`.
std::vector<std::optional<EventCandidate>> paraphrase_candidates(
    const std::vector<ParaphrasePair>& pairs, const EventOptions& options);

}  // namespace khobor::stories
