// khobor/feeds/xml_text.h — what the RSS and Atom readers share (internal to the
// feeds room): the text of an element, links against xml:base, Atom text constructs,
// media elements.
#pragma once

#include <cstdint>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "feeds/entry.h"

namespace khobor::feeds::detail {

// `s` equals the literal `lit` (the readers compare element names against dozens).
template <size_t N>
bool is(std::string_view s, const char (&lit)[N]) {
  return s == std::string_view(lit, N - 1);
}

// One row of a reader's table of which child element fills what: `read` takes the
// child, its name and the reader's state.
template <typename State>
struct ChildReader {
  std::string_view name;
  void (*read)(pugi::xml_node child, std::string_view name, State& state);
};

// Hands each element child of `parent` to the reader `table` names for it; a child
// the table does not name is skipped.
template <typename State, size_t N>
void read_children(pugi::xml_node parent, const ChildReader<State> (&table)[N], State& state) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) {
      continue;
    }
    std::string_view name = c.name();
    for (const ChildReader<State>& r : table) {
      if (r.name == name) {
        r.read(c, name, state);
        break;
      }
    }
  }
}

// The text of an element: its character data, or, when it holds elements
// (unescaped HTML in a description, Atom xhtml), its inner markup. The common case
// (one text or CDATA child) is a view into the document; else `scratch` holds it.
std::string_view inner_view(pugi::xml_node n, std::string& scratch);
std::string inner(pugi::xml_node n);

// Plain one-line text of an element that may hold markup.
std::string text_of(pugi::xml_node n);
// inner(), trimmed.
std::string trimmed(pugi::xml_node n);
// The text of a date element, trimmed, as a view (into the document or `scratch`).
std::string_view date_text(pugi::xml_node n, std::string& scratch);

// The markup of an element's children, escaped as XML writes it.
std::string serialize_children(pugi::xml_node n);

// The base URL in effect for `n`'s content, given its parent's (xml:base).
std::string base_of(pugi::xml_node n, const std::string& parent_base);

// An Atom text construct (title, summary, content): the HTML kept, and plain text.
struct AtomText {
  std::string html;
  std::string text;
};
// By its type (text, html, xhtml, a MIME type; base64 for binary types and Atom
// 0.3's mode="base64"); `one_line` for titles.
AtomText atom_text(pugi::xml_node n, bool one_line);

// An Atom person as feedparser writes it: "name (email)", or either alone.
std::string atom_person(pugi::xml_node n);

// A non-negative decimal number; 0 when `s` is none or too large.
int64_t to_int(std::string_view s);

// The media:content (as enclosures), media:thumbnail and media:group children of an
// item or entry.
void read_media(pugi::xml_node item, Entry& e, const std::string& base);

}  // namespace khobor::feeds::detail
