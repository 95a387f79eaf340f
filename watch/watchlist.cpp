// khobor/watch/watchlist.cpp — reading one watch list's TOML (toml++).
#include "watch/watchlist.h"

#include <fnmatch.h>
#include <toml++/toml.h>

#include <filesystem>
#include <string>

#include "base/duration.h"

namespace khobor::watch {

bool WatchList::applies_to(std::string_view feed_id) const {
  if (feeds.empty()) {
    return true;
  }
  const std::string id(feed_id);
  for (const std::string& pattern : feeds) {
    if (pattern == id || fnmatch(pattern.c_str(), id.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

namespace {

LoadProblem problem(const std::string& file, const toml::source_region& where,
                    std::string message) {
  return LoadProblem{file, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                     std::move(message)};
}

// Reads an array of strings at `key`; problems for anything else.
bool string_array(const toml::table& t, std::string_view key, const std::string& file,
                  std::vector<const toml::value<std::string>*>& out,
                  std::vector<LoadProblem>& problems) {
  const toml::node* node = t.get(key);
  if (node == nullptr) {
    return true;
  }
  const toml::array* arr = node->as_array();
  if (arr == nullptr) {
    problems.push_back(problem(file, node->source(),
                               "'" + std::string(key) + "' must be an array of strings, e.g. " +
                                   std::string(key) + " = [\"পুতিন\"]"));
    return false;
  }
  bool ok = true;
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) {
      problems.push_back(
          problem(file, item.source(), "each item of '" + std::string(key) + "' must be a string"));
      ok = false;
      continue;
    }
    out.push_back(s);
  }
  return ok;
}

// Parses the rules of `key` into `out`, mapping a rule error's column to the file.
bool parse_rules(const toml::table& t, std::string_view key, const std::string& file,
                 std::vector<Rule>& out, std::vector<LoadProblem>& problems) {
  std::vector<const toml::value<std::string>*> items;
  bool ok = string_array(t, key, file, items, problems);
  for (const auto* item : items) {
    RuleError err;
    auto rule = parse_rule(item->get(), err);
    if (!rule) {
      // The string's source begins at its opening quote; a rule without escape
      // sequences then has its column-th character at begin.column + column.
      const auto& where = item->source();
      problems.push_back(LoadProblem{file, static_cast<int>(where.begin.line),
                                     static_cast<int>(where.begin.column) + err.column,
                                     "bad rule in '" + std::string(key) + "': " + err.message});
      ok = false;
      continue;
    }
    out.push_back(std::move(*rule));
  }
  return ok;
}

// Every top-level key must be one a watch list has.
void check_keys(const toml::table& t, const std::string& file, std::vector<LoadProblem>& problems) {
  for (const auto& [key, node] : t) {
    const std::string_view k = key.str();
    if (k != "name" && k != "description" && k != "rules" && k != "exclude" && k != "feeds" &&
        k != "group_interval") {
      problems.push_back(problem(file, key.source(),
                                 "unknown key '" + std::string(k) +
                                     "' (a watch list has name, description, rules, exclude, "
                                     "feeds, group_interval)"));
    }
  }
}

// group_interval: seconds or a duration string, from 0 s to a day.
void read_group_interval(const toml::node& n, const std::string& file, WatchList& out,
                         std::vector<LoadProblem>& problems) {
  Result<int64_t> secs = make_error("duration", "");
  if (const auto i = n.value_exact<int64_t>()) {
    secs = *i;
  } else if (const auto* s = n.as_string()) {
    secs = parse_duration(s->get());
  } else {
    secs = make_error("duration", "expected seconds (300) or a string like \"5m\"");
  }
  if (!secs) {
    problems.push_back(problem(file, n.source(), "'group_interval': " + secs.error().message));
  } else if (*secs < 0 || *secs > k_max_group_interval_s) {
    problems.push_back(problem(
        file, n.source(),
        "'group_interval' must be between 0 s and 1 day, got " + std::to_string(*secs) + " s"));
  } else {
    out.group_interval_s = *secs;
  }
}

}  // namespace

bool parse_watchlist(std::string_view toml_text, const std::string& file, WatchList& out,
                     std::vector<LoadProblem>& problems) {
  out = WatchList{};
  out.file = file;
  toml::table t;
  try {
    t = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    problems.push_back(problem(file, e.source(), std::string(e.description())));
    return false;
  }
  const size_t before = problems.size();
  check_keys(t, file, problems);
  out.name = std::filesystem::path(file).stem().string();
  if (const toml::node* n = t.get("name")) {
    if (const auto* s = n->as_string(); s != nullptr && !s->get().empty()) {
      out.name = s->get();
    } else {
      problems.push_back(problem(file, n->source(), "'name' must be a non-empty string"));
    }
  }
  if (const toml::node* n = t.get("description")) {
    if (const auto* s = n->as_string()) {
      out.description = s->get();
    } else {
      problems.push_back(problem(file, n->source(), "'description' must be a string"));
    }
  }
  if (t.get("rules") == nullptr) {
    problems.push_back(
        LoadProblem{file, 1, 1, "no 'rules': a watch list needs rules = [\"word\", ...]"});
  }
  parse_rules(t, "rules", file, out.rules, problems);
  if (const toml::node* n = t.get("rules");
      n != nullptr && n->is_array() && n->as_array()->empty()) {
    problems.push_back(problem(file, n->source(), "'rules' is empty"));
  }
  parse_rules(t, "exclude", file, out.exclude, problems);
  std::vector<const toml::value<std::string>*> feeds;
  string_array(t, "feeds", file, feeds, problems);
  for (const auto* f : feeds) {
    out.feeds.push_back(f->get());
  }
  if (const toml::node* n = t.get("group_interval")) {
    read_group_interval(*n, file, out, problems);
  }
  return problems.size() == before;
}

}  // namespace khobor::watch
