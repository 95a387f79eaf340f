// khobor/web/marks.cpp — marking matched words in titles and snippets.
#include "web/marks.h"

#include <algorithm>

#include "base/utf8.h"

namespace khobor::web {

std::vector<Run> mark_spans(std::string_view text, std::vector<Span> spans) {
  for (auto& [b, e] : spans) {
    b = std::min(b, text.size());
    e = std::min(std::max(e, b), text.size());
    while (b > 0 && b < text.size() && utf8::is_continuation(text[b])) {
      --b;
    }
    while (e < text.size() && utf8::is_continuation(text[e])) {
      ++e;
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<Run> runs;
  size_t at = 0;
  auto add = [&](size_t from, size_t to, bool marked) {
    if (to > from) {
      runs.push_back(Run{std::string(text.substr(from, to - from)), marked});
    }
  };
  for (size_t i = 0; i < spans.size();) {
    auto [b, e] = spans[i];
    for (++i; i < spans.size() && spans[i].first <= e; ++i) {
      e = std::max(e, spans[i].second);  // overlapping or touching: one mark
    }
    if (e <= b) {
      continue;
    }
    add(at, std::max(at, b), false);
    add(std::max(at, b), e, true);
    at = std::max(at, e);
  }
  add(at, text.size(), false);
  return runs;
}

std::vector<Span> find_all(std::string_view text, const std::vector<std::string>& needles) {
  std::vector<Span> spans;
  for (const auto& n : needles) {
    if (n.empty()) {
      continue;
    }
    for (size_t at = text.find(n); at != std::string_view::npos; at = text.find(n, at + n.size())) {
      spans.emplace_back(at, at + n.size());
    }
  }
  return spans;
}

}  // namespace khobor::web
