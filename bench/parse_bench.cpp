// parse_bench — feed parsing speed over real feeds: khobor's parse_feed (the engine,
// no JSON printing), a bare pugixml DOM parse of the same bytes, and Python
// feedparser (/usr/bin/python3, Debian's python3-feedparser) on the same files, all
// in one run, printed side by side in MB/s by the wall clock and by CPU time
// (CLOCK_PROCESS_CPUTIME_ID; Python's process_time), so that the ratios hold on a
// loaded machine; the load average is printed beside them. khobor and pugixml are
// measured in turn, `--passes` times each (default 5), each measurement looping for
// at least `--seconds` (default 1); the medians are printed.
//
// usage: parse_bench [DIR] [--seconds S] [--passes N] [--only-khobor [--rounds N]]
// (DIR default ../shared/data/feeds-bd/latest; --only-khobor times parse_feed alone,
// for profiling; with --rounds it runs exactly N passes, for `perf stat`)
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "feeds/parser.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Input {
  std::string path;
  std::string bytes;
};

std::vector<Input> load(const std::filesystem::path& dir) {
  std::vector<Input> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) {
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back({e.path().string(), std::move(ss).str()});
  }
  return out;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// MB/s of one measurement, by the wall clock and by this process's CPU time.
struct Speed {
  double wall = 0;
  double cpu = 0;
};

// Runs `pass` (one pass over all inputs, `bytes` in total) until at least `seconds`
// of wall time went by; returns its speed.
template <typename F>
Speed measure(size_t bytes, double seconds, F&& pass) {
  int rounds = 0;
  auto start = Clock::now();
  double cpu0 = cpu_seconds();
  double wall = 0;
  do {
    pass();
    ++rounds;
    wall = std::chrono::duration<double>(Clock::now() - start).count();
  } while (wall < seconds);
  double cpu = cpu_seconds() - cpu0;
  double mb = static_cast<double>(bytes) * rounds / 1e6;
  return {mb / wall, mb / cpu};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// `passes` measurements of `a` and of `b` (each at least `seconds` long), taken in
// turn so that both meet the same disturbances on a shared machine; the median of
// each, wall and CPU separately.
template <typename A, typename B>
std::pair<Speed, Speed> measure_pair(size_t bytes, int passes, double seconds, A&& a, B&& b) {
  a();  // warm-up
  b();
  std::vector<double> aw, ac, bw, bc;
  for (int i = 0; i < passes; ++i) {
    Speed sa = measure(bytes, seconds, a);
    Speed sb = measure(bytes, seconds, b);
    aw.push_back(sa.wall);
    ac.push_back(sa.cpu);
    bw.push_back(sb.wall);
    bc.push_back(sb.cpu);
  }
  return {{median(aw), median(ac)}, {median(bw), median(bc)}};
}

// The 1-minute load average (/proc/loadavg), -1 when unknown.
double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = -1;
  in >> l;
  return l;
}

// Python feedparser over the same files, timed inside Python (parse from bytes), by
// the wall clock and by the Python process's CPU time.
Speed feedparser_speed(const std::vector<Input>& inputs, double seconds) {
  std::string script =
      "import sys, time, feedparser\n"
      "datas = [open(p, 'rb').read() for p in sys.argv[2:]]\n"
      "total = sum(len(d) for d in datas)\n"
      "limit = float(sys.argv[1]); rounds = 0\n"
      "t0 = time.perf_counter(); c0 = time.process_time()\n"
      "while True:\n"
      "    for d in datas: feedparser.parse(d)\n"
      "    rounds += 1\n"
      "    el = time.perf_counter() - t0\n"
      "    if el >= limit: break\n"
      "cpu = time.process_time() - c0\n"
      "print(total * rounds / el / 1e6, total * rounds / cpu / 1e6)\n";
  std::string cmd = "/usr/bin/python3 -c \"$KHOBOR_BENCH_SCRIPT\" " + std::to_string(seconds);
  for (const auto& i : inputs) {
    cmd += " '" + i.path + "'";
  }
  setenv("KHOBOR_BENCH_SCRIPT", script.c_str(), 1);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    return {};
  }
  Speed sp;
  if (std::fscanf(p, "%lf %lf", &sp.wall, &sp.cpu) != 2) {
    sp = {};
  }
  pclose(p);
  return sp;
}

// The command line.
struct Args {
  std::string dir = "../shared/data/feeds-bd/latest";
  double seconds = 1;        // per measurement
  int passes = 5;            // measurements per parser; the median is printed
  bool only_khobor = false;  // for profiling
  int rounds = 0;            // with --only-khobor: exactly this many passes (for perf stat)
};

Args read_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--only-khobor") {
      args.only_khobor = true;
    } else if (a == "--seconds" && i + 1 < argc) {
      args.seconds = std::atof(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      args.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--passes" && i + 1 < argc) {
      args.passes = std::max(1, std::atoi(argv[++i]));
    } else {
      args.dir = a;
    }
  }
  return args;
}

// The table: khobor, the bare pugixml parse and feedparser, and their ratios.
void print_speeds(const Speed& ours, const Speed& dom, const Speed& fp) {
  std::printf("%-30s %11s %11s %15s\n", "parser", "wall MB/s", "CPU MB/s", "vs khobor (CPU)");
  std::printf("%-30s %11.1f %11.1f %15s\n", "khobor parse_feed", ours.wall, ours.cpu, "1.00x");
  std::printf("%-30s %11.1f %11.1f %14.2fx\n", "pugixml DOM parse (bare)", dom.wall, dom.cpu,
              dom.cpu / ours.cpu);
  std::printf("%-30s %11.2f %11.2f %14.4fx\n", "Python feedparser", fp.wall, fp.cpu,
              fp.cpu > 0 ? fp.cpu / ours.cpu : 0.0);
  std::printf(
      "khobor is %.0fx feedparser (CPU: %.0fx); a bare pugixml parse is %.2fx faster than khobor "
      "(CPU: %.2fx)\n",
      fp.wall > 0 ? ours.wall / fp.wall : 0.0, fp.cpu > 0 ? ours.cpu / fp.cpu : 0.0,
      dom.wall / ours.wall, dom.cpu / ours.cpu);
}

}  // namespace

int main(int argc, char** argv) {
  // Keep freed memory in the heap. With glibc's defaults a parse that frees a buffer
  // of a few hundred kB may hand it back to the kernel (munmap or trim), and the next
  // parse page-faults it in again; whether it does depends on what ran before (the
  // mmap threshold adapts), which made the bare pugixml parse swing between 1,700 and
  // 2,600 MB/s from one run to the next. This pins both parsers to their fast state.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  const Args args = read_args(argc, argv);
  const std::string& dir = args.dir;
  const double seconds = args.seconds;
  const int passes = args.passes;
  if (!std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "parse_bench: no directory %s (give the feeds directory)\n", dir.c_str());
    return 1;
  }
  auto inputs = load(dir);
  size_t bytes = 0;
  size_t entries = 0;
  for (const auto& i : inputs) {
    bytes += i.bytes.size();
    auto r = khobor::feeds::parse_feed(i.bytes);
    entries += r ? r->entries.size() : 0;
  }
  std::printf("input: %zu files, %.2f MB, %zu entries (%s)\n", inputs.size(), bytes / 1e6, entries,
              dir.c_str());
  size_t sink = 0;
  auto khobor_pass = [&] {
    for (const auto& i : inputs) {
      auto r = khobor::feeds::parse_feed(i.bytes);
      sink += r ? r->entries.size() : 0;
    }
  };
  auto dom_pass = [&] {
    for (const auto& i : inputs) {
      pugi::xml_document doc;
      doc.load_buffer(i.bytes.data(), i.bytes.size());
      sink += doc.first_child() ? 1 : 0;
    }
  };
  if (args.only_khobor && args.rounds > 0) {
    for (int r = 0; r < args.rounds; ++r) {
      khobor_pass();
    }
    return sink == 0 ? 1 : 0;
  }
  if (args.only_khobor) {
    Speed ours = measure(bytes, seconds * passes, khobor_pass);
    std::printf("khobor parse_feed: %.1f MB/s (CPU time: %.1f MB/s)\n", ours.wall, ours.cpu);
    return 0;
  }
  double load_before = load_average();
  auto [ours, dom] = measure_pair(bytes, passes, seconds, khobor_pass, dom_pass);
  Speed fp = feedparser_speed(inputs, std::max(seconds, 3.0));
  double load_after = load_average();
  std::printf(
      "load average (1 min): %.2f before, %.2f after, %u CPUs; median of %d passes of "
      ">= %.1f s each (khobor and pugixml in turn)\n",
      load_before, load_after, std::thread::hardware_concurrency(), passes, seconds);
  print_speeds(ours, dom, fp);
  return sink == 0 ? 1 : 0;
}
