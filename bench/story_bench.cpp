// story_bench [STORIES [--no-peer|--peer] [--passes N]] — the story index with a million stories in
// the window.
//
// Builds a window of STORIES (default 1,000,000) synthetic entries over the story
// window less an hour (47 h by default)
// (every one a new story except 10% that are versions of an earlier one), then runs
// 200,000 lookups (half versions of stored entries, half unseen entries) and prints:
// insert-and-lookup rate (add()), lookup rate, lookup latency percentiles, bytes per
// story. The same input goes through the peer a user would otherwise pick: textbook
// MinHash LSH (32 permutations, 16 bands of 2 rows, buckets in std::unordered_map,
// the structure datasketch's MinHashLSH uses), with no verification step; the peer
// runs by itself up to 200,000 stories (above, only with --peer: it is that slow).
//
// The event level is built and looked up N times (default 3), the same input each
// time, and prints each lookup's latency as timed in the first pass and as its
// median over the N passes, beside the same two figures for a fixed amount of
// arithmetic that takes the lookups' median: what this machine adds to any ~25 us
// interval (on the shared VM a timer or hypervisor interruption costs ~30 us and
// falls in a few percent of them), which the median over passes removes.
//
// Synthetic fingerprints: 48 features per entry, 8 drawn from a pool of 50 million
// (names and numbers: rare), 40 from a Zipf(1.0) vocabulary of 300,000 words.
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "stories/events.h"
#include "stories/fingerprint.h"
#include "stories/story_index.h"

using khobor::stories::Fingerprint;
using khobor::stories::StoryIndex;
using khobor::stories::StoryOptions;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t heap_bytes() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // small blocks and mmapped ones
}

struct Vocabulary {
  std::vector<double> cdf;
  explicit Vocabulary(std::size_t n) : cdf(n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += 1.0 / static_cast<double>(i + 1);
      cdf[i] = sum;
    }
    for (double& c : cdf) {
      c /= sum;
    }
  }
  uint32_t draw(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
  }
};

uint32_t word_feature(uint32_t word) {
  return khobor::stories::feature_hash("w" + std::to_string(word), false);
}
uint32_t rare_feature(uint64_t id) {
  return khobor::stories::feature_hash("n" + std::to_string(id), (id & 1) != 0);
}

Fingerprint fresh(std::mt19937_64& rng, const Vocabulary& vocab) {
  Fingerprint fp;
  std::uniform_int_distribution<uint64_t> rare(0, 50'000'000);
  while (fp.features.size() < 48) {
    const uint32_t f = fp.features.size() < 8 || fp.features.size() % 6 == 0
                           ? rare_feature(rare(rng))
                           : word_feature(vocab.draw(rng));
    if (std::find(fp.features.begin(), fp.features.end(), f) == fp.features.end()) {
      fp.features.push_back(f);
    }
  }
  fp.simhash = khobor::stories::simhash(fp.features);
  return fp;
}

// Another outlet's version: 65% of the features kept (in order), the rest new words.
Fingerprint version_of(const Fingerprint& original, std::mt19937_64& rng, const Vocabulary& vocab) {
  Fingerprint fp;
  std::bernoulli_distribution keep(0.65);
  for (const uint32_t f : original.features) {
    fp.features.push_back(keep(rng) ? f : word_feature(vocab.draw(rng)));
  }
  std::sort(fp.features.begin(), fp.features.end());
  fp.features.erase(std::unique(fp.features.begin(), fp.features.end()), fp.features.end());
  std::shuffle(fp.features.begin() + static_cast<long>(fp.features.size() / 2), fp.features.end(),
               rng);
  fp.simhash = khobor::stories::simhash(fp.features);
  return fp;
}

// The peer: MinHash LSH as a user would write it from the textbook.
class MinHashLsh {
 public:
  static constexpr int k_perms = 32;
  static constexpr int k_bands = 16;
  static constexpr int k_rows = 2;

  std::vector<uint32_t> signature(const Fingerprint& fp) const {
    std::vector<uint32_t> sig(k_perms, UINT32_MAX);
    for (const uint32_t f : fp.features) {
      for (int p = 0; p < k_perms; ++p) {
        const uint32_t h =
            static_cast<uint32_t>((static_cast<uint64_t>(f) * m_a[p] + m_b[p]) >> 32);
        sig[static_cast<std::size_t>(p)] = std::min(sig[static_cast<std::size_t>(p)], h);
      }
    }
    return sig;
  }
  // Returns the best candidate's story (most agreeing minhashes), or -1.
  int64_t query(const std::vector<uint32_t>& sig) const {
    int64_t best = -1;
    int best_agree = 0;
    for (int b = 0; b < k_bands; ++b) {
      const auto it = m_buckets[static_cast<std::size_t>(b)].find(band_key(sig, b));
      if (it == m_buckets[static_cast<std::size_t>(b)].end()) {
        continue;
      }
      for (const uint32_t e : it->second) {
        int agree = 0;
        for (int p = 0; p < k_perms; ++p) {
          agree +=
              m_sigs[e][static_cast<std::size_t>(p)] == sig[static_cast<std::size_t>(p)] ? 1 : 0;
        }
        if (agree > best_agree) {
          best_agree = agree;
          best = m_story[e];
        }
      }
    }
    return best_agree * 2 >= k_perms / 2 ? best : -1;  // estimated Jaccard >= 0.25
  }
  int64_t add(const Fingerprint& fp) {
    const auto sig = signature(fp);
    int64_t story = query(sig);
    const auto e = static_cast<uint32_t>(m_sigs.size());
    if (story < 0) {
      story = e;
    }
    for (int b = 0; b < k_bands; ++b) {
      m_buckets[static_cast<std::size_t>(b)][band_key(sig, b)].push_back(e);
    }
    m_sigs.push_back(sig);
    m_story.push_back(story);
    return story;
  }
  MinHashLsh() {
    std::mt19937_64 rng(7);
    for (int p = 0; p < k_perms; ++p) {
      m_a[p] = rng() | 1;
      m_b[p] = rng();
    }
    m_buckets.resize(k_bands);
  }

 private:
  static uint64_t band_key(const std::vector<uint32_t>& sig, int b) {
    uint64_t k = 0;
    for (int r = 0; r < k_rows; ++r) {
      k = k * 0x9E3779B97F4A7C15ULL + sig[static_cast<std::size_t>(b * k_rows + r)];
    }
    return k;
  }
  uint64_t m_a[k_perms] = {};
  uint64_t m_b[k_perms] = {};
  std::vector<std::unordered_map<uint64_t, std::vector<uint32_t>>> m_buckets;
  std::vector<std::vector<uint32_t>> m_sigs;
  std::vector<int64_t> m_story;
};

// CPU seconds of this process: the rates are per core even when the machine is busy.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Involuntary context switches of this thread so far: each one put a lookup's
// latency into the tail (the machine is shared). Read around the whole run only: a
// system call per lookup costs more than the lookup here.
long preemptions() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nivcsw;
}

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) {
    return 0.0;
  }
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

struct LookupRun {
  std::size_t lookups = 0;
  double wall_s = 0;
  double cpu_s = 0;
  std::vector<double> all;  // every lookup's latency, µs (steady_clock)
  long preempted = 0;       // involuntary context switches during the run
  std::size_t right = 0;    // answers as generated
};

// Runs the queries in order, again and again, until at least `min_seconds` of wall
// time and `min_lookups` lookups have passed; times every lookup by itself.
template <typename Fn>
LookupRun run_lookups(std::size_t n_queries, double min_seconds, std::size_t min_lookups, Fn&& fn) {
  LookupRun r;
  r.all.reserve(std::max<std::size_t>(min_lookups, 1 << 20));
  const long p0 = preemptions();
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  for (std::size_t i = 0;; ++i) {
    if (i >= min_lookups && i % 1024 == 0 &&
        std::chrono::duration<double>(Clock::now() - start).count() >= min_seconds) {
      break;
    }
    const auto q0 = Clock::now();
    const bool right = fn(i % n_queries);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - q0).count();
    r.all.push_back(us);
    r.right += right ? 1 : 0;
    ++r.lookups;
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  r.cpu_s = cpu_seconds() - cpu0;
  r.preempted = preemptions() - p0;
  return r;
}

void print_rates(std::size_t n, double build_s, double build_cpu, LookupRun& r) {
  std::printf("  add (lookup + insert): %.0f entries per CPU second (%.0f/s by the wall clock)\n",
              static_cast<double>(n) / build_cpu, static_cast<double>(n) / build_s);
  std::printf(
      "  lookup: %zu lookups in %.2f s: %.0f lookups per CPU second (%.0f/s by the wall "
      "clock)\n",
      r.lookups, r.wall_s, static_cast<double>(r.lookups) / r.cpu_s,
      static_cast<double>(r.lookups) / r.wall_s);
  std::printf(
      "  lookup latency (steady_clock, every lookup): p50 %.2f us, p90 %.2f us, p99 %.2f us, "
      "p99.9 %.2f us; scheduled out %ld times during the run\n",
      percentile(r.all, 0.50), percentile(r.all, 0.90), percentile(r.all, 0.99),
      percentile(r.all, 0.999), r.preempted);
}

// The generated input, made once for khobor's indexes and the peer.
struct Workload {
  std::size_t n = 0;  // entries
  std::size_t n_queries = 200'000;
  std::vector<Fingerprint> inputs;
  std::vector<Fingerprint> queries;
  std::vector<bool> expect_hit;  // the query is a version of an input
  std::vector<std::string> ids;
  int64_t t0 = 1'700'000'000;
};

constexpr const char* k_outlets[] = {"prothomalo",  "bdnews24",  "samakal",       "jugantor",
                                     "kalerkantho", "dhakapost", "banglatribune", "bssnews",
                                     "bbc-bangla",  "dailystar"};

// `n` entries (10% of them versions of one of the 2,000 before) and the queries:
// half versions of an input, half fresh.
Workload make_workload(std::size_t n) {
  Workload w;
  w.n = n;
  std::mt19937_64 rng(42);
  const Vocabulary vocab(300'000);
  w.inputs.reserve(n);
  std::bernoulli_distribution is_version(0.10);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 100 && is_version(rng)) {
      std::uniform_int_distribution<std::size_t> pick(i > 2000 ? i - 2000 : 0, i - 1);
      w.inputs.push_back(version_of(w.inputs[pick(rng)], rng, vocab));
    } else {
      w.inputs.push_back(fresh(rng, vocab));
    }
  }
  for (std::size_t i = 0; i < w.n_queries; ++i) {
    if (i % 2 == 0) {
      std::uniform_int_distribution<std::size_t> pick(0, n - 1);
      w.queries.push_back(version_of(w.inputs[pick(rng)], rng, vocab));
      w.expect_hit.push_back(true);
    } else {
      w.queries.push_back(fresh(rng, vocab));
      w.expect_hit.push_back(false);
    }
  }
  w.ids.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    w.ids[i] = "e" + std::to_string(i);
  }
  return w;
}

// khobor's StoryIndex: the entries over its window (48 h by default) less an hour,
// then lookups.
void bench_story_index(const Workload& w) {
  const double span_s = static_cast<double>(StoryOptions{}.window_seconds - 3600);
  const double step = span_s / static_cast<double>(w.n);
  const int64_t t_end = w.t0 + static_cast<int64_t>(span_s);
  const std::size_t heap0 = heap_bytes();
  StoryIndex index;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  for (std::size_t i = 0; i < w.n; ++i) {
    (void)index.add(w.ids[i], k_outlets[i % 10], w.inputs[i],
                    w.t0 + static_cast<int64_t>(static_cast<double>(i) * step));
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double build_cpu = cpu_seconds() - cpu0;
  const std::size_t heap = heap_bytes() - heap0;
  std::size_t hits = 0;
  LookupRun run = run_lookups(w.n_queries, 1.0, w.n_queries, [&](std::size_t i) {
    const auto m = index.lookup(w.queries[i], t_end);
    hits += m ? 1 : 0;
    return m.has_value() == w.expect_hit[i];
  });
  std::printf("khobor StoryIndex: %zu stories, %zu entries in the window\n", index.story_count(),
              index.entry_count());
  print_rates(w.n, build_s, build_cpu, run);
  std::printf(
      "  lookups that found a story: %zu (%zu of %zu answers as generated: versions found, "
      "unseen entries not)\n",
      hits, run.right, run.lookups);
  std::printf("  memory: %.1f bytes/story by the index's count, %.1f bytes/story of heap\n",
              static_cast<double>(index.memory_bytes()) / static_cast<double>(index.story_count()),
              static_cast<double>(heap) / static_cast<double>(index.story_count()));
}

// The event level (stories/events.h) over the same entries. To hold a million
// entries in the event window (24 h by default), the same input is spread over the
// window less an hour here. Each entry goes through the story index and then the event index,
// as in the daemon; only the event index's part is timed. A lookup is
// EventIndex::candidates(): the open events sharing a rare feature, each scored
// by the model (what an entry that starts a new story costs).
struct EventPass {
  double event_cpu = 0;  // adds, the event level's part
  double story_cpu = 0;  // adds, the story level's part
  std::size_t heap = 0;  // both levels
  std::size_t memory = 0;
  std::size_t open_events = 0;
  std::size_t found = 0;  // lookups that would join an event
  LookupRun run;
};

// One pass: fresh indexes built from the workload, then every query looked up
// once, in order (200,704 lookups: the loop stops on a multiple of 1,024).
EventPass event_pass(Workload& w) {
  EventPass p;
  const std::size_t heap0 = heap_bytes();
  StoryIndex stories;
  khobor::stories::EventIndex events;
  const double span_s = static_cast<double>(events.options().window_seconds - 3600);
  const double ev_step = span_s / static_cast<double>(w.n);
  const int64_t ev_end = w.t0 + static_cast<int64_t>(span_s);
  for (std::size_t i = 0; i < w.n; ++i) {
    Fingerprint& fp = w.inputs[i];
    fp.title_features = 12;
    const int64_t t = w.t0 + static_cast<int64_t>(static_cast<double>(i) * ev_step);
    const double c0 = cpu_seconds();
    const auto a = stories.add({}, k_outlets[i % 10], fp, t);
    const double c1 = cpu_seconds();
    (void)events.add(a, k_outlets[i % 10], fp, t);
    p.event_cpu += cpu_seconds() - c1;
    p.story_cpu += c1 - c0;
  }
  p.heap = heap_bytes() - heap0;
  p.memory = events.memory_bytes();
  p.open_events = events.event_count();
  for (Fingerprint& q : w.queries) {
    q.title_features = 12;
  }
  p.run = run_lookups(w.n_queries, 0.0, w.n_queries, [&](std::size_t i) {
    const auto c = events.candidates(k_outlets[i % 10], w.queries[i], ev_end);
    const bool hit = !c.empty() && c.front().probability >= events.options().model.threshold;
    p.found += hit ? 1 : 0;
    return hit == w.expect_hit[i];
  });
  return p;
}

// Each lookup's median latency over the passes (the same lookup, on an index
// built the same way, in each): an interruption of the machine (a timer tick, the
// hypervisor, another process) lands on one pass's run of a lookup, not on most.
std::vector<double> median_per_lookup(const std::vector<std::vector<double>>& passes) {
  std::size_t n = SIZE_MAX;
  for (const auto& p : passes) {
    n = std::min(n, p.size());
  }
  std::vector<double> out(passes.empty() ? 0 : n);
  std::vector<double> one(passes.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t k = 0; k < passes.size(); ++k) {
      one[k] = passes[k][i];
    }
    std::nth_element(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(one.size() / 2),
                     one.end());
    out[i] = one[one.size() / 2];
  }
  return out;
}

// A fixed amount of arithmetic (a dependent chain, no memory), `iters` steps.
double fixed_work(long iters, double seed) {
  double x = seed;
  for (long i = 0; i < iters; ++i) {
    x = x * 1.0000001 + 1e-9;
  }
  return x;
}

// The machine's own tail: `n` runs of a fixed amount of arithmetic sized to take
// `target_us`, timed one by one as the lookups are, `passes` times. Its p50 is its
// real cost; everything above is what the machine adds.
std::vector<std::vector<double>> fixed_work_passes(double target_us, std::size_t n,
                                                   std::size_t passes) {
  constexpr long k_probe = 20'000;
  std::vector<double> probe;
  volatile double sink = 0;
  for (int r = 0; r < 201; ++r) {
    const auto t0 = Clock::now();
    sink = fixed_work(k_probe, r);
    probe.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  const double per_step_us = percentile(probe, 0.5) / static_cast<double>(k_probe);
  const long iters = std::max(1L, static_cast<long>(target_us / per_step_us));
  std::vector<std::vector<double>> out(passes);
  for (auto& pass : out) {
    pass.reserve(n);
    for (std::size_t r = 0; r < n; ++r) {
      const auto t0 = Clock::now();
      sink = fixed_work(iters, static_cast<double>(r));
      pass.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  }
  (void)sink;
  return out;
}

void print_latency(const char* what, std::vector<double> v) {
  std::printf("    %-44s p50 %6.2f us, p90 %6.2f us, p99 %6.2f us, p99.9 %6.2f us\n", what,
              percentile(v, 0.50), percentile(v, 0.90), percentile(v, 0.99), percentile(v, 0.999));
}

void bench_event_index(Workload& w, std::size_t passes) {
  std::vector<EventPass> runs;
  for (std::size_t k = 0; k < passes; ++k) {
    runs.push_back(event_pass(w));
    runs.back().run.all.shrink_to_fit();
  }
  EventPass& p = runs.front();
  std::printf("khobor EventIndex: %zu open events for %zu entries (window %lld h)\n", p.open_events,
              w.n, static_cast<long long>(khobor::stories::EventOptions{}.window_seconds / 3600));
  std::printf(
      "  add: %.0f entries per CPU second for the event level (%.0f for the story "
      "level beside it; the two are timed apart)\n",
      static_cast<double>(w.n) / p.event_cpu, static_cast<double>(w.n) / p.story_cpu);
  std::printf("  lookup (candidates scored by the model): %zu in %.2f s: %.0f per CPU second\n",
              p.run.lookups, p.run.wall_s, static_cast<double>(p.run.lookups) / p.run.cpu_s);
  std::vector<std::vector<double>> lat;
  for (const EventPass& r : runs) {
    lat.push_back(r.run.all);
  }
  const std::vector<double> first = lat.front();
  const std::vector<double> median = median_per_lookup(lat);
  std::vector<double> sorted = first;
  const double p50 = percentile(sorted, 0.5);
  std::printf(
      "  lookup latency (steady_clock, each lookup timed by itself; the first pass was "
      "scheduled out %ld times):\n",
      p.run.preempted);
  print_latency("first pass, every lookup:", first);
  if (passes > 1) {
    std::printf("    each pass, every lookup (p50 / p99):       ");
    for (std::size_t k = 0; k < passes; ++k) {
      std::vector<double> v = lat[k];
      std::printf("%s%.2f / %.2f us", k == 0 ? "" : ", ", percentile(v, 0.5), percentile(v, 0.99));
    }
    std::printf("\n");
    char label[64];
    std::snprintf(label, sizeof label, "each lookup's median over %zu passes:", passes);
    print_latency(label, median);
    const auto noise = fixed_work_passes(p50, first.size(), passes);
    std::printf(
        "  the machine's own tail: %zu runs of a fixed %.1f us of arithmetic (the first "
        "pass's p50), timed the same way:\n",
        first.size(), p50);
    print_latency("first pass:", noise.front());
    std::snprintf(label, sizeof label, "each run's median over %zu passes:", passes);
    print_latency(label, median_per_lookup(noise));
  }
  std::printf("  lookups that would join an event: %zu of %zu\n", p.found, p.run.lookups);
  std::printf(
      "  memory: %.1f bytes/entry by the event index's count; %.1f bytes/entry of heap "
      "for both levels together\n",
      static_cast<double>(p.memory) / static_cast<double>(w.n),
      static_cast<double>(p.heap) / static_cast<double>(w.n));
}

// The peer: textbook MinHash LSH over the same entries and queries.
void bench_peer(const Workload& w) {
  const std::size_t heap0 = heap_bytes();
  MinHashLsh lsh;
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  std::size_t stories = 0;
  for (std::size_t i = 0; i < w.n; ++i) {
    stories += lsh.add(w.inputs[i]) == static_cast<int64_t>(i) ? 1 : 0;
  }
  const double build_s = std::chrono::duration<double>(Clock::now() - start).count();
  const double build_cpu = cpu_seconds() - cpu0;
  const std::size_t heap = heap_bytes() - heap0;
  // The peer is slow: at least 20,000 lookups and 1 s.
  LookupRun run =
      run_lookups(w.n_queries, 1.0, std::min<std::size_t>(w.n_queries, 20'000), [&](std::size_t i) {
        const auto sig = lsh.signature(w.queries[i]);
        return (lsh.query(sig) >= 0) == w.expect_hit[i];
      });
  std::printf("peer MinHash LSH (32 perms, 16x2 bands, std::unordered_map): %zu stories\n",
              stories);
  print_rates(w.n, build_s, build_cpu, run);
  std::printf("  %zu of %zu answers as generated\n", run.right, run.lookups);
  std::printf("  memory: %.1f bytes/story of heap (no expiry, no entry ids)\n",
              static_cast<double>(heap) / static_cast<double>(stories));
}

}  // namespace

int main(int argc, char** argv) {
  // Entries for the requested number of stories (10% of entries join an earlier story).
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it comes (long runs)
  const std::size_t n_stories = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::size_t n = n_stories * 10 / 9;
  double load[3] = {};
  if (getloadavg(load, 3) == 3) {
    std::printf(
        "machine load average %.2f (timings are per CPU second; wall numbers suffer "
        "when other work shares the cores)\n",
        load[0]);
  }
  std::printf("story_bench: %zu entries (about %zu stories) in a %lld h window, %zu lookups\n", n,
              n_stories, static_cast<long long>(StoryOptions{}.window_seconds / 3600),
              Workload{}.n_queries);
  Workload w = make_workload(n);
  std::string flag;
  std::size_t passes = 3;
  for (int a = 2; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--passes" && a + 1 < argc) {
      passes = std::max<std::size_t>(1, std::strtoull(argv[++a], nullptr, 10));
    } else {
      flag = arg;
    }
  }
  bench_story_index(w);
  bench_event_index(w, passes);
  // Above 200,000 stories the peer alone runs for more than 20 minutes (its adds slow
  // down as its buckets grow), so it runs only when asked (--peer) or below that.
  bool run_peer = flag != "--no-peer" && (n_stories <= 200'000 || flag == "--peer");
  if (!run_peer && flag.empty()) {
    std::printf(
        "peer MinHash LSH: not run at %zu stories (it takes over 20 minutes here); "
        "`story_bench 100000` runs both, `story_bench %zu --peer` forces it\n",
        n_stories, n_stories);
  }
  if (run_peer) {
    bench_peer(w);
  }
  return 0;
}
