// khobor/feeds/urls.cpp — CURLU wrappers.
#include "feeds/urls.h"

#include <curl/curl.h>

#include <memory>
#include <optional>

#include "base/strings.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace khobor::feeds {

namespace {

struct UrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

bool has_scheme(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') {
      return i > 0;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) {
      return false;
    }
  }
  return false;
}

std::optional<std::string> get_part(CURLU* h, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(h, part, &out, flags) != CURLUE_OK || out == nullptr) {
    return std::nullopt;
  }
  CurlString owned(out);
  return std::string(out);
}

bool is_tracking(std::string_view name) {
  return name.starts_with("utm_") || name == "fbclid" || name == "gclid" || name == "mc_cid" ||
         name == "mc_eid" || name == "igshid" || name == "_ga" || name == "yclid" ||
         name == "gclsrc" || name == "dclid";
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view ref) {
  ref = trim_c0_and_space(ref);
  if (has_scheme(ref) || base.empty()) {
    return std::string(ref);
  }
  UrlHandle h(curl_url());
  if (!h) {
    return std::string(ref);
  }
  std::string base_s(trim_c0_and_space(base));
  if (curl_url_set(h.get(), CURLUPART_URL, base_s.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::string(ref);
  }
  std::string ref_s(ref);
  if (curl_url_set(h.get(), CURLUPART_URL, ref_s.c_str(),
                   CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK) {
    return std::string(ref);
  }
  return get_part(h.get(), CURLUPART_URL).value_or(std::string(ref));
}

namespace {

// True when `s` holds a byte <= ' ', a '#' or a byte >= 0x80 (16 bytes at a time
// with SSE2: Bengali links are long, percent-encoded).
bool has_space_hash_or_high(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i limit = _mm_set1_epi8(0x21);  // signed: 0x80..0xFF are below it too
  const __m128i hash = _mm_set1_epi8('#');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, limit), _mm_cmpeq_epi8(v, hash));
    if (_mm_movemask_epi8(bad) != 0) {
      return true;
    }
  }
#endif
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c <= ' ' || c == '#' || c >= 0x80) {
      return true;
    }
  }
  return false;
}

// True when canonical_url would change nothing: an http(s) URL with a lower-case
// host, no port, no fragment and no tracking parameter. Saves a CURLU round trip
// for the common case.
bool already_canonical(std::string_view url) {
  size_t host_start = 0;
  if (url.starts_with("https://")) {
    host_start = 8;
  } else if (url.starts_with("http://")) {
    host_start = 7;
  } else {
    return false;
  }
  // The host runs to the first '/', '?' or '#'.
  size_t host_end = host_start;
  for (; host_end < url.size(); ++host_end) {
    char c = url[host_end];
    if (c == '/' || c == '?' || c == '#') {
      break;
    }
    if ((c >= 'A' && c <= 'Z') || c == ':' || c == '@') {
      return false;
    }
  }
  if (host_end == url.size() || url[host_end] != '/') {
    return false;  // no path: let curl add the "/"
  }
  if (has_space_hash_or_high(url)) {
    return false;
  }
  // Maybe a dot segment ("/./", "/../"): curl removes those. Dots are rarer in a
  // path than slashes: look at each dot.
  for (size_t dot = url.find('.', host_end); dot != std::string_view::npos;
       dot = url.find('.', dot + 1)) {
    if (url[dot - 1] == '/') {
      return false;
    }
  }
  size_t q = url.find('?');
  if (q != std::string_view::npos) {
    std::string_view query = url.substr(q);
    for (std::string_view t : {"utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "_ga",
                               "yclid", "gclsrc", "dclid", "&&"}) {
      if (query.find(t) != std::string_view::npos) {
        return false;
      }
    }
    if (query.ends_with("&") || query == "?") {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string canonical_url(std::string_view url) {
  url = trim_c0_and_space(url);
  if (already_canonical(url)) {
    return std::string(url);
  }
  return detail::canonical_url_curl(url);
}

std::string detail::canonical_url_curl(std::string_view url) {
  url = trim_c0_and_space(url);
  UrlHandle h(curl_url());
  if (!h) {
    return std::string(url);
  }
  std::string s(url);
  if (curl_url_set(h.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return s;
  }
  if (auto host = get_part(h.get(), CURLUPART_HOST)) {
    const std::string lower = ascii_lowered(*host);
    if (lower != *host) {
      curl_url_set(h.get(), CURLUPART_HOST, lower.c_str(), 0);
    }
  }
  curl_url_set(h.get(), CURLUPART_FRAGMENT, nullptr, 0);
  if (auto query = get_part(h.get(), CURLUPART_QUERY)) {
    std::string kept;
    std::string_view q = *query;
    bool dropped = false;
    while (!q.empty()) {
      size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
      std::string_view name = pair.substr(0, pair.find('='));
      if (pair.empty() || is_tracking(name)) {
        dropped = true;
        continue;
      }
      if (!kept.empty()) {
        kept.push_back('&');
      }
      kept.append(pair);
    }
    if (dropped) {
      curl_url_set(h.get(), CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str(), 0);
    }
  }
  return get_part(h.get(), CURLUPART_URL, CURLU_NO_DEFAULT_PORT).value_or(s);
}

}  // namespace khobor::feeds
