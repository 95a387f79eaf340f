// khobor/feeds/identity.cpp — detecting guids that change on every poll.
#include "feeds/identity.h"

#include <unordered_map>

#include "feeds/urls.h"

namespace khobor::feeds {

std::vector<std::pair<std::string, std::string>> link_ids(const ParsedFeed& feed) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(feed.entries.size());
  for (const auto& e : feed.entries) {
    if (!e.link.empty()) {
      out.emplace_back(canonical_url(e.link), e.id);
    }
  }
  return out;
}

bool guids_unstable(const std::vector<std::pair<std::string, std::string>>& previous,
                    const ParsedFeed& current) {
  std::unordered_map<std::string, const std::string*> before;
  for (const auto& [link, id] : previous) {
    before.emplace(link, &id);
  }
  size_t common = 0;
  size_t changed = 0;
  for (const auto& e : current.entries) {
    if (e.link.empty()) {
      continue;
    }
    auto it = before.find(canonical_url(e.link));
    if (it == before.end()) {
      continue;
    }
    ++common;
    if (*it->second != e.id) {
      ++changed;
    }
  }
  return common >= 3 && changed * 2 > common;
}

void use_link_ids(ParsedFeed& feed) {
  size_t changed = 0;
  for (auto& e : feed.entries) {
    if (e.link.empty()) {
      continue;
    }
    std::string id = canonical_url(e.link);
    if (id != e.id) {
      e.id = std::move(id);
      ++changed;
    }
  }
  if (changed > 0) {
    feed.warnings.push_back("identity: this feed's guids change between polls; " +
                            std::to_string(changed) + " entry ids use the links instead");
  }
}

}  // namespace khobor::feeds
