// khobor/tools/exec.h — `khobor sub --exec CMD`: one run of a command per message.
//
// CMD runs through /bin/sh -c, in its own process group, with the message's JSON
// (one line) on standard input and its main fields in KHOBOR_* environment
// variables (beside khobor sub's own environment, so a recipe's settings such
// as KHOBOR_MAIL_TO reach it); its standard output and error are khobor sub's. Not thread-safe
// (one child at a time).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace khobor::tools {

// The KHOBOR_* variables for a message (name, value), in a fixed order: SEQ,
// TOPIC, KIND (alert or update), TIME, WATCHLIST, RULE, FEED, FEED_TITLE,
// ENTRY_ID, TITLE, LINK, PUBLISHED, SNIPPET, TERMS (the matched rule terms,
// distinct, ", " between), EVENT, OUTLETS (the event's outlet count), SOURCES
// (its feeds, ", " between), STORY. A field the message lacks is "".
std::vector<std::pair<std::string, std::string>> exec_environment(const std::string& topic,
                                                                  const std::string& payload);

// Run `command` once for a message and wait for it, at most `timeout_ms` (then
// SIGTERM to its process group, SIGKILL 2 s later). Ok when it exited 0; else
// an Error saying how it ended ("exit 3", "killed by signal 9", "timed out").
Status run_exec(const std::string& command, const std::string& topic, const std::string& payload,
                int64_t timeout_ms);

}  // namespace khobor::tools
