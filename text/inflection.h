// khobor/text/inflection.h — the inflection endings of Bengali (and English
// possessive/plural) nouns, for matching a term against its inflected forms.
//
// A token is an inflected form of a stem when it equals the stem followed by a
// chain of endings from the list in inflection.cpp (পুতিন → পুতিনের, পুতিনকে,
// পুতিনও; রাশিয়া → রাশিয়ার). There is no stemming dictionary: callers look the
// stripped forms up among their own terms, so a longer word that merely begins
// with a term (কিমা, not কিম + an ending) never matches. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace khobor::text {

// The endings, normalised (normalize()), longest first.
const std::vector<std::string>& inflection_endings();

// Appends to `out` every proper prefix of `token` (a normalised token) that
// `token` equals followed by a chain of 1 to `max_chain` endings, each once,
// longest first; the prefixes are views into `token` and never empty.
void stripped_forms(std::string_view token, std::vector<std::string_view>& out, int max_chain = 3);

// True when `rest` (normalised) is a chain of 1 to `max_chain` endings: a token
// is an inflected form of stem s when it is s + rest. The same relation as
// stripped_forms, asked the other way round.
bool is_ending_chain(std::string_view rest, int max_chain = 3);

// The fast form of the same relation, for the matcher's per-token loop: writes
// to `out` (room for `cap`) every offset p, 0 < p < token.size(), at which
// is_ending_chain(token.substr(p), max_chain) holds, without duplicates, in no
// particular order, and returns how many. One walk back from the token's end
// through a trie of the reversed endings; no allocation. 64 is always room
// enough: chains are at most 3 endings of at most 15 bytes.
size_t ending_chain_starts(std::string_view token, uint32_t* out, size_t cap, int max_chain = 3);

}  // namespace khobor::text
