// khobor/feeds/identity.cpp — detecting guids that change on every poll.
#include "feeds/identity.h"

#include <unordered_map>
#include <unordered_set>

#include "base/hash.h"
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

uint64_t identity_hash(std::string_view s) {
  return fnv1a64(s);
}

std::vector<LinkIdHash> link_id_hashes(const ParsedFeed& feed) {
  std::vector<LinkIdHash> out;
  out.reserve(feed.entries.size());
  for (const auto& e : feed.entries) {
    out.push_back({e.link.empty() ? 0 : identity_hash(canonical_url(e.link)), identity_hash(e.id)});
  }
  return out;
}

bool guids_unstable(const std::vector<LinkIdHash>& previous,
                    const std::vector<LinkIdHash>& current) {
  std::unordered_map<uint64_t, uint64_t> before;
  for (const auto& p : previous) {
    if (p.link != 0) {
      before.emplace(p.link, p.id);
    }
  }
  size_t common = 0;
  size_t changed = 0;
  std::unordered_set<uint64_t> counted;  // a link listed twice counts once
  for (const auto& c : current) {
    if (c.link == 0 || !counted.insert(c.link).second) {
      continue;
    }
    auto it = before.find(c.link);
    if (it == before.end()) {
      continue;
    }
    ++common;
    if (it->second != c.id) {
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
