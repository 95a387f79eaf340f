// Pairwise evaluation of story clustering (see eval.h).
#include "stories/eval.h"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "base/utf8.h"

namespace khobor::stories {
namespace {

// A labelled `khobor cluster` record: the record, and its line as JSON for the labels.
using TakeRecord = std::function<Status(ClusterRecord&& record, const nlohmann::json& line,
                                        const std::string& where)>;

// Hands every non-blank line of the file at `path`, read as a record, to `take`
// with "path:line" for its messages; the first error (the file's, a record's or
// take's) ends the reading.
Status read_records(const std::string& path, const TakeRecord& take) {
  std::ifstream in(path);
  if (!in) {
    return make_error("io", "cannot open " + path);
  }
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    const std::string where = path + ":" + std::to_string(line_no);
    auto record = parse_cluster_record(line);
    if (!record) {
      return make_error("eval", where + ": " + record.error().message);
    }
    if (auto taken = take(std::move(*record), nlohmann::json::parse(line), where); !taken) {
      return taken.error();
    }
  }
  return Ok{};
}

}  // namespace

Result<std::vector<LabelledRecord>> load_labelled(const std::string& path) {
  std::vector<LabelledRecord> out;
  auto read = read_records(
      path,
      [&out](ClusterRecord&& record, const nlohmann::json& j, const std::string& where) -> Status {
        LabelledRecord r;
        r.record = std::move(record);
        r.story = j.value("story", "");
        r.kind = j.value("kind", "");
        r.related_to = j.value("related_to", "");
        if (r.story.empty()) {
          return make_error("eval", where + ": no \"story\" label");
        }
        out.push_back(std::move(r));
        return Ok{};
      });
  if (!read) {
    return read.error();
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
    } else if (u >= 0x80 && !utf8::is_continuation(u)) {
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
  std::unordered_map<std::string, std::size_t> index;
  auto read = read_records(
      records_path,
      [&](ClusterRecord&& record, const nlohmann::json& j, const std::string& where) -> Status {
        EventRecord r;
        r.record = std::move(record);
        r.event = j.value("event", "");
        r.link = j.value("link", "");
        r.english = mostly_latin(r.record.title);
        if (r.event.empty()) {
          return make_error("eval", where + ": no \"event\"");
        }
        index.emplace(r.record.id, week.records.size());
        week.records.push_back(std::move(r));
        return Ok{};
      });
  if (!read) {
    return read.error();
  }
  std::ifstream pin(pairs_path);
  std::string line;
  std::size_t line_no = 0;
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

namespace {

// One CSV record (quoted fields may hold commas, quotes and newlines) into `fields`;
// false at the end of the input.
bool read_csv_record(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  bool any = false;
  char c = 0;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (in.peek() == '"') {
        in.get(c);
        field += '"';
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (any) {
    fields.push_back(std::move(field));
  }
  return any;
}

}  // namespace

Result<std::vector<ParaphrasePair>> load_paraphrase_pairs(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("io", "cannot open " + path);
  }
  std::vector<ParaphrasePair> out;
  std::vector<std::string> f;
  read_csv_record(in, f);  // the header
  while (read_csv_record(in, f)) {
    if (f.size() >= 3 && (f[2] == "0" || f[2] == "1")) {
      out.push_back(ParaphrasePair{f[0], f[1], f[2] == "1"});
    }
  }
  return out;
}

std::vector<std::optional<EventCandidate>> paraphrase_candidates(
    const std::vector<ParaphrasePair>& pairs, const EventOptions& options) {
  std::vector<std::pair<Fingerprint, Fingerprint>> fps;
  fps.reserve(pairs.size());
  for (const ParaphrasePair& p : pairs) {
    fps.emplace_back(fingerprint(p.a, "", ""), fingerprint(p.b, "", ""));
  }
  EventIndex index(options);
  const int64_t t0 = 1'700'000'000;
  for (const auto& [a, b] : fps) {
    index.count_background(a, t0);
    index.count_background(b, t0);
  }
  uint64_t id = 1;
  std::vector<std::optional<EventCandidate>> out;
  out.reserve(fps.size());
  for (const auto& [a, b] : fps) {
    const uint64_t ev = id++;
    index.add_labelled(ev, ev, "x", a, t0 + 1);
    std::optional<EventCandidate> found;
    for (const EventCandidate& c : index.candidates("y", b, t0 + 61)) {
      if (c.event == ev) {
        found = c;
      }
    }
    out.push_back(found);
  }
  return out;
}

}  // namespace khobor::stories
