// khobor/feeds/xml_text.cpp — the text of elements, Atom text constructs and media
// elements, for the RSS and Atom readers (see xml_text.h).
#include "feeds/xml_text.h"

#include <optional>

#include "base/strings.h"
#include "feeds/entities.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"
#include "feeds/utf8_validate.h"

namespace khobor::feeds::detail {

namespace {

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

bool is_text(pugi::xml_node n) {
  return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

// Base64 (RFC 4648, white space ignored) for Atom 0.3 mode="base64" text.
std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else {
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (!detail::is_valid_utf8(out)) {
    return std::nullopt;
  }
  return out;
}

// media:content, media:thumbnail and media:group children of an item or entry.
void read_media_at(pugi::xml_node item, Entry& e, const std::string& base, int depth) {
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    std::string_view name = c.name();
    if (is(name, "media:group")) {
      if (depth < 2) {  // groups do not nest in practice; never recurse without bound
        read_media_at(c, e, base, depth + 1);
      }
    } else if (is(name, "media:content")) {
      std::string url = resolve_url(base, c.attribute("url").value());
      if (url.empty()) {
        continue;
      }
      bool dup = false;
      for (const auto& x : e.enclosures) {
        if (x.url == url) {
          dup = true;
        }
      }
      if (!dup) {
        std::string type = c.attribute("type").value();
        if (type.empty()) {
          std::string_view medium = c.attribute("medium").value();
          if (!medium.empty()) {
            type = std::string(medium) + "/*";
          }
        }
        e.enclosures.push_back(
            {std::move(url), std::move(type), to_int(c.attribute("fileSize").value())});
      }
    } else if (is(name, "media:thumbnail") && e.thumbnail.empty()) {
      e.thumbnail = resolve_url(base, c.attribute("url").value());
    }
  }
}

}  // namespace

// The markup of an element's children, escaped as XML writes it.
std::string serialize_children(pugi::xml_node n) {
  StringWriter w;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    c.print(w, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  }
  return std::move(w.out);
}

// The text of an element: its character data, or, when it holds elements
// (unescaped HTML in a description, Atom xhtml), its inner markup. The common case
// (one text or CDATA child) is a view into the document; else `scratch` holds it.
std::string_view inner_view(pugi::xml_node n, std::string& scratch) {
  pugi::xml_node first = n.first_child();
  if (!first) {
    return {};
  }
  if (is_text(first) && !first.next_sibling()) {
    return first.value();
  }
  scratch.clear();
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      scratch = serialize_children(n);
      return scratch;
    }
    if (is_text(c)) {
      scratch.append(c.value());
    }
  }
  return scratch;
}

std::string inner(pugi::xml_node n) {
  std::string scratch;
  return std::string(inner_view(n, scratch));
}

// Plain one-line text of an element that may hold markup.
std::string text_of(pugi::xml_node n) {
  std::string scratch;
  return inline_text(inner_view(n, scratch));
}

std::string trimmed(pugi::xml_node n) {
  std::string scratch;
  return std::string(trim_c0_and_space(inner_view(n, scratch)));
}

// The text of a date element, trimmed, as a view (into the document or `scratch`).
std::string_view date_text(pugi::xml_node n, std::string& scratch) {
  return trim_c0_and_space(inner_view(n, scratch));
}

// The base URL in effect for `n`'s content, given its parent's.
std::string base_of(pugi::xml_node n, const std::string& parent_base) {
  pugi::xml_attribute b = n.attribute("xml:base");
  if (!b) {
    return parent_base;
  }
  return resolve_url(parent_base, b.value());
}

AtomText atom_text(pugi::xml_node n, bool one_line) {
  AtomText t;
  std::string_view type = n.attribute("type").value();
  std::string_view mode = n.attribute("mode").value();  // Atom 0.3
  // Atom 1.0 §4.1.3.3: a MIME type that is neither text/* nor XML means base64.
  bool binary_type = type.find('/') != std::string_view::npos && !type.starts_with("text/") &&
                     !type.ends_with("+xml") && !type.ends_with("/xml");
  if (is(mode, "base64") || binary_type) {
    std::string raw = inner(n);
    auto decoded = base64_decode(raw);
    // An unknown type whose text is not base64 of UTF-8 text is left as text.
    t.html = (decoded || is(mode, "base64")) ? decoded.value_or(std::string()) : raw;
    t.text = one_line ? inline_text(t.html) : html_to_text(t.html);
    return t;
  }
  if (is(type, "text") || is(type, "text/plain")) {
    // Plain text: '<' and '&' are characters, not markup.
    t.html = inner(n);
    std::string escaped;
    escaped.reserve(t.html.size());
    for (char c : t.html) {
      if (c == '<') {
        escaped.append("&lt;");
      } else if (c == '&') {
        escaped.append("&amp;");
      } else {
        escaped.push_back(c);
      }
    }
    t.text = one_line ? inline_text(escaped) : html_to_text(escaped);
    return t;
  }
  if (is(type, "xhtml") || is(type, "application/xhtml+xml")) {
    // The content is the children of the wrapping xhtml:div.
    pugi::xml_node div =
        n.find_child([](pugi::xml_node c) { return c.type() == pugi::node_element; });
    t.html = serialize_children(div ? div : n);
  } else {
    t.html = inner(n);
  }
  t.text = one_line ? inline_text(t.html) : html_to_text(t.html);
  return t;
}

std::string atom_person(pugi::xml_node n) {
  std::string name = text_of(n.child("name"));
  std::string email = text_of(n.child("email"));
  if (name.empty() && !n.child("name") && !n.child("email")) {
    return text_of(n);  // a bare <author>text</author>
  }
  if (!name.empty() && !email.empty()) {
    return name + " (" + email + ")";  // feedparser's author string
  }
  return name.empty() ? email : name;
}

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  s = trim_c0_and_space(s);
  for (char c : s) {
    if (c < '0' || c > '9') {
      return 0;
    }
    if (v > INT64_MAX / 10 - 10) {
      return 0;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

void read_media(pugi::xml_node item, Entry& e, const std::string& base) {
  read_media_at(item, e, base, 0);
}

}  // namespace khobor::feeds::detail
