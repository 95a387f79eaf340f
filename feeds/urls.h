// khobor/feeds/urls.h — resolving and canonicalising the links feeds carry, on
// curl's URL API (CURLU); no curl header leaks out of here.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace khobor::feeds {

// `ref` resolved against `base` (RFC 3986). When `base` is empty or not a URL,
// or `ref` is already absolute, returns `ref` trimmed. Never fails: a reference
// curl cannot read is returned as it was.
std::string resolve_url(std::string_view base, std::string_view ref);

// The canonical form used as an entry's identity: scheme and host lower-cased,
// default port and fragment dropped, tracking parameters (utm_*, fbclid, gclid,
// mc_cid, mc_eid, igshid, _ga) dropped from the query. Returns `url` unchanged
// when curl cannot parse it.
std::string canonical_url(std::string_view url);

namespace detail {

// canonical_url without its fast path for URLs it would not change: always the
// CURLU round trip. For tests that check the fast path agrees with curl.
std::string canonical_url_curl(std::string_view url);

}  // namespace detail

}  // namespace khobor::feeds
