// parse_feed over small feeds written for these tests.
#include "feeds/parser.h"

#include <catch2/catch.hpp>
#include <string>

#include "feeds/dates.h"

using khobor::feeds::format_rfc3339;
using khobor::feeds::parse_feed;
using khobor::feeds::ParsedFeed;
using khobor::feeds::ParseOptions;

namespace {

ParsedFeed must_parse(std::string_view body, ParseOptions options = {}) {
  auto r = parse_feed(body, options);
  if (!r) {
    FAIL("parse failed: " << r.error().message);
  }
  return std::move(r).value();
}

std::string date_of(const std::optional<int64_t>& t) {
  return t ? format_rfc3339(*t) : "null";
}

bool any_warning_contains(const ParsedFeed& f, std::string_view needle) {
  for (const auto& w : f.warnings) {
    if (w.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view k_rss = R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>খবর পরীক্ষা</title>
  <link>https://example.com/</link>
  <ttl>15</ttl>
  <item>
    <title><![CDATA[নদীতে নৌকাডুবি, নিখোঁজ ৩]]></title>
    <link>https://example.com/news/1?utm_source=rss&amp;id=1#top</link>
    <guid isPermaLink="false">news-1</guid>
    <description><![CDATA[<p>সকালে&nbsp;নৌকাডুবি।</p><p>উদ্ধার চলছে।</p>]]></description>
    <content:encoded><![CDATA[<div>পুরো খবর <b>এখানে</b></div>]]></content:encoded>
    <pubDate>Sat, 06 Dec 2025 05:20:10 +0000</pubDate>
    <dc:creator>নিজস্ব প্রতিবেদক</dc:creator>
    <category>দেশ</category>
    <enclosure url="/img/1.jpg" type="image/jpeg" length="1234"/>
    <media:thumbnail url="https://example.com/t/1.jpg"/>
  </item>
  <item>
    <title></title>
    <link>https://Example.COM/news/2?fbclid=abc</link>
    <dc:date>2025-12-06T11:00:00+06:00</dc:date>
  </item>
  <item>
    <title>শুধু শিরোনাম</title>
    <pubDate>আপডেটঃ ০৬ জুন ২০২৬ | ০৭:০৭</pubDate>
  </item>
</channel>
</rss>)";

}  // namespace

TEST_CASE("An RSS 2.0 feed gives every field of its items", "[feeds][parser]") {
  ParseOptions o;
  o.base_url = "https://example.com/feed.xml";
  ParsedFeed f = must_parse(k_rss, o);
  CHECK(f.format == "rss20");
  CHECK_FALSE(f.bozo);
  CHECK(f.title == "খবর পরীক্ষা");
  CHECK(f.link == "https://example.com/");
  CHECK(f.ttl_seconds == 900);
  REQUIRE(f.entries.size() == 3);
  const auto& e = f.entries[0];
  CHECK(e.id == "news-1");
  CHECK(e.title == "নদীতে নৌকাডুবি, নিখোঁজ ৩");
  CHECK(e.link == "https://example.com/news/1?utm_source=rss&id=1#top");
  CHECK(e.summary == "সকালে নৌকাডুবি।\nউদ্ধার চলছে।");
  CHECK(e.summary_html == "<p>সকালে&nbsp;নৌকাডুবি।</p><p>উদ্ধার চলছে।</p>");
  CHECK(e.content == "পুরো খবর এখানে");
  CHECK(date_of(e.published) == "2025-12-06T05:20:10Z");
  CHECK(e.authors == std::vector<std::string>{"নিজস্ব প্রতিবেদক"});
  CHECK(e.categories == std::vector<std::string>{"দেশ"});
  REQUIRE(e.enclosures.size() == 1);
  CHECK(e.enclosures[0].url == "https://example.com/img/1.jpg");
  CHECK(e.enclosures[0].type == "image/jpeg");
  CHECK(e.enclosures[0].length == 1234);
  CHECK(e.thumbnail == "https://example.com/t/1.jpg");
}

TEST_CASE("Entries without a guid are identified by their canonical link or a hash",
          "[feeds][parser][identity]") {
  ParsedFeed f = must_parse(k_rss);
  REQUIRE(f.entries.size() == 3);
  // Empty title kept empty; host lower-cased and fbclid dropped in the id only.
  CHECK(f.entries[1].title.empty());
  CHECK(f.entries[1].id == "https://example.com/news/2");
  CHECK(f.entries[1].link == "https://Example.COM/news/2?fbclid=abc");
  CHECK(date_of(f.entries[1].published) == "2025-12-06T05:00:00Z");
  // No guid, no link: a hash of title and date, stable across parses.
  CHECK(f.entries[2].id.starts_with("hash:"));
  CHECK(f.entries[2].id == must_parse(k_rss).entries[2].id);
  CHECK(date_of(f.entries[2].published) == "2026-06-06T01:07:00Z");
}

TEST_CASE("Guids repeated within a document fall back to links with a warning",
          "[feeds][parser][identity]") {
  ParsedFeed f = must_parse(R"(<rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>https://x.test/a</link><guid>same</guid></item>
    <item><title>b</title><link>https://x.test/b</link><guid>same</guid></item>
    </channel></rss>)");
  REQUIRE(f.entries.size() == 2);
  CHECK(f.entries[0].id == "https://x.test/a");
  CHECK(f.entries[1].id == "https://x.test/b");
  CHECK(any_warning_contains(f, "repeats 2 times"));
}

TEST_CASE("An Atom 1.0 feed gives every field of its entries", "[feeds][parser]") {
  ParsedFeed f = must_parse(R"(<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/">
  <title type="html">Blog &amp;lt;3</title>
  <link href="https://example.org/"/>
  <link rel="self" href="https://example.org/feed.atom"/>
  <entry>
    <id>tag:example.org,2026:1</id>
    <title type="text">x &lt; y</title>
    <link rel="alternate" type="text/html" href="posts/1"/>
    <link rel="enclosure" href="a.mp3" type="audio/mpeg" length="99"/>
    <published>2026-08-22T19:14:46+06:00</published>
    <updated>2026-08-23T00:00:00Z</updated>
    <author><name>Rina</name></author>
    <category term="news"/>
    <summary type="html">&lt;p&gt;short&lt;/p&gt;</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>long <b>text</b></p></div></content>
  </entry>
</feed>)");
  CHECK(f.format == "atom10");
  CHECK(f.title == "Blog <3");
  CHECK(f.link == "https://example.org/");
  REQUIRE(f.entries.size() == 1);
  const auto& e = f.entries[0];
  CHECK(e.id == "tag:example.org,2026:1");
  CHECK(e.title == "x < y");
  CHECK(e.link == "https://example.org/blog/posts/1");
  CHECK(date_of(e.published) == "2026-08-22T13:14:46Z");
  CHECK(date_of(e.updated) == "2026-08-23T00:00:00Z");
  CHECK(e.authors == std::vector<std::string>{"Rina"});
  CHECK(e.categories == std::vector<std::string>{"news"});
  CHECK(e.summary == "short");
  CHECK(e.content == "long text");
  REQUIRE(e.enclosures.size() == 1);
  CHECK(e.enclosures[0].url == "https://example.org/blog/a.mp3");
}

TEST_CASE("RSS 1.0, RSS 0.91 and Atom 0.3 are read", "[feeds][parser]") {
  ParsedFeed rdf = must_parse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel rdf:about="https://r.test/"><title>R</title><link>https://r.test/</link></channel>
    <item rdf:about="https://r.test/1"><title>one</title><link>https://r.test/1</link>
      <dc:date>2026-01-02T03:04:05Z</dc:date></item>
  </rdf:RDF>)");
  CHECK(rdf.format == "rss10");
  REQUIRE(rdf.entries.size() == 1);
  CHECK(rdf.entries[0].id == "https://r.test/1");
  CHECK(date_of(rdf.entries[0].published) == "2026-01-02T03:04:05Z");

  ParsedFeed old = must_parse(R"(<rss version="0.91"><channel><title>O</title>
    <item><title>t</title><link>https://o.test/1</link><description>d</description></item>
    </channel></rss>)");
  CHECK(old.format == "rss09x");
  REQUIRE(old.entries.size() == 1);
  CHECK(old.entries[0].summary == "d");

  ParsedFeed a03 = must_parse(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
    <title>A</title><entry><title>e</title><id>urn:1</id>
    <link rel="alternate" type="text/html" href="https://a.test/1"/>
    <issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;b&gt;hi&lt;/b&gt;</content></entry></feed>)");
  CHECK(a03.format == "atom03");
  REQUIRE(a03.entries.size() == 1);
  CHECK(a03.entries[0].link == "https://a.test/1");
  CHECK(date_of(a03.entries[0].published) == "2004-01-01T00:00:00Z");
  CHECK(date_of(a03.entries[0].updated) == "2004-01-02T00:00:00Z");
  CHECK(a03.entries[0].content == "hi");
}

TEST_CASE("JSON Feed 1.1 items are read", "[feeds][parser]") {
  ParsedFeed f = must_parse(R"({"version": "https://jsonfeed.org/version/1.1", "title": "J",
    "home_page_url": "https://j.test/", "items": [
      {"id": "1", "url": "https://j.test/1", "title": "এক", "content_html": "<p>hi</p>",
       "date_published": "2026-08-22T19:14:46+06:00", "authors": [{"name": "R"}],
       "tags": ["x"], "attachments": [{"url": "https://j.test/a.mp3", "mime_type": "audio/mpeg"}]},
      {"id": 2, "content_text": "plain"}]})");
  CHECK(f.format == "json11");
  CHECK(f.title == "J");
  REQUIRE(f.entries.size() == 2);
  CHECK(f.entries[0].id == "1");
  CHECK(f.entries[0].content == "hi");
  CHECK(date_of(f.entries[0].published) == "2026-08-22T13:14:46Z");
  CHECK(f.entries[0].authors == std::vector<std::string>{"R"});
  CHECK(f.entries[0].enclosures.size() == 1);
  CHECK(f.entries[1].id == "2");
  CHECK(f.entries[1].content == "plain");
}

TEST_CASE("Broken XML is recovered, flagged bozo and explained", "[feeds][parser][recovery]") {
  SECTION("undefined HTML entities and a bare ampersand") {
    ParsedFeed f = must_parse(R"(<rss version="2.0"><channel><title>A &nbsp; B & C</title>
      <item><title>x&mdash;y</title><link>https://b.test/1</link></item></channel></rss>)");
    CHECK(f.bozo);
    CHECK(f.title == "A B & C");
    REQUIRE(f.entries.size() == 1);
    CHECK(f.entries[0].title == "x—y");
    CHECK(any_warning_contains(f, "undefined entity &nbsp;"));
  }
  SECTION("a truncated document keeps the entries before the cut") {
    ParsedFeed f = must_parse(R"(<rss version="2.0"><channel><title>T</title>
      <item><title>one</title><link>https://b.test/1</link></item>
      <item><title>two</title><link>https://b.test/2</link></item>
      <item><title>thr)");
    CHECK(f.bozo);
    REQUIRE(f.entries.size() >= 2);
    CHECK(f.entries[1].title == "two");
  }
  SECTION("mismatched tags, junk before the root and control characters") {
    ParsedFeed f = must_parse(
        "junk\x01<rss version=\"2.0\"><channel><title>T</title>"
        "<item><title>one</titel><link>https://b.test/1</link></item>"
        "<item><title>t\x02wo</title><link>https://b.test/2</link></item>"
        "</channel></rss>");
    CHECK(f.bozo);
    REQUIRE(f.entries.size() == 2);
    CHECK(f.entries[1].title == "two");
    CHECK(f.entries[1].link == "https://b.test/2");
  }
}

TEST_CASE("An HTML page is an error that says so", "[feeds][parser][recovery]") {
  auto r = parse_feed(R"(<!DOCTYPE html><html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>
    <body><p>Login</p></body></html>)",
                      ParseOptions{"text/html", "https://news.test/", "Asia/Dhaka"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "not_a_feed");
  CHECK(r.error().message.find("HTML page") != std::string::npos);
  CHECK(r.error().message.find("https://news.test/rss.xml") != std::string::npos);
  CHECK_FALSE(parse_feed("").ok());
  CHECK_FALSE(parse_feed("just text").ok());
}

TEST_CASE("Encodings follow the BOM, HTTP charset and XML declaration",
          "[feeds][parser][encoding]") {
  // "café" in windows-1252, declared in the XML declaration.
  std::string latin =
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\">"
      "<channel><title>caf\xE9</title></channel></rss>";
  CHECK(must_parse(latin).title == "café");
  // The HTTP charset wins over the declaration (RFC 7303).
  std::string koi =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\">"
      "<channel><title>\xF0\xD2\xC9\xD7\xC5\xD4</title></channel></rss>";
  ParseOptions o;
  o.content_type = "application/rss+xml; charset=KOI8-R";
  CHECK(must_parse(koi, o).title == "Привет");
  // A UTF-8 BOM; UTF-16 with a BOM.
  CHECK(must_parse("\xEF\xBB\xBF<rss version=\"2.0\"><channel><title>b</title></channel></rss>")
            .title == "b");
  std::string ascii = "<rss version=\"2.0\"><channel><title>ক</title></channel></rss>";
  std::u16string u16 = u"\uFEFF<rss version=\"2.0\"><channel><title>ক</title></channel></rss>";
  std::string utf16le(reinterpret_cast<const char*>(u16.data()), u16.size() * 2);
  CHECK(must_parse(utf16le).title == "ক");
  (void)ascii;
}

TEST_CASE("A declaration that lies is overridden with a warning", "[feeds][parser][encoding]") {
  // Declared utf-8, written in windows-1252.
  std::string lie =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
      "<title>Caf\xE9 cr\xE8me br\xFBl\xE9"
      "e \xE0 la fran\xE7"
      "aise</title></channel></rss>";
  ParsedFeed f = must_parse(lie);
  CHECK(f.bozo);
  CHECK(any_warning_contains(f, "encoding:"));
  CHECK(f.title.find("Caf") == 0);
  // Declared iso-8859-1, written in UTF-8: the bytes win.
  std::string utf8 =
      "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel>"
      "<title>খবর</title></channel></rss>";
  ParsedFeed g = must_parse(utf8);
  CHECK(g.title == "খবর");
  CHECK(any_warning_contains(g, "the bytes are UTF-8"));
}

TEST_CASE("Unreadable dates are null with a warning and the entry still counts",
          "[feeds][parser]") {
  ParsedFeed f = must_parse(R"(<rss version="2.0"><channel><title>T</title>
    <item><title>a</title><link>https://d.test/a</link><pubDate>sometime soon</pubDate></item>
    </channel></rss>)");
  REQUIRE(f.entries.size() == 1);
  CHECK_FALSE(f.entries[0].published.has_value());
  CHECK(any_warning_contains(f, "sometime soon"));
}

TEST_CASE("Warnings that quote broken input stay valid UTF-8", "[feeds][parser][encoding]") {
  // Found by the fuzzer: a charset label with invalid bytes and control characters.
  std::string body =
      "<?xml version=\"1.0\" encoding=\"iso\xE9\xE9\x1C\x1C-8859-1\"?>"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>";
  ParsedFeed f = must_parse(body);
  CHECK(f.bozo);
  REQUIRE_FALSE(f.warnings.empty());
  for (const auto& w : f.warnings) {
    for (char c : w) {
      CHECK(static_cast<unsigned char>(c) >= 0x20);
    }
  }
  for (char c : f.encoding) {
    CHECK((c > ' ' && c < 0x7F));
  }
}

TEST_CASE("Deeply nested markup is parsed without exhausting the stack",
          "[feeds][parser][recovery]") {
  std::string body =
      "<rss version=\"2.0\"><channel><title>deep</title><item><title>x</title>"
      "<description>";
  for (int i = 0; i < 200000; ++i) {
    body += "<media:group xmlns:media=\"http://search.yahoo.com/mrss/\">";
  }
  body += "</description></item></channel></rss>";  // truncated nesting: repaired
  ParsedFeed f = must_parse(body);
  CHECK(f.title == "deep");
  REQUIRE(f.entries.size() == 1);
  CHECK(f.entries[0].title == "x");
}

// Longer than 60 lines on purpose: one document with every scope of a namespace
// declaration, and a check beside each element it puts in the entry.
TEST_CASE("namespace prefixes are resolved in every scope, inside items and out",
          "[feeds][parser]") {
  // Declarations on the root, the channel, the item and the element itself all
  // count, an inner declaration hides an outer one, and a prefix nobody declared is
  // kept as written and reported.
  ParsedFeed f = must_parse(R"(<rss version="2.0" xmlns:d="http://purl.org/dc/elements/1.1/">
    <channel xmlns:m="http://search.yahoo.com/mrss/"><d:title>Scoped</d:title>
    <item xmlns:c="http://purl.org/rss/1.0/modules/content/">
      <title>one</title><guid>g1</guid><d:creator>Rahim</d:creator>
      <c:encoded>&lt;p&gt;body&lt;/p&gt;</c:encoded>
      <m:group><m:thumbnail url="https://s.test/1.jpg"/></m:group>
      <x:subject xmlns:x="http://purl.org/dc/elements/1.1/">politics</x:subject>
      <d:date xmlns:d="http://example.org/not-dc">2026-01-02T03:04:05Z</d:date>
      <description><p>unescaped <o:span>word</o:span> html</p></description>
    </item>
    <item><title>two</title><guid>g2</guid><c:encoded>kept</c:encoded></item>
    </channel></rss>)");
  CHECK(f.title == "Scoped");
  REQUIRE(f.entries.size() == 2);
  const auto& a = f.entries[0];
  CHECK(a.authors == std::vector<std::string>{"Rahim"});
  CHECK(a.content == "body");
  CHECK(a.thumbnail == "https://s.test/1.jpg");
  CHECK(a.categories == std::vector<std::string>{"politics"});
  CHECK(date_of(a.published) == "null");  // d: means another namespace there
  CHECK(a.summary == "unescaped word html");
  CHECK(a.summary_html == "<p>unescaped <o:span>word</o:span> html</p>");
  // c: is declared on the first item only: in the second it is nobody's prefix.
  CHECK(f.entries[1].content.empty());
  CHECK(f.bozo);
  CHECK(any_warning_contains(f, "namespace prefix 'o' is used but never declared"));

  ParsedFeed rdf = must_parse(R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:rss="http://purl.org/rss/1.0/" xmlns:z="http://purl.org/dc/elements/1.1/">
    <rss:channel><rss:title>R</rss:title></rss:channel>
    <rss:item rdf:about="https://r.test/1"><rss:title>one</rss:title>
      <z:date>2026-01-02T03:04:05Z</z:date></rss:item>
  </rdf:RDF>)");
  CHECK(rdf.format == "rss10");
  CHECK(rdf.title == "R");
  REQUIRE(rdf.entries.size() == 1);
  CHECK(rdf.entries[0].title == "one");
  CHECK(rdf.entries[0].id == "https://r.test/1");
  CHECK(date_of(rdf.entries[0].published) == "2026-01-02T03:04:05Z");
  CHECK_FALSE(rdf.bozo);
  // The about attribute counts under whatever prefix the RDF namespace has.
  ParsedFeed r2 = must_parse(R"(<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns="http://purl.org/rss/1.0/"><channel><title>R2</title></channel>
    <item r:about="https://r.test/2"><title>two</title></item></r:RDF>)");
  REQUIRE(r2.entries.size() == 1);
  CHECK(r2.entries[0].id == "https://r.test/2");
  CHECK(r2.entries[0].link == "https://r.test/2");

  ParsedFeed atom = must_parse(R"(<a:feed xmlns:a="http://www.w3.org/2005/Atom">
    <a:title>A</a:title>
    <a:entry xmlns:h="http://www.w3.org/1999/xhtml"><a:id>urn:a:1</a:id><a:title>e</a:title>
      <a:author><a:name>Rahim</a:name></a:author>
      <a:content type="xhtml"><h:div><h:p>x <h:b>y</h:b></h:p></h:div></a:content>
      <k:subject xmlns:k="http://purl.org/dc/elements/1.1/">politics</k:subject></a:entry>
  </a:feed>)");
  CHECK(atom.format == "atom10");
  CHECK(atom.title == "A");
  REQUIRE(atom.entries.size() == 1);
  CHECK(atom.entries[0].id == "urn:a:1");
  CHECK(atom.entries[0].authors == std::vector<std::string>{"Rahim"});
  CHECK(atom.entries[0].content == "x y");
  CHECK(atom.entries[0].categories == std::vector<std::string>{"politics"});
  CHECK_FALSE(atom.bozo);

  ParsedFeed bare = must_parse(R"(<channel xmlns:q="http://purl.org/dc/elements/1.1/">
    <title>B</title><item><title>b</title><link>https://b.test/1</link>
    <q:creator>Karim</q:creator></item></channel>)");
  CHECK(bare.format == "rss09x");
  REQUIRE(bare.entries.size() == 1);
  CHECK(bare.entries[0].authors == std::vector<std::string>{"Karim"});
}
