// khobor/feeds/parser.cpp — parse_feed: encoding, then JSON Feed or XML (pugixml,
// with the repair pass for broken documents), then the RSS/RDF/Atom readers.
#include "feeds/parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <pugixml.hpp>

#include "feeds/encoding.h"
#include "feeds/entities.h"
#include "feeds/feed_builder.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"
#include "feeds/xml_repair.h"

namespace khobor::feeds {

namespace {

using detail::FeedBuilder;

// `s` equals the literal `lit`. The length is known at compile time, so the compiler
// turns the comparison into a length check and a few loads instead of a memcmp call
// (the readers compare each element name against dozens of names).
template <size_t N>
[[gnu::always_inline]] inline bool is(std::string_view s, const char (&lit)[N]) {
  return s.size() == N - 1 && std::memcmp(s.data(), lit, N - 1) == 0;
}

// pugixml's accessors live in its shared library, so even `if (node)` is a call. A
// node handle is one pointer, protected for derived classes (xml_node::_root); this
// reads it directly.
struct NodeHandle : pugi::xml_node {
  explicit NodeHandle(const pugi::xml_node& n) : pugi::xml_node(n) {}
  bool null() const { return _root == nullptr; }
};

bool null(const pugi::xml_node& n) {
  return NodeHandle(n).null();
}

// pugixml's defaults: elements, text and CDATA, references expanded, line ends
// normalised. Comments, processing instructions and the DOCTYPE are not kept as
// nodes, so every named node is an element (read_rss_item relies on that).
constexpr unsigned k_flags = pugi::parse_default;

// ---- Namespaces ----------------------------------------------------------------
// Elements are renamed so the readers can match plain names: the feed's own
// namespace becomes unprefixed, the modules news feeds use get their usual prefix
// whatever the document called them. Renamer::run does the document but the items
// the reader reads; the reader does each item's children as it reads them.

struct KnownNs {
  std::string_view uri;
  std::string_view prefix;
};

constexpr std::array<KnownNs, 20> k_known_ns{{
    {"http://www.w3.org/2005/Atom", "atom"},
    {"http://purl.org/atom/ns#", "atom"},
    {"http://purl.org/rss/1.0/", "rss"},
    {"http://my.netscape.com/rdf/simple/0.9/", "rss"},
    {"http://channel.netscape.com/rdf/simple/0.9/", "rss"},
    {"http://backend.userland.com/rss2", "rss"},
    {"http://blogs.law.harvard.edu/tech/rss", "rss"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/elements/1.0/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://rssnamespace.org/feedburner/ext/1.0", "feedburner"},
    {"http://www.w3.org/XML/1998/namespace", "xml"},
}};

std::string_view known_prefix(std::string_view uri) {
  for (const auto& k : k_known_ns) {
    if (k.uri == uri) {
      return k.prefix;
    }
  }
  // Common variants: trailing slash or case differences.
  if (uri.starts_with("http://purl.org/dc/elements/")) {
    return "dc";
  }
  if (uri.starts_with("http://search.yahoo.com/mrss")) {
    return "media";
  }
  return {};
}

struct Scope {
  std::string_view prefix;  // "" for the default namespace
  std::string_view uri;
};

class Renamer {
 public:
  Renamer(std::string_view own_uri) : m_own(own_uri) {}

  // Where the scopes stood before enter(): what leave() restores.
  struct Mark {
    size_t scopes = 0;
    std::string_view default_ns;
  };

  // Which items (Atom: entries) run() leaves to the reader: exactly those it reads.
  enum class Defer {
    none,          // rename everything
    rss,           // the items of the root's first <channel>
    rdf,           // those, and the items that are children of the root
    bare_channel,  // the items that are children of a <channel> root
    atom,          // the entries that are children of a <feed> root
  };

  // Renames `node` and its descendants. Feeds are shallow: below k_max_depth levels
  // names are left as written, so a hostile nesting cannot exhaust the stack.
  //
  // With `defer`, the subtrees of the items (entries) the reader will read are left
  // alone (the items themselves are renamed, so that the reader finds them): the
  // reader renames each item's children as it reads them (enter, rename,
  // run_children, leave), so the bulk of the document is walked once, not twice.
  void run(pugi::xml_node node, int depth = 0, Defer defer = Defer::none) {
    if (depth > k_max_depth) {
      return;
    }
    Mark mark = enter(node);
    std::string_view name = rename(node);
    descend(node, name, depth, defer);
    leave(mark);
  }

  // The value of `node`'s about attribute in the RDF namespace under any prefix
  // (attributes are not renamed); empty when it has none. Its scopes must be entered.
  std::string_view rdf_about(pugi::xml_node node) const {
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      if (an.ends_with(":about") &&
          is(lookup(an.substr(0, an.size() - 6)), "http://www.w3.org/1999/02/22-rdf-syntax-ns#")) {
        return a.value();
      }
    }
    return {};
  }

  // run() over the element children of `node`, at `depth` = node's depth; node's own
  // name and declarations are the caller's (entered and renamed).
  void run_children(pugi::xml_node node, int depth) {
    for (auto c = node.first_child(); !null(c); c = c.next_sibling()) {
      if (c.type() == pugi::node_element) {
        run(c, depth + 1);
      }
    }
  }

  // Brings `node`'s namespace declarations into scope.
  Mark enter(pugi::xml_node node) {
    Mark mark{m_scopes.size(), m_default};
    for (auto a = node.first_attribute(); a; a = a.next_attribute()) {
      const char* an = a.name();
      if (an[0] == 'x' && std::strncmp(an, "xmlns", 5) == 0) {
        if (an[5] == 0) {
          m_scopes.push_back({"", a.value()});
          m_default = m_scopes.back().uri;
        } else if (an[5] == ':') {
          m_scopes.push_back({an + 6, a.value()});
        }
      }
    }
    return mark;
  }

  // Takes the declarations enter() brought into scope out again.
  void leave(const Mark& mark) {
    if (m_scopes.size() != mark.scopes) {
      m_scopes.resize(mark.scopes);
    }
    m_default = mark.default_ns;
  }

  // Gives `node` the name the readers match (see the top of this section) and
  // returns it; the scopes of its declarations and its ancestors' must be entered.
  std::string_view rename(pugi::xml_node node) { return rename(node, node.name()); }

  // rename() when the caller has read the node's name already (`raw`).
  std::string_view rename(pugi::xml_node node, const char* raw) {
    // Names are short: one loop finds the colon and the end, no strlen call.
    size_t len = 0;
    while (raw[len] != 0 && raw[len] != ':') {
      ++len;
    }
    size_t colon = std::string_view::npos;
    if (raw[len] == ':') {
      colon = len;
      while (raw[len] != 0) {
        ++len;
      }
    }
    std::string_view name(raw, len);
    if (colon == std::string_view::npos) {
      // The common case: an unprefixed element in the feed's own namespace.
      std::string_view uri = m_default;  // lookup({}), kept up to date by enter()
      if (uri.empty() || uri.data() == m_own.data() || uri == m_own) {
        return name;
      }
    }
    std::string_view prefix =
        colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
    std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
    std::string_view uri = lookup(prefix);
    if (uri.empty()) {
      if (!prefix.empty() && m_undeclared.empty()) {
        m_undeclared = std::string(prefix);
      }
      return name;  // undeclared: keep the name as written
    }
    std::string wanted;
    if (uri == m_own || is(known(uri), "rss")) {
      wanted = local;
    } else {
      std::string_view p = known(uri);
      if (p.empty() || is(p, "xhtml")) {
        return name;
      }
      if (is(p, "atom") && is(known(m_own), "atom")) {
        wanted = local;
      } else if (p == prefix) {
        return name;  // already written with its usual prefix (dc:creator, media:content…)
      } else {
        wanted.append(p).append(":").append(local);
      }
    }
    if (wanted != name) {
      node.set_name(wanted.c_str());
      return node.name();
    }
    return name;
  }

 private:
  void descend(pugi::xml_node node, std::string_view name, int depth, Defer defer) {
    bool defer_items = false;
    if ((defer == Defer::rdf || defer == Defer::bare_channel || defer == Defer::atom) &&
        depth == 0) {
      defer_items = true;
    } else if ((defer == Defer::rss || defer == Defer::rdf) && depth == 1 && !m_seen_channel &&
               is(name, "channel")) {
      m_seen_channel = true;  // the readers take the first <channel>'s items
      defer_items = true;
    }
    for (auto c = node.first_child(); !null(c); c = c.next_sibling()) {
      if (c.type() != pugi::node_element) {
        continue;
      }
      if (!defer_items) {
        run(c, depth + 1, defer);
        continue;
      }
      Mark mark = enter(c);
      std::string_view child = rename(c);
      if (!(defer == Defer::atom ? is(child, "entry") : is(child, "item"))) {
        descend(c, child, depth + 1, defer);
      }
      leave(mark);
    }
  }

  std::string_view lookup(std::string_view prefix) const {
    for (size_t i = m_scopes.size(); i > 0; --i) {
      if (m_scopes[i - 1].prefix == prefix) {
        return m_scopes[i - 1].uri;
      }
    }
    if (is(prefix, "xml")) {
      return "http://www.w3.org/XML/1998/namespace";
    }
    return {};
  }

  // known_prefix() of a namespace URI, remembered by the URI's address (the URIs are
  // attribute values in the document, so a few addresses serve every element).
  std::string_view known(std::string_view uri) {
    for (const auto& [at, prefix] : m_known) {
      if (at == uri.data()) {
        return prefix;
      }
    }
    std::string_view p = known_prefix(uri);
    m_known.emplace_back(uri.data(), p);
    return p;
  }

  std::vector<std::pair<const char*, std::string_view>> m_known;
  std::string_view m_own;
  std::vector<Scope> m_scopes;
  std::string_view m_default;   // the default namespace in scope
  bool m_seen_channel = false;  // run() met the first <channel>
  static constexpr int k_max_depth = 256;

 public:
  std::string m_undeclared;  // the first prefix used without a declaration
};

std::string_view own_namespace(pugi::xml_node root) {
  std::string_view name = root.name();
  size_t colon = name.find(':');
  std::string attr =
      colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
  std::string_view uri = root.attribute(attr.c_str()).value();
  if (colon != std::string_view::npos && known_prefix(uri) == "rdf") {
    // <rdf:RDF>: the feed's own elements are in the default namespace (RSS 1.0/0.90).
    return root.attribute("xmlns").value();
  }
  return uri;
}

// ---- Text helpers ----------------------------------------------------------------

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') {
    s.remove_prefix(1);
  }
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') {
    s.remove_suffix(1);
  }
  return s;
}

// An element and its first child, read once: most feed elements hold a single text
// or CDATA child (<title>text</title>), and both the readers and the namespace
// renamer ask about it. Converts from a node (implicitly, so that the text helpers
// below take either).
struct Element {
  pugi::xml_node node;
  pugi::xml_node first;   // its first child, null when it has none
  bool one_text = false;  // `first` is its only child, and is text or CDATA

  Element(pugi::xml_node n) : node(n), first(n.first_child()) {  // NOLINT: implicit
    if (!null(first)) {
      pugi::xml_node_type t = first.type();
      one_text = (t == pugi::node_pcdata || t == pugi::node_cdata) && null(first.next_sibling());
    }
  }
  // It has children, and they are not just one text: maybe elements.
  bool mixed() const { return !null(first) && !one_text; }
};

// The text of an element: its character data, or, when it holds elements
// (unescaped HTML in a description, Atom xhtml), its inner markup. The common case
// (one text or CDATA child) is a view into the document; else `scratch` holds it.
std::string_view inner_view(const Element& n, std::string& scratch) {
  if (null(n.first)) {
    return {};
  }
  if (n.one_text) {
    return n.first.value();
  }
  scratch.clear();
  bool has_elements = false;
  for (auto c = n.first; !null(c); c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      has_elements = true;
      break;
    }
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      scratch.append(c.value());
    }
  }
  if (!has_elements) {
    return scratch;
  }
  StringWriter w;
  for (auto c = n.first; !null(c); c = c.next_sibling()) {
    c.print(w, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  }
  scratch = std::move(w.out);
  return scratch;
}

std::string inner(const Element& n) {
  std::string scratch;
  return std::string(inner_view(n, scratch));
}

// Plain one-line text of an element that may hold markup.
std::string text_of(const Element& n) {
  std::string scratch;
  return inline_text(inner_view(n, scratch));
}

std::string trimmed(const Element& n) {
  std::string scratch;
  return std::string(trim(inner_view(n, scratch)));
}

// The first text or CDATA child's value, as pugixml's child_value() reads it.
std::string_view first_text(pugi::xml_node n) {
  for (auto c = n.first_child(); !null(c); c = c.next_sibling()) {
    pugi::xml_node_type t = c.type();
    if (t == pugi::node_pcdata || t == pugi::node_cdata) {
      return c.value();
    }
  }
  return {};
}

// The text of a date element, trimmed, as a view (into the document or `scratch`).
std::string_view date_text(const Element& n, std::string& scratch) {
  return trim(inner_view(n, scratch));
}

// The base URL in effect for `n`'s content: `parent` itself unless `n` has an
// xml:base, which is then resolved into `storage`.
const std::string& base_for(pugi::xml_node n, const std::string& parent, std::string& storage) {
  pugi::xml_attribute b = n.attribute("xml:base");
  if (!b) {
    return parent;
  }
  storage = resolve_url(parent, b.value());
  return storage;
}

// The base URL in effect for `n`'s content, given its parent's.
std::string base_of(pugi::xml_node n, const std::string& parent_base) {
  pugi::xml_attribute b = n.attribute("xml:base");
  if (!b) {
    return parent_base;
  }
  return resolve_url(parent_base, b.value());
}

// The markup of an element's children, escaped as XML writes it (for xhtml content,
// where "&lt;" in the source is text, not a tag).
std::string serialize_children(pugi::xml_node n) {
  StringWriter w;
  for (auto c = n.first_child(); !null(c); c = c.next_sibling()) {
    c.print(w, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  }
  return std::move(w.out);
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

// Atom text constructs (title, summary, content, rights): HTML kept and plain text.
struct AtomText {
  std::string html;
  std::string text;
};

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
  s = trim(s);
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

// media:content, media:thumbnail and media:group children of an item or entry.
void read_media(pugi::xml_node item, Entry& e, const std::string& base, int depth = 0) {
  for (auto c = item.first_child(); !null(c); c = c.next_sibling()) {
    std::string_view name = c.name();
    if (is(name, "media:group")) {
      if (depth < 2) {  // groups do not nest in practice; never recurse without bound
        read_media(c, e, base, depth + 1);
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

// ---- RSS 0.9x / 1.0 / 2.0 ---------------------------------------------------------

// Reads one <item>. With `ns`, the item's subtree was left to this reader (see
// Renamer::run): each child is renamed as it is read, in the scopes of the item's
// ancestors, which the caller has entered; `depth` is the item's.
void read_rss_item(pugi::xml_node item, FeedBuilder& b, const std::string& parent_base,
                   size_t index, Renamer* ns, int depth) {
  Entry& e = b.new_entry();
  Renamer::Mark item_mark;
  if (ns != nullptr) {
    item_mark = ns->enter(item);
  }
  std::string item_base;
  const std::string& base = base_for(item, parent_base, item_base);
  std::string link_base;
  std::string guid;
  bool guid_is_link = false;
  std::string scratch;
  std::string atom_link;
  bool has_media = false;
  for (auto c = item.first_child(); !null(c); c = c.next_sibling()) {
    // Only elements have a name here: the text or CDATA an item may hold directly has
    // none, and comments, PIs and declarations are not kept (k_flags).
    const char* raw = c.name();
    if (raw[0] == 0) {
      continue;
    }
    Renamer::Mark mark;
    std::string_view name;
    const Element el(c);
    if (ns != nullptr) {
      mark = ns->enter(c);
      name = ns->rename(c, raw);
      if (el.mixed()) {
        ns->run_children(c, depth + 1);
      }
    } else {
      name = raw;
    }
    has_media = has_media || name.starts_with("media:");
    if (is(name, "title")) {
      e.title = text_of(el);
    } else if ((is(name, "dc:title") || is(name, "media:title")) && e.title.empty()) {
      e.title = text_of(el);
    } else if (is(name, "link")) {
      // A later <link> overrides an earlier one, as in feedparser and gofeed.
      std::string_view l = trim(inner_view(el, scratch));
      if (l.empty()) {
        l = c.attribute("href").value();
      }
      if (!l.empty()) {
        e.link = resolve_url(base_for(c, base, link_base), l);
      }
    } else if (is(name, "atom:link")) {
      std::string_view rel = c.attribute("rel").value();
      if ((rel.empty() || is(rel, "alternate")) && atom_link.empty()) {
        atom_link = resolve_url(base_for(c, base, link_base), c.attribute("href").value());
      } else if (is(rel, "enclosure")) {
        e.enclosures.push_back({resolve_url(base, c.attribute("href").value()),
                                c.attribute("type").value(),
                                to_int(c.attribute("length").value())});
      }
    } else if (is(name, "guid")) {
      guid.assign(trim(inner_view(el, scratch)));
      std::string_view perma = trim(c.attribute("isPermaLink").value());
      guid_is_link = !is(perma, "false");
    } else if ((is(name, "dc:identifier")) && guid.empty()) {
      guid = trimmed(el);
    } else if (is(name, "description") || is(name, "summary") || is(name, "dc:description") ||
               is(name, "dcterms:abstract")) {
      if (e.summary_html.empty()) {
        e.summary_html = inner(el);
      }
    } else if (is(name, "atom:content") || is(name, "atom:summary")) {
      AtomText t = atom_text(c, false);
      if (is(name, "atom:content") && e.content_html.empty()) {
        e.content_html = std::move(t.html);
      } else if (is(name, "atom:summary") && e.summary_html.empty()) {
        e.summary_html = std::move(t.html);
      }
    } else if (is(name, "content:encoded") || is(name, "xhtml:body") || is(name, "body") ||
               is(name, "fullitem")) {
      if (e.content_html.empty()) {
        e.content_html = inner(el);
      }
    } else if (is(name, "pubDate") || is(name, "dc:date") || is(name, "dcterms:issued") ||
               is(name, "dcterms:created") || is(name, "atom:published") || is(name, "issued")) {
      if (!e.published) {
        e.published = b.date(date_text(el, scratch), index, name);
      }
    } else if (is(name, "dcterms:modified") || is(name, "atom:updated") ||
               is(name, "lastBuildDate")) {
      if (!e.updated) {
        e.updated = b.date(date_text(el, scratch), index, name);
      }
    } else if (is(name, "author") || is(name, "dc:creator") || is(name, "itunes:author") ||
               is(name, "dc:contributor") || is(name, "atom:author")) {
      std::string a = is(name, "atom:author") ? atom_person(c) : text_of(el);
      if (!a.empty()) {
        bool dup = false;
        for (const auto& x : e.authors) {
          if (x == a) {
            dup = true;
          }
        }
        if (!dup) {
          e.authors.push_back(std::move(a));
        }
      }
    } else if (is(name, "category") || is(name, "dc:subject")) {
      std::string t = text_of(el);
      if (!t.empty()) {
        e.categories.push_back(std::move(t));
      }
    } else if (is(name, "enclosure")) {
      std::string url = resolve_url(base, trim(c.attribute("url").value()));
      if (!url.empty()) {
        e.enclosures.push_back(
            {std::move(url), c.attribute("type").value(), to_int(c.attribute("length").value())});
      }
    }
    if (ns != nullptr) {
      ns->leave(mark);
    }
  }
  if (e.link.empty() && !atom_link.empty()) {
    e.link = atom_link;
  }
  if (guid.empty()) {
    // RSS 1.0: the item's rdf:about is its identity (and usually its link), whatever
    // prefix the document gave the RDF namespace.
    std::string_view about = item.attribute("rdf:about").value();
    if (about.empty() && ns != nullptr) {
      about = ns->rdf_about(item);
    }
    if (!about.empty()) {
      guid = std::string(about);
      guid_is_link = true;
    }
  }
  if (has_media) {
    read_media(item, e, base);
  }
  e.summary = html_to_text(e.summary_html);
  e.content = html_to_text(e.content_html);
  if (ns != nullptr) {
    ns->leave(item_mark);
  }
  b.commit_entry(std::move(guid), guid_is_link);
}

// Reads an RSS document: `root` is its root element, or the document for a bare
// <channel> root. With `ns`, run() deferred the items this reads (Defer::rss, rdf or
// bare_channel, as `rdf` and the root say): they are renamed while read.
void read_rss(pugi::xml_node root, FeedBuilder& b, bool rdf, Renamer* ns) {
  ParsedFeed& f = b.feed();
  std::string base = base_of(root, b.options().base_url);
  pugi::xml_node channel = root.child("channel");
  // One pass over the channel's children (its items among them): the elements below
  // are looked up in it, rather than each in a walk of its own past every item.
  std::vector<pugi::xml_node> items;
  if (!null(channel)) {
    base = base_of(channel, base);
    pugi::xml_node title;
    pugi::xml_node dc_title;
    pugi::xml_node ttl;
    pugi::xml_node period;
    pugi::xml_node frequency;
    std::string link;
    std::string atom_link;
    bool have_atom_link = false;
    for (auto c = channel.first_child(); !null(c); c = c.next_sibling()) {
      if (c.type() != pugi::node_element) {
        continue;
      }
      std::string_view name = c.name();
      if (is(name, "item")) {
        items.push_back(c);
      } else if (is(name, "title")) {
        title = null(title) ? c : title;
      } else if (is(name, "dc:title")) {
        dc_title = null(dc_title) ? c : dc_title;
      } else if (is(name, "link")) {
        std::string v = trimmed(c);
        if (v.empty()) {
          v = c.attribute("href").value();
        }
        if (!v.empty()) {
          link = std::move(v);  // the last one wins, as in feedparser and gofeed
        }
      } else if (is(name, "atom:link") && !have_atom_link) {
        std::string_view rel = c.attribute("rel").value();
        if (rel.empty() || is(rel, "alternate")) {
          atom_link = c.attribute("href").value();
          have_atom_link = true;
        }
      } else if (is(name, "ttl")) {
        ttl = null(ttl) ? c : ttl;
      } else if (is(name, "sy:updatePeriod")) {
        period = null(period) ? c : period;
      } else if (is(name, "sy:updateFrequency")) {
        frequency = null(frequency) ? c : frequency;
      }
    }
    f.title = text_of(title);
    if (f.title.empty()) {
      f.title = text_of(dc_title);
    }
    if (link.empty()) {
      link = std::move(atom_link);
    }
    f.link = resolve_url(base, link);
    if (auto minutes = to_int(first_text(ttl)); minutes > 0) {
      f.ttl_seconds = minutes * 60;
    } else if (!null(period)) {
      std::string_view p = trim(first_text(period));
      int64_t unit = is(p, "hourly")    ? 3600
                     : is(p, "daily")   ? 86400
                     : is(p, "weekly")  ? 604800
                     : is(p, "monthly") ? 2592000
                     : is(p, "yearly")  ? 31536000
                                        : 0;
      int64_t freq = to_int(first_text(frequency));
      if (unit > 0) {
        f.ttl_seconds = unit / (freq > 0 ? freq : 1);
      }
    }
  }
  size_t index = 0;
  b.reserve(items.size());
  // RSS 2.0 items are in the channel; RSS 0.90/1.0 items are its siblings. Accept both.
  const int root_depth = root.type() == pugi::node_document ? -1 : 0;
  Renamer::Mark root_mark;
  if (ns != nullptr) {
    root_mark = ns->enter(root);
  }
  if (!null(channel)) {
    Renamer::Mark channel_mark;
    if (ns != nullptr) {
      channel_mark = ns->enter(channel);
    }
    for (auto item : items) {
      read_rss_item(item, b, base, index++, ns, root_depth + 2);
    }
    if (ns != nullptr) {
      ns->leave(channel_mark);
    }
  }
  if (rdf || index == 0) {
    // Under an <rss> root these were renamed with the rest (they are read only when
    // the channel has none).
    Renamer* root_ns = rdf ? ns : nullptr;
    for (auto item : root.children("item")) {
      read_rss_item(item, b, base, index++, root_ns, root_depth + 1);
    }
  }
  if (ns != nullptr) {
    ns->leave(root_mark);
  }
}

// ---- Atom 0.3 / 1.0 -----------------------------------------------------------------

std::string atom_alternate(pugi::xml_node n, const std::string& base) {
  std::string first;
  for (auto l : n.children("link")) {
    std::string_view rel = trim(l.attribute("rel").value());
    if (rel.empty() || is(rel, "alternate")) {
      std::string_view type = l.attribute("type").value();
      std::string url = resolve_url(base_of(l, base), trim(l.attribute("href").value()));
      if (type.empty() || is(type, "text/html") || is(type, "application/xhtml+xml")) {
        return url;
      }
      if (first.empty()) {
        first = url;
      }
    }
  }
  return first;
}

// Reads one <entry>; with `ns`, renaming its children as it goes (as read_rss_item).
void read_atom_entry(pugi::xml_node entry, FeedBuilder& b, const std::string& parent_base,
                     size_t index, Renamer* ns, int depth) {
  Entry& e = b.new_entry();
  Renamer::Mark entry_mark;
  if (ns != nullptr) {
    entry_mark = ns->enter(entry);
  }
  std::string entry_base;
  const std::string& base = base_for(entry, parent_base, entry_base);
  std::string id;
  std::string scratch;
  for (auto c = entry.first_child(); !null(c); c = c.next_sibling()) {
    const char* raw = c.name();  // only elements have names here (see k_flags)
    if (raw[0] == 0) {
      continue;
    }
    Renamer::Mark mark;
    std::string_view name = raw;
    if (ns != nullptr) {
      mark = ns->enter(c);
      name = ns->rename(c, raw);
      if (Element(c).mixed()) {
        ns->run_children(c, depth + 1);
      }
    }
    if (is(name, "title")) {
      e.title = atom_text(c, true).text;
    } else if (is(name, "id")) {
      id = trimmed(c);
      // A relative IRI as id (rare) is read against xml:base, as feedparser and gofeed do.
      if (!id.empty() && id.find(':') == std::string::npos) {
        std::string id_base = base_of(c, base);
        if (!id_base.empty()) {
          id = resolve_url(id_base, id);
        }
      }
    } else if (is(name, "link")) {
      std::string_view rel = trim(c.attribute("rel").value());
      if (is(rel, "enclosure")) {
        std::string url = resolve_url(base_of(c, base), trim(c.attribute("href").value()));
        if (!url.empty()) {
          e.enclosures.push_back(
              {std::move(url), c.attribute("type").value(), to_int(c.attribute("length").value())});
        }
      }
    } else if (is(name, "summary")) {
      if (e.summary_html.empty()) {
        AtomText t = atom_text(c, false);
        e.summary_html = std::move(t.html);
        e.summary = std::move(t.text);
      }
    } else if (is(name, "content")) {
      if (e.content_html.empty()) {
        AtomText t = atom_text(c, false);
        e.content_html = std::move(t.html);
        e.content = std::move(t.text);
      }
    } else if (is(name, "published") || is(name, "issued") || is(name, "created") ||
               is(name, "dc:date")) {
      // Atom 1.0 published; Atom 0.3 issued, then created.
      if (!e.published || is(name, "published")) {
        auto t = b.date(date_text(c, scratch), index, name);
        if (t) {
          e.published = t;
        }
      }
    } else if (is(name, "updated") || is(name, "modified") || is(name, "dcterms:modified")) {
      // The last value wins, as in feedparser.
      if (auto t = b.date(date_text(c, scratch), index, name)) {
        e.updated = t;
      }
    } else if (is(name, "author") || is(name, "dc:creator")) {
      std::string a = is(name, "author") ? atom_person(c) : text_of(c);
      if (!a.empty()) {
        e.authors.push_back(std::move(a));
      }
    } else if (is(name, "category")) {
      std::string t(trim(c.attribute("term").value()));
      if (t.empty()) {
        t = std::string(trim(c.attribute("label").value()));
      }
      if (t.empty()) {
        t = text_of(c);
      }
      if (!t.empty()) {
        e.categories.push_back(std::move(t));
      }
    } else if (is(name, "dc:subject")) {
      std::string t = text_of(c);
      if (!t.empty()) {
        e.categories.push_back(std::move(t));
      }
    }
    if (ns != nullptr) {
      ns->leave(mark);
    }
  }
  e.link = atom_alternate(entry, base);
  read_media(entry, e, base);
  if (ns != nullptr) {
    ns->leave(entry_mark);
  }
  b.commit_entry(std::move(id), false);
}

// Reads an Atom document; with `ns`, run() deferred its entries (Defer::atom).
void read_atom(pugi::xml_node root, FeedBuilder& b, Renamer* ns) {
  ParsedFeed& f = b.feed();
  std::string base = base_of(root, b.options().base_url);
  f.title = atom_text(root.child("title"), true).text;
  f.link = atom_alternate(root, base);
  Renamer::Mark root_mark;
  if (ns != nullptr) {
    root_mark = ns->enter(root);
  }
  size_t index = 0;
  for (auto entry : root.children("entry")) {
    read_atom_entry(entry, b, base, index++, ns, 1);
  }
  if (ns != nullptr) {
    ns->leave(root_mark);
  }
}

// ---- Document level -------------------------------------------------------------------

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != prefix[i]) {
      return false;
    }
  }
  return true;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// The feed a web page points at, when it says so (<link rel="alternate" type="…rss…">).
std::string advertised_feed(std::string_view html) {
  std::string lower = lowered(html.substr(0, 65536));
  size_t at = 0;
  while ((at = lower.find("<link", at)) != std::string::npos) {
    size_t end = lower.find('>', at);
    if (end == std::string::npos) {
      break;
    }
    std::string_view tag = std::string_view(lower).substr(at, end - at);
    if (tag.find("alternate") != std::string_view::npos &&
        (tag.find("rss+xml") != std::string_view::npos ||
         tag.find("atom+xml") != std::string_view::npos ||
         tag.find("feed+json") != std::string_view::npos)) {
      size_t href = tag.find("href=");
      if (href != std::string_view::npos) {
        size_t v = href + 5;
        char q = tag[v];
        if (q == '"' || q == '\'') {
          size_t close = tag.find(q, v + 1);
          if (close != std::string_view::npos) {
            // Take the original casing from the source.
            return std::string(html.substr(at + v + 1, close - v - 1));
          }
        }
      }
    }
    at = end;
  }
  return {};
}

Error not_a_feed(std::string_view what, std::string_view body, const ParseOptions& options) {
  std::string msg = "not a feed: " + std::string(what);
  if (!options.base_url.empty()) {
    msg += " at " + options.base_url;
  }
  std::string alt = advertised_feed(body);
  if (!alt.empty()) {
    msg +=
        "; the page advertises a feed at " + resolve_url(options.base_url, alt) + " — use that URL";
  } else {
    msg += "; check the feed URL";
  }
  return make_error("not_a_feed", msg);
}

bool looks_like_html(std::string_view s) {
  s = trim(s);
  return starts_with_ci(s, "<!doctype html") || starts_with_ci(s, "<html") ||
         (starts_with_ci(s, "<head") || starts_with_ci(s, "<body"));
}

std::string_view local_name(std::string_view n) {
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

Result<ParsedFeed> read_xml(char* text, size_t text_size, FeedBuilder& b, std::string_view original,
                            bool control_free) {
  ParsedFeed& f = b.feed();
  const ParseOptions& options = b.options();
  pugi::xml_document doc;
  std::string problem = detail::find_xml_problem(original, control_free);
  bool repaired = false;
  std::string repaired_text;
  if (problem.empty()) {
    // The fast path: parse in place. pugixml keeps what it read before an error.
    pugi::xml_parse_result r =
        doc.load_buffer_inplace(text, text_size, k_flags, pugi::encoding_utf8);
    if (!r) {
      problem = "xml: " + std::string(r.description()) + " at " +
                detail::position_of(original, static_cast<size_t>(r.offset));
      // The in-place parse has overwritten `text`; repair from the original bytes.
      repaired = true;
    }
  } else {
    repaired = true;
  }
  if (repaired) {
    // `text` may have been modified in place; the caller kept the decoded copy.
    detail::Repaired fixed = detail::repair_xml(original);
    f.bozo = true;
    f.warnings.push_back(problem + "; the document was repaired");
    for (auto& w : fixed.warnings) {
      if (w != problem) {
        f.warnings.push_back(std::move(w));
      }
    }
    repaired_text = std::move(fixed.xml);
    doc.reset();
    pugi::xml_parse_result r = doc.load_buffer_inplace(repaired_text.data(), repaired_text.size(),
                                                       k_flags, pugi::encoding_utf8);
    if (!r) {
      f.warnings.push_back("xml: still not well-formed after repair: " +
                           std::string(r.description()));
    }
  }
  pugi::xml_node root = doc.document_element();
  if (!root) {
    if (looks_like_html(original)) {
      return not_a_feed("an HTML page", original, options);
    }
    return make_error("xml",
                      "no feed: " + (problem.empty() ? std::string("no root element") : problem));
  }
  const std::string root_name(local_name(root.name()));
  std::string lroot = lowered(root_name);
  if (is(lroot, "html") || is(lroot, "head") || is(lroot, "body")) {
    return not_a_feed("an HTML page (<" + std::string(root.name()) + "> root)", original, options);
  }
  std::string_view own = own_namespace(root);
  const bool rss = is(root_name, "rss") || is(root_name, "rss:rss");
  const bool rdf = is(root_name, "RDF");
  const bool bare_channel = is(root_name, "channel");
  const bool atom = is(root_name, "feed");
  Renamer renamer(own);
  renamer.run(root, 0,
              rss            ? Renamer::Defer::rss
              : rdf          ? Renamer::Defer::rdf
              : bare_channel ? Renamer::Defer::bare_channel
              : atom         ? Renamer::Defer::atom
                             : Renamer::Defer::none);
  if (rss) {
    std::string_view v = trim(root.attribute("version").value());
    f.format = v.starts_with("0.9") ? "rss09x" : "rss20";
    read_rss(root, b, false, &renamer);
  } else if (rdf) {
    f.format = (is(own, "http://my.netscape.com/rdf/simple/0.9/") ||
                is(own, "http://channel.netscape.com/rdf/simple/0.9/"))
                   ? "rss090"
                   : "rss10";
    read_rss(root, b, true, &renamer);
  } else if (atom) {
    std::string_view v = trim(root.attribute("version").value());
    f.format = (is(own, "http://purl.org/atom/ns#") || is(v, "0.3")) ? "atom03" : "atom10";
    read_atom(root, b, &renamer);
  } else if (bare_channel) {
    // Netscape's RSS 0.9x without the <rss> wrapper, seen in the wild.
    f.format = "rss09x";
    read_rss(doc, b, false, &renamer);
  } else {
    return not_a_feed(
        "the root element is <" + std::string(root.name()) + ">, not <rss>, <rdf:RDF> or <feed>",
        original, options);
  }
  // After the readers: they renamed the items' subtrees.
  if (!renamer.m_undeclared.empty()) {
    f.bozo = true;
    f.warnings.push_back("xml: namespace prefix '" + renamer.m_undeclared +
                         "' is used but never declared");
  }
  return b.finish();
}

// The per-thread buffer pugixml parses in: big feeds would otherwise cost fresh
// pages on every parse. Not zero-filled; a huge one is not kept.
struct WorkBuffer {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;

  char* reserve(size_t n) {
    n = std::max<size_t>(n, 1);
    if (n > capacity) {
      data.reset(new char[n]);
      capacity = n;
    }
    return data.get();
  }
  void trim() {
    if (capacity > (8u << 20)) {
      data.reset();
      capacity = 0;
    }
  }
};

thread_local WorkBuffer t_work;

}  // namespace

Result<ParsedFeed> parse_feed(std::string_view body, const ParseOptions& options) {
  detail::Decoded decoded =
      detail::decode_to_utf8(body, options.content_type, t_work.reserve(body.size()));
  FeedBuilder b(options);
  ParsedFeed& f = b.feed();
  f.bozo = decoded.overridden;
  f.encoding = decoded.encoding;
  f.warnings = std::move(decoded.warnings);
  std::string media_type = lowered(options.content_type.substr(0, options.content_type.find(';')));
  media_type = std::string(trim(media_type));
  if (is(media_type, "text/plain") || is(media_type, "text/html")) {
    f.bozo = true;
    f.warnings.push_back("http: served as " + media_type + ", not as a feed type");
  }
  const std::string_view text = decoded.view(body);
  std::string_view s = trim(text);
  if (s.empty()) {
    return make_error("empty",
                      "not a feed: the body is empty" +
                          (options.base_url.empty() ? std::string() : " at " + options.base_url));
  }
  if (s.front() == '{' || s.front() == '[') {
    auto r = detail::read_json_feed(s, b);
    if (!r) {
      return r.error();
    }
    return b.finish();
  }
  if (s.front() != '<') {
    // Junk before the root: the repair pass drops it, if a root follows.
    if (s.find('<') == std::string_view::npos) {
      return make_error("not_a_feed", "not a feed: no markup and no JSON in the body");
    }
  } else if (looks_like_html(s)) {
    return not_a_feed("an HTML page", s, options);
  }
  // pugixml parses in place (a copy: the decoded text stays for a repair pass). A
  // body that is valid UTF-8 was copied while it was validated.
  char* work = t_work.data.get();
  if (!decoded.copied) {
    work = t_work.reserve(text.size());
    if (!text.empty()) {
      std::memcpy(work, text.data(), text.size());
    }
  }
  auto result = read_xml(work, text.size(), b, text, decoded.control_free);
  t_work.trim();
  return result;
}

}  // namespace khobor::feeds
