// khobor/feeds/html_text.h — markup to plain text, for titles, summaries and content.
//
// Feeds put HTML (escaped or in CDATA) in descriptions and sometimes in titles.
// These functions drop tags, drop <script>/<style>/<head> bodies and comments,
// decode character references (HTML 4 names, numeric), and collapse white space.
// Input must be UTF-8; output is UTF-8. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace khobor::feeds {

// Plain text of an HTML fragment: block elements (<p>, <br>, <div>, <li>, headings,
// table rows…) become line breaks, runs of white space (including no-break space)
// one space, no blank lines, no leading or trailing white space.
std::string html_to_text(std::string_view html);

// Plain text on one line, for titles, names and categories: like html_to_text, but
// line breaks become spaces too.
std::string inline_text(std::string_view html);

}  // namespace khobor::feeds
