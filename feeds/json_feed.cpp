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
  auto items = doc.find("items");
  bool bare_version = version == "1" || version == "1.0" || version == "1.1";
  if (!version.starts_with("https://jsonfeed.org/version/") &&
      !version.starts_with("http://jsonfeed.org/version/") && !bare_version) {
    if (items == doc.end() || !items->is_array()) {
      return make_error("json", "not a feed: JSON without a JSON Feed \"version\" or \"items\"");
    }
    b.feed().bozo = true;
    b.feed().warnings.push_back("json: no JSON Feed \"version\"; read as JSON Feed 1.1");
  }
  ParsedFeed& f = b.feed();
  f.format = (version.ends_with("/1") || version == "1" || version == "1.0") ? "json10" : "json11";
  f.title = inline_text(str(doc, "title"));
  std::string feed_url = str(doc, "feed_url");
  std::string base = b.options().base_url.empty() ? feed_url : b.options().base_url;
  f.link = resolve_url(base, str(doc, "home_page_url"));
  if (items == doc.end() || !items->is_array()) {
    f.bozo = true;
    f.warnings.push_back("json: no \"items\" array");
    return true;
  }
  size_t index = 0;
  for (const json& item : *items) {
    ++index;
    if (!item.is_object()) {
      f.bozo = true;
      f.warnings.push_back("json: item " + std::to_string(index) + " is not an object; skipped");
      continue;
    }
    Entry e;
    e.title = inline_text(str(item, "title"));
    e.link = resolve_url(base, str(item, "url"));
    if (e.link.empty()) {
      e.link = resolve_url(base, str(item, "external_url"));
    }
    e.content_html = str(item, "content_html");
    if (!e.content_html.empty()) {
      e.content = html_to_text(e.content_html);
    } else {
      std::string text = str(item, "content_text");
      // content_text is plain text: keep its line breaks, collapse the rest.
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
    e.summary_html = str(item, "summary");
    e.summary = inline_text(e.summary_html);
    e.published = b.date(str(item, "date_published"), index - 1, "date_published");
    e.updated = b.date(str(item, "date_modified"), index - 1, "date_modified");
    if (auto a = item.find("authors"); a != item.end() && a->is_array()) {
      for (const auto& x : *a) {
        add_author(x, e.authors);
      }
    } else if (auto a1 = item.find("author"); a1 != item.end()) {
      add_author(*a1, e.authors);
    }
    if (e.authors.empty()) {
      if (auto fa = doc.find("authors"); fa != doc.end() && fa->is_array()) {
        for (const auto& x : *fa) {
          add_author(x, e.authors);
        }
      } else if (auto fa1 = doc.find("author"); fa1 != doc.end()) {
        add_author(*fa1, e.authors);
      }
    }
    if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (t.is_string()) {
          e.categories.push_back(inline_text(t.get<std::string>()));
        }
      }
    }
    if (auto att = item.find("attachments"); att != item.end() && att->is_array()) {
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
    e.thumbnail = resolve_url(base, str(item, "image"));
    b.add_entry(std::move(e), str(item, "id"), false);
  }
  return true;
}

}  // namespace khobor::feeds::detail
