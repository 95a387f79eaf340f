// Pairwise evaluation of story clustering (see eval.h).
#include "stories/eval.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace khobor::stories {

Result<std::vector<LabelledRecord>> load_labelled(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return make_error("io", "cannot open " + path);
  }
  std::vector<LabelledRecord> out;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    auto record = parse_cluster_record(line);
    if (!record) {
      return make_error("eval",
                        path + ":" + std::to_string(line_no) + ": " + record.error().message);
    }
    const auto j = nlohmann::json::parse(line);
    LabelledRecord r;
    r.record = std::move(*record);
    r.story = j.value("story", "");
    r.kind = j.value("kind", "");
    r.related_to = j.value("related_to", "");
    if (r.story.empty()) {
      return make_error("eval", path + ":" + std::to_string(line_no) + ": no \"story\" label");
    }
    out.push_back(std::move(r));
  }
  return out;
}

PairwiseScores score_clustering(const std::vector<LabelledRecord>& records,
                                const std::vector<Assignment>& predicted) {
  PairwiseScores s;
  const std::size_t n = records.size();
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_kind;  // (found, total)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const bool truth = records[i].story == records[j].story;
      const bool pred = predicted[i].story == predicted[j].story;
      s.true_pairs += truth ? 1 : 0;
      s.predicted_pairs += pred ? 1 : 0;
      s.correct_pairs += truth && pred ? 1 : 0;
      if (truth && records[i].kind == "original") {
        auto& k = by_kind[records[j].kind];
        k.first += pred ? 1 : 0;
        ++k.second;
      } else if (truth && records[j].kind == "original") {
        auto& k = by_kind[records[i].kind];
        k.first += pred ? 1 : 0;
        ++k.second;
      }
    }
  }
  for (const auto& [kind, counts] : by_kind) {
    s.recall_by_kind[kind] =
        counts.second == 0 ? 0.0
                           : static_cast<double>(counts.first) / static_cast<double>(counts.second);
  }
  s.precision = s.predicted_pairs == 0
                    ? 1.0
                    : static_cast<double>(s.correct_pairs) / static_cast<double>(s.predicted_pairs);
  s.recall = s.true_pairs == 0
                 ? 1.0
                 : static_cast<double>(s.correct_pairs) / static_cast<double>(s.true_pairs);
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  for (std::size_t i = 0; i < n; ++i) {
    if (records[i].kind == "hard_negative" || !records[i].related_to.empty()) {
      ++s.hard_negatives;
      bool merged = false;
      for (std::size_t j = 0; j < n; ++j) {
        merged = merged || (j != i && records[j].story == records[i].related_to &&
                            predicted[j].story == predicted[i].story);
      }
      s.hard_negatives_merged += merged ? 1 : 0;
    }
    if (!predicted[i].is_new) {
      // Whom did it join, and was that right?
      for (std::size_t j = 0; j < i; ++j) {
        if (records[j].record.id == predicted[i].matched_entry &&
            records[j].story != records[i].story) {
          s.mistakes.push_back(records[i].record.id + " (" + records[i].kind + ") joined " +
                               records[j].record.id + " (" + records[j].kind + "), score " +
                               std::to_string(predicted[i].score) + ": different events");
        }
      }
    }
  }
  s.hard_negative_rate = s.hard_negatives == 0 ? 0.0
                                               : static_cast<double>(s.hard_negatives_merged) /
                                                     static_cast<double>(s.hard_negatives);
  return s;
}

PairwiseScores evaluate(const std::vector<LabelledRecord>& records, const StoryOptions& options) {
  Clusterer clusterer(options);
  std::vector<Assignment> predicted;
  predicted.reserve(records.size());
  for (const LabelledRecord& r : records) {
    predicted.push_back(clusterer.add(r.record));
  }
  return score_clustering(records, predicted);
}

}  // namespace khobor::stories
