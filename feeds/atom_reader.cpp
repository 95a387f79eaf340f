// khobor/feeds/atom_reader.cpp — the Atom 0.3 / 1.0 reader: the feed and its
// entries, on a document whose elements xml_names.h has renamed.
#include "base/strings.h"
#include "feeds/feed_builder.h"
#include "feeds/urls.h"
#include "feeds/xml_readers.h"
#include "feeds/xml_text.h"

namespace khobor::feeds::detail {

namespace {

std::string atom_alternate(pugi::xml_node n, const std::string& base) {
  std::string first;
  for (pugi::xml_node l : n.children("link")) {
    std::string_view rel = trim_c0_and_space(l.attribute("rel").value());
    if (rel.empty() || is(rel, "alternate")) {
      std::string_view type = l.attribute("type").value();
      std::string url =
          resolve_url(base_of(l, base), trim_c0_and_space(l.attribute("href").value()));
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
  if (is(trim_c0_and_space(c.attribute("rel").value()), "enclosure")) {
    std::string url =
        resolve_url(base_of(c, en.base), trim_c0_and_space(c.attribute("href").value()));
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
  std::string t(trim_c0_and_space(c.attribute("term").value()));
  if (t.empty()) {
    t = std::string(trim_c0_and_space(c.attribute("label").value()));
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

// Which child of an <entry> fills what (read_children); as in RSS, the first one
// read wins unless its reader says otherwise.
constexpr ChildReader<AtomEntry> k_atom_fields[] = {
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
  read_children(entry, k_atom_fields, en);
  en.e.link = atom_alternate(entry, en.base);
  read_media(entry, en.e, en.base);
  b.commit_entry(std::move(en.id), false);
}

}  // namespace

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

}  // namespace khobor::feeds::detail
