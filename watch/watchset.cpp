// khobor/watch/watchset.cpp — loading watch lists and the WatchSet facade.
#include "watch/watchset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "watch/matcher.h"
#include "watch/watchlist.h"

namespace khobor::watch {

std::string LoadProblem::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

struct WatchSet::Impl {
  std::vector<WatchList> lists;  // in name order
  Matcher matcher;               // points into `lists`: Impl is never copied or moved

  explicit Impl(std::vector<WatchList> l) : lists(std::move(l)) {
    std::sort(lists.begin(), lists.end(),
              [](const WatchList& a, const WatchList& b) { return a.name < b.name; });
    matcher = Matcher(lists);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

WatchSet::WatchSet() : m_impl(std::make_shared<const Impl>(std::vector<WatchList>{})) {}
WatchSet::~WatchSet() = default;
WatchSet::WatchSet(WatchSet&&) noexcept = default;
WatchSet& WatchSet::operator=(WatchSet&&) noexcept = default;

namespace {

bool read_file(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

// The directory's *.toml files (not hidden ones), sorted; `ec` set when it cannot
// be read.
std::vector<std::filesystem::path> list_files(const std::string& dir, std::error_code& ec) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".toml" && p.filename().string().front() != '.' &&
        it->is_regular_file(ec)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The list of `previous` (may be null) that a failing `file` keeps: found by
// file, else by name (the file's stem); null when there is none.
const WatchList* previous_for(const std::vector<WatchList>* previous, const std::string& file) {
  if (previous == nullptr) {
    return nullptr;
  }
  const std::string stem = std::filesystem::path(file).stem().string();
  for (const WatchList& l : *previous) {
    if (l.file == file) {
      return &l;
    }
  }
  for (const WatchList& l : *previous) {
    if (l.name == stem) {
      return &l;
    }
  }
  return nullptr;
}

}  // namespace

WatchSet WatchSet::load_dir(const std::string& dir, std::vector<LoadProblem>& problems,
                            const WatchSet* previous) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::vector<fs::path> files = list_files(dir, ec);
  if (ec) {
    problems.push_back(
        LoadProblem{dir, 0, 0, "cannot read the watch-list directory: " + ec.message()});
    // Nothing could be read: keep every previous list rather than none.
    if (previous != nullptr) {
      WatchSet same;
      same.m_impl = previous->m_impl;
      return same;
    }
    return WatchSet{};
  }
  const std::vector<WatchList>* previous_lists =
      previous != nullptr ? &previous->m_impl->lists : nullptr;
  std::vector<WatchList> lists;
  std::map<std::string, std::string> names;  // name → file
  for (const fs::path& p : files) {
    const std::string file = p.string();
    std::string text;
    WatchList list;
    bool ok = false;
    if (!read_file(p, text)) {
      problems.push_back(LoadProblem{file, 0, 0, "cannot read the file"});
    } else {
      ok = parse_watchlist(text, file, list, problems);
    }
    if (ok) {
      if (auto it = names.find(list.name); it != names.end()) {
        problems.push_back(LoadProblem{file, 1, 1,
                                       "the watch list name '" + list.name +
                                           "' is already used by " + it->second +
                                           "; set a different name = \"...\""});
        ok = false;
      }
    }
    if (!ok) {
      // A list that fails keeps its previous version.
      const WatchList* old = previous_for(previous_lists, file);
      if (old == nullptr || names.count(old->name) != 0) {
        problems.back().message += " (the list is left out until this is fixed)";
        continue;
      }
      list = *old;
      problems.back().message += " (keeping its previous rules)";
    }
    names.emplace(list.name, file);
    lists.push_back(std::move(list));
  }
  WatchSet set;
  set.m_impl = std::make_shared<const Impl>(std::move(lists));
  return set;
}

Result<WatchSet> WatchSet::from_toml(std::string_view toml_text, const std::string& file_name) {
  std::vector<LoadProblem> problems;
  WatchList list;
  if (!parse_watchlist(toml_text, file_name, list, problems)) {
    std::string message;
    for (const LoadProblem& p : problems) {
      message += (message.empty() ? "" : "\n") + p.to_string();
    }
    return make_error("watchlist", message);
  }
  std::vector<WatchList> lists;
  lists.push_back(std::move(list));
  WatchSet set;
  set.m_impl = std::make_shared<const Impl>(std::move(lists));
  return set;
}

std::vector<Match> WatchSet::match(const EntryText& entry) const {
  return m_impl->matcher.match(entry);
}

size_t WatchSet::list_count() const {
  return m_impl->lists.size();
}

size_t WatchSet::rule_count() const {
  size_t n = 0;
  for (const WatchList& l : m_impl->lists) {
    n += l.rules.size();
  }
  return n;
}

std::vector<std::string> WatchSet::list_names() const {
  std::vector<std::string> names;
  for (const WatchList& l : m_impl->lists) {
    names.push_back(l.name);
  }
  return names;
}

std::optional<int64_t> WatchSet::group_interval_s(std::string_view list) const {
  for (const WatchList& l : m_impl->lists) {
    if (l.name == list) {
      return l.group_interval_s;
    }
  }
  return std::nullopt;
}

}  // namespace khobor::watch
