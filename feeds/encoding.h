// khobor/feeds/encoding.h — any feed body to UTF-8 (internal to the feeds room).
//
// The encoding is chosen as RFC 7303 §3 orders it: a byte order mark, then the
// charset parameter of the HTTP Content-Type, then the XML declaration's
// encoding, then UTF-8. A choice the bytes contradict (declared UTF-8 but not
// valid UTF-8; declared a legacy charset but the bytes are clearly UTF-8; a
// charset ICU does not know) is replaced by the next candidate or by ICU's
// charset detector, with a warning. Invalid bytes become U+FFFD. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace khobor::feeds::detail {

struct Decoded {
  std::string utf8;                   // the body as valid UTF-8, BOM removed (unless borrowed)
  bool borrowed = false;              // the body was valid UTF-8: utf8 is empty, use view()
  size_t offset = 0;                  // where the borrowed text starts (after a BOM)
  bool control_free = false;          // known to hold no C0 control (other than tab/LF/CR)
  bool copied = false;                // borrowed, and view(body) was also copied to copy_to
  std::string encoding;               // the encoding used, as ICU names it
  bool overridden = false;            // a declared encoding was wrong
  std::vector<std::string> warnings;  // why, when something was overridden or replaced

  // The decoded text: a view of `body` when borrowed, else of utf8.
  std::string_view view(std::string_view body) const {
    return borrowed ? body.substr(offset) : std::string_view(utf8);
  }
};

// The charset parameter of a Content-Type header value, lower-cased ("" if none).
std::string charset_of_content_type(std::string_view content_type);

// Decodes `body`; `content_type` is the HTTP header value (may be empty). With
// `copy_to` (room for body.size() bytes), a body found to be valid UTF-8 is also
// copied there in the same pass as its validation (Decoded::copied says so), for
// the caller's in-place XML parse.
Decoded decode_to_utf8(std::string_view body, std::string_view content_type,
                       char* copy_to = nullptr);

}  // namespace khobor::feeds::detail
