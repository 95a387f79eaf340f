// khobor/feeds/parser.h — bytes in, a ParsedFeed out.
//
// parse_feed is a pure function: no I/O, no global state, thread-safe. It reads
// RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 from any encoding and
// always returns valid UTF-8. A body that is no feed at all (an HTML page, an
// error page, nothing recoverable) is an Error with a message that says why.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "feeds/entry.h"

namespace khobor::feeds {

struct ParseOptions {
  std::string content_type;                     // the HTTP Content-Type header, if any
  std::string base_url;                         // the URL the body came from, for relative links
  std::string default_timezone = "Asia/Dhaka";  // for dates written without a zone
};

Result<ParsedFeed> parse_feed(std::string_view body, const ParseOptions& options = {});

}  // namespace khobor::feeds
