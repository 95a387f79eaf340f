// khobor/feeds/json_feed.cpp — JSON Feed 1.0 and 1.1 (https://jsonfeed.org) on
// nlohmann-json, without exceptions.
#include <nlohmann/json.hpp>

#include "feeds/feed_builder.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"

namespace khobor::feeds::detail {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) {
    return {};
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  if (it->is_number_integer()) {
    return std::to_string(it->get<int64_t>());
  }
  if (it->is_number()) {
    return it->dump();
  }
  return {};
}

void add_author(const json& a, std::vector<std::string>& out) {
  if (!a.is_object()) {
    return;
  }
  std::string name = str(a, "name");
  if (name.empty()) {
    name = str(a, "url");
  }
  if (!name.empty()) {
    out.push_back(inline_text(name));
  }
}

// The authors of `authors` (an array) or `author` (one, JSON Feed 1.0) of `j`.
void add_authors(const json& j, std::vector<std::string>& out) {
  if (auto a = j.find("authors"); a != j.end() && a->is_array()) {
    for (const auto& x : *a) {
      add_author(x, out);
    }
  } else if (auto a1 = j.find("author"); a1 != j.end()) {
    add_author(*a1, out);
  }
}

// content_html, else content_text as plain text (its line breaks kept).
void read_content(const json& item, Entry& e) {
  e.content_html = str(item, "content_html");
  if (!e.content_html.empty()) {
    e.content = html_to_text(e.content_html);
    return;
  }
  std::string text = str(item, "content_text");
  std::string escaped;
  for (char c : text) {
    if (c == '<') {
      escaped.append("&lt;");
    } else if (c == '&') {
      escaped.append("&amp;");
    } else if (c == '\n') {
      escaped.append("<br>");
    } else {
      escaped.push_back(c);
    }
  }
  e.content = html_to_text(escaped);
  e.content_html = text;
}

void read_attachments(const json& item, const std::string& base, Entry& e) {
  auto att = item.find("attachments");
  if (att == item.end() || !att->is_array()) {
    return;
  }
  for (const auto& a : *att) {
    if (!a.is_object()) {
      continue;
    }
    Enclosure enc;
    enc.url = resolve_url(base, str(a, "url"));
    enc.type = str(a, "mime_type");
    if (auto sz = a.find("size_in_bytes"); sz != a.end() && sz->is_number_integer()) {
      enc.length = sz->get<int64_t>();
    }
    if (!enc.url.empty()) {
      e.enclosures.push_back(std::move(enc));
    }
  }
}

// One item (`index` counted from 0); the feed's authors stand in for its own.
void read_item(const json& item, const json& doc, const std::string& base, size_t index,
               FeedBuilder& b) {
  Entry e;
  e.title = inline_text(str(item, "title"));
  e.link = resolve_url(base, str(item, "url"));
  if (e.link.empty()) {
    e.link = resolve_url(base, str(item, "external_url"));
  }
  read_content(item, e);
  e.summary_html = str(item, "summary");
  e.summary = inline_text(e.summary_html);
  e.published = b.date(str(item, "date_published"), index, "date_published");
  e.updated = b.date(str(item, "date_modified"), index, "date_modified");
  add_authors(item, e.authors);
  if (e.authors.empty()) {
    add_authors(doc, e.authors);
  }
  if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
    for (const auto& t : *tags) {
      if (t.is_string()) {
        e.categories.push_back(inline_text(t.get<std::string>()));
      }
    }
  }
  read_attachments(item, base, e);
  e.thumbnail = resolve_url(base, str(item, "image"));
  b.add_entry(std::move(e), str(item, "id"), false);
}

// Whether `doc` is a JSON Feed: a JSON Feed "version", or at least an "items" array
// (then read as 1.1, with a warning).
Status check_version(const json& doc, const std::string& version, FeedBuilder& b) {
  bool bare_version = version == "1" || version == "1.0" || version == "1.1";
  if (version.starts_with("https://jsonfeed.org/version/") ||
      version.starts_with("http://jsonfeed.org/version/") || bare_version) {
    return Ok{};
  }
  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) {
    return make_error("json", "not a feed: JSON without a JSON Feed \"version\" or \"items\"");
  }
  b.feed().bozo = true;
  b.feed().warnings.push_back("json: no JSON Feed \"version\"; read as JSON Feed 1.1");
  return Ok{};
}

}  // namespace

Result<bool> read_json_feed(std::string_view utf8, FeedBuilder& b) {
  json doc = json::parse(utf8.begin(), utf8.end(), nullptr, false);
  if (doc.is_discarded()) {
    return make_error("json", "not a feed: the body starts like JSON but is not valid JSON");
  }
  if (!doc.is_object()) {
    return make_error("json", "not a feed: the JSON document is not an object");
  }
  std::string version = str(doc, "version");
  if (Status s = check_version(doc, version, b); !s) {
    return s.error();
  }
  ParsedFeed& f = b.feed();
  f.format = (version.ends_with("/1") || version == "1" || version == "1.0") ? "json10" : "json11";
  f.title = inline_text(str(doc, "title"));
  std::string feed_url = str(doc, "feed_url");
  std::string base = b.options().base_url.empty() ? feed_url : b.options().base_url;
  f.link = resolve_url(base, str(doc, "home_page_url"));
  auto items = doc.find("items");
  if (items == doc.end() || !items->is_array()) {
    f.bozo = true;
    f.warnings.push_back("json: no \"items\" array");
    return true;
  }
  size_t index = 0;
  for (const json& item : *items) {
    if (item.is_object()) {
      read_item(item, doc, base, index, b);
    } else {
      f.bozo = true;
      f.warnings.push_back("json: item " + std::to_string(index + 1) +
                           " is not an object; skipped");
    }
    ++index;
  }
  return true;
}

}  // namespace khobor::feeds::detail
