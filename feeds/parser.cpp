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

// `s` equals the literal `lit` (the readers compare element names against dozens).
template <size_t N>
bool is(std::string_view s, const char (&lit)[N]) {
  return s == std::string_view(lit, N - 1);
}

// pugixml's defaults: elements, text and CDATA, references expanded, line ends
// normalised. Comments, processing instructions and the DOCTYPE are not kept.
constexpr unsigned k_flags = pugi::parse_default;

constexpr std::string_view k_rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view k_xml_ns = "http://www.w3.org/XML/1998/namespace";

// ---- Namespaces ----------------------------------------------------------------
// Before the readers run, every element is renamed so that they can match plain
// names: the feed's own namespace becomes unprefixed, the modules news feeds use get
// their usual prefix whatever the document called them.

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

// The namespace `prefix` ("" for the default) stands for at `node`: the nearest
// declaration on it or an ancestor. Empty when nobody declared it.
std::string_view namespace_at(pugi::xml_node node, std::string_view prefix) {
  std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) {
      return a.value();
    }
  }
  return is(prefix, "xml") ? k_xml_ns : std::string_view{};
}

// The value of `node`'s about attribute in the RDF namespace under any prefix
// (attributes are not renamed); empty when it has none.
std::string_view rdf_about(pugi::xml_node node) {
  for (pugi::xml_attribute a : node.attributes()) {
    std::string_view an = a.name();
    if (an.ends_with(":about") && namespace_at(node, an.substr(0, an.size() - 6)) == k_rdf_ns) {
      return a.value();
    }
  }
  return {};
}

// Renames the elements of one document, walking it with the namespace declarations
// in scope (a stack: an inner declaration hides an outer one).
class Renamer {
 public:
  explicit Renamer(std::string_view own_uri)
      : m_own(own_uri), m_own_prefix(known_prefix(own_uri)) {}

  // Renames `node` and its descendants. Feeds are shallow: below k_max_depth levels
  // names are left as written, so a hostile nesting cannot exhaust the stack.
  void run(pugi::xml_node node, int depth = 0) {
    if (depth > k_max_depth) {
      return;
    }
    size_t outer = m_scopes.size();
    enter(node);
    rename(node);
    for (pugi::xml_node c : node.children()) {
      if (c.type() == pugi::node_element) {
        run(c, depth + 1);
      }
    }
    m_scopes.resize(outer);
  }

  // The first prefix used without a declaration; empty when there was none.
  const std::string& undeclared() const { return m_undeclared; }

 private:
  struct Scope {
    std::string_view prefix;  // "" for the default namespace
    std::string_view uri;
  };

  // Brings `node`'s namespace declarations into scope.
  void enter(pugi::xml_node node) {
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view an = a.name();
      if (is(an, "xmlns")) {
        m_scopes.push_back({"", a.value()});
      } else if (an.starts_with("xmlns:")) {
        m_scopes.push_back({an.substr(6), a.value()});
      }
    }
  }

  // Gives `node` the name the readers match (see the top of this section).
  void rename(pugi::xml_node node) {
    std::string_view name = node.name();
    size_t colon = name.find(':');
    bool prefixed = colon != std::string_view::npos;
    std::string_view prefix = prefixed ? name.substr(0, colon) : std::string_view{};
    std::string_view local = prefixed ? name.substr(colon + 1) : name;
    std::string_view uri = lookup(prefix);
    if (uri.empty()) {
      if (prefixed && m_undeclared.empty()) {
        m_undeclared = std::string(prefix);
      }
      return;  // undeclared, or no default namespace: kept as written
    }
    std::string_view known = known_prefix(uri);
    if (uri == m_own || is(known, "rss") || (is(known, "atom") && is(m_own_prefix, "atom"))) {
      if (prefixed) {
        node.set_name(std::string(local).c_str());
      }
    } else if (!known.empty() && !is(known, "xhtml") && known != prefix) {
      // xhtml elements and those already written with their usual prefix
      // (dc:creator, media:content…) keep their name.
      node.set_name((std::string(known) + ":" + std::string(local)).c_str());
    }
  }

  std::string_view lookup(std::string_view prefix) const {
    for (size_t i = m_scopes.size(); i > 0; --i) {
      if (m_scopes[i - 1].prefix == prefix) {
        return m_scopes[i - 1].uri;
      }
    }
    return is(prefix, "xml") ? k_xml_ns : std::string_view{};
  }

  static constexpr int k_max_depth = 256;
  std::string_view m_own;
  std::string_view m_own_prefix;  // known_prefix(m_own)
  std::vector<Scope> m_scopes;
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

bool is_text(pugi::xml_node n) {
  return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

// The markup of an element's children, escaped as XML writes it.
std::string serialize_children(pugi::xml_node n) {
  StringWriter w;
  for (pugi::xml_node c : n.children()) {
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
  for (pugi::xml_node c : n.children()) {
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
  return std::string(trim(inner_view(n, scratch)));
}

// The text of a date element, trimmed, as a view (into the document or `scratch`).
std::string_view date_text(pugi::xml_node n, std::string& scratch) {
  return trim(inner_view(n, scratch));
}

// The base URL in effect for `n`'s content, given its parent's.
std::string base_of(pugi::xml_node n, const std::string& parent_base) {
  pugi::xml_attribute b = n.attribute("xml:base");
  if (!b) {
    return parent_base;
  }
  return resolve_url(parent_base, b.value());
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
  for (pugi::xml_node c : item.children()) {
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

// One <item> being read: the entry it fills, and what decides the entry's id and
// link once its last child is read.
struct RssItem {
  RssItem(Entry& entry, FeedBuilder& builder, size_t i, std::string item_base)
      : e(entry), b(builder), index(i), base(std::move(item_base)) {}
  Entry& e;
  FeedBuilder& b;
  size_t index;      // of the entry in the document, for warnings
  std::string base;  // the base URL in effect for the item's children
  std::string guid;  // guid, else dc:identifier, else rdf:about
  bool guid_is_link = false;
  std::string atom_link;  // the first alternate atom:link, for an item without <link>
  std::string scratch;    // holds the text of the child being read, when not a view
};

void rss_title(pugi::xml_node c, std::string_view name, RssItem& it) {
  if (is(name, "title") || it.e.title.empty()) {  // dc:title, media:title only stand in
    it.e.title = text_of(c);
  }
}

void rss_link(pugi::xml_node c, std::string_view, RssItem& it) {
  // A later <link> overrides an earlier one, as in feedparser and gofeed.
  std::string_view l = trim(inner_view(c, it.scratch));
  if (l.empty()) {
    l = c.attribute("href").value();
  }
  if (!l.empty()) {
    it.e.link = resolve_url(base_of(c, it.base), l);
  }
}

void rss_atom_link(pugi::xml_node c, std::string_view, RssItem& it) {
  std::string_view rel = c.attribute("rel").value();
  if ((rel.empty() || is(rel, "alternate")) && it.atom_link.empty()) {
    it.atom_link = resolve_url(base_of(c, it.base), c.attribute("href").value());
  } else if (is(rel, "enclosure")) {
    it.e.enclosures.push_back({resolve_url(it.base, c.attribute("href").value()),
                               c.attribute("type").value(), to_int(c.attribute("length").value())});
  }
}

void rss_guid(pugi::xml_node c, std::string_view, RssItem& it) {
  it.guid.assign(trim(inner_view(c, it.scratch)));
  it.guid_is_link = !is(trim(c.attribute("isPermaLink").value()), "false");
}

void rss_identifier(pugi::xml_node c, std::string_view, RssItem& it) {
  if (it.guid.empty()) {
    it.guid = trimmed(c);
  }
}

void rss_summary(pugi::xml_node c, std::string_view, RssItem& it) {
  if (it.e.summary_html.empty()) {
    it.e.summary_html = inner(c);
  }
}

void rss_content(pugi::xml_node c, std::string_view, RssItem& it) {
  if (it.e.content_html.empty()) {
    it.e.content_html = inner(c);
  }
}

void rss_atom_summary(pugi::xml_node c, std::string_view, RssItem& it) {
  if (it.e.summary_html.empty()) {
    it.e.summary_html = atom_text(c, false).html;
  }
}

void rss_atom_content(pugi::xml_node c, std::string_view, RssItem& it) {
  if (it.e.content_html.empty()) {
    it.e.content_html = atom_text(c, false).html;
  }
}

void rss_published(pugi::xml_node c, std::string_view name, RssItem& it) {
  if (!it.e.published) {
    it.e.published = it.b.date(date_text(c, it.scratch), it.index, name);
  }
}

void rss_updated(pugi::xml_node c, std::string_view name, RssItem& it) {
  if (!it.e.updated) {
    it.e.updated = it.b.date(date_text(c, it.scratch), it.index, name);
  }
}

void rss_author(pugi::xml_node c, std::string_view name, RssItem& it) {
  std::string a = is(name, "atom:author") ? atom_person(c) : text_of(c);
  if (!a.empty() && std::find(it.e.authors.begin(), it.e.authors.end(), a) == it.e.authors.end()) {
    it.e.authors.push_back(std::move(a));
  }
}

void rss_category(pugi::xml_node c, std::string_view, RssItem& it) {
  std::string t = text_of(c);
  if (!t.empty()) {
    it.e.categories.push_back(std::move(t));
  }
}

void rss_enclosure(pugi::xml_node c, std::string_view, RssItem& it) {
  std::string url = resolve_url(it.base, trim(c.attribute("url").value()));
  if (!url.empty()) {
    it.e.enclosures.push_back(
        {std::move(url), c.attribute("type").value(), to_int(c.attribute("length").value())});
  }
}

// Which child of an <item> fills what; a name not listed is skipped. Where several
// elements fill one field, the first one read wins unless its reader says otherwise.
struct RssField {
  std::string_view name;
  void (*read)(pugi::xml_node, std::string_view name, RssItem&);
};
constexpr RssField k_rss_fields[] = {
    {"title", rss_title},
    {"dc:title", rss_title},
    {"media:title", rss_title},
    {"link", rss_link},
    {"atom:link", rss_atom_link},
    {"guid", rss_guid},
    {"dc:identifier", rss_identifier},
    {"description", rss_summary},
    {"summary", rss_summary},
    {"dc:description", rss_summary},
    {"dcterms:abstract", rss_summary},
    {"atom:summary", rss_atom_summary},
    {"content:encoded", rss_content},
    {"xhtml:body", rss_content},
    {"body", rss_content},
    {"fullitem", rss_content},
    {"atom:content", rss_atom_content},
    {"pubDate", rss_published},
    {"dc:date", rss_published},
    {"dcterms:issued", rss_published},
    {"dcterms:created", rss_published},
    {"atom:published", rss_published},
    {"issued", rss_published},
    {"dcterms:modified", rss_updated},
    {"atom:updated", rss_updated},
    {"lastBuildDate", rss_updated},
    {"author", rss_author},
    {"dc:creator", rss_author},
    {"itunes:author", rss_author},
    {"dc:contributor", rss_author},
    {"atom:author", rss_author},
    {"category", rss_category},
    {"dc:subject", rss_category},
    {"enclosure", rss_enclosure},
};

// What is decided once every child is read: the link, the id, media, plain text.
void finish_rss_item(pugi::xml_node item, RssItem& it) {
  Entry& e = it.e;
  if (e.link.empty() && !it.atom_link.empty()) {
    e.link = std::move(it.atom_link);
  }
  if (it.guid.empty()) {
    // RSS 1.0: the item's rdf:about is its identity (and usually its link), whatever
    // prefix the document gave the RDF namespace.
    std::string_view about = item.attribute("rdf:about").value();
    if (about.empty()) {
      about = rdf_about(item);
    }
    if (!about.empty()) {
      it.guid = std::string(about);
      it.guid_is_link = true;
    }
  }
  read_media(item, e, it.base);
  e.summary = html_to_text(e.summary_html);
  e.content = html_to_text(e.content_html);
}

void read_rss_item(pugi::xml_node item, FeedBuilder& b, const std::string& parent_base,
                   size_t index) {
  RssItem it(b.new_entry(), b, index, base_of(item, parent_base));
  for (pugi::xml_node c : item.children()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    std::string_view name = c.name();
    for (const RssField& f : k_rss_fields) {
      if (f.name == name) {
        f.read(c, name, it);
        break;
      }
    }
  }
  finish_rss_item(item, it);
  b.commit_entry(std::move(it.guid), it.guid_is_link);
}

// The channel's link: the last <link> (as in feedparser and gofeed), else the first
// alternate atom:link.
std::string channel_link(pugi::xml_node channel) {
  std::string link;
  for (pugi::xml_node c : channel.children("link")) {
    std::string v = trimmed(c);
    if (v.empty()) {
      v = c.attribute("href").value();
    }
    if (!v.empty()) {
      link = std::move(v);
    }
  }
  if (!link.empty()) {
    return link;
  }
  for (pugi::xml_node c : channel.children("atom:link")) {
    std::string_view rel = c.attribute("rel").value();
    if (rel.empty() || is(rel, "alternate")) {
      return c.attribute("href").value();
    }
  }
  return {};
}

// How often the channel asks to be polled, in seconds: <ttl> minutes, else
// sy:updatePeriod / sy:updateFrequency; 0 when it does not say.
int64_t channel_ttl(pugi::xml_node channel) {
  if (int64_t minutes = to_int(channel.child("ttl").child_value()); minutes > 0) {
    return minutes * 60;
  }
  pugi::xml_node period = channel.child("sy:updatePeriod");
  if (!period) {
    return 0;
  }
  std::string_view p = trim(period.child_value());
  int64_t unit = is(p, "hourly")    ? 3600
                 : is(p, "daily")   ? 86400
                 : is(p, "weekly")  ? 604800
                 : is(p, "monthly") ? 2592000
                 : is(p, "yearly")  ? 31536000
                                    : 0;
  int64_t freq = to_int(channel.child("sy:updateFrequency").child_value());
  return unit / (freq > 0 ? freq : 1);
}

void read_channel(pugi::xml_node channel, ParsedFeed& f, const std::string& base) {
  f.title = text_of(channel.child("title"));
  if (f.title.empty()) {
    f.title = text_of(channel.child("dc:title"));
  }
  f.link = resolve_url(base, channel_link(channel));
  f.ttl_seconds = channel_ttl(channel);
}

// Reads an RSS document: `root` is its root element, or the document for a bare
// <channel> root.
void read_rss(pugi::xml_node root, FeedBuilder& b, bool rdf) {
  std::string base = base_of(root, b.options().base_url);
  pugi::xml_node channel = root.child("channel");
  size_t index = 0;
  if (channel) {
    base = base_of(channel, base);
    read_channel(channel, b.feed(), base);
    for (pugi::xml_node item : channel.children("item")) {
      read_rss_item(item, b, base, index++);
    }
  }
  // RSS 2.0 items are in the channel; RSS 0.90/1.0 items are its siblings. Accept both.
  if (rdf || index == 0) {
    for (pugi::xml_node item : root.children("item")) {
      read_rss_item(item, b, base, index++);
    }
  }
}

// ---- Atom 0.3 / 1.0 -----------------------------------------------------------------

std::string atom_alternate(pugi::xml_node n, const std::string& base) {
  std::string first;
  for (pugi::xml_node l : n.children("link")) {
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

// One <entry> being read (as RssItem for RSS).
struct AtomEntry {
  AtomEntry(Entry& entry, FeedBuilder& builder, size_t i, std::string entry_base)
      : e(entry), b(builder), index(i), base(std::move(entry_base)) {}
  Entry& e;
  FeedBuilder& b;
  size_t index;      // of the entry in the document, for warnings
  std::string base;  // the base URL in effect for the entry's children
  std::string id;
  std::string scratch;  // holds the text of the child being read, when not a view
};

void atom_title(pugi::xml_node c, std::string_view, AtomEntry& en) {
  en.e.title = atom_text(c, true).text;
}

void atom_id(pugi::xml_node c, std::string_view, AtomEntry& en) {
  en.id = trimmed(c);
  // A relative IRI as id (rare) is read against xml:base, as feedparser and gofeed do.
  if (!en.id.empty() && en.id.find(':') == std::string::npos) {
    std::string id_base = base_of(c, en.base);
    if (!id_base.empty()) {
      en.id = resolve_url(id_base, en.id);
    }
  }
}

// <link rel="enclosure">; the alternate link is chosen among all links at the end.
void atom_link(pugi::xml_node c, std::string_view, AtomEntry& en) {
  if (is(trim(c.attribute("rel").value()), "enclosure")) {
    std::string url = resolve_url(base_of(c, en.base), trim(c.attribute("href").value()));
    if (!url.empty()) {
      en.e.enclosures.push_back(
          {std::move(url), c.attribute("type").value(), to_int(c.attribute("length").value())});
    }
  }
}

void atom_summary(pugi::xml_node c, std::string_view, AtomEntry& en) {
  if (en.e.summary_html.empty()) {
    AtomText t = atom_text(c, false);
    en.e.summary_html = std::move(t.html);
    en.e.summary = std::move(t.text);
  }
}

void atom_content(pugi::xml_node c, std::string_view, AtomEntry& en) {
  if (en.e.content_html.empty()) {
    AtomText t = atom_text(c, false);
    en.e.content_html = std::move(t.html);
    en.e.content = std::move(t.text);
  }
}

// Atom 1.0 published; Atom 0.3 issued, then created; a later <published> wins.
void atom_published(pugi::xml_node c, std::string_view name, AtomEntry& en) {
  if (!en.e.published || is(name, "published")) {
    if (auto t = en.b.date(date_text(c, en.scratch), en.index, name)) {
      en.e.published = t;
    }
  }
}

// The last value wins, as in feedparser.
void atom_updated(pugi::xml_node c, std::string_view name, AtomEntry& en) {
  if (auto t = en.b.date(date_text(c, en.scratch), en.index, name)) {
    en.e.updated = t;
  }
}

void atom_author(pugi::xml_node c, std::string_view name, AtomEntry& en) {
  std::string a = is(name, "author") ? atom_person(c) : text_of(c);
  if (!a.empty()) {
    en.e.authors.push_back(std::move(a));
  }
}

// Atom's term, else its label, else (a category written as RSS writes it) the text.
void atom_category(pugi::xml_node c, std::string_view, AtomEntry& en) {
  std::string t(trim(c.attribute("term").value()));
  if (t.empty()) {
    t = std::string(trim(c.attribute("label").value()));
  }
  if (t.empty()) {
    t = text_of(c);
  }
  if (!t.empty()) {
    en.e.categories.push_back(std::move(t));
  }
}

void atom_subject(pugi::xml_node c, std::string_view, AtomEntry& en) {
  std::string t = text_of(c);
  if (!t.empty()) {
    en.e.categories.push_back(std::move(t));
  }
}

// Which child of an <entry> fills what (as k_rss_fields).
struct AtomField {
  std::string_view name;
  void (*read)(pugi::xml_node, std::string_view name, AtomEntry&);
};
constexpr AtomField k_atom_fields[] = {
    {"title", atom_title},       {"id", atom_id},
    {"link", atom_link},         {"summary", atom_summary},
    {"content", atom_content},   {"published", atom_published},
    {"issued", atom_published},  {"created", atom_published},
    {"dc:date", atom_published}, {"updated", atom_updated},
    {"modified", atom_updated},  {"dcterms:modified", atom_updated},
    {"author", atom_author},     {"dc:creator", atom_author},
    {"category", atom_category}, {"dc:subject", atom_subject},
};

void read_atom_entry(pugi::xml_node entry, FeedBuilder& b, const std::string& parent_base,
                     size_t index) {
  AtomEntry en(b.new_entry(), b, index, base_of(entry, parent_base));
  for (pugi::xml_node c : entry.children()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    std::string_view name = c.name();
    for (const AtomField& f : k_atom_fields) {
      if (f.name == name) {
        f.read(c, name, en);
        break;
      }
    }
  }
  en.e.link = atom_alternate(entry, en.base);
  read_media(entry, en.e, en.base);
  b.commit_entry(std::move(en.id), false);
}

void read_atom(pugi::xml_node root, FeedBuilder& b) {
  ParsedFeed& f = b.feed();
  std::string base = base_of(root, b.options().base_url);
  f.title = atom_text(root.child("title"), true).text;
  f.link = atom_alternate(root, base);
  size_t index = 0;
  for (pugi::xml_node entry : root.children("entry")) {
    read_atom_entry(entry, b, base, index++);
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

// Parses the document into `doc`. pugixml parses `text` (a copy of the decoded
// `original`) in place; a document it cannot read, or would read wrongly
// (find_xml_problem), is repaired from `original` into `repaired`, parsed from there
// and flagged. Returns the problem found, empty when none.
std::string load_xml(pugi::xml_document& doc, char* text, size_t text_size,
                     std::string_view original, bool control_free, ParsedFeed& f,
                     std::string& repaired) {
  std::string problem = detail::find_xml_problem(original, control_free);
  if (problem.empty()) {
    pugi::xml_parse_result r =
        doc.load_buffer_inplace(text, text_size, k_flags, pugi::encoding_utf8);
    if (r) {
      return {};
    }
    problem = "xml: " + std::string(r.description()) + " at " +
              detail::position_of(original, static_cast<size_t>(r.offset));
  }
  detail::Repaired fixed = detail::repair_xml(original);
  f.bozo = true;
  f.warnings.push_back(problem + "; the document was repaired");
  for (auto& w : fixed.warnings) {
    if (w != problem) {
      f.warnings.push_back(std::move(w));
    }
  }
  repaired = std::move(fixed.xml);
  doc.reset();
  pugi::xml_parse_result r =
      doc.load_buffer_inplace(repaired.data(), repaired.size(), k_flags, pugi::encoding_utf8);
  if (!r) {
    f.warnings.push_back("xml: still not well-formed after repair: " +
                         std::string(r.description()));
  }
  return problem;
}

// The error to return when `root` cannot be a feed's root (none, or an HTML page's).
std::optional<Error> not_a_feed_root(pugi::xml_node root, const std::string& problem,
                                     std::string_view original, const ParseOptions& options) {
  if (!root) {
    if (looks_like_html(original)) {
      return not_a_feed("an HTML page", original, options);
    }
    return make_error("xml",
                      "no feed: " + (problem.empty() ? std::string("no root element") : problem));
  }
  std::string lroot = lowered(local_name(root.name()));
  if (is(lroot, "html") || is(lroot, "head") || is(lroot, "body")) {
    return not_a_feed("an HTML page (<" + std::string(root.name()) + "> root)", original, options);
  }
  return std::nullopt;
}

// Names the format by the root (its local name `root_name`, its namespace `own`, as
// written before the renaming) and reads the document; false when the root is none
// a feed has.
bool read_by_root(const pugi::xml_document& doc, std::string_view root_name, std::string_view own,
                  FeedBuilder& b) {
  ParsedFeed& f = b.feed();
  pugi::xml_node root = doc.document_element();
  if (is(root_name, "rss") || is(root_name, "rss:rss")) {
    std::string_view v = trim(root.attribute("version").value());
    f.format = v.starts_with("0.9") ? "rss09x" : "rss20";
    read_rss(root, b, false);
  } else if (is(root_name, "RDF")) {
    f.format = (is(own, "http://my.netscape.com/rdf/simple/0.9/") ||
                is(own, "http://channel.netscape.com/rdf/simple/0.9/"))
                   ? "rss090"
                   : "rss10";
    read_rss(root, b, true);
  } else if (is(root_name, "feed")) {
    std::string_view v = trim(root.attribute("version").value());
    f.format = (is(own, "http://purl.org/atom/ns#") || is(v, "0.3")) ? "atom03" : "atom10";
    read_atom(root, b);
  } else if (is(root_name, "channel")) {
    // Netscape's RSS 0.9x without the <rss> wrapper, seen in the wild.
    f.format = "rss09x";
    read_rss(doc, b, false);
  } else {
    return false;
  }
  return true;
}

Result<ParsedFeed> read_xml(char* text, size_t text_size, FeedBuilder& b, std::string_view original,
                            bool control_free) {
  pugi::xml_document doc;
  std::string repaired;  // the buffer of a repaired document (`doc` points into it)
  std::string problem = load_xml(doc, text, text_size, original, control_free, b.feed(), repaired);
  pugi::xml_node root = doc.document_element();
  if (auto error = not_a_feed_root(root, problem, original, b.options())) {
    return *error;
  }
  const std::string root_name(local_name(root.name()));
  std::string_view own = own_namespace(root);
  Renamer renamer(own);
  renamer.run(root);
  if (!read_by_root(doc, root_name, own, b)) {
    return not_a_feed(
        "the root element is <" + std::string(root.name()) + ">, not <rss>, <rdf:RDF> or <feed>",
        original, b.options());
  }
  if (!renamer.undeclared().empty()) {
    b.feed().bozo = true;
    b.feed().warnings.push_back("xml: namespace prefix '" + renamer.undeclared() +
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
