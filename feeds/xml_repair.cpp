// khobor/feeds/xml_repair.cpp — a forgiving XML tokenizer that re-emits a
// well-formed document (the "tag soup" pass, used only when needed).
#include "feeds/xml_repair.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <map>

#include "base/utf8.h"
#include "feeds/entities.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KHOBOR_XML_REPAIR_X86 1
#endif

namespace khobor::feeds::detail {

namespace {

bool is_name_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || u >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_bad_control(unsigned char c) {
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// Length of a well-formed XML reference at s[0] == '&' (&amp; &#10; &#x1F;), or 0.
size_t xml_reference(std::string_view s) {
  static constexpr std::array<std::string_view, 5> k_predefined{"&amp;", "&lt;", "&gt;", "&quot;",
                                                                "&apos;"};
  for (auto p : k_predefined) {
    if (s.starts_with(p)) {
      return p.size();
    }
  }
  if (s.size() >= 4 && s[1] == '#') {
    size_t i = 2;
    bool hex = s[i] == 'x';
    if (hex) {
      ++i;
    }
    size_t start = i;
    uint32_t cp = 0;
    while (i < s.size() && i - start < 8) {
      char c = s[i];
      if (c >= '0' && c <= '9') {
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(c - '0');
      } else if (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        cp = cp * 16 + static_cast<uint32_t>((c | 0x20) - 'a' + 10);
      } else {
        break;
      }
      ++i;
    }
    bool char_ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                   (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (i > start && i < s.size() && s[i] == ';' && char_ok) {
      return i + 1;
    }
  }
  return 0;
}

class Problems {
 public:
  explicit Problems(std::string_view text) : m_text(text) {}
  void add(const std::string& kind, size_t offset, std::string detail = {}) {
    auto& p = m_map[kind];
    if (p.count++ == 0) {
      p.offset = offset;
      p.detail = std::move(detail);
      m_order.push_back(kind);
    }
  }
  std::vector<std::string> take() {
    std::vector<std::string> out;
    for (const auto& kind : m_order) {
      const auto& p = m_map[kind];
      std::string w = "xml: " + kind;
      if (!p.detail.empty()) {
        w += " " + p.detail;
      }
      w += " at " + position_of(m_text, p.offset);
      if (p.count > 1) {
        w += " (and " + std::to_string(p.count - 1) + " more)";
      }
      out.push_back(std::move(w));
    }
    return out;
  }

 private:
  struct Problem {
    size_t count = 0;
    size_t offset = 0;
    std::string detail;
  };
  std::string_view m_text;
  std::map<std::string, Problem> m_map;
  std::vector<std::string> m_order;
};

// Appends text content, fixing references and dropping control characters.
void copy_text(std::string_view in, size_t base, std::string& out, Problems& problems,
               bool in_attribute) {
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '&') {
      std::string_view rest = in.substr(i);
      if (size_t n = xml_reference(rest); n != 0) {
        out.append(rest.substr(0, n));
        i += n;
        continue;
      }
      std::string decoded;
      if (size_t n = decode_reference(rest, decoded); n != 0) {
        problems.add("undefined entity", base + i, std::string(rest.substr(0, n)));
        // Keep the character itself, escaped where XML needs it.
        for (char d : decoded) {
          if (d == '&') {
            out.append("&amp;");
          } else if (d == '<') {
            out.append("&lt;");
          } else if (d == '"') {
            out.append("&quot;");
          } else if (!is_bad_control(static_cast<unsigned char>(d))) {
            out.push_back(d);
          }
        }
        i += n;
        continue;
      }
      problems.add("bare '&'", base + i);
      out.append("&amp;");
      ++i;
      continue;
    }
    if (is_bad_control(static_cast<unsigned char>(c))) {
      problems.add("control character dropped", base + i);
      ++i;
      continue;
    }
    if (c == '<') {
      out.append("&lt;");
      ++i;
      continue;
    }
    if (in_attribute && c == '"') {
      out.append("&quot;");
      ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
}

}  // namespace

std::string position_of(std::string_view text, size_t offset) {
  size_t line = 1;
  size_t col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if (!utf8::is_continuation(text[i])) {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

namespace {

bool no_bad_ampersand(std::string_view xml);

// True when `xml` has no control character (other than tab, LF, CR) and no '&' that
// does not start a well-formed XML reference: the common case, checked fast.
bool surely_clean(std::string_view xml, bool control_free) {
  const char* p = xml.data();
  const size_t n = xml.size();
  if (control_free) {
    return no_bad_ampersand(xml);
  }
  // Control characters: a word-wise "has a byte below 0x20" test, exact check on a hit.
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t below = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
    if (below) {
      for (size_t k = i; k < i + 8; ++k) {
        if (is_bad_control(static_cast<unsigned char>(p[k]))) {
          return false;
        }
      }
    }
  }
  for (; i < n; ++i) {
    if (is_bad_control(static_cast<unsigned char>(p[i]))) {
      return false;
    }
  }
  return no_bad_ampersand(xml);
}

// True when the '&' at s[0] starts a well-formed XML reference: xml_reference(s) != 0,
// with the four references escaped markup is made of (&amp; &lt; &gt; &quot;) told
// by their letters alone.
[[gnu::always_inline]] inline bool reference_ok(std::string_view s) {
  if (s.size() >= 6) {
    const char* p = s.data();
    switch (p[1]) {
      case 'a':
        if (p[2] == 'm' && p[3] == 'p' && p[4] == ';') {
          return true;
        }
        break;
      case 'l':
      case 'g':
        if (p[2] == 't' && p[3] == ';') {
          return true;
        }
        break;
      case 'q':
        if (p[2] == 'u' && p[3] == 'o' && p[4] == 't' && p[5] == ';') {
          return true;
        }
        break;
      default:
        break;
    }
  }
  return xml_reference(s) != 0;
}

// no_bad_ampersand a byte at a time: the tail of the vector scan, and the scan on
// CPUs without AVX2.
bool no_bad_ampersand_from(std::string_view xml, size_t i) {
  const char* p = xml.data();
  const size_t n = xml.size();
  while (i < n) {
    const void* amp = std::memchr(p + i, '&', n - i);
    if (amp == nullptr) {
      return true;
    }
    size_t at = static_cast<size_t>(static_cast<const char*>(amp) - p);
    if (!reference_ok(xml.substr(at))) {
      return false;
    }
    i = at + 1;
  }
  return true;
}

#if KHOBOR_XML_REPAIR_X86
// no_bad_ampersand 128 bytes at a time: one test says whether a block holds an '&'
// at all (most do not); a block that does is read as bit masks of its '&', each set
// bit checked in place from the block's compare masks (escaped markup has an '&' every few bytes,
// where a memchr call per '&' costs more than the check).
__attribute__((target("avx2"))) bool no_bad_ampersand_avx2(std::string_view xml) {
  const char* p = xml.data();
  const size_t n = xml.size();
  const __m256i amp = _mm256_set1_epi8('&');
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const char* b = p + i;
    const __m256i e0 =
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b)), amp);
    const __m256i e1 =
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32)), amp);
    const __m256i e2 =
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 64)), amp);
    const __m256i e3 =
        _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 96)), amp);
    const __m256i any = _mm256_or_si256(_mm256_or_si256(e0, e1), _mm256_or_si256(e2, e3));
    if (_mm256_testz_si256(any, any)) {
      continue;
    }
    const auto m0 = static_cast<uint32_t>(_mm256_movemask_epi8(e0));
    const auto m1 = static_cast<uint32_t>(_mm256_movemask_epi8(e1));
    const auto m2 = static_cast<uint32_t>(_mm256_movemask_epi8(e2));
    const auto m3 = static_cast<uint32_t>(_mm256_movemask_epi8(e3));
    const uint64_t low = m0 | (static_cast<uint64_t>(m1) << 32);
    const uint64_t high = m2 | (static_cast<uint64_t>(m3) << 32);
    const uint64_t masks[2] = {low, high};
    for (size_t half = 0; half < 2; ++half) {
      for (uint64_t mask = masks[half]; mask != 0; mask &= mask - 1) {
        const size_t at = i + half * 64 + static_cast<size_t>(__builtin_ctzll(mask));
        if (!reference_ok(xml.substr(at))) {
          return false;
        }
      }
    }
  }
  return no_bad_ampersand_from(xml, i);
}
#endif

// True when every '&' in `xml` starts a well-formed XML reference.
bool no_bad_ampersand(std::string_view xml) {
#if KHOBOR_XML_REPAIR_X86
  static const bool k_avx2 = __builtin_cpu_supports("avx2");
  if (k_avx2) {
    return no_bad_ampersand_avx2(xml);
  }
#endif
  return no_bad_ampersand_from(xml, 0);
}

}  // namespace

std::string find_xml_problem(std::string_view xml, bool control_free) {
  {
    size_t first = xml.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && xml[first] == '<' && surely_clean(xml, control_free)) {
      return {};
    }
  }
  // Byte classes: 1 = needs a look ('&', '<', control characters).
  static constexpr auto k_class = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 0x20; ++c) {
      t[static_cast<size_t>(c)] = 1;
    }
    t['\t'] = 0;
    t['\n'] = 0;
    t['\r'] = 0;
    t['&'] = 1;
    t['<'] = 1;
    return t;
  }();
  const size_t n = xml.size();
  const char* p = xml.data();
  bool seen_root = false;
  size_t i = 0;
  // Text before the root element (after the prolog).
  while (i < n) {
    if (is_space(p[i])) {
      ++i;
      continue;
    }
    if (p[i] == '<') {
      break;
    }
    return "xml: text before the root element at " + position_of(xml, i);
  }
  while (i < n) {
    while (i < n && k_class[static_cast<unsigned char>(p[i])] == 0) {
      ++i;
    }
    if (i >= n) {
      break;
    }
    char c = p[i];
    if (c == '<') {
      std::string_view rest = xml.substr(i);
      if (rest.starts_with("<![CDATA[")) {
        size_t end = xml.find("]]>", i + 9);
        if (end == std::string_view::npos) {
          return {};  // pugixml reports this one
        }
        // Control characters inside CDATA are as illegal as anywhere.
        for (size_t k = i + 9; k < end; ++k) {
          if (is_bad_control(static_cast<unsigned char>(p[k]))) {
            return "xml: control character at " + position_of(xml, k);
          }
        }
        i = end + 3;
        continue;
      }
      if (rest.starts_with("<!--")) {
        size_t end = xml.find("-->", i + 4);
        if (end == std::string_view::npos) {
          return {};
        }
        i = end + 3;
        continue;
      }
      if (!seen_root && rest.size() > 1 && is_name_start(rest[1])) {
        seen_root = true;
      }
      ++i;
      continue;
    }
    if (c == '&') {
      std::string_view rest = xml.substr(i);
      if (xml_reference(rest) == 0) {
        std::string decoded;
        size_t used = decode_reference(rest, decoded);
        if (used != 0) {
          return "xml: undefined entity " + std::string(rest.substr(0, used)) + " at " +
                 position_of(xml, i);
        }
        return "xml: bare '&' at " + position_of(xml, i);
      }
      ++i;
      continue;
    }
    return "xml: control character at " + position_of(xml, i);
  }
  return {};
}

Repaired repair_xml(std::string_view in) {
  Repaired r;
  Problems problems(in);
  std::string& out = r.xml;
  out.reserve(in.size() + in.size() / 16);
  std::vector<std::string> stack;
  bool root_done = false;
  bool root_seen = false;
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (in[i] != '<') {
      size_t next = in.find('<', i);
      if (next == std::string_view::npos) {
        next = n;
      }
      std::string_view text = in.substr(i, next - i);
      if (stack.empty()) {
        bool blank = true;
        for (char c : text) {
          if (!is_space(c)) {
            blank = false;
            break;
          }
        }
        if (!blank) {
          problems.add(root_done ? "text after the root element dropped"
                                 : "text before the root element dropped",
                       i);
        }
        // White space outside the root is kept as is (harmless).
        if (blank) {
          out.append(text);
        }
      } else {
        copy_text(text, i, out, problems, false);
      }
      i = next;
      continue;
    }
    std::string_view rest = in.substr(i);
    if (rest.starts_with("<!--")) {
      size_t end = in.find("-->", i + 4);
      if (end == std::string_view::npos) {
        problems.add("unterminated comment dropped", i);
        break;
      }
      // "--" inside a comment is not well-formed; keep the comment out instead.
      i = end + 3;
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      size_t end = in.find("]]>", i + 9);
      std::string_view body = in.substr(i + 9, (end == std::string_view::npos ? n : end) - (i + 9));
      if (stack.empty()) {
        problems.add("CDATA outside the root element dropped", i);
      } else {
        out.append("<![CDATA[");
        for (size_t k = 0; k < body.size(); ++k) {
          if (is_bad_control(static_cast<unsigned char>(body[k]))) {
            problems.add("control character dropped", i + 9 + k);
          } else {
            out.push_back(body[k]);
          }
        }
        out.append("]]>");
      }
      if (end == std::string_view::npos) {
        problems.add("unterminated CDATA section closed", i);
        break;
      }
      i = end + 3;
      continue;
    }
    if (rest.starts_with("<!")) {
      // DOCTYPE (with an optional internal subset) and other declarations: dropped.
      size_t end = std::string_view::npos;
      size_t bracket = in.find('[', i);
      size_t gt = in.find('>', i);
      if (bracket != std::string_view::npos && gt != std::string_view::npos && bracket < gt) {
        size_t close = in.find("]>", bracket);
        end = close == std::string_view::npos ? std::string_view::npos : close + 1;
      } else {
        end = gt;
      }
      i = end == std::string_view::npos ? n : end + 1;
      continue;
    }
    if (rest.starts_with("<?")) {
      size_t end = in.find("?>", i + 2);
      if (end == std::string_view::npos) {
        break;
      }
      if (!root_seen && rest.starts_with("<?xml ") &&
          out.find_first_not_of(" \t\r\n") == std::string::npos) {
        out.clear();
        out.append(in.substr(i, end + 2 - i));
      } else if (!rest.starts_with("<?xml ")) {
        out.append(in.substr(i, end + 2 - i));
      }
      i = end + 2;
      continue;
    }
    bool closing = rest.size() > 1 && rest[1] == '/';
    size_t name_start = i + (closing ? 2 : 1);
    if (name_start >= n || !is_name_start(in[name_start])) {
      if (stack.empty()) {
        problems.add("text outside the root element dropped", i);
      } else {
        problems.add("bare '<'", i);
        out.append("&lt;");
      }
      ++i;
      continue;
    }
    size_t name_end = name_start;
    while (name_end < n && is_name_char(in[name_end])) {
      ++name_end;
    }
    std::string name(in.substr(name_start, name_end - name_start));
    if (closing) {
      size_t gt = in.find('>', name_end);
      i = gt == std::string_view::npos ? n : gt + 1;
      // Close up to the matching open element, if there is one.
      size_t depth = stack.size();
      while (depth > 0 && stack[depth - 1] != name) {
        --depth;
      }
      if (depth == 0) {
        problems.add("stray end tag dropped", name_start - 2, "</" + name + ">");
        continue;
      }
      if (depth != stack.size()) {
        problems.add("mismatched end tag", name_start - 2,
                     "</" + name + "> closes <" + stack.back() + ">");
      }
      while (stack.size() >= depth) {
        out.append("</");
        out.append(stack.back());
        out.push_back('>');
        stack.pop_back();
        if (stack.size() < depth) {
          break;
        }
      }
      if (stack.empty()) {
        root_done = true;
      }
      continue;
    }
    if (root_done && stack.empty()) {
      problems.add("content after the root element dropped", i);
      break;
    }
    // A start tag: read attributes loosely and re-emit them quoted.
    out.push_back('<');
    out.append(name);
    size_t j = name_end;
    bool self_closing = false;
    bool terminated = false;
    std::vector<std::string> seen_attrs;
    while (j < n) {
      while (j < n && is_space(in[j])) {
        ++j;
      }
      if (j >= n) {
        break;
      }
      if (in[j] == '>') {
        terminated = true;
        ++j;
        break;
      }
      if (in[j] == '/' && j + 1 < n && in[j + 1] == '>') {
        self_closing = true;
        terminated = true;
        j += 2;
        break;
      }
      if (in[j] == '<') {
        break;  // a tag that never ended: the next one starts here
      }
      if (!is_name_start(in[j])) {
        ++j;
        continue;
      }
      size_t an_start = j;
      while (j < n && is_name_char(in[j])) {
        ++j;
      }
      std::string attr(in.substr(an_start, j - an_start));
      while (j < n && is_space(in[j])) {
        ++j;
      }
      std::string_view value;
      size_t value_at = j;
      if (j < n && in[j] == '=') {
        ++j;
        while (j < n && is_space(in[j])) {
          ++j;
        }
        if (j < n && (in[j] == '"' || in[j] == '\'')) {
          char q = in[j];
          size_t close = in.find(q, j + 1);
          if (close == std::string_view::npos) {
            close = n;
          }
          value = in.substr(j + 1, close - j - 1);
          value_at = j + 1;
          j = close == n ? n : close + 1;
        } else {
          size_t vs = j;
          while (j < n && !is_space(in[j]) && in[j] != '>') {
            ++j;
          }
          value = in.substr(vs, j - vs);
          value_at = vs;
        }
      } else {
        value = attr;  // HTML boolean attribute
      }
      bool dup = false;
      for (const auto& a : seen_attrs) {
        if (a == attr) {
          dup = true;
        }
      }
      if (dup) {
        problems.add("duplicate attribute dropped", an_start, attr);
        continue;
      }
      seen_attrs.push_back(attr);
      out.push_back(' ');
      out.append(attr);
      out.append("=\"");
      copy_text(value, value_at, out, problems, true);
      out.push_back('"');
    }
    if (!terminated) {
      problems.add("unterminated start tag", i, "<" + name + ">");
      if (j >= n) {
        out.append("/>");
        i = n;
        break;
      }
    }
    i = j;
    root_seen = true;
    if (self_closing) {
      out.append("/>");
      if (stack.empty()) {
        root_done = true;
      }
    } else {
      out.push_back('>');
      stack.push_back(std::move(name));
    }
  }
  if (!stack.empty()) {
    problems.add("document ends inside an element; closed", n > 0 ? n - 1 : 0,
                 std::to_string(stack.size()) + " open element(s)");
    while (!stack.empty()) {
      out.append("</");
      out.append(stack.back());
      out.push_back('>');
      stack.pop_back();
    }
  }
  r.warnings = problems.take();
  return r;
}

}  // namespace khobor::feeds::detail
