// khobor/feeds/xml_repair.cpp — a forgiving XML tokenizer that re-emits a
// well-formed document (the "tag soup" pass, used only when needed).
#include "feeds/xml_repair.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>

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
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
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

// Bytes find_xml_problem looks at: '&', '<' and control characters.
constexpr auto k_needs_look = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) {
    t[static_cast<size_t>(c)] = true;
  }
  t['\t'] = false;
  t['\n'] = false;
  t['\r'] = false;
  t['&'] = true;
  t['<'] = true;
  return t;
}();

// Looks at the '<' at xml[i]: a CDATA section may hold a control character (the
// problem); an unterminated CDATA section or comment ends the scan without one
// (pugixml reports those). nullopt when the scan goes on from `i`, past the markup.
std::optional<std::string> check_markup(std::string_view xml, size_t& i) {
  std::string_view rest = xml.substr(i);
  if (rest.starts_with("<![CDATA[")) {
    size_t end = xml.find("]]>", i + 9);
    if (end == std::string_view::npos) {
      return std::string();
    }
    // Control characters inside CDATA are as illegal as anywhere.
    for (size_t k = i + 9; k < end; ++k) {
      if (is_bad_control(static_cast<unsigned char>(xml[k]))) {
        return "xml: control character at " + position_of(xml, k);
      }
    }
    i = end + 3;
    return std::nullopt;
  }
  if (rest.starts_with("<!--")) {
    size_t end = xml.find("-->", i + 4);
    if (end == std::string_view::npos) {
      return std::string();
    }
    i = end + 3;
    return std::nullopt;
  }
  ++i;
  return std::nullopt;
}

// The problem of the '&' at xml[i] when it starts no XML reference; empty when it
// does.
std::string check_ampersand(std::string_view xml, size_t i) {
  std::string_view rest = xml.substr(i);
  if (xml_reference(rest) != 0) {
    return {};
  }
  std::string decoded;
  if (size_t used = decode_reference(rest, decoded); used != 0) {
    return "xml: undefined entity " + std::string(rest.substr(0, used)) + " at " +
           position_of(xml, i);
  }
  return "xml: bare '&' at " + position_of(xml, i);
}

}  // namespace

std::string find_xml_problem(std::string_view xml, bool control_free) {
  size_t first = xml.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && xml[first] == '<' && surely_clean(xml, control_free)) {
    return {};
  }
  const size_t n = xml.size();
  size_t i = first == std::string_view::npos ? n : first;
  if (i < n && xml[i] != '<') {
    return "xml: text before the root element at " + position_of(xml, i);
  }
  while (i < n) {
    while (i < n && !k_needs_look[static_cast<unsigned char>(xml[i])]) {
      ++i;
    }
    if (i >= n) {
      break;
    }
    if (xml[i] == '<') {
      if (auto end = check_markup(xml, i)) {
        return *end;
      }
    } else if (xml[i] == '&') {
      if (std::string problem = check_ampersand(xml, i); !problem.empty()) {
        return problem;
      }
      ++i;
    } else {
      return "xml: control character at " + position_of(xml, i);
    }
  }
  return {};
}

namespace {

// The repair pass: reads the input a token at a time (text, comment, CDATA section,
// declaration, processing instruction, tag) and writes each one well-formed, or
// drops it, keeping the open elements on a stack. Each step reads at m_i and moves
// it on; a step that returns false drops the rest of the input.
class Repairer {
 public:
  explicit Repairer(std::string_view in) : m_in(in), m_problems(in) {}

  Repaired run() {
    m_out.reserve(m_in.size() + m_in.size() / 16);
    while (m_i < m_in.size() && step()) {
    }
    close_all();
    return {std::move(m_out), m_problems.take()};
  }

 private:
  bool step() {
    if (m_in[m_i] != '<') {
      text();
      return true;
    }
    std::string_view rest = m_in.substr(m_i);
    if (rest.starts_with("<!--")) {
      return comment();
    }
    if (rest.starts_with("<![CDATA[")) {
      return cdata();
    }
    if (rest.starts_with("<!")) {
      declaration();
      return true;
    }
    if (rest.starts_with("<?")) {
      return processing_instruction();
    }
    return tag();
  }

  // Text up to the next '<': escaped inside the root, dropped outside it (white space
  // outside the root is kept as is: harmless).
  void text() {
    size_t next = std::min(m_in.find('<', m_i), m_in.size());
    std::string_view text = m_in.substr(m_i, next - m_i);
    if (!m_stack.empty()) {
      copy_text(text, m_i, m_out, m_problems, false);
    } else if (std::all_of(text.begin(), text.end(), is_space)) {
      m_out.append(text);
    } else {
      m_problems.add(m_root_done ? "text after the root element dropped"
                                 : "text before the root element dropped",
                     m_i);
    }
    m_i = next;
  }

  // A comment is dropped ("--" inside one is not well-formed).
  bool comment() {
    size_t end = m_in.find("-->", m_i + 4);
    if (end == std::string_view::npos) {
      m_problems.add("unterminated comment dropped", m_i);
      return false;
    }
    m_i = end + 3;
    return true;
  }

  bool cdata() {
    const size_t n = m_in.size();
    size_t end = m_in.find("]]>", m_i + 9);
    std::string_view body =
        m_in.substr(m_i + 9, (end == std::string_view::npos ? n : end) - (m_i + 9));
    if (m_stack.empty()) {
      m_problems.add("CDATA outside the root element dropped", m_i);
    } else {
      m_out.append("<![CDATA[");
      for (size_t k = 0; k < body.size(); ++k) {
        if (is_bad_control(static_cast<unsigned char>(body[k]))) {
          m_problems.add("control character dropped", m_i + 9 + k);
        } else {
          m_out.push_back(body[k]);
        }
      }
      m_out.append("]]>");
    }
    if (end == std::string_view::npos) {
      m_problems.add("unterminated CDATA section closed", m_i);
      return false;
    }
    m_i = end + 3;
    return true;
  }

  // DOCTYPE (with an optional internal subset) and other declarations: dropped.
  void declaration() {
    size_t end = std::string_view::npos;
    size_t bracket = m_in.find('[', m_i);
    size_t gt = m_in.find('>', m_i);
    if (bracket != std::string_view::npos && gt != std::string_view::npos && bracket < gt) {
      size_t close = m_in.find("]>", bracket);
      end = close == std::string_view::npos ? std::string_view::npos : close + 1;
    } else {
      end = gt;
    }
    m_i = end == std::string_view::npos ? m_in.size() : end + 1;
  }

  // Kept; the XML declaration only at the very start.
  bool processing_instruction() {
    std::string_view rest = m_in.substr(m_i);
    size_t end = m_in.find("?>", m_i + 2);
    if (end == std::string_view::npos) {
      return false;
    }
    std::string_view pi = m_in.substr(m_i, end + 2 - m_i);
    if (!m_root_seen && rest.starts_with("<?xml ") &&
        m_out.find_first_not_of(" \t\r\n") == std::string::npos) {
      m_out.assign(pi);
    } else if (!rest.starts_with("<?xml ")) {
      m_out.append(pi);
    }
    m_i = end + 2;
    return true;
  }

  bool tag() {
    const size_t n = m_in.size();
    bool closing = m_i + 1 < n && m_in[m_i + 1] == '/';
    size_t name_start = m_i + (closing ? 2 : 1);
    if (name_start >= n || !is_name_start(m_in[name_start])) {
      if (m_stack.empty()) {
        m_problems.add("text outside the root element dropped", m_i);
      } else {
        m_problems.add("bare '<'", m_i);
        m_out.append("&lt;");
      }
      ++m_i;
      return true;
    }
    size_t name_end = name_start;
    while (name_end < n && is_name_char(m_in[name_end])) {
      ++name_end;
    }
    std::string name(m_in.substr(name_start, name_end - name_start));
    if (closing) {
      end_tag(name, name_end);
      return true;
    }
    if (m_root_done && m_stack.empty()) {
      m_problems.add("content after the root element dropped", m_i);
      return false;
    }
    return start_tag(std::move(name), name_end);
  }

  // Closes up to the matching open element, if there is one; a stray end tag is
  // dropped.
  void end_tag(const std::string& name, size_t name_end) {
    size_t at = m_i;
    size_t gt = m_in.find('>', name_end);
    m_i = gt == std::string_view::npos ? m_in.size() : gt + 1;
    size_t depth = m_stack.size();
    while (depth > 0 && m_stack[depth - 1] != name) {
      --depth;
    }
    if (depth == 0) {
      m_problems.add("stray end tag dropped", at, "</" + name + ">");
      return;
    }
    if (depth != m_stack.size()) {
      m_problems.add("mismatched end tag", at, "</" + name + "> closes <" + m_stack.back() + ">");
    }
    while (m_stack.size() >= depth) {
      close_top();
    }
    if (m_stack.empty()) {
      m_root_done = true;
    }
  }

  // A start tag, its attributes read loosely and written quoted. An unterminated
  // one at the end of the input is closed and ends the pass.
  bool start_tag(std::string name, size_t name_end) {
    const size_t n = m_in.size();
    m_out.push_back('<');
    m_out.append(name);
    size_t j = name_end;
    bool self_closing = false;
    bool terminated = false;
    std::vector<std::string> seen;  // attribute names
    while (j < n) {
      while (j < n && is_space(m_in[j])) {
        ++j;
      }
      if (j >= n || m_in[j] == '<') {
        break;  // '<': a tag that never ended; the next one starts here
      }
      if (m_in[j] == '>') {
        terminated = true;
        ++j;
        break;
      }
      if (m_in[j] == '/' && j + 1 < n && m_in[j + 1] == '>') {
        self_closing = true;
        terminated = true;
        j += 2;
        break;
      }
      if (is_name_start(m_in[j])) {
        attribute(j, seen);
      } else {
        ++j;
      }
    }
    if (!terminated) {
      m_problems.add("unterminated start tag", m_i, "<" + name + ">");
      if (j >= n) {
        m_out.append("/>");
        m_i = n;
        return false;
      }
    }
    m_i = j;
    m_root_seen = true;
    if (self_closing) {
      m_out.append("/>");
      m_root_done = m_root_done || m_stack.empty();
    } else {
      m_out.push_back('>');
      m_stack.push_back(std::move(name));
    }
    return true;
  }

  // The attribute whose name starts at m_in[j], written quoted unless its name
  // repeats one in `seen`; `j` ends past it.
  void attribute(size_t& j, std::vector<std::string>& seen) {
    size_t name_start = j;
    while (j < m_in.size() && is_name_char(m_in[j])) {
      ++j;
    }
    std::string name(m_in.substr(name_start, j - name_start));
    while (j < m_in.size() && is_space(m_in[j])) {
      ++j;
    }
    size_t value_at = j;
    std::string_view value = name;  // an HTML boolean attribute is its own value
    if (j < m_in.size() && m_in[j] == '=') {
      ++j;
      value = attribute_value(j, value_at);
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      m_problems.add("duplicate attribute dropped", name_start, name);
      return;
    }
    m_out.push_back(' ');
    m_out.append(name);
    m_out.append("=\"");
    copy_text(value, value_at, m_out, m_problems, true);
    m_out.push_back('"');
    seen.push_back(std::move(name));
  }

  // The value after an attribute's '=' (quoted, or up to white space or '>'), its
  // offset in `at`; `j` ends past it.
  std::string_view attribute_value(size_t& j, size_t& at) {
    const size_t n = m_in.size();
    while (j < n && is_space(m_in[j])) {
      ++j;
    }
    if (j < n && (m_in[j] == '"' || m_in[j] == '\'')) {
      size_t close = std::min(m_in.find(m_in[j], j + 1), n);
      at = j + 1;
      j = close == n ? n : close + 1;
      return m_in.substr(at, close - at);
    }
    at = j;
    while (j < n && !is_space(m_in[j]) && m_in[j] != '>') {
      ++j;
    }
    return m_in.substr(at, j - at);
  }

  void close_top() {
    m_out.append("</");
    m_out.append(m_stack.back());
    m_out.push_back('>');
    m_stack.pop_back();
  }

  // At the end of the input: closes what is still open.
  void close_all() {
    if (m_stack.empty()) {
      return;
    }
    const size_t n = m_in.size();
    m_problems.add("document ends inside an element; closed", n > 0 ? n - 1 : 0,
                   std::to_string(m_stack.size()) + " open element(s)");
    while (!m_stack.empty()) {
      close_top();
    }
  }

  std::string_view m_in;
  size_t m_i = 0;
  std::string m_out;
  Problems m_problems;
  std::vector<std::string> m_stack;  // the open elements' names
  bool m_root_seen = false;          // a start tag was written
  bool m_root_done = false;          // the root element was closed
};

}  // namespace

Repaired repair_xml(std::string_view in) {
  return Repairer(in).run();
}

}  // namespace khobor::feeds::detail
