// Pairwise evaluation of story clustering (see eval.h).
#include "stories/eval.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

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

namespace {

// Counts the pairs of `records` that share a labelled story, a predicted one,
// and both; the recall of each kind of record paired with its "original".
void count_pairs(const std::vector<LabelledRecord>& records,
                 const std::vector<Assignment>& predicted, PairwiseScores& s) {
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
}

// The hard negatives merged with the story they are related to, and every
// record that joined an entry of another labelled story (`s.mistakes`).
void check_joins(const std::vector<LabelledRecord>& records,
                 const std::vector<Assignment>& predicted, PairwiseScores& s) {
  const std::size_t n = records.size();
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
}

// Calls f(a, b) for every pair of members of each group.
template <typename Groups, typename F>
void for_each_pair(const Groups& groups, F&& f) {
  for (const auto& [key, members] : groups) {
    for (std::size_t x = 0; x < members.size(); ++x) {
      for (std::size_t y = x + 1; y < members.size(); ++y) {
        f(members[x], members[y]);
      }
    }
  }
}

}  // namespace

PairwiseScores score_clustering(const std::vector<LabelledRecord>& records,
                                const std::vector<Assignment>& predicted) {
  PairwiseScores s;
  count_pairs(records, predicted, s);
  s.precision = s.predicted_pairs == 0
                    ? 1.0
                    : static_cast<double>(s.correct_pairs) / static_cast<double>(s.predicted_pairs);
  s.recall = s.true_pairs == 0
                 ? 1.0
                 : static_cast<double>(s.correct_pairs) / static_cast<double>(s.true_pairs);
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  check_joins(records, predicted, s);
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

PairwiseScores evaluate_events(const std::vector<LabelledRecord>& records,
                               const StoryOptions& options, const EventOptions& event_options) {
  Clusterer clusterer(options, event_options);
  std::vector<Assignment> predicted;
  predicted.reserve(records.size());
  for (const LabelledRecord& r : records) {
    const Placement p = clusterer.place(r.record);
    Assignment a;  // the event as a "story": scored the same way, without mistakes listed
    a.story = p.event.event;
    a.is_new = true;
    predicted.push_back(a);
  }
  return score_clustering(records, predicted);
}

namespace {

// True when most letters of `s` are ASCII letters (an English headline).
bool mostly_latin(std::string_view s) {
  std::size_t latin = 0;
  std::size_t other = 0;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')) {
      ++latin;
    } else if (u >= 0xC0) {
      ++other;  // the lead byte of a non-ASCII character
    }
  }
  return latin > 2 * other;
}

void finish(PairScores& p) {
  p.precision = p.predicted == 0 ? 1.0 : static_cast<double>(p.correct) / p.predicted;
  p.recall = p.gold == 0 ? 1.0 : static_cast<double>(p.correct) / p.gold;
  p.f1 = p.precision + p.recall == 0 ? 0.0 : 2 * p.precision * p.recall / (p.precision + p.recall);
}

uint64_t pair_key(std::size_t a, std::size_t b) {
  return a < b ? (uint64_t{a} << 32) | b : (uint64_t{b} << 32) | a;
}

}  // namespace

Result<EventWeek> load_event_week(const std::string& records_path, const std::string& pairs_path) {
  EventWeek week;
  std::ifstream in(records_path);
  if (!in) {
    return make_error("io", "cannot open " + records_path);
  }
  std::unordered_map<std::string, std::size_t> index;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    auto record = parse_cluster_record(line);
    if (!record) {
      return make_error(
          "eval", records_path + ":" + std::to_string(line_no) + ": " + record.error().message);
    }
    const auto j = nlohmann::json::parse(line);
    EventRecord r;
    r.record = std::move(*record);
    r.event = j.value("event", "");
    r.link = j.value("link", "");
    r.english = mostly_latin(r.record.title);
    if (r.event.empty()) {
      return make_error("eval", records_path + ":" + std::to_string(line_no) + ": no \"event\"");
    }
    index.emplace(r.record.id, week.records.size());
    week.records.push_back(std::move(r));
  }
  std::ifstream pin(pairs_path);
  line_no = 0;
  while (pin && std::getline(pin, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      return make_error("eval", pairs_path + ":" + std::to_string(line_no) + ": " + e.what());
    }
    const auto a = index.find(j.value("a", ""));
    const auto b = index.find(j.value("b", ""));
    if (a == index.end() || b == index.end()) {
      return make_error("eval", pairs_path + ":" + std::to_string(line_no) + ": unknown id");
    }
    const std::string label = j.value("label", "");
    EventPair p;
    p.a = a->second;
    p.b = b->second;
    p.label = label == "same_event" ? 's' : label == "related" ? 'r' : 'd';
    p.same_outlet = j.value("same_outlet", false);
    week.pairs.push_back(p);
  }
  return week;
}

EventScores score_events(const EventWeek& week, const std::vector<uint64_t>& predicted) {
  EventScores s;
  const auto& recs = week.records;
  std::unordered_map<uint64_t, const EventPair*> listed;
  for (const EventPair& p : week.pairs) {
    listed.emplace(pair_key(p.a, p.b), &p);
  }
  const auto same_outlet = [&](std::size_t a, std::size_t b) {
    const auto it = listed.find(pair_key(a, b));
    return it != listed.end() ? it->second->same_outlet
                              : recs[a].record.outlet == recs[b].record.outlet;
  };
  const auto tally = [&](std::size_t a, std::size_t b, bool gold, bool pred) {
    PairScores* kind = nullptr;
    if (!same_outlet(a, b)) {
      if (!recs[a].english && !recs[b].english) {
        kind = &s.bengali;
      } else if (recs[a].english != recs[b].english) {
        kind = &s.english;
      }
    }
    for (PairScores* p : {kind, &s.all}) {
      if (p != nullptr) {
        p->gold += gold ? 1 : 0;
        p->predicted += pred ? 1 : 0;
        p->correct += gold && pred ? 1 : 0;
      }
    }
  };
  // Gold pairs and predicted pairs, each enumerated within its groups.
  std::unordered_map<std::string, std::vector<std::size_t>> gold_groups;
  std::unordered_map<uint64_t, std::vector<std::size_t>> pred_groups;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    gold_groups[recs[i].event].push_back(i);
    pred_groups[predicted[i]].push_back(i);
  }
  for_each_pair(gold_groups, [&](std::size_t a, std::size_t b) {
    tally(a, b, true, predicted[a] == predicted[b]);
  });
  for_each_pair(pred_groups, [&](std::size_t a, std::size_t b) {
    if (recs[a].event != recs[b].event) {
      tally(a, b, false, true);
    }
  });
  for (const EventPair& p : week.pairs) {
    if (p.label == 'r') {
      ++s.related;
      s.related_merged += predicted[p.a] == predicted[p.b] ? 1 : 0;
    }
  }
  finish(s.bengali);
  finish(s.english);
  finish(s.all);
  s.related_rate = s.related == 0 ? 0.0 : static_cast<double>(s.related_merged) / s.related;
  return s;
}

}  // namespace khobor::stories
