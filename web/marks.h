// khobor/web/marks.h — a text cut into runs, the marked runs being what a watch
// list matched, for the page to show as <mark> without parsing any markup.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace khobor::web {

// A byte span [begin, end) of a UTF-8 text.
using Span = std::pair<size_t, size_t>;

struct Run {
  std::string text;
  bool marked = false;
  bool operator==(const Run&) const = default;
};

// `text` cut at the spans: spans are clamped to the text, widened to whole code
// points (a span is never cut inside a UTF-8 sequence), and overlapping or
// touching ones merged. Empty runs are left out; no spans: one unmarked run.
std::vector<Run> mark_spans(std::string_view text, std::vector<Span> spans);

// Every occurrence of each non-empty needle in `text` (byte spans, unsorted).
std::vector<Span> find_all(std::string_view text, const std::vector<std::string>& needles);

}  // namespace khobor::web
