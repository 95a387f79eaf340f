// khobor/feeds/xml_names.cpp — renaming a document's elements by namespace URI (see
// xml_names.h).
#include "feeds/xml_names.h"

#include <array>
#include <vector>

#include "feeds/xml_text.h"

namespace khobor::feeds::detail {

namespace {

constexpr std::string_view k_rdf_ns = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view k_xml_ns = "http://www.w3.org/XML/1998/namespace";

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
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
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
    for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
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

}  // namespace

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

std::string rename_elements(pugi::xml_node root, std::string_view own_uri) {
  Renamer renamer(own_uri);
  renamer.run(root);
  return renamer.undeclared();
}

std::string_view rdf_about(pugi::xml_node node) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view an = a.name();
    if (an.ends_with(":about") && namespace_at(node, an.substr(0, an.size() - 6)) == k_rdf_ns) {
      return a.value();
    }
  }
  return {};
}

}  // namespace khobor::feeds::detail
