// khobor/text/normalize.h — the one normaliser for entries, rules and fingerprints.
//
// Pure functions over UTF-8, thread-safe. Steps (each documented with an example
// in normalize.cpp and docs/text.md): NFC; one canonical form for the nukta
// letters; khanda-ta; ZWJ/ZWNJ removed; Bengali digits to ASCII; Latin case-folded.
// Invalid UTF-8 is replaced with U+FFFD, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::text {

// The normalised form of `input`.
std::string normalize(std::string_view input);

// The same into `out`, reusing its buffer (for loops over many texts).
void normalize(std::string_view input, std::string& out);

// The normalised form plus, for each of its bytes, the byte offset in `input` of
// the code point it came from; `source_offset[text.size()]` == input.size(). Used
// to report match spans as offsets into the original text.
struct NormalizedText {
  std::string text;
  std::vector<uint32_t> source_offset;
};
NormalizedText normalize_mapped(std::string_view input);

// The same into `out`, reusing its buffers (for loops over many texts).
void normalize_mapped(std::string_view input, NormalizedText& out);

}  // namespace khobor::text
