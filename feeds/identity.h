// khobor/feeds/identity.h — entry identity across polls.
//
// parse_feed gives each entry an id from one document (guid, else canonical link,
// else a hash). Some feeds regenerate their guids on every request; that can only
// be seen by comparing two polls of the same feed. These helpers do that comparison
// for the poller, which keeps the previous poll's entries (or just their link → id
// pairs). Pure functions over values; thread-safe.
#pragma once

#include <string>
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

// Gives every entry with a link its canonical link as id (entries without a link
// keep theirs) and adds a warning saying why. For feeds guids_unstable() flagged.
void use_link_ids(ParsedFeed& feed);

}  // namespace khobor::feeds
