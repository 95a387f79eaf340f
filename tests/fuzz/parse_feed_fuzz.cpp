// libFuzzer target for feeds::parse_feed: any bytes, any declared charset; the parser
// must not crash, leak or trip a sanitizer, and what it returns must be valid UTF-8.
// Built and run by tools/fuzz-parser.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feeds/parser.h"
#include "feeds/utf8_validate.h"

namespace {

// The output must be valid UTF-8, as both validators (SIMD and byte-wise) say.
void check_utf8(std::string_view s) {
  if (!khobor::feeds::detail::is_valid_utf8_portable(s) ||
      !khobor::feeds::detail::is_valid_utf8(s)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr const char* k_types[] = {"",
                                            "application/rss+xml; charset=utf-8",
                                            "text/xml; charset=windows-1251",
                                            "application/atom+xml; charset=shift_jis",
                                            "text/html",
                                            "application/feed+json"};
  khobor::feeds::ParseOptions options;
  if (size > 0) {
    options.content_type = k_types[data[0] % 6];
  }
  options.base_url = "https://example.com/feeds/";
  std::string_view body(reinterpret_cast<const char*>(data), size);
  // The two validators agree on any bytes, controls included.
  bool control_simd = false;
  bool control_ref = false;
  bool valid_simd = khobor::feeds::detail::is_valid_utf8(body, &control_simd);
  if (valid_simd != khobor::feeds::detail::is_valid_utf8_portable(body, &control_ref) ||
      (valid_simd && control_simd != control_ref)) {
    std::abort();
  }
  auto r = khobor::feeds::parse_feed(body, options);
  if (r) {
    check_utf8(r->title);
    check_utf8(r->link);
    for (const auto& w : r->warnings) {
      check_utf8(w);
    }
    for (const auto& e : r->entries) {
      check_utf8(e.id);
      check_utf8(e.title);
      check_utf8(e.link);
      check_utf8(e.summary);
      check_utf8(e.content);
      check_utf8(e.summary_html);
      check_utf8(e.content_html);
      for (const auto& a : e.authors) {
        check_utf8(a);
      }
      for (const auto& c : e.categories) {
        check_utf8(c);
      }
    }
  } else {
    check_utf8(r.error().message);
  }
  return 0;
}
