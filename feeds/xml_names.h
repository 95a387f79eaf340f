// khobor/feeds/xml_names.h — XML namespaces resolved by URI, not by prefix (internal
// to the feeds room): every element renamed to the name the readers match.
//
// The feed's own namespace becomes unprefixed, the modules news feeds use get their
// usual prefix whatever the document called them (atom:, dc:, dcterms:, content:,
// media:, itunes:, sy:), so <foo:encoded xmlns:foo="…/modules/content/"> is read as
// content:encoded. Declarations count wherever they are; an inner one hides an outer
// one.
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace khobor::feeds::detail {

// The namespace URI of the feed's own elements: the root's (for <rdf:RDF>, the
// default namespace, RSS 1.0's or 0.90's).
std::string_view own_namespace(pugi::xml_node root);

// Renames `root` and its descendants (below 256 levels names are left as written,
// so a hostile nesting cannot exhaust the stack). Returns the first prefix used
// without a declaration, whose elements keep their name; empty when there is none.
std::string rename_elements(pugi::xml_node root, std::string_view own_uri);

// The value of `node`'s about attribute in the RDF namespace under any prefix
// (attributes are not renamed); empty when it has none.
std::string_view rdf_about(pugi::xml_node node);

}  // namespace khobor::feeds::detail
