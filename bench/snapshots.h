// khobor/bench/snapshots.h — reading a snapshot archive, shared by the benchmarks
// that replay one (alert_latency, freshness): <root>/<feed>/<UTC time>_*.xml, each
// file one poll's body, as ../shared/data/feeds-bd/snapshots/W2_… holds them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace khobor::bench {

namespace fs = std::filesystem;

// What every replaying benchmark's usage says about its archive argument.
inline constexpr const char* k_archive_usage =
    "  ARCHIVE_DIR holds <feed>/<UTC time>_*.xml snapshots, e.g.\n"
    "  ../shared/data/feeds-bd/snapshots/W2_2025-12-12_to_19\n";

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "20251113T0152Z_…" or "20251113T015210Z_…" → seconds since the epoch (UTC).
inline std::optional<int64_t> snapshot_time(const std::string& name) {
  std::string stamp = name.substr(0, name.find('_'));
  if (stamp.size() < 14 || stamp[8] != 'T' || stamp.back() != 'Z') {
    return std::nullopt;
  }
  std::tm tm{};
  try {
    tm.tm_year = std::stoi(stamp.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(stamp.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(stamp.substr(6, 2));
    tm.tm_hour = std::stoi(stamp.substr(9, 2));
    tm.tm_min = std::stoi(stamp.substr(11, 2));
    tm.tm_sec = stamp.size() >= 16 ? std::stoi(stamp.substr(13, 2)) : 0;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm));
}

// The feed directories of an archive, by name.
inline std::vector<fs::path> feed_dirs(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(root)) {
    if (d.is_directory()) {
      dirs.push_back(d.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// One feed's snapshots, oldest first: the .xml files whose name starts with a UTC
// time, with that time.
inline std::vector<std::pair<int64_t, fs::path>> snapshot_files(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> files;
  for (const auto& f : fs::directory_iterator(dir)) {
    auto t = snapshot_time(f.path().filename().string());
    if (f.is_regular_file() && f.path().extension() == ".xml" && t) {
      files.emplace_back(*t, f.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace khobor::bench
