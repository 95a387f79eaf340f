// text_bench — the text path's speed on real Bengali feed entries.
//
//   text_bench [DATA_DIR] [--quick] [--rounds N] [--seconds S] [--passes N]
//              [--rules 1000|10000] [--match-only] [--no-icu]
//
// DATA_DIR defaults to ../shared/data (its feeds-bd/latest/*.xml are read). The
// entries' title, description/summary and content:encoded/content are taken
// with pugixml and stripped of HTML tags: that text is the input. Measured:
//   - ICU's bare word-break iterator over the same text (UTF-8 UText, every
//     boundary and its rule status): the peer, and the ceiling of any
//     ICU-based tokenizer;
//   - our normalize_mapped, tokenize, and normalize + tokenize;
//   - WatchSet::match (normalise + tokens + match, per field as khobord runs it,
//     hits and snippets included) against 1,000 and 10,000 rules drawn from the
//     corpus's own words;
// and the time to load and compile the 1,000 and 10,000 rules (100 and 1,000
// watch-list files of 10 rules each, TOML parsing included), median of 5.
//
// Each measurement loops over the corpus for at least S seconds (default 1) of
// wall time; there are N rounds (default 5), each running every measurement
// once, ICU's first, so ours and the peer's are taken under the same load. Printed
// per measurement, in MB of entry text per second: the median over the rounds by
// the wall clock and by the process's CPU time (CLOCK_PROCESS_CPUTIME_ID), the
// slowest round's CPU rate, and the median ratio to ICU's CPU rate in the same
// round; the load average before and after is printed beside them. --passes N
// runs exactly N passes per measurement instead (for perf stat), --match-only
// skips the text-only passes, --no-icu skips ICU's too (its line then means
// nothing), --rules picks one rule set.
#include <time.h>
#include <unicode/brkiter.h>
#include <unicode/localpointer.h>
#include <unicode/utext.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "text/normalize.h"
#include "text/tokens.h"
#include "watch/watchset.h"

namespace fs = std::filesystem;

namespace {

struct Entry {
  std::string title;
  std::string summary;
  std::string content;
};

// Drops HTML tags and decodes the few entities feeds put in escaped HTML.
std::string strip_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_tag = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        out += ' ';
      }
      continue;
    }
    if (c == '<') {
      in_tag = true;
      continue;
    }
    if (c == '&') {
      static const std::pair<std::string_view, std::string_view> k_entities[] = {
          {"&nbsp;", " "}, {"&amp;", "&"}, {"&quot;", "\""},
          {"&lt;", "<"},   {"&gt;", ">"},  {"&#39;", "'"}};
      bool done = false;
      for (const auto& [name, value] : k_entities) {
        if (s.substr(i, name.size()) == name) {
          out += value;
          i += name.size() - 1;
          done = true;
          break;
        }
      }
      if (done) {
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string child_text(const pugi::xml_node& item, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (pugi::xml_node n = item.child(name)) {
      return strip_html(n.text().get());
    }
  }
  return {};
}

std::vector<Entry> load_entries(const fs::path& dir) {
  std::vector<Entry> entries;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".xml") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    pugi::xml_document doc;
    if (!doc.load_file(p.c_str())) {
      std::fprintf(stderr, "text_bench: cannot parse %s, skipped\n", p.c_str());
      continue;
    }
    for (const auto& x : doc.select_nodes("//item | //*[local-name()='entry']")) {
      const pugi::xml_node item = x.node();
      Entry e;
      e.title = child_text(item, {"title"});
      e.summary = child_text(item, {"description", "summary"});
      e.content = child_text(item, {"content:encoded", "content"});
      entries.push_back(std::move(e));
    }
  }
  return entries;
}

// One reading of both clocks: wall (monotonic) and the process's CPU time.
struct Clocks {
  double wall = 0;
  double cpu = 0;
};

Clocks now() {
  auto seconds = [](clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  return Clocks{seconds(CLOCK_MONOTONIC), seconds(CLOCK_PROCESS_CPUTIME_ID)};
}

// The machine's load averages (1, 5, 15 min), printed beside the numbers: the
// wall-clock rates mean little on a busy machine, the CPU-time rates less so.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// One pass of a measurement: MB/s by the wall clock and by CPU time.
struct Sample {
  double wall = 0;
  double cpu = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A named measurement: `pass` goes once over the whole input (`mb` MB of text).
struct Measure {
  std::string label;
  std::function<void()> pass;
  std::vector<Sample> samples;  // one per round
};

// Runs `pass` again and again for at least `min_seconds` of wall time (a single
// pass over the corpus takes 10–30 ms, which is noise) and returns the rates.
// With `passes` > 0, exactly that many passes instead (for counting
// instructions with perf stat, which the load does not change).
Sample run_for(const std::function<void()>& pass, double mb, double min_seconds, int passes) {
  const Clocks t0 = now();
  Clocks t = t0;
  int n = 0;
  do {
    pass();
    ++n;
    t = now();
  } while (passes > 0 ? n < passes : t.wall - t0.wall < min_seconds);
  return Sample{mb * n / (t.wall - t0.wall), mb * n / std::max(t.cpu - t0.cpu, 1e-9)};
}

// Writes `n` rules as n/10 watch-list files into `dir`, drawn from `words`.
void write_rules(const fs::path& dir, size_t n, const std::vector<std::string>& words,
                 uint32_t seed) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, words.size() - 1);
  std::uniform_int_distribution<int> kind(0, 99);
  auto w = [&] { return words[pick(rng)]; };
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        q += '\\';
      }
      q += c;
    }
    return q + "\"";
  };
  for (size_t f = 0; f < n / 10; ++f) {
    std::ofstream out(dir / ("list" + std::to_string(f) + ".toml"));
    out << "rules = [\n";
    for (int r = 0; r < 10; ++r) {
      const int k = kind(rng);
      std::string rule;
      if (k < 40) {
        rule = w();  // one word, inflection-aware
      } else if (k < 60) {
        rule = w() + " " + w();  // two words (AND)
      } else if (k < 75) {
        rule = "\"" + w() + " " + w() + "\"";  // phrase
      } else if (k < 83) {
        rule = "(" + w() + " OR " + w() + ") AND " + w();
      } else if (k < 90) {
        rule = w() + " NOT " + w();
      } else if (k < 95) {
        rule = "=" + w();
      } else {
        // a prefix as analysts write them: a stem of 4+ letters (ক্রিকেট*)
        std::string p = w();
        while (khobor::text::tokenize(p).empty() || p.size() < 12) {
          p = w();
        }
        rule = p + "*";
      }
      out << "  " << quote(rule) << ",\n";
    }
    out << "]\n";
  }
}

// The command line.
struct Args {
  fs::path data = fs::path(KHOBOR_SOURCE_DIR) / ".." / "shared" / "data";
  bool quick = false;
  size_t only_rules = 0;    // 0: both 1,000 and 10,000
  bool match_only = false;  // only the matching passes (for profiling)
  bool no_icu = false;      // not even ICU's (for profiling; no ratios then)
  int rounds = 5;
  double min_seconds = 1.0;
  int passes = 0;  // 0: loop for min_seconds
};

// False after the usage line when the command line is not understood.
bool read_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      a.quick = true;
    } else if (std::strcmp(argv[i], "--match-only") == 0) {
      a.match_only = true;
    } else if (std::strcmp(argv[i], "--no-icu") == 0) {
      a.no_icu = true;
    } else if (std::strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
      a.only_rules = static_cast<size_t>(std::atol(argv[++i]));
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      a.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
      a.passes = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      a.min_seconds = std::max(0.0, std::atof(argv[++i]));
    } else if (argv[i][0] == '-') {
      std::fprintf(stderr,
                   "usage: text_bench [DATA_DIR] [--quick] [--rounds N] [--seconds S] "
                   "[--passes N] [--rules 1000|10000] [--match-only] [--no-icu]\n");
      return false;
    } else {
      a.data = argv[i];
    }
  }
  if (a.quick) {
    a.rounds = 1;
    a.min_seconds = 0.05;
  }
  return true;
}

// Rule words: distinct corpus tokens of 2+ characters, as the analyst would
// type them (the rule parser normalises them again), sorted. The 300 most
// frequent words (এবং, করে, the, …) are left out: no analyst watches for them,
// and every entry would match.
std::vector<std::string> rule_vocabulary(const std::vector<std::string>& normalized) {
  std::map<std::string, int> freq;
  for (const std::string& s : normalized) {
    for (const auto& t : khobor::text::tokenize(s)) {
      if (t.text.size() >= 4) {
        ++freq[std::string(t.text)];
      }
    }
  }
  std::vector<std::pair<int, std::string>> by_freq;
  for (const auto& [w, n] : freq) {
    by_freq.emplace_back(-n, w);
  }
  std::sort(by_freq.begin(), by_freq.end());
  std::vector<std::string> words;
  for (size_t k = std::min<size_t>(300, by_freq.size()); k < by_freq.size(); ++k) {
    const std::string& w = by_freq[k].second;
    if (w.find_first_of("\"\\*=()") == std::string::npos && w != "and" && w != "or" && w != "not") {
      words.push_back(w);
    }
  }
  std::sort(words.begin(), words.end());
  return words;
}

// The peer: ICU's word break iterator, bare, over the entries' fields.
struct IcuPeer {
  explicit IcuPeer(const std::vector<Entry>& e) : entries(e) {}
  ~IcuPeer() { utext_close(text); }
  bool ok() const { return U_SUCCESS(status); }
  void pass() {
    words = 0;
    UErrorCode st = U_ZERO_ERROR;
    for (const Entry& e : entries) {
      for (const std::string* f : {&e.title, &e.summary, &e.content}) {
        text = utext_openUTF8(text, f->data(), static_cast<int64_t>(f->size()), &st);
        it->setText(text, st);
        for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) {
          words += it->getRuleStatus() != UBRK_WORD_NONE ? 1 : 0;
        }
      }
    }
    if (U_FAILURE(st)) {
      std::fprintf(stderr, "ICU: %s\n", u_errorName(st));
    }
  }
  const std::vector<Entry>& entries;
  UErrorCode status = U_ZERO_ERROR;
  icu::LocalPointer<icu::BreakIterator> it{
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status)};
  UText* text = nullptr;
  size_t words = 0;
};

// The measurements and what their passes read and write; the passes capture
// this object, so it outlives them.
struct Bench {
  explicit Bench(std::vector<Entry> e) : entries(std::move(e)) {}

  // Our text passes: normalize_mapped, tokenize, both.
  void add_text_measures() {
    measures.push_back({"khobor normalize_mapped",
                        [this] {
                          for (const Entry& e : entries) {
                            for (const std::string* f : {&e.title, &e.summary, &e.content}) {
                              khobor::text::normalize_mapped(*f, mapped);
                              sink += mapped.text.size();
                            }
                          }
                        },
                        {}});
    measures.push_back({"khobor tokenize (of normalised text)",
                        [this] {
                          for (const std::string& s : normalized) {
                            khobor::text::tokenize(s, toks);
                            sink += toks.size();
                          }
                        },
                        {}});
    measures.push_back({"khobor normalize + tokenize",
                        [this] {
                          for (const Entry& e : entries) {
                            for (const std::string* f : {&e.title, &e.summary, &e.content}) {
                              khobor::text::normalize(*f, norm);
                              khobor::text::tokenize(norm, toks);
                              sink += toks.size();
                            }
                          }
                        },
                        {}});
  }

  // The rule sets of `n` rules drawn from `words`: loaded and compiled (TOML
  // included) 5 times, the median printed; then its matching pass is a measurement.
  void add_rule_set(const fs::path& tmp, size_t n, const std::vector<std::string>& words) {
    write_rules(tmp, n, words, static_cast<uint32_t>(n));
    std::vector<double> wall;
    std::vector<double> cpu;
    auto set = std::make_unique<khobor::watch::WatchSet>();
    for (int k = 0; k < 5; ++k) {
      std::vector<khobor::watch::LoadProblem> problems;
      const Clocks t0 = now();
      *set = khobor::watch::WatchSet::load_dir(tmp.string(), problems);
      const Clocks t1 = now();
      wall.push_back(t1.wall - t0.wall);
      cpu.push_back(t1.cpu - t0.cpu);
      for (const auto& p : problems) {
        std::fprintf(stderr, "  problem: %s\n", p.to_string().c_str());
      }
    }
    std::printf(
        "%zu rules in %zu lists: loaded and compiled in %.3f s wall, %.3f s CPU (median "
        "of 5)\n",
        set->rule_count(), set->list_count(), median(wall), median(cpu));
    const size_t slot = n == 1000 ? 0 : 1;
    const khobor::watch::WatchSet* s = set.get();
    char label[96];
    std::snprintf(label, sizeof label, "khobor normalise + tokens + match, %zu rules", n);
    measures.push_back({label,
                        [this, s, slot] {
                          matched[slot] = 0;
                          hit_count[slot] = 0;
                          for (const Entry& e : entries) {
                            khobor::watch::EntryText t{"feed", e.title, e.summary, e.content};
                            for (const auto& m : s->match(t)) {
                              ++matched[slot];
                              hit_count[slot] += m.hits.size();
                            }
                          }
                        },
                        {}});
    sets.push_back(std::move(set));
    set_slots.push_back(slot);
  }

  // The rounds: every measurement once per round, ICU's first, so that each
  // round's numbers, ours and the peer's, are taken under the same load.
  void run_rounds(const Args& a, double mb) {
    const std::string load_before = load_average();
    for (int r = 0; r < a.rounds; ++r) {
      for (Measure& m : measures) {
        m.samples.push_back(run_for(m.pass, mb, a.min_seconds, a.passes));
      }
    }
    const std::string load_after = load_average();
    std::printf("%d rounds of >= %.2f s per measurement; load average %s before, %s after\n",
                a.rounds, a.min_seconds, load_before.c_str(), load_after.c_str());
  }

  // The table (ICU's measurement first), then each rule set's matches.
  void print_results() const {
    std::printf("  %-48s %9s %9s %9s %9s\n", "MB/s, median of the rounds (min: slowest round)",
                "wall", "CPU", "CPU min", "/ ICU");
    std::vector<double> icu_cpu;
    for (const Sample& s : measures.front().samples) {
      icu_cpu.push_back(s.cpu);
    }
    for (const Measure& m : measures) {
      std::vector<double> wall;
      std::vector<double> cpu;
      std::vector<double> ratio;
      for (size_t k = 0; k < m.samples.size(); ++k) {
        wall.push_back(m.samples[k].wall);
        cpu.push_back(m.samples[k].cpu);
        ratio.push_back(m.samples[k].cpu / icu_cpu[k]);
      }
      std::printf("  %-48s %9.1f %9.1f %9.1f %8.2fx\n", m.label.c_str(), median(wall), median(cpu),
                  *std::min_element(cpu.begin(), cpu.end()), median(ratio));
    }
    for (size_t k = 0; k < sets.size(); ++k) {
      std::printf("%zu rules: %zu matches, %zu hits over the %zu entries\n", sets[k]->rule_count(),
                  matched[set_slots[k]], hit_count[set_slots[k]], entries.size());
    }
  }

  std::vector<Entry> entries;
  std::vector<std::string> normalized;  // each field of each entry
  std::vector<Measure> measures;
  size_t sink = 0;  // keeps the passes' results alive
  khobor::text::NormalizedText mapped;
  std::string norm;
  std::vector<khobor::text::Token> toks;
  std::vector<std::unique_ptr<khobor::watch::WatchSet>> sets;
  std::vector<size_t> set_slots;  // 0: the 1,000 rules, 1: the 10,000
  std::vector<size_t> matched = std::vector<size_t>(2, 0);
  std::vector<size_t> hit_count = std::vector<size_t>(2, 0);
};

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!read_args(argc, argv, args)) {
    return 2;
  }
  const fs::path dir = args.data / "feeds-bd" / "latest";
  if (!fs::is_directory(dir)) {
    std::printf("text_bench: no %s (the shared data directory); nothing measured\n", dir.c_str());
    return 0;
  }
  Bench bench(load_entries(dir));
  if (args.quick && bench.entries.size() > 200) {
    bench.entries.resize(200);
  }
  size_t bytes = 0;
  for (const Entry& e : bench.entries) {
    bytes += e.title.size() + e.summary.size() + e.content.size();
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("input: %zu entries, %.2f MB of entry text (title + summary + content) from %s\n",
              bench.entries.size(), mb, dir.c_str());
  size_t token_count = 0;
  for (const Entry& e : bench.entries) {
    for (const std::string* f : {&e.title, &e.summary, &e.content}) {
      bench.normalized.push_back(khobor::text::normalize(*f));
      token_count += khobor::text::tokenize(bench.normalized.back()).size();
    }
  }
  IcuPeer icu(bench.entries);
  icu.pass();
  if (!icu.ok()) {
    std::fprintf(stderr, "ICU: %s\n", u_errorName(icu.status));
    return 1;
  }
  std::printf("words: ICU %zu, ours %zu tokens (after normalising)\n", icu.words, token_count);
  bench.measures.push_back({"ICU word-break iterator, bare (the peer)",
                            args.no_icu ? [] {} : std::function<void()>([&icu] { icu.pass(); }),
                            {}});
  if (!args.match_only) {
    bench.add_text_measures();
  }
  const std::vector<std::string> words = rule_vocabulary(bench.normalized);
  std::printf("rule vocabulary: %zu distinct corpus words (all but the 300 most frequent)\n",
              words.size());
  const fs::path tmp =
      fs::temp_directory_path() / ("khobor-text-bench-" + std::to_string(getpid()));
  for (size_t n : {size_t{1000}, size_t{10000}}) {
    if (args.only_rules == 0 || n == args.only_rules) {
      bench.add_rule_set(tmp, n, words);
    }
  }
  fs::remove_all(tmp);
  bench.run_rounds(args, mb);
  bench.print_results();
  return bench.sink == 42 ? 1 : 0;
}
