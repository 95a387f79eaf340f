// khobor/text/inflection.h — the inflection endings of Bengali (and English
// possessive/plural) nouns, for matching a term against its inflected forms.
//
// A token is an inflected form of a stem when it equals the stem followed by a
// chain of endings from the list in inflection.cpp (পুতিন → পুতিনের, পুতিনকে,
// পুতিনও; রাশিয়া → রাশিয়ার). There is no stemming dictionary: callers look the
// stripped forms up among their own terms, so a longer word that merely begins
// with a term (কিমা, not কিম + an ending) never matches. Pure, thread-safe.
#pragma once

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

}  // namespace khobor::text
