// khobor/feeds/rss_reader.cpp — the RSS 0.9x / 1.0 / 2.0 reader: the channel and
// its items, on a document whose elements xml_names.h has renamed.
#include <algorithm>

#include "base/strings.h"
#include "feeds/feed_builder.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"
#include "feeds/xml_names.h"
#include "feeds/xml_readers.h"
#include "feeds/xml_text.h"

namespace khobor::feeds::detail {

namespace {

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
  std::string_view l = trim_c0_and_space(inner_view(c, it.scratch));
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
  it.guid.assign(trim_c0_and_space(inner_view(c, it.scratch)));
  it.guid_is_link = !is(trim_c0_and_space(c.attribute("isPermaLink").value()), "false");
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
  std::string url = resolve_url(it.base, trim_c0_and_space(c.attribute("url").value()));
  if (!url.empty()) {
    it.e.enclosures.push_back(
        {std::move(url), c.attribute("type").value(), to_int(c.attribute("length").value())});
  }
}

// Which child of an <item> fills what; a name not listed is skipped. Where several
// elements fill one field, the first one read wins unless its reader says otherwise.
constexpr ChildReader<RssItem> k_rss_fields[] = {
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
  read_children(item, k_rss_fields, it);
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
  std::string_view p = trim_c0_and_space(period.child_value());
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

}  // namespace

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

}  // namespace khobor::feeds::detail
