// khobor/stories/eval.h — measuring same-story detection on labelled records.
//
// Used by the evaluation program (bench/story_eval) and by the quality test that
// runs tests/fixtures/stories.jsonl; both stream the records through a Clusterer
// exactly as `khobor cluster` does. Pure functions over values, thread-safe.
#pragma once

#include <cstdint>
#include <map>
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

}  // namespace khobor::stories
