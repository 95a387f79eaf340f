// canonical_url's fast path (URLs it would not change skip curl) against curl.
#include "feeds/urls.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

using khobor::feeds::canonical_url;
using khobor::feeds::detail::canonical_url_curl;

TEST_CASE("canonical_url's fast path returns what curl returns", "[feeds][urls]") {
  // URLs built from the parts feeds write: both schemes, hosts in either case, with
  // ports and user info, long percent-encoded Bengali paths, blanks, fragments,
  // raw non-ASCII bytes, queries with and without tracking parameters.
  static constexpr std::string_view k_schemes[] = {"https://", "http://", "HTTP://", "ftp://", ""};
  static constexpr std::string_view k_hosts[] = {
      "www.prothomalo.com", "samakal.com",     "Samakal.com", "example.com:8080",
      "user@example.com",   "example.com:443", "EXAMPLE.COM", "xn--54b7fta0cc.com"};
  static constexpr std::string_view k_path_parts[] = {"/opinion",
                                                      "/article/369079",
                                                      "/%E0%A6%B8%E0%A6%82%E0%A6%B8%E0%A6%A6",
                                                      "/a b",
                                                      "/খবর",
                                                      "/x.html",
                                                      "#frag",
                                                      "/",
                                                      "/%e0%a6%b8",
                                                      "/a\tb",
                                                      "/1667332.details",
                                                      "/../up",
                                                      "/./here",
                                                      "/%2e%2e/x",
                                                      "//double",
                                                      "/a:b",
                                                      "/a@b"};
  static constexpr std::string_view k_queries[] = {
      "",  "?id=5",     "?utm_source=x",    "?a=1&utm_medium=y", "?fbclid=abc", "?a=1&",
      "?", "?a=1&&b=2", "?page=2&sort=new", "?gclid=1&x=2",      "?q=%E0%A6%B8"};
  uint64_t state = 0x853C49E6748FEA9BULL;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  size_t fast = 0;
  for (int k = 0; k < 5000; ++k) {
    std::string url(k_schemes[next(std::size(k_schemes))]);
    url.append(k_hosts[next(std::size(k_hosts))]);
    const size_t parts = next(6);
    for (size_t p = 0; p < parts; ++p) {
      url.append(k_path_parts[next(std::size(k_path_parts))]);
    }
    url.append(k_queries[next(std::size(k_queries))]);
    INFO(url);
    const std::string got = canonical_url(url);
    CHECK(got == canonical_url_curl(url));
    fast += got == url ? 1 : 0;
  }
  CHECK(fast > 500);
}
