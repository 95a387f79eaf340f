// event_train — trains the event level's logistic model (stories/events.h) on the
// shared weeks labelled by event, cross-validates it week against week, and prints
// (or writes) stories/events_model.h.
//
//   event_train DATA_DIR                 cross-validation table, then the model on all weeks
//   event_train DATA_DIR --write FILE    the same, and writes the model header to FILE
//   event_train DATA_DIR --dump WEEK     id, story, event, matched entry, scores per record
//
// For experiments, the environment overrides EventOptions: KHOBOR_EV_GAP (seconds,
// same_outlet_gap_seconds), KHOBOR_EV_WINDOW (seconds, window_seconds) and
// KHOBOR_EV_RISE (size_rise); KHOBOR_ST_WINDOW (seconds), KHOBOR_ST_THRESHOLD and
// KHOBOR_ST_GAP (seconds) override the story index's window, threshold and
// same-outlet gap. KHOBOR_DIAG_MISSED=1 lists on stderr the story starts whose gold event was
// open but not among the candidates (id, English or not, gold event). Training knobs
// (docs/stories.md, "What was tried"): KHOBOR_EV_WEIGHT = none | linear | sqrt | log weighs a
// teacher-forced example by the candidate's other-outlet entries; KHOBOR_EV_MASK = comma-separated
// feature indices held at 0; KHOBOR_EV_DAGGER = 0 (teacher forcing only) | pairs (on-policy
// examples weighted by their pairs), KHOBOR_EV_DAGGER_ROUNDS, KHOBOR_EV_DAGGER_BINARY,
// KHOBOR_EV_DAGGER_ALL (label over all members, same outlet too), KHOBOR_EV_DAGGER_MIX
// (the on-policy examples' weight), KHOBOR_EV_DAGGER_SHIFT (added to the threshold of
// the on-policy replay); KHOBOR_EV_L2 (the ridge, 1); the threshold grid
// KHOBOR_EV_GRID_LO (0.30), KHOBOR_EV_GRID_STEP (0.05), KHOBOR_EV_PLATEAU (0: the
// best point; else the middle of the run of points within it of the best),
// KHOBOR_EV_GRID_PRINT=1 prints the grid; KHOBOR_SWEEP=STEP prints the held-out
// scores over thresholds from 0.10. KHOBOR_EV_BRIDGE=1 prints, after each held-out
// row, the same replay with the events a story start bridges merged (another of its
// candidates also clears a threshold; variants of which and how high, docs/stories.md,
// "merging events an entry bridges"); =2 also lists each such bridge's own effect.
// KHOBOR_EV_DUMPX=FILE appends every teacher-forced candidate (entry, candidate's gold event,
// label, English, the 12 features) and every story start to FILE, for the analyses in
// bench/experiments/.
//
// DATA_DIR is ../shared/data (it reads eval/events-w*.jsonl with their -pairs files).
// Training examples come from a replay of each week in publication order through the
// real story index and event index, the events held to the gold labels (teacher
// forcing, as in Miranda et al. 2018): for each entry that starts a new story, every
// open event the index offers as a candidate is one example, labelled 1 when it is
// the entry's gold event. Beside the weeks' candidates, the human-labelled headline
// pairs of paraphrase/BnPC_train.csv are examples too (each the second headline
// against the first's event, weighing 0.2; KHOBOR_EV_BNPC_WEIGHT): the weeks hold few
// entries that are a headline alone, and the model learns that case from them. Then
// one round of DAgger (Ross et al. 2011): the model so fitted (its threshold chosen
// as below) replays the training weeks forming its own events, and every candidate of
// a story-starting entry that has members from other outlets is one more example,
// labelled with the share of those members that are in the entry's gold event (the
// share of the cross-outlet pairs the join would make that are right); the model is
// fitted again on all three sets. So it learns from the impure, partly grown events
// it meets when it runs, not only from gold ones.
// The model is L2-regularised logistic regression fitted by Newton's method
// (deterministic: retraining reproduces the committed constants), examples weighted.
// The threshold is chosen on the training weeks: the best F1 on cross-outlet Bengali
// pairs among the thresholds that merge at most 3% of the related pairs (a grid from
// 0.30 by 0.05).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "stories/cluster.h"
#include "stories/eval.h"
#include "stories/events.h"
#include "stories/fingerprint.h"
#include "stories/story_index.h"

namespace fs = std::filesystem;
using namespace khobor::stories;

namespace {

constexpr std::size_t k_n = k_event_feature_count;
constexpr double k_l2 = 1.0;  // ridge on the weights (not the bias)
constexpr double k_max_related = 0.03;

// An experiment knob's value from the environment, or `fallback`.
double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::atof(v);
}

struct Example {
  std::array<double, k_n> x{};
  // 1 same event, 0 not; an on-policy example: the share of the candidate's
  // other-outlet members that are in the entry's gold event.
  double y = 0;
  double weight = 1;    // in the loss
  uint32_t others = 0;  // the candidate event's entries from other outlets
};

// Experiment knob: the weight of one example from the number of other-outlet entries
// `m` of the candidate event (the cross-outlet pairs the join makes, rightly or not).
// KHOBOR_EV_WEIGHT = none (1) | linear (1 + m) | sqrt (√(1 + m)) | log (1 + ln(1 + m)).
double example_weight(uint32_t m) {
  const char* how = std::getenv("KHOBOR_EV_WEIGHT");
  const double x = 1.0 + static_cast<double>(m);
  if (how == nullptr || std::strcmp(how, "none") == 0) {
    return 1.0;
  }
  if (std::strcmp(how, "linear") == 0) {
    return x;
  }
  if (std::strcmp(how, "sqrt") == 0) {
    return std::sqrt(x);
  }
  return 1.0 + std::log(x);
}

// Experiment knobs (environment), for trying settings without editing the defaults.
EventOptions base_options() {
  EventOptions o;
  if (const char* g = std::getenv("KHOBOR_EV_GAP")) {
    o.same_outlet_gap_seconds = std::atoll(g);
  }
  if (const char* w = std::getenv("KHOBOR_EV_WINDOW")) {
    o.window_seconds = std::atoll(w);
  }
  if (const char* r = std::getenv("KHOBOR_EV_RISE")) {
    o.size_rise = std::atof(r);
  }
  return o;
}

// The story level's options, with the experiment knobs KHOBOR_ST_WINDOW, KHOBOR_ST_THRESHOLD
// and KHOBOR_ST_GAP (above).
StoryOptions story_options() {
  StoryOptions o;
  if (const char* w = std::getenv("KHOBOR_ST_WINDOW")) {
    o.window_seconds = std::atoll(w);
  }
  if (const char* t = std::getenv("KHOBOR_ST_THRESHOLD")) {
    o.threshold = std::atof(t);
  }
  if (const char* g = std::getenv("KHOBOR_ST_GAP")) {
    o.same_outlet_gap_seconds = std::atoll(g);
  }
  return o;
}

// Experiment knob: KHOBOR_EV_MASK, a comma-separated list of feature indices to train
// without (held at 0, so their weights are 0).
std::vector<std::size_t> parse_masked_features() {
  std::vector<std::size_t> out;
  const char* m = std::getenv("KHOBOR_EV_MASK");
  for (const char* p = m; p != nullptr && *p != '\0';) {
    char* end = nullptr;
    const long i = std::strtol(p, &end, 10);
    if (end == p) {
      break;
    }
    if (i >= 0 && static_cast<std::size_t>(i) < k_n) {
      out.push_back(static_cast<std::size_t>(i));
    }
    p = *end == ',' ? end + 1 : end;
  }
  return out;
}

// The same, read once (it is asked for every example).
const std::vector<std::size_t>& masked_features() {
  static const std::vector<std::size_t> masked = parse_masked_features();
  return masked;
}

struct Week {
  std::string name;
  EventWeek data;
};

// Teacher-forced replay of one week: the candidates of every story-starting entry.
std::vector<Example> examples(const EventWeek& week, std::size_t& missed_gold) {
  std::vector<Example> out;
  StoryIndex stories(story_options());
  EventIndex events(base_options());
  std::unordered_map<std::string, uint64_t> gold_id;
  // The outlets of each gold event's entries while it is open (as the index holds it).
  struct Open {
    int64_t newest = 0;
    std::vector<std::string> outlets;
  };
  std::unordered_map<uint64_t, Open> open;
  const int64_t window = base_options().window_seconds;
  int64_t last = 0;
  missed_gold = 0;
  // Experiment (not in the engine): KHOBOR_EV_DUMPX=FILE appends every teacher-forced
  // candidate: records, entry id, candidate's gold event, label, English, features.
  std::vector<const std::string*> gold_name(1, nullptr);
  const char* dump_path = std::getenv("KHOBOR_EV_DUMPX");
  FILE* dump = dump_path != nullptr ? std::fopen(dump_path, "a") : nullptr;
  for (const EventRecord& r : week.records) {
    last = r.record.published.value_or(last);
    const Fingerprint fp = fingerprint(r.record.title, r.record.summary, r.record.body);
    const Assignment a = stories.add(r.record.id, r.record.outlet, fp, last);
    const auto [it, first] = gold_id.try_emplace(r.event, gold_id.size() + 1);
    if (first) {
      gold_name.push_back(&it->first);
    }
    if (a.is_new) {
      bool found = false;
      for (const EventCandidate& c : events.candidates(r.record.outlet, fp, last)) {
        Example e;
        e.x = c.features;
        for (const std::size_t i : masked_features()) {
          e.x[i] = 0;  // a feature always 0 gets weight 0: the model without it
        }
        e.y = c.event == it->second ? 1 : 0;
        for (const std::string& o : open[c.event].outlets) {
          e.others += o != r.record.outlet ? 1 : 0;
        }
        found = found || e.y > 0;
        out.push_back(e);
        if (dump != nullptr) {
          std::fprintf(dump, "%zu\t%s\t%s\t%d\t%d", week.records.size(), r.record.id.c_str(),
                       gold_name[c.event]->c_str(), e.y > 0 ? 1 : 0, r.english ? 1 : 0);
          for (const double v : c.features) {
            std::fprintf(dump, "\t%.6f", v);
          }
          std::fprintf(dump, "\n");
        }
      }
      if (dump != nullptr) {
        std::fprintf(dump, "%zu\t%s\tSTART\t%d\t%d\n", week.records.size(), r.record.id.c_str(),
                     first ? 1 : 0, found ? 1 : 0);
      }
      missed_gold += !first && !found ? 1 : 0;
      if (!first && !found && std::getenv("KHOBOR_DIAG_MISSED") != nullptr) {
        std::fprintf(stderr, "missed\t%s\t%d\t%s\n", r.record.id.c_str(), r.english ? 1 : 0,
                     r.event.c_str());
      }
    }
    events.add_labelled(it->second, a.story, r.record.outlet, fp, last);
    Open& ev = open[it->second];
    if (last - ev.newest > window) {
      ev.outlets.clear();
    }
    ev.newest = last;
    ev.outlets.push_back(r.record.outlet);
  }
  if (dump != nullptr) {
    std::fclose(dump);
  }
  return out;
}

EventModel model_of(const std::array<double, k_n + 1>& w, double threshold);

// On-policy replay of one week (DAgger, Ross et al. 2011): the events are those the
// model forms, not the gold ones; every candidate of a story-starting entry is one
// example, labelled with the share of the candidate's members (other outlets') in
// the entry's gold event, weighted by their number when KHOBOR_EV_DAGGER=pairs.
std::vector<Example> on_policy_examples(const EventWeek& week, const EventModel& model) {
  std::vector<Example> out;
  StoryIndex stories(story_options());
  EventOptions o = base_options();
  o.model = model;
  EventIndex events(o);
  struct Member {
    std::string outlet;
    std::string gold;
  };
  std::unordered_map<uint64_t, std::vector<Member>> members;
  const char* how = std::getenv("KHOBOR_EV_DAGGER");
  const bool pairs = how != nullptr && std::strcmp(how, "pairs") == 0;
  int64_t last = 0;
  for (const EventRecord& r : week.records) {
    last = r.record.published.value_or(last);
    const Fingerprint fp = fingerprint(r.record.title, r.record.summary, r.record.body);
    const Assignment a = stories.add(r.record.id, r.record.outlet, fp, last);
    if (a.is_new) {
      for (const EventCandidate& c : events.candidates(r.record.outlet, fp, last)) {
        uint32_t others = 0;
        uint32_t same = 0;
        for (const Member& m : members[c.event]) {
          others += m.outlet != r.record.outlet ? 1 : 0;
          same += m.outlet != r.record.outlet && m.gold == r.event ? 1 : 0;
        }
        if (std::getenv("KHOBOR_EV_DAGGER_ALL") != nullptr) {
          others = 0;
          same = 0;
          for (const Member& m : members[c.event]) {
            ++others;
            same += m.gold == r.event ? 1 : 0;
          }
        }
        if (others == 0) {
          continue;
        }
        Example e;
        e.x = c.features;
        for (const std::size_t i : masked_features()) {
          e.x[i] = 0;
        }
        e.y = static_cast<double>(same) / others;
        if (std::getenv("KHOBOR_EV_DAGGER_BINARY") != nullptr) {
          e.y = e.y >= 0.5 ? 1.0 : 0.0;
        }
        e.others = others;
        e.weight =
            (pairs ? static_cast<double>(others) : 1.0) * env_or("KHOBOR_EV_DAGGER_MIX", 1.0);
        out.push_back(e);
      }
    }
    const EventAssignment ea = events.add(a, r.record.outlet, fp, last);
    members[ea.event].push_back({r.record.outlet, r.event});
  }
  return out;
}

// The weight of one headline pair of paraphrase/BnPC_train.csv in the loss, beside a
// week's candidate (KHOBOR_EV_BNPC_WEIGHT overrides it; 0 leaves BnPC out).
// Cross-validated (docs/stories.md, "Training").
double paraphrase_weight() {
  const char* w = std::getenv("KHOBOR_EV_BNPC_WEIGHT");
  return w != nullptr ? std::atof(w) : 0.2;
}

// Headline pairs as training examples: each pair's second headline against the
// first's event (stories/eval.h, paraphrase_candidates), labelled by the file. They
// teach the model the headline-only case, which the weeks hold few of: a pair whose
// first headline is not a candidate gives no example.
std::vector<Example> paraphrase_examples(const fs::path& data_dir) {
  std::vector<Example> out;
  const double weight = paraphrase_weight();
  if (weight <= 0) {
    return out;
  }
  const fs::path file = data_dir / "paraphrase" / "BnPC_train.csv";
  const auto pairs = load_paraphrase_pairs(file.string());
  if (!pairs) {
    std::fprintf(stderr, "event_train: %s (trained without it)\n", pairs.error().message.c_str());
    return out;
  }
  const auto found = paraphrase_candidates(*pairs, base_options());
  for (std::size_t i = 0; i < pairs->size(); ++i) {
    if (found[i]) {
      Example e;
      e.x = found[i]->features;
      e.y = (*pairs)[i].same ? 1 : 0;
      e.weight = weight;
      out.push_back(e);
    }
  }
  std::printf("  BnPC_train: %zu examples of %zu pairs, weight %.2f\n", out.size(), pairs->size(),
              weight);
  return out;
}

// Solves A x = b (n × n, A symmetric positive definite) by Gaussian elimination.
std::array<double, k_n + 1> solve(std::array<std::array<double, k_n + 1>, k_n + 1> a,
                                  std::array<double, k_n + 1> b) {
  const std::size_t n = k_n + 1;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) {
        pivot = r;
      }
    }
    std::swap(a[c], a[pivot]);
    std::swap(b[c], b[pivot]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k) {
        a[r][k] -= f * a[c][k];
      }
      b[r] -= f * b[c];
    }
  }
  std::array<double, k_n + 1> x{};
  for (std::size_t r = n; r-- > 0;) {
    double s = b[r];
    for (std::size_t k = r + 1; k < n; ++k) {
      s -= a[r][k] * x[k];
    }
    x[r] = s / a[r][r];
  }
  return x;
}

// L2-regularised logistic regression by Newton's method; w[k_n] is the bias.
std::array<double, k_n + 1> fit(const std::vector<Example>& data) {
  std::array<double, k_n + 1> w{};
  for (int iter = 0; iter < 50; ++iter) {
    std::array<double, k_n + 1> grad{};
    std::array<std::array<double, k_n + 1>, k_n + 1> hess{};
    for (const Example& e : data) {
      double z = w[k_n];
      for (std::size_t i = 0; i < k_n; ++i) {
        z += w[i] * e.x[i];
      }
      const double p = 1.0 / (1.0 + std::exp(-z));
      const double g = e.weight * (p - e.y);
      const double h = e.weight * std::max(p * (1 - p), 1e-9);
      std::array<double, k_n + 1> v{};
      std::copy(e.x.begin(), e.x.end(), v.begin());
      v[k_n] = 1.0;
      for (std::size_t i = 0; i <= k_n; ++i) {
        grad[i] += g * v[i];
        for (std::size_t j = 0; j <= k_n; ++j) {
          hess[i][j] += h * v[i] * v[j];
        }
      }
    }
    const double l2 = env_or("KHOBOR_EV_L2", k_l2);
    for (std::size_t i = 0; i < k_n; ++i) {
      grad[i] += l2 * w[i];
      hess[i][i] += l2;
    }
    hess[k_n][k_n] += 1e-9;
    const std::array<double, k_n + 1> step = solve(hess, grad);
    double size = 0;
    for (std::size_t i = 0; i <= k_n; ++i) {
      w[i] -= step[i];
      size += std::fabs(step[i]);
    }
    if (size < 1e-10) {
      break;
    }
  }
  return w;
}

EventModel model_of(const std::array<double, k_n + 1>& w, double threshold) {
  EventModel m;
  std::copy(w.begin(), w.begin() + k_n, m.weights.begin());
  m.bias = w[k_n];
  m.threshold = threshold;
  return m;
}

std::vector<uint64_t> replay(const EventWeek& week, const EventModel& model) {
  EventOptions o = base_options();
  o.model = model;
  Clusterer c(story_options(), o);
  std::vector<uint64_t> out;
  out.reserve(week.records.size());
  for (const EventRecord& r : week.records) {
    out.push_back(c.place(r.record).event.event);
  }
  return out;
}

std::vector<uint64_t> stories_only(const EventWeek& week) {
  Clusterer c;
  std::vector<uint64_t> out;
  for (const EventRecord& r : week.records) {
    out.push_back(c.place(r.record).story.story);
  }
  return out;
}

void print(const char* label, const EventScores& s) {
  std::printf(
      "  %-26s bn-bn P %.3f R %.3f F1 %.3f (%llu/%llu) | en-bn P %.3f R %.3f | related merged "
      "%.3f (%llu/%llu)\n",
      label, s.bengali.precision, s.bengali.recall, s.bengali.f1,
      static_cast<unsigned long long>(s.bengali.correct),
      static_cast<unsigned long long>(s.bengali.gold), s.english.precision, s.english.recall,
      s.related_rate, static_cast<unsigned long long>(s.related_merged),
      static_cast<unsigned long long>(s.related));
}

// F1 on the training weeks' cross-outlet Bengali pairs (summed over the weeks) at
// threshold t, or -1 when a week merges more than k_max_related of its related pairs.
double training_f1(const std::vector<const Week*>& weeks, const std::array<double, k_n + 1>& w,
                   double t) {
  uint64_t gold = 0;
  uint64_t predicted = 0;
  uint64_t correct = 0;
  bool ok = true;
  double worst = 0;
  for (const Week* week : weeks) {
    const EventScores s = score_events(week->data, replay(week->data, model_of(w, t)));
    gold += s.bengali.gold;
    predicted += s.bengali.predicted;
    correct += s.bengali.correct;
    ok = ok && s.related_rate <= k_max_related;
    worst = std::max(worst, s.related_rate);
  }
  if (std::getenv("KHOBOR_EV_GRID_PRINT") != nullptr) {
    std::printf("    grid %.3f related %.4f F1raw %.4f\n", t, worst,
                2.0 * correct / static_cast<double>(gold + predicted));
  }
  const double p = predicted == 0 ? 1.0 : static_cast<double>(correct) / predicted;
  const double r = gold == 0 ? 1.0 : static_cast<double>(correct) / gold;
  // F1. F0.5 (precision counted twice) was the rule first; cross-validated week
  // against week it chose thresholds that lost recall without buying precision
  // (held out on w3: F1 0.382 against 0.410 by F1, precision 0.642 against 0.636);
  // the cap on related pairs merged already guards against merging happenings.
  return !ok ? -1.0 : p + r == 0 ? 0 : 2 * p * r / (p + r);
}

// The threshold (of a grid) with the best F1 on the training weeks among those that
// merge at most k_max_related of their related pairs; with a plateau tolerance, the
// middle of the run of grid points around the best that are within it of the best.
double choose_threshold(const std::vector<const Week*>& weeks,
                        const std::array<double, k_n + 1>& w) {
  // The grid starts at 0.30: from 0.10 (tried), the model trained on w3 alone
  // picks 0.10 and merges 5.4 % of w2's related pairs (held-out F1 0.482 < 0.501).
  const double lo = env_or("KHOBOR_EV_GRID_LO", 0.30);
  const double step = env_or("KHOBOR_EV_GRID_STEP", 0.05);
  const double tolerance = env_or("KHOBOR_EV_PLATEAU", 0.0);
  std::vector<double> f1;
  for (int i = 0; lo + i * step < 0.951; ++i) {
    f1.push_back(training_f1(weeks, w, lo + i * step));
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < f1.size(); ++i) {
    best = f1[i] > f1[best] ? i : best;
  }
  if (f1.empty() || f1[best] < 0) {
    return 0.95;
  }
  std::size_t a = best;
  std::size_t b = best;
  while (a > 0 && f1[a - 1] >= f1[best] - tolerance) {
    --a;
  }
  while (b + 1 < f1.size() && f1[b + 1] >= f1[best] - tolerance) {
    ++b;
  }
  if (std::getenv("KHOBOR_EV_GRID_PRINT") != nullptr) {
    for (std::size_t i = 0; i < f1.size(); ++i) {
      std::printf("    grid %.3f F1 %.4f%s\n", lo + i * step, f1[i], i == best ? " *" : "");
    }
  }
  return lo + static_cast<double>(a + b) / 2 * step;
}

// The weeks' teacher-forced examples weighted by example_weight(), normalised to a
// mean of 1 so that the ridge keeps its strength (all 1 by default).
void normalise(std::vector<Example>& taught) {
  double sum = 0;
  for (Example& e : taught) {
    e.weight = example_weight(e.others);
    sum += e.weight;
  }
  for (Example& e : taught) {
    e.weight *= static_cast<double>(taught.size()) / sum;
  }
}

std::array<double, k_n + 1> train(const std::vector<const Week*>& weeks,
                                  const std::vector<Example>& extra) {
  std::vector<Example> taught;
  for (const Week* week : weeks) {
    std::size_t missed = 0;
    std::vector<Example> ex = examples(week->data, missed);
    std::size_t pos = 0;
    for (const Example& e : ex) {
      pos += e.y > 0.5 ? 1 : 0;
    }
    std::printf(
        "  %s: %zu examples, %zu positive; %zu story starts whose gold event was open "
        "but not a candidate\n",
        week->name.c_str(), ex.size(), pos, missed);
    taught.insert(taught.end(), ex.begin(), ex.end());
  }
  normalise(taught);
  std::vector<Example> all = extra;
  all.insert(all.end(), taught.begin(), taught.end());
  std::array<double, k_n + 1> w = fit(all);
  const char* dagger = std::getenv("KHOBOR_EV_DAGGER");
  if (dagger != nullptr && std::strcmp(dagger, "0") == 0) {
    return w;
  }
  // One round of DAgger: add the examples of the model's own replay of the
  // training weeks (its threshold chosen as the final one is) and fit again.
  const int rounds = static_cast<int>(env_or("KHOBOR_EV_DAGGER_ROUNDS", 1));
  for (int round = 0; round < rounds; ++round) {
    const EventModel first =
        model_of(w, choose_threshold(weeks, w) + env_or("KHOBOR_EV_DAGGER_SHIFT", 0.0));
    for (const Week* week : weeks) {
      std::vector<Example> ex = on_policy_examples(week->data, first);
      std::printf("  %s: %zu on-policy examples\n", week->name.c_str(), ex.size());
      all.insert(all.end(), ex.begin(), ex.end());
    }
    w = fit(all);
  }
  return w;
}

void print_model(FILE* out, const std::array<double, k_n + 1>& w, double threshold,
                 const std::vector<const Week*>& weeks) {
  std::fprintf(out,
               "// khobor/stories/events_model.h — the trained weights of the event decision.\n"
               "//\n"
               "// Written by bench/event_train (see docs/stories.md, \"Events: training\"); do "
               "not edit\n"
               "// by hand: retrain and commit the file it writes. Trained on:");
  for (const Week* week : weeks) {
    std::fprintf(out, " %s", week->name.c_str());
  }
  if (paraphrase_weight() > 0) {
    std::fprintf(out, ",\n// paraphrase/BnPC_train.csv (each pair weighing %.2f)",
                 paraphrase_weight());
  }
  std::fprintf(out,
               ".\n// Feature order: k_event_feature_names (stories/events.cpp).\n"
               "#pragma once\n\n#include <array>\n\nnamespace khobor::stories::model {\n\n");
  // One weight a line, named: the file is clang-format clean as written.
  std::fprintf(out, "inline constexpr std::array<double, %zu> k_weights = {\n", k_n);
  std::array<std::string, k_n> values;
  std::size_t width = 0;
  for (std::size_t i = 0; i < k_n; ++i) {
    char v[32];
    std::snprintf(v, sizeof v, "%.6f,", w[i]);
    values[i] = v;
    width = std::max(width, values[i].size());
  }
  for (std::size_t i = 0; i < k_n; ++i) {  // comments aligned, as clang-format has them
    std::fprintf(out, "    %-*s  // %s\n", static_cast<int>(width), values[i].c_str(),
                 k_event_feature_names[i]);
  }
  std::fprintf(out, "};\n");
  std::fprintf(out, "inline constexpr double k_bias = %.6f;\n", w[k_n]);
  std::fprintf(out, "inline constexpr double k_threshold = %.2f;\n", threshold);
  std::fprintf(out, "\n}  // namespace khobor::stories::model\n");
}

// event_train DATA_DIR --dump WEEK: id, story, event, matched entry, score per record.
int dump_week(const fs::path& dir, const char* week) {
  auto data = load_event_week((dir / (std::string(week) + ".jsonl")).string(), "");
  if (!data) {
    return 1;
  }
  Clusterer c;
  for (const EventRecord& r : data->records) {
    const Placement p = c.place(r.record);
    std::printf("%s\t%llu\t%llu\t%s\t%.3f\t%.3f\n", r.record.id.c_str(),
                static_cast<unsigned long long>(p.story.story),
                static_cast<unsigned long long>(p.event.event), p.story.matched_entry.c_str(),
                p.story.score, p.event.probability);
  }
  return 0;
}

// One line of the story sweep: options `o` scored on each week and on stories.jsonl.
void sweep_line(const StoryOptions& o, const std::vector<EventWeek>& ws,
                const std::vector<LabelledRecord>& labelled) {
  std::printf("t %.2f ov %.1f ms %u anyn %d |", o.threshold, o.min_overlap, o.min_shared,
              o.any_number_disagrees ? 1 : 0);
  for (const EventWeek& w : ws) {
    Clusterer c(o);
    std::vector<uint64_t> pred;
    for (const EventRecord& r : w.records) {
      pred.push_back(c.add(r.record).story);
    }
    const EventScores s = score_events(w, pred);
    std::printf(" P %.3f R %.3f rel %.3f |", s.bengali.precision, s.bengali.recall, s.related_rate);
  }
  const PairwiseScores p = evaluate(labelled, o);
  std::printf(" stories P %.3f R %.3f HN %zu\n", p.precision, p.recall, p.hard_negatives_merged);
}

// event_train DATA_DIR --sweep-stories: the story level alone on the weeks and
// stories.jsonl, over a grid of options.
int sweep_stories(const fs::path& dir) {
  std::vector<EventWeek> ws;
  for (const char* name : {"events-w2", "events-w3"}) {
    auto data = load_event_week((dir / (std::string(name) + ".jsonl")).string(),
                                (dir / (std::string(name) + "-pairs.jsonl")).string());
    if (!data) {
      return 1;
    }
    ws.push_back(std::move(*data));
  }
  auto labelled = load_labelled((dir / "stories.jsonl").string());
  if (!labelled) {
    return 1;
  }
  for (const double t : {0.5, 0.6, 0.7}) {
    for (const double ov : {0.0, 0.3, 0.4, 0.5}) {
      for (const uint32_t ms : {3U, 4U, 5U}) {
        for (const bool anyn : {false, true}) {
          StoryOptions o;
          o.threshold = t;
          o.min_overlap = ov;
          o.min_shared = ms;
          o.any_number_disagrees = anyn;
          sweep_line(o, ws, *labelled);
        }
      }
    }
  }
  return 0;
}

// ---- Experiment (docs/stories.md, "merging events an entry bridges"): KHOBOR_EV_BRIDGE=1 ----
// An entry that starts a story joins its best candidate event; another of its
// candidates may clear the threshold too, and the two events never merge. Offline, on
// the held-out replay: the clustering the replay made, then the events such an entry
// bridges unioned (union-find), scored by score_events. The merged event's aggregate
// is not rebuilt, so later entries are still scored against the unmerged events: an
// estimate of what merging in the index would do, not a replay of it.

// One other candidate of a story-starting entry that joined an event.
struct Bridge {
  uint64_t joined = 0;        // the event the entry joined (its best candidate)
  uint64_t other = 0;         // another of its candidates
  std::size_t rank = 0;       // of `other` among the candidates (1: second best)
  double probability = 0;     // of `other`
  double required = 0;        // what `other` would need to be joined (size rise)
  bool share_outlet = false;  // the two events carry a common outlet
  bool young = false;         // both events' first entries are within 24 h
};

struct ReplayWithBridges {
  std::vector<uint64_t> events;  // the replay's event per record, as replay() gives it
  std::vector<Bridge> bridges;
};

// replay(), keeping for every story-starting entry that joined an event its other
// candidates (the top three the index explains; EventExplanation).
ReplayWithBridges replay_with_bridges(const EventWeek& week, const EventModel& model) {
  EventOptions o = base_options();
  o.model = model;
  Clusterer c(story_options(), o);
  ReplayWithBridges out;
  out.events.reserve(week.records.size());
  struct Seen {
    int64_t first = 0;
    uint32_t stories = 1;
    std::vector<std::string> outlets;
  };
  std::unordered_map<uint64_t, Seen> seen;
  int64_t last = 0;
  for (const EventRecord& r : week.records) {
    last = r.record.published.value_or(last);
    EventExplanation why;
    const Placement p = c.place(r.record, &why);
    out.events.push_back(p.event.event);
    if (!why.via_story && !p.event.is_new) {
      const Seen& a = seen[p.event.event];
      for (std::size_t k = 0; k < why.candidates.size(); ++k) {
        const EventCandidate& cand = why.candidates[k];
        const auto known = seen.find(cand.event);
        if (cand.event == p.event.event || known == seen.end()) {
          continue;
        }
        const Seen& b = known->second;
        Bridge br;
        br.joined = p.event.event;
        br.other = cand.event;
        br.rank = k;
        br.probability = cand.probability;
        const double t = model.threshold;
        br.required =
            t + (1.0 - t) * (1.0 - 1.0 / (1.0 + o.size_rise * std::max(0.0, b.stories - 1.0)));
        for (const std::string& x : a.outlets) {
          br.share_outlet = br.share_outlet ||
                            std::find(b.outlets.begin(), b.outlets.end(), x) != b.outlets.end();
        }
        br.young = last - a.first < 24 * 3600 && last - b.first < 24 * 3600;
        out.bridges.push_back(br);
      }
    }
    Seen& s = seen[p.event.event];
    s.first = p.event.first_seen;
    s.stories = p.event.story_count;
    if (std::find(s.outlets.begin(), s.outlets.end(), r.record.outlet) == s.outlets.end()) {
      s.outlets.push_back(r.record.outlet);
    }
  }
  return out;
}

// The replay's events with the bridges that `take` accepts unioned.
template <typename Take>
std::vector<uint64_t> merged_events(const ReplayWithBridges& rb, Take take, std::size_t& merges) {
  std::unordered_map<uint64_t, uint64_t> parent;
  const auto find = [&parent](uint64_t x) {
    for (auto it = parent.find(x); it != parent.end() && it->second != x; it = parent.find(x)) {
      const auto up = parent.find(it->second);
      if (up != parent.end()) {
        it->second = up->second;  // path halving
      }
      x = it->second;
    }
    return x;
  };
  merges = 0;
  for (const Bridge& b : rb.bridges) {
    if (!take(b)) {
      continue;
    }
    const uint64_t x = find(b.joined);
    const uint64_t y = find(b.other);
    if (x != y) {
      parent[std::max(x, y)] = std::min(x, y);
      parent.try_emplace(std::min(x, y), std::min(x, y));
      ++merges;
    }
  }
  std::vector<uint64_t> out;
  out.reserve(rb.events.size());
  for (const uint64_t e : rb.events) {
    out.push_back(find(e));
  }
  return out;
}

// The held-out scores of the bridge variants: which candidates (the second best, or
// any of the explained three), against what (the model's threshold t, or the
// size-raised threshold the join itself needs), plus a margin, and with which filter
// (no common outlet, both events younger than 24 h).
void print_bridges(const EventWeek& week, const EventModel& model) {
  const ReplayWithBridges rb = replay_with_bridges(week, model);
  std::printf("  bridges (other candidates of joining story starts): %zu\n", rb.bridges.size());
  if (env_or("KHOBOR_EV_BRIDGE", 0) >= 2) {
    // Each bridge that clears the model's threshold, alone on top of the replay: what
    // it adds in cross-outlet Bengali pairs (correct / put together) and related pairs.
    const EventScores base = score_events(week, rb.events);
    for (const Bridge& b : rb.bridges) {
      if (b.probability < model.threshold) {
        continue;
      }
      std::size_t merges = 0;
      const Bridge* one = &b;
      const EventScores s =
          score_events(week, merged_events(
                                 rb, [one](const Bridge& x) { return &x == one; }, merges));
      std::printf(
          "    bridge rank %zu p %.3f required %.3f shared-outlet %d young %d: +%lld correct "
          "+%lld put together +%lld related\n",
          b.rank, b.probability, b.required, b.share_outlet ? 1 : 0, b.young ? 1 : 0,
          static_cast<long long>(s.bengali.correct - base.bengali.correct),
          static_cast<long long>(s.bengali.predicted - base.bengali.predicted),
          static_cast<long long>(s.related_merged - base.related_merged));
    }
  }
  for (const bool any : {false, true}) {
    for (const bool raised : {false, true}) {
      for (const double margin : {0.0, 0.1, 0.2}) {
        for (const int filter : {0, 1, 2, 3}) {
          const auto take = [&](const Bridge& b) {
            const double need = (raised ? b.required : model.threshold) + margin;
            return (any || b.rank == 1) && b.probability >= need &&
                   ((filter & 1) == 0 || !b.share_outlet) && ((filter & 2) == 0 || b.young);
          };
          std::size_t merges = 0;
          const std::vector<uint64_t> merged = merged_events(rb, take, merges);
          char label[96];
          std::snprintf(label, sizeof label, "%s %s+%.1f%s%s (%zu):", any ? "any" : "2nd",
                        raised ? "req" : "t", margin, (filter & 1) != 0 ? " no-shared" : "",
                        (filter & 2) != 0 ? " <24h" : "", merges);
          print(label, score_events(week, merged));
        }
      }
    }
  }
}

// Train on one week, test on the other, each way round.
void cross_validate(const std::vector<Week>& weeks, const std::vector<Example>& extra) {
  std::printf("== cross-validation: train on one week, test on the other\n");
  for (std::size_t test = 0; test < weeks.size(); ++test) {
    std::vector<const Week*> train_weeks;
    for (std::size_t i = 0; i < weeks.size(); ++i) {
      if (i != test) {
        train_weeks.push_back(&weeks[i]);
      }
    }
    const auto w = train(train_weeks, extra);
    const double t = choose_threshold(train_weeks, w);
    std::printf("  test %s (threshold %.3f from training):\n", weeks[test].name.c_str(), t);
    print("stories only (before):", score_events(weeks[test].data, stories_only(weeks[test].data)));
    print("events, held out:",
          score_events(weeks[test].data, replay(weeks[test].data, model_of(w, t))));
    if (std::getenv("KHOBOR_EV_BRIDGE") != nullptr) {
      print_bridges(weeks[test].data, model_of(w, t));
    }
    if (std::getenv("KHOBOR_SWEEP") != nullptr) {
      const double step = std::max(0.01, env_or("KHOBOR_SWEEP", 0.1));
      for (double s = 0.1; s < 0.96; s += step) {
        char label[32];
        std::snprintf(label, sizeof label, "  at %.2f:", s);
        print(label, score_events(weeks[test].data, replay(weeks[test].data, model_of(w, s))));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: event_train DATA_DIR [--write FILE]\n");
    return 2;
  }
  const fs::path dir = fs::path(argv[1]) / "eval";
  const char* write_to = nullptr;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--write") == 0) {
      write_to = argv[i + 1];
    }
  }
  if (argc >= 4 && std::strcmp(argv[2], "--dump") == 0) {
    return dump_week(dir, argv[3]);
  }
  if (argc >= 3 && std::strcmp(argv[2], "--sweep-stories") == 0) {
    return sweep_stories(dir);
  }
  std::vector<Week> weeks;
  for (const char* name : {"events-w2", "events-w3"}) {
    auto data = load_event_week((dir / (std::string(name) + ".jsonl")).string(),
                                (dir / (std::string(name) + "-pairs.jsonl")).string());
    if (!data) {
      std::fprintf(stderr, "event_train: %s\n", data.error().message.c_str());
      return 1;
    }
    weeks.push_back({name, std::move(*data)});
  }
  const std::vector<Example> extra = paraphrase_examples(fs::path(argv[1]));
  cross_validate(weeks, extra);
  std::vector<const Week*> all;
  for (const Week& w : weeks) {
    all.push_back(&w);
  }
  std::printf("== the model on all weeks\n");
  const auto w = train(all, extra);
  const double t = choose_threshold(all, w);
  for (const Week& week : weeks) {
    std::printf("  %s (in training):\n", week.name.c_str());
    print("events:", score_events(week.data, replay(week.data, model_of(w, t))));
  }
  print_model(stdout, w, t, all);
  if (write_to != nullptr) {
    FILE* f = std::fopen(write_to, "w");
    if (f == nullptr) {
      std::fprintf(stderr, "event_train: cannot write %s\n", write_to);
      return 1;
    }
    print_model(f, w, t, all);
    std::fclose(f);
  }
  return 0;
}
