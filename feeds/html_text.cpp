// khobor/feeds/html_text.cpp — a small forgiving HTML-to-text scanner. It never
// fails: anything that does not look like a tag is text.
#include "feeds/html_text.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "feeds/entities.h"

namespace khobor::feeds {

namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// Elements whose start or end breaks a line.
bool is_block(std::string_view name) {
  static constexpr std::array<std::string_view, 30> k_blocks{
      "address", "article",  "aside",      "blockquote", "br",     "dd",   "div", "dl",
      "dt",      "fieldset", "figcaption", "figure",     "footer", "form", "h1",  "h2",
      "h3",      "h4",       "h5",         "h6",         "header", "hr",   "li",  "ol",
      "p",       "pre",      "section",    "table",      "tr",     "ul"};
  for (auto b : k_blocks) {
    if (b == name) {
      return true;
    }
  }
  return false;
}

// Elements whose whole body is dropped.
bool is_dropped(std::string_view name) {
  return name == "script" || name == "style" || name == "head" || name == "title" ||
         name == "noscript" || name == "template";
}

class TextWriter {
 public:
  explicit TextWriter(bool one_line, size_t hint) : m_one_line(one_line) { m_out.reserve(hint); }

  void space() { m_space = true; }
  void line_break() {
    if (m_one_line) {
      m_space = true;
    } else {
      m_break = true;
    }
  }
  void text(std::string_view s) {
    if (s.empty()) {
      return;
    }
    if (!m_out.empty()) {
      if (m_break) {
        m_out.push_back('\n');
      } else if (m_space) {
        m_out.push_back(' ');
      }
    }
    m_break = false;
    m_space = false;
    m_out.append(s);
  }
  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
  bool m_one_line;
  bool m_space = false;
  bool m_break = false;
};

// Bytes that end a chunk of plain text: markup ('<', '&'), white space other than a
// single space, and the lead byte 0xC2 (of U+00A0 no-break space and of the C1
// controls). A space ends a chunk only when another such byte or a space follows it.
constexpr auto k_term = [] {
  std::array<bool, 256> t{};
  t['<'] = t['&'] = t['\t'] = t['\n'] = t['\r'] = t['\f'] = true;
  t[0xC2] = true;
  return t;
}();

bool is_nbsp_or_c1(std::string_view s, size_t i) {
  if (i + 1 >= s.size()) {
    return false;
  }
  auto b = static_cast<unsigned char>(s[i + 1]);
  return b == 0xA0 || (b >= 0x80 && b <= 0x9F);
}

bool is_term_or_space(char c) {
  return c == ' ' || k_term[static_cast<unsigned char>(c)];
}

#if defined(__SSE2__)
// 0xFF where a byte of `v` is in k_term.
inline __m128i term_mask(__m128i v) {
  __m128i m =
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&')));
  m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xC2))));
  // \t \n \v \f \r are 9…13; \v is not white space here.
  __m128i off = _mm_sub_epi8(v, _mm_set1_epi8(9));
  __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(off, _mm_set1_epi8(4)), off);
  ctl = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\v')), ctl);
  return _mm_or_si128(m, ctl);
}
#endif

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) inline __m256i term_mask256(__m256i v) {
  __m256i m = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('<')),
                              _mm256_cmpeq_epi8(v, _mm256_set1_epi8('&')));
  m = _mm256_or_si256(m, _mm256_cmpeq_epi8(v, _mm256_set1_epi8(static_cast<char>(0xC2))));
  __m256i off = _mm256_sub_epi8(v, _mm256_set1_epi8(9));
  __m256i ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(off, _mm256_set1_epi8(4)), off);
  ctl = _mm256_andnot_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\v')), ctl);
  return _mm256_or_si256(m, ctl);
}

// next_stop's block loop, 32 bytes at a time; returns where it stopped looking.
__attribute__((target("avx2"))) size_t next_stop_avx2(const char* p, size_t j, size_t n,
                                                      bool& found) {
  const __m256i space = _mm256_set1_epi8(' ');
  while (j + 33 <= n) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j));
    auto term = static_cast<uint32_t>(_mm256_movemask_epi8(term_mask256(v)));
    auto sp = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, space)));
    // Bit k of `next`: the byte after byte k is a term byte or a space.
    uint32_t next = ((term | sp) >> 1) | (is_term_or_space(p[j + 32]) ? 0x80000000u : 0u);
    if (uint32_t hit = term | (sp & next); hit != 0) {
      found = true;
      return j + static_cast<size_t>(std::countr_zero(hit));
    }
    j += 32;
  }
  found = false;
  return j;
}

const bool k_have_avx2 = __builtin_cpu_supports("avx2");
#endif

// The first position at or after `j` where a chunk of plain text may end: a k_term
// byte, or a space followed by a k_term byte, a space or the end; s.size() if none.
size_t next_stop(std::string_view s, size_t j) {
  const size_t n = s.size();
  const char* p = s.data();
#if defined(__x86_64__) || defined(__i386__)
  if (k_have_avx2) {
    bool found = false;
    j = next_stop_avx2(p, j, n, found);
    if (found) {
      return j;
    }
  }
#endif
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  while (j + 17 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    auto term = static_cast<uint32_t>(_mm_movemask_epi8(term_mask(v)));
    auto sp = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)));
    uint32_t next = ((term | sp) >> 1) | (is_term_or_space(p[j + 16]) ? 0x8000u : 0u);
    if (uint32_t hit = term | (sp & next); hit != 0) {
      return j + static_cast<size_t>(std::countr_zero(hit));
    }
    j += 16;
  }
#endif
  for (; j < n; ++j) {
    auto c = static_cast<unsigned char>(p[j]);
    if (k_term[c]) {
      return j;
    }
    if (c == ' ' && (j + 1 == n || is_term_or_space(p[j + 1]))) {
      return j;
    }
  }
  return n;
}

// The end of the chunk of plain text that starts at s[i] (a byte that is not white
// space): whole words with single spaces between them. With `markup`, '<' and '&'
// end it; without, they are text.
size_t chunk_end(std::string_view s, size_t i, bool markup) {
  const size_t n = s.size();
  size_t j = i;
  while (true) {
    j = next_stop(s, j);
    if (j >= n) {
      return n;
    }
    char c = s[j];
    if (c == '<' || c == '&') {
      if (markup) {
        return j;
      }
      ++j;
      continue;
    }
    if (static_cast<unsigned char>(c) == 0xC2 && !is_nbsp_or_c1(s, j)) {
      j += 2;  // another Latin-1 supplement character (©, °…): text
      continue;
    }
    return j;
  }
}

// Emits the white space, no-break space or C1 character at s[i]; returns the bytes
// it used (0 when s[i] is none of them).
size_t emit_special(TextWriter& w, std::string_view s, size_t i) {
  char c = s[i];
  if (is_space(c)) {
    w.space();
    return 1;
  }
  if (static_cast<unsigned char>(c) == 0xC2 && is_nbsp_or_c1(s, i)) {
    auto b = static_cast<unsigned char>(s[i + 1]);
    if (b == 0xA0) {
      w.space();  // no-break space counts as white space
    } else {
      // C1 controls that are really windows-1252 punctuation ("don\u0092t").
      std::string fixed;
      detail::append_utf8(fixed, detail::cp1252_c1(b));
      w.text(fixed);
    }
    return 2;
  }
  return 0;
}

// Emits the text run s (no markup inside: '<' and '&' are characters): whole chunks
// of words with single spaces are appended at once; other white space collapses.
void emit_run(TextWriter& w, std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (size_t used = emit_special(w, s, i); used > 0) {
      i += used;
      continue;
    }
    size_t j = chunk_end(s, i, false);
    w.text(s.substr(i, j - i));
    i = j;
  }
}

// Finds the '>' that ends a tag starting at `from`, skipping quoted attribute values.
size_t tag_end(std::string_view s, size_t from) {
  char quote = 0;
  for (size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      // Quotes only count inside a tag after '='.
      if (i > from && s[i - 1] == '=') {
        quote = c;
      }
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

size_t find_ci(std::string_view s, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(s[i + k]) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Emits the character reference at html[j] ('&'), or '&' itself when it starts none;
// returns where the text goes on. `decoded` is scratch.
size_t emit_reference(TextWriter& w, std::string_view html, size_t j, std::string& decoded) {
  decoded.clear();
  size_t used = detail::decode_reference(html.substr(j), decoded);
  if (used == 0) {
    w.text("&");
    return j + 1;
  }
  // A decoded reference may itself be white space (&nbsp;, &#10;).
  emit_run(w, decoded);
  return j + used;
}

// The name of the tag whose name starts at html[start], lower-cased into `buf`,
// without a namespace prefix (xhtml:p); empty when longer than `buf`. Sets `end`
// past the name.
std::string_view tag_name(std::string_view html, size_t start, size_t& end, char (&buf)[16]) {
  const size_t n = html.size();
  size_t len = 0;
  end = start;
  while (end < n && (is_alpha(html[end]) || (html[end] >= '0' && html[end] <= '9') ||
                     html[end] == ':' || html[end] == '-')) {
    if (len < sizeof buf) {
      buf[len++] = lower(html[end]);
    }
    ++end;
  }
  std::string_view name(buf, len);
  if (end - start > sizeof buf) {
    name = {};
  }
  if (auto colon = name.find(':'); colon != std::string_view::npos) {
    name = name.substr(colon + 1);
  }
  return name;
}

// Reads the tag at html[j] ('<' or "</" and a name): a dropped element's body is
// skipped, a block element is a line break, a table cell a space; inline elements
// (a, b, span, img…) are word-transparent: "<b>x</b>y" is "xy". Returns where the
// text goes on (the end for an unterminated tag, which is dropped).
size_t read_tag(TextWriter& w, std::string_view html, size_t j, bool closing) {
  const size_t n = html.size();
  size_t name_end = 0;
  char buf[16];
  std::string_view name = tag_name(html, j + (closing ? 2 : 1), name_end, buf);
  size_t end = tag_end(html, name_end);
  if (end == std::string_view::npos) {
    return n;
  }
  size_t i = end + 1;
  if (!closing && is_dropped(name) && html[end - 1] != '/') {
    std::string close = "</";
    close.append(name);
    size_t close_at = find_ci(html, close, i);
    if (close_at == std::string_view::npos) {
      return n;
    }
    size_t close_end = html.find('>', close_at);
    return close_end == std::string_view::npos ? n : close_end + 1;
  }
  if (name == "td" || name == "th") {
    w.space();
  } else if (is_block(name)) {
    w.line_break();
  }
  return i;
}

// Reads the markup at html[j] ('<'): a comment or declaration is dropped, a CDATA
// section is text, a '<' that starts no tag is a character. Returns where the text
// goes on.
size_t read_markup(TextWriter& w, std::string_view html, size_t j) {
  const size_t n = html.size();
  std::string_view rest = html.substr(j);
  if (rest.starts_with("<!--")) {
    size_t end = html.find("-->", j + 4);
    if (end == std::string_view::npos) {
      // An unterminated comment ends at the next '>' (as old SGML parsers read it).
      size_t gt = html.find('>', j + 4);
      return gt == std::string_view::npos ? n : gt + 1;
    }
    return end + 3;
  }
  if (rest.starts_with("<![CDATA[")) {
    size_t end = html.find("]]>", j + 9);
    size_t stop = end == std::string_view::npos ? n : end;
    emit_run(w, html.substr(j + 9, stop - (j + 9)));
    return end == std::string_view::npos ? n : end + 3;
  }
  if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?')) {
    size_t end = html.find('>', j);
    return end == std::string_view::npos ? n : end + 1;
  }
  bool closing = rest.size() >= 2 && rest[1] == '/';
  size_t name_start = j + (closing ? 2 : 1);
  if (name_start >= n || !is_alpha(html[name_start])) {
    w.text("<");
    return j + 1;
  }
  return read_tag(w, html, j, closing);
}

std::string convert(std::string_view html, bool one_line) {
  // Most titles and many summaries are one run of words with single spaces: no
  // markup, no other white space at all. Such a text is its own plain text.
  if (!html.empty() && html.front() != ' ' && next_stop(html, 0) == html.size()) {
    return std::string(html);
  }
  TextWriter w(one_line, html.size());
  // One pass: text chunks are found sixteen bytes at a time (next_stop); '<' starts
  // markup, '&' a character reference, other white space collapses.
  std::string decoded;
  size_t i = 0;
  const size_t n = html.size();
  while (i < n) {
    char c = html[i];
    if (c == '<') {
      i = read_markup(w, html, i);
    } else if (c == '&') {
      i = emit_reference(w, html, i, decoded);
    } else if (size_t used = emit_special(w, html, i); used > 0) {
      i += used;
    } else {
      size_t j = chunk_end(html, i, true);
      w.text(html.substr(i, j - i));
      i = j;
    }
  }
  return w.take();
}

}  // namespace

std::string html_to_text(std::string_view html) {
  return convert(html, false);
}

std::string inline_text(std::string_view html) {
  return convert(html, true);
}

}  // namespace khobor::feeds
