// khobor/feeds/entities.h — character references and UTF-8 helpers shared by the
// feed parsers (internal to the feeds room).
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

// True when `s` is valid UTF-8 (no overlongs, no surrogates). When `has_control` is
// given, it is set to whether `s` holds a C0 control character other than tab, LF
// and CR (checked in the same pass; meaningful only when the result is true).
// On x86 it checks 32 bytes at a time (AVX2) or 16 (SSSE3), as the CPU allows.
bool is_valid_utf8(std::string_view s, bool* has_control = nullptr);

// is_valid_utf8 that also copies the s.size() bytes of `s` to `out` in the same pass
// (what `out` holds is unspecified when the result is false).
bool is_valid_utf8_copy(std::string_view s, char* out, bool* has_control = nullptr);

// The same check a byte sequence at a time (with fast ASCII and Bengali runs): the
// fallback without SSSE3, and the reference the SIMD version is tested against.
bool is_valid_utf8_portable(std::string_view s, bool* has_control = nullptr);

// is_valid_utf8 with a chosen implementation, for tests; one the CPU (or the
// platform) lacks falls back to the next simpler one.
enum class Utf8Impl { portable, ssse3, avx2 };
bool is_valid_utf8_using(Utf8Impl impl, std::string_view s, bool* has_control = nullptr);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s);

}  // namespace khobor::feeds::detail
