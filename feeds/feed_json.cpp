// khobor/feeds/feed_json.cpp — `khobor parse`'s JSON, written into one string as it
// goes.
#include "feeds/feed_json.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "feeds/dates.h"
#include "feeds/entities.h"

namespace khobor::feeds {
namespace {

constexpr uint64_t k_ones = 0x0101010101010101ULL;
constexpr uint64_t k_highs = 0x8080808080808080ULL;

// True when one of the 8 bytes of `w` needs escaping: < 0x20, '"' or '\'. (The
// bit tricks are exact as a yes/no: "Bit Twiddling Hacks", haszero/hasless.)
bool has_escape(uint64_t w) {
  const uint64_t quote = w ^ (k_ones * '"');
  const uint64_t backslash = w ^ (k_ones * '\\');
  return (((w - k_ones * 0x20) & ~w) | ((quote - k_ones) & ~quote) |
          ((backslash - k_ones) & ~backslash)) &
         k_highs;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default: {
      static constexpr char k_hex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 15]};
      out.append(u, sizeof u);
    }
  }
}

// Writes JSON values in nlohmann's layout: compact, or pretty with `indent`.
class Writer {
 public:
  Writer(std::string& out, int indent) : m_out(out), m_indent(indent) {}

  void begin(char bracket) {
    m_out += bracket;
    ++m_depth;
    m_first = true;
  }
  void end(char bracket) {
    --m_depth;
    if (!m_first && m_indent >= 0) {
      newline();
    }
    m_out += bracket;
    m_first = false;
  }
  // An object's key: `"name":` (`"name": ` when pretty); the value follows.
  void key(std::string_view name) {
    next();
    m_out += '"';
    m_out += name;
    m_out += m_indent >= 0 ? "\": " : "\":";
  }
  // Before each element of an array.
  void element() { next(); }

  void string(std::string_view s) { append_json_string(m_out, s); }
  void boolean(bool b) { m_out += b ? "true" : "false"; }
  void integer(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    m_out.append(buf, r.ptr);
  }
  void date(const std::optional<int64_t>& t) {
    if (!t) {
      m_out += "null";
      return;
    }
    m_out += '"';
    m_out += format_rfc3339(*t);
    m_out += '"';
  }
  void strings(const std::vector<std::string>& list) {
    begin('[');
    for (const auto& s : list) {
      element();
      string(s);
    }
    end(']');
  }

 private:
  void next() {
    if (!m_first) {
      m_out += ',';
    }
    if (m_indent >= 0) {
      newline();
    }
    m_first = false;
  }
  void newline() {
    m_out += '\n';
    m_out.append(static_cast<size_t>(m_depth) * static_cast<size_t>(m_indent), ' ');
  }

  std::string& m_out;
  int m_indent;
  int m_depth = 0;
  bool m_first = true;
};

// An entry's keys in sorted order, as nlohmann's std::map keeps them.
void write_entry(Writer& w, const Entry& e, bool with_html) {
  w.begin('{');
  w.key("authors");
  w.strings(e.authors);
  w.key("categories");
  w.strings(e.categories);
  w.key("content");
  w.string(e.content);
  if (with_html) {
    w.key("content_html");
    w.string(e.content_html);
  }
  w.key("enclosures");
  w.begin('[');
  for (const auto& x : e.enclosures) {
    w.element();
    w.begin('{');
    w.key("length");
    w.integer(x.length);
    w.key("type");
    w.string(x.type);
    w.key("url");
    w.string(x.url);
    w.end('}');
  }
  w.end(']');
  w.key("id");
  w.string(e.id);
  w.key("link");
  w.string(e.link);
  w.key("published");
  w.date(e.published);
  w.key("summary");
  w.string(e.summary);
  if (with_html) {
    w.key("summary_html");
    w.string(e.summary_html);
  }
  if (!e.thumbnail.empty()) {
    w.key("thumbnail");
    w.string(e.thumbnail);
  }
  w.key("title");
  w.string(e.title);
  w.key("updated");
  w.date(e.updated);
  w.end('}');
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  if (!detail::is_valid_utf8(s)) {
    out += nlohmann::json(std::string(s))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  const char* p = s.data();
  const size_t n = s.size();
  size_t start = 0;  // the first byte not yet copied
  size_t i = 0;
  while (i < n) {
    if (n - i >= 8) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      if (!has_escape(w)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(p + start, i - start);
    append_escape(out, c);
    start = ++i;
  }
  out.append(p + start, n - start);
  out += '"';
}

void append_feed_json(std::string& out, std::string_view source, const ParsedFeed& feed,
                      const FeedJsonOptions& options) {
  Writer w(out, options.indent);
  w.begin('{');
  w.key("bozo");
  w.boolean(feed.bozo);
  w.key("encoding");
  w.string(feed.encoding);
  w.key("entries");
  w.begin('[');
  for (const auto& e : feed.entries) {
    w.element();
    write_entry(w, e, options.with_html);
  }
  w.end(']');
  w.key("format");
  w.string(feed.format);
  w.key("link");
  w.string(feed.link);
  w.key("source");
  w.string(source);
  w.key("title");
  w.string(feed.title);
  w.key("warnings");
  w.strings(feed.warnings);
  w.end('}');
}

}  // namespace khobor::feeds
