// parse_bench — feed parsing speed over real feeds: khobor's parse_feed (the engine,
// no JSON printing), a bare pugixml DOM parse of the same bytes, and Python
// feedparser (/usr/bin/python3, Debian's python3-feedparser) on the same files, all
// in one run, printed side by side in MB/s (our passes and pugixml's alternate).
//
// usage: parse_bench [DIR] [--seconds S] [--only-khobor]   (DIR default
// ../shared/data/feeds-bd/latest)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <string>
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

// Runs passes `a` and `b` over all inputs alternately for `seconds` in total, so
// that both meet the same disturbances on a shared machine; returns the MB/s of each
// (bytes of all passes / time of all passes).
template <typename A, typename B>
std::pair<double, double> measure_pair(const std::vector<Input>& inputs, double seconds, A&& a,
                                       B&& b) {
  size_t bytes = 0;
  for (const auto& i : inputs) {
    bytes += i.bytes.size();
  }
  a();  // warm-up
  b();
  double ta = 0;
  double tb = 0;
  int rounds = 0;
  auto start = Clock::now();
  do {
    auto t0 = Clock::now();
    a();
    auto t1 = Clock::now();
    b();
    auto t2 = Clock::now();
    ta += std::chrono::duration<double>(t1 - t0).count();
    tb += std::chrono::duration<double>(t2 - t1).count();
    ++rounds;
  } while (std::chrono::duration<double>(Clock::now() - start).count() < seconds);
  double total = static_cast<double>(bytes) * rounds / 1e6;
  return {total / ta, total / tb};
}

// Python feedparser over the same files, timed inside Python (parse from bytes).
double feedparser_mbps(const std::vector<Input>& inputs, double seconds) {
  std::string script =
      "import sys, time, feedparser\n"
      "datas = [open(p, 'rb').read() for p in sys.argv[2:]]\n"
      "total = sum(len(d) for d in datas)\n"
      "limit = float(sys.argv[1]); rounds = 0; t0 = time.perf_counter()\n"
      "while True:\n"
      "    for d in datas: feedparser.parse(d)\n"
      "    rounds += 1\n"
      "    el = time.perf_counter() - t0\n"
      "    if el >= limit: break\n"
      "print(total * rounds / el / 1e6)\n";
  std::string cmd = "/usr/bin/python3 -c \"$KHOBOR_BENCH_SCRIPT\" " + std::to_string(seconds);
  for (const auto& i : inputs) {
    cmd += " '" + i.path + "'";
  }
  setenv("KHOBOR_BENCH_SCRIPT", script.c_str(), 1);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    return 0;
  }
  double mbps = 0;
  if (std::fscanf(p, "%lf", &mbps) != 1) {
    mbps = 0;
  }
  pclose(p);
  return mbps;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/data/feeds-bd/latest";
  double seconds = 3;
  bool only_khobor = false;  // for profiling
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--only-khobor") {
      only_khobor = true;
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      dir = a;
    }
  }
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
  if (only_khobor) {
    auto [ours, unused] = measure_pair(inputs, seconds, khobor_pass, [] {});
    std::printf("khobor parse_feed: %.1f MB/s\n", ours);
    return 0;
  }
  auto [ours, dom] = measure_pair(inputs, seconds, khobor_pass, dom_pass);
  double fp = feedparser_mbps(inputs, seconds);
  std::printf("%-34s %10s %12s\n", "parser", "MB/s", "vs khobor");
  std::printf("%-34s %10.1f %12s\n", "khobor parse_feed", ours, "1.0x");
  std::printf("%-34s %10.1f %11.2fx\n", "pugixml DOM parse (bare)", dom, dom / ours);
  std::printf("%-34s %10.2f %11.4fx\n", "Python feedparser", fp, fp / ours);
  std::printf("khobor is %.0fx feedparser and %.2fx slower than a bare pugixml parse\n",
              fp > 0 ? ours / fp : 0.0, dom / ours);
  return sink == 0 ? 1 : 0;
}
