// khobor/feeds/entities.h — character references shared by the feed parsers
// (internal to the feeds room).
//
// Pure functions over values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace khobor::feeds::detail {

// The code point of an HTML 4 named character reference (name without & and ;),
// or nullopt when the name is not one.
std::optional<char32_t> lookup_entity(std::string_view name);

// Appends the UTF-8 encoding of `cp` to `out`; code points that are not Unicode
// scalar values (surrogates, > 0x10FFFF, NUL) become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// The windows-1252 character a C1 control code (0x80…0x9F) stands for in web text.
char32_t cp1252_c1(unsigned char c);

// Decodes the character reference that starts at s[0] == '&' (named, &#N; or
// &#xH;, the ';' optional for named HTML 4 references as browsers do).
// Returns the number of bytes consumed (0 when s does not start with a
// reference we know; the caller then keeps the '&' as text).
size_t decode_reference(std::string_view s, std::string& out);

// Replaces every character reference in `s` that decode_reference knows.
std::string decode_entities(std::string_view s);

}  // namespace khobor::feeds::detail
