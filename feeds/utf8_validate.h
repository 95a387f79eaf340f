// khobor/feeds/utf8_validate.h — checking whole buffers for valid UTF-8 (SIMD on
// x86) and repairing them; internal to the feeds room. One code point at a time
// is base/utf8.h.
//
// Pure functions over values; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace khobor::feeds::detail {

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
