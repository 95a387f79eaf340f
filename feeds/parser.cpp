// khobor/feeds/parser.cpp — parse_feed: encoding, then JSON Feed or XML (pugixml,
// with the repair pass for broken documents), then the RSS/RDF/Atom readers.
#include "feeds/parser.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <pugixml.hpp>

#include "base/strings.h"
#include "feeds/encoding.h"
#include "feeds/feed_builder.h"
#include "feeds/urls.h"
#include "feeds/xml_names.h"
#include "feeds/xml_readers.h"
#include "feeds/xml_repair.h"
#include "feeds/xml_text.h"

namespace khobor::feeds {

namespace {

using detail::FeedBuilder;
using detail::is;

// pugixml's defaults: elements, text and CDATA, references expanded, line ends
// normalised. Comments, processing instructions and the DOCTYPE are not kept.
constexpr unsigned k_flags = pugi::parse_default;

// ---- Document level -------------------------------------------------------------------

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals_ascii(s.substr(0, prefix.size()), prefix);
}

// The feed a web page points at, when it says so (<link rel="alternate" type="…rss…">).
std::string advertised_feed(std::string_view html) {
  std::string lower = ascii_lowered(html.substr(0, 65536));
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
  s = trim_c0_and_space(s);
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
  std::string lroot = ascii_lowered(local_name(root.name()));
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
    std::string_view v = trim_c0_and_space(root.attribute("version").value());
    f.format = v.starts_with("0.9") ? "rss09x" : "rss20";
    detail::read_rss(root, b, false);
  } else if (is(root_name, "RDF")) {
    f.format = (is(own, "http://my.netscape.com/rdf/simple/0.9/") ||
                is(own, "http://channel.netscape.com/rdf/simple/0.9/"))
                   ? "rss090"
                   : "rss10";
    detail::read_rss(root, b, true);
  } else if (is(root_name, "feed")) {
    std::string_view v = trim_c0_and_space(root.attribute("version").value());
    f.format = (is(own, "http://purl.org/atom/ns#") || is(v, "0.3")) ? "atom03" : "atom10";
    detail::read_atom(root, b);
  } else if (is(root_name, "channel")) {
    // Netscape's RSS 0.9x without the <rss> wrapper, seen in the wild.
    f.format = "rss09x";
    detail::read_rss(doc, b, false);
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
  std::string_view own = detail::own_namespace(root);
  const std::string undeclared = detail::rename_elements(root, own);
  if (!read_by_root(doc, root_name, own, b)) {
    return not_a_feed(
        "the root element is <" + std::string(root.name()) + ">, not <rss>, <rdf:RDF> or <feed>",
        original, b.options());
  }
  if (!undeclared.empty()) {
    b.feed().bozo = true;
    b.feed().warnings.push_back("xml: namespace prefix '" + undeclared +
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
  void release_if_large() {
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
  std::string media_type =
      ascii_lowered(options.content_type.substr(0, options.content_type.find(';')));
  media_type = std::string(trim_c0_and_space(media_type));
  if (is(media_type, "text/plain") || is(media_type, "text/html")) {
    f.bozo = true;
    f.warnings.push_back("http: served as " + media_type + ", not as a feed type");
  }
  const std::string_view text = decoded.view(body);
  std::string_view s = trim_c0_and_space(text);
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
  t_work.release_if_large();
  return result;
}

}  // namespace khobor::feeds
