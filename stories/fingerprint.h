// khobor/stories/fingerprint.h — what an entry's text turns into for same-story detection.
//
// A Fingerprint is a plain value computed once per entry from its title, summary and
// content (whatever it has) after text::normalize(): the entry's content words,
// light-stemmed, without function words, as 32-bit hashes in reading order (title
// first, then summary, then content; at most k_max_features distinct), plus a 64-bit
// SimHash over all of them. It is what the story index compares and what the daemon
// persists to rebuild the index at start-up (hashes are stable across builds and
// machines: FNV-1a, no std::hash). docs/stories.md gives the measurements behind it.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::stories {

// Most distinct features an entry keeps (title and lede come first, so they are kept).
inline constexpr std::size_t k_max_features = 64;

struct Fingerprint {
  // 64-bit SimHash over every feature of the entry (not only the first 64): entries
  // within Hamming distance 3 are near-verbatim copies.
  uint64_t simhash = 0;
  // Distinct feature hashes in reading order. Bit 0 is 1 for a number token (digits
  // after normalisation, e.g. "২২২" → "222"), 0 for a word.
  std::vector<uint32_t> features;
  // How many of `features` come from the title (they come first). The event level
  // weighs the headline apart (stories/events.h); 0 for a fingerprint saved before
  // schema version 7, which then counts as all body.
  uint8_t title_features = 0;
};

// The fingerprint of an entry's text; any part may be empty. Each part is normalised
// (text::normalize) and tokenised here.
Fingerprint fingerprint(std::string_view title, std::string_view summary, std::string_view content);

// The light stem of one normalised token: the case, plural, classifier and clitic
// endings of Bengali (কে, র, এর, ের, দের, তে, রা, গুলো, টি, টা, ই, ও, …) and Latin
// 's / s are stripped (at most two, longest first) while a stem of at least two letters
// remains. Exposed for tests and docs.
std::string_view light_stem(std::string_view token);

// True when the (normalised, stemmed) token is a function word that carries nothing
// about the event (এবং, করে, হয়, তিনি, বলেন, weekday names, …).
bool is_stopword(std::string_view stem);

// Stable 32-bit hash of a feature as stored in Fingerprint::features.
uint32_t feature_hash(std::string_view stem, bool is_number);

// The 64-bit SimHash of `features` (as produced by fingerprint()).
uint64_t simhash(const std::vector<uint32_t>& features);

// Number of differing bits.
int hamming(uint64_t a, uint64_t b);

}  // namespace khobor::stories
