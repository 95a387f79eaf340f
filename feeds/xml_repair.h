// khobor/feeds/xml_repair.h — turning broken XML into well-formed XML that keeps
// every element that can be kept (internal to the feeds room).
//
// Real feeds carry undefined HTML entities (&nbsp;), bare '&', control characters,
// junk before the root element, mismatched or missing end tags and truncated
// bodies. find_xml_problem is a cheap scan for the first three (pugixml accepts
// them silently); repair_xml rewrites the document: known HTML entities become
// numeric references, other '&' become &amp;, control characters are dropped,
// junk before the root is dropped, stray end tags dropped, unclosed elements
// closed where their parent ends or at the end of input. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace khobor::feeds::detail {

// The first problem pugixml would not report (undefined entity, bare '&', control
// character, text before the root), as a warning; empty when there is none.
// `control_free`: the caller already knows there is no control character.
std::string find_xml_problem(std::string_view xml, bool control_free = false);

struct Repaired {
  std::string xml;                    // well-formed, UTF-8
  std::vector<std::string> warnings;  // what was changed, with line numbers
};

Repaired repair_xml(std::string_view xml);

// "line L, column C" of a byte offset.
std::string position_of(std::string_view text, size_t offset);

}  // namespace khobor::feeds::detail
