// khobor cluster [FILE] — which records tell the same story, and which report the same
// event? Reads JSON Lines (id, title, summary, body, published, outlet) in order, as
// the daemon would meet them, and prints one JSON line per record: id, story,
// duplicate_of, score, event, event_p; with --explain, a line before each that says
// why its event was joined or opened.
// GCC 12 reports a false "potential null pointer dereference" inside CLI11's inlined
// string helpers (CLI::detail::split); it is not in our code.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "stories/cluster.h"
#include "tools/command.h"

namespace {

// Places every record of `in` (JSON Lines named `where`) and prints its line
// (after its explanation with `explain`); returns how many lines were skipped as
// unreadable, each named on stderr.
std::size_t cluster_lines(std::istream& in, const std::string& where,
                          khobor::stories::Clusterer& clusterer, bool explain,
                          double event_threshold) {
  std::string line;
  std::size_t line_no = 0;
  std::size_t bad = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    auto record = khobor::stories::parse_cluster_record(line);
    if (!record) {
      ++bad;
      std::fprintf(stderr, "khobor cluster: %s:%zu: %s; line skipped\n", where.c_str(), line_no,
                   record.error().message.c_str());
      continue;
    }
    khobor::stories::EventExplanation why;
    const auto placement = clusterer.place(*record, explain ? &why : nullptr);
    if (explain) {
      std::printf(
          "%s\n",
          khobor::stories::explain_json_line(*record, placement, why, event_threshold).c_str());
    }
    std::printf("%s\n", khobor::stories::cluster_json_line(*record, placement).c_str());
  }
  return bad;
}

int run_cluster(int argc, char** argv) {
  CLI::App app{
      "Group JSON Lines records (id, title, summary, body, published, outlet) into stories and "
      "events with the daemon's engine; prints {id, story, duplicate_of, score, event, event_p} "
      "per record.",
      "khobor cluster"};
  std::string file = "-";
  khobor::stories::StoryOptions options;
  khobor::stories::EventOptions event_options;
  bool explain = false;
  double window_hours = static_cast<double>(options.window_seconds) / 3600.0;
  app.add_option("FILE", file, "JSON Lines input ('-' or absent: standard input)");
  app.add_option("--window", window_hours, "story window in hours (the daemon's default: 48)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threshold", options.threshold,
                 "verification score needed to join a story (default 0.7)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--event-threshold", event_options.model.threshold,
                 "model probability needed to join an event (default: the trained model's)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--explain", explain,
               "before each record's line, print {explain, event, decision, candidates[]}: the "
               "best candidate events' features and probabilities");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  options.window_seconds = static_cast<int64_t>(window_hours * 3600.0);

  std::ifstream in_file;
  std::istream* in = &std::cin;
  if (file != "-") {
    in_file.open(file);
    if (!in_file) {
      std::fprintf(stderr, "khobor cluster: cannot open %s\n", file.c_str());
      return 2;
    }
    in = &in_file;
  }
  const std::string where = file == "-" ? "<stdin>" : file;
  khobor::stories::Clusterer clusterer(options, event_options);
  const std::size_t bad =
      cluster_lines(*in, where, clusterer, explain, event_options.model.threshold);
  std::fflush(stdout);
  return bad == 0 ? 0 : 1;
}

const khobor::tools::Registration k_reg{
    "cluster", "group JSON Lines records into stories (same engine as the daemon)", &run_cluster};

}  // namespace
