// khobor/feeds/xml_readers.h — the RSS and Atom readers (internal to the feeds room):
// a parsed document whose elements are renamed (xml_names.h) into a FeedBuilder.
#pragma once

#include <pugixml.hpp>

#include "feeds/feed_builder.h"

namespace khobor::feeds::detail {

// Reads an RSS document: `root` is its root element, or the document for a bare
// <channel> root; `rdf` for RSS 0.90 / 1.0, whose items are the channel's siblings.
void read_rss(pugi::xml_node root, FeedBuilder& b, bool rdf);

// Reads an Atom document (`root` is its <feed>).
void read_atom(pugi::xml_node root, FeedBuilder& b);

}  // namespace khobor::feeds::detail
