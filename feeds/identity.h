// khobor/feeds/identity.h — entry identity across polls.
//
// parse_feed gives each entry an id from one document (guid, else canonical link,
// else a hash). Some feeds regenerate their guids on every request; that can only
// be seen by comparing two polls of the same feed. These helpers do that comparison
// for the poller, which keeps the previous poll's entries (or just their link → id
// pairs). Pure functions over values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/entry.h"

namespace khobor::feeds {

// (canonical link, id) of every entry that has a link, for keeping between polls.
std::vector<std::pair<std::string, std::string>> link_ids(const ParsedFeed& feed);

// True when the guids look regenerated: among the entries whose canonical link was
// also in the previous poll (at least 3 of them), most carry a different id now.
bool guids_unstable(const std::vector<std::pair<std::string, std::string>>& previous,
                    const ParsedFeed& current);

// The compact form the daemon keeps between polls (store table feed_identity): per
// entry, a 64-bit hash of its canonical link (0 when it has none) and of its id.
struct LinkIdHash {
  uint64_t link = 0;
  uint64_t id = 0;
  bool operator==(const LinkIdHash&) const = default;
};

// 64-bit FNV-1a of `s`: the same on every machine and build (it is stored).
uint64_t identity_hash(std::string_view s);

// One LinkIdHash per entry of `feed`, in entry order.
std::vector<LinkIdHash> link_id_hashes(const ParsedFeed& feed);

// guids_unstable() on the compact form: `current` is link_id_hashes() of this poll.
bool guids_unstable(const std::vector<LinkIdHash>& previous,
                    const std::vector<LinkIdHash>& current);

// Gives every entry with a link its canonical link as id (entries without a link
// keep theirs) and adds a warning saying why. For feeds guids_unstable() flagged.
void use_link_ids(ParsedFeed& feed);

}  // namespace khobor::feeds
