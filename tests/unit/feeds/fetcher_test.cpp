// Fetcher tests against a real HTTP server on loopback (tests/support/http_server.h).
#include "feeds/fetcher.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/support/http_server.h"

using khobor::feeds::Fetcher;
using khobor::feeds::FetchOptions;
using khobor::feeds::FetchRequest;
using khobor::feeds::FetchResponse;
using khobor::feeds::PollFd;
using khobor::testing::HttpReply;
using khobor::testing::HttpRequest;
using khobor::testing::HttpServer;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Drive the fetcher until `n` responses are back or 10 s have passed.
std::vector<FetchResponse> run_until(Fetcher& f, size_t n) {
  std::vector<FetchResponse> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    f.poll({}, 100);
    for (auto& r : f.take_finished()) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

FetchResponse fetch_one(Fetcher& f, FetchRequest req) {
  f.add(std::move(req));
  auto got = run_until(f, 1);
  REQUIRE(got.size() == 1);
  return got.front();
}

}  // namespace

TEST_CASE("A fetch returns the body, the status and the validators the server sent",
          "[feeds][fetcher]") {
  const std::string body = read_file(KHOBOR_FIXTURES "/fetcher/small.xml");
  HttpServer server([&](const HttpRequest&) {
    return HttpReply{200,
                     {{"Content-Type", "application/rss+xml; charset=utf-8"},
                      {"ETag", "\"v1\""},
                      {"Last-Modified", "Sat, 28 Nov 2026 00:00:00 GMT"},
                      {"Cache-Control", "public, max-age=120"}},
                     body};
  });
  Fetcher f;
  FetchResponse r = fetch_one(f, {"feed-a", server.url("/feed.xml"), "", "", {}, ""});
  CHECK_FALSE(r.error.has_value());
  CHECK(r.feed_id == "feed-a");
  CHECK(r.status == 200);
  CHECK(r.body == body);
  CHECK(r.content_type == "application/rss+xml; charset=utf-8");
  CHECK(r.etag == "\"v1\"");
  CHECK(r.last_modified == "Sat, 28 Nov 2026 00:00:00 GMT");
  CHECK(r.max_age_seconds == 120);
  CHECK(r.effective_url == server.url("/feed.xml"));
  CHECK(r.bytes > static_cast<int64_t>(body.size()));
  auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].header("user-agent") == "khobor/" KHOBOR_VERSION);  // no contact invented
  CHECK(reqs[0].header("if-none-match").empty());
}

TEST_CASE("The User-Agent names the operator's contact when there is one", "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest&) { return HttpReply{200, {}, "<rss/>"}; });
  CHECK(khobor::feeds::user_agent() == "khobor/" KHOBOR_VERSION);
  FetchOptions options;
  options.user_agent = khobor::feeds::user_agent("mailto:desk@example.org");
  Fetcher f(options);
  FetchResponse r = fetch_one(f, {"a", server.url("/a.xml"), "", "", {}, ""});
  CHECK(r.status == 200);
  auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].header("user-agent") == "khobor/" KHOBOR_VERSION " (+mailto:desk@example.org)");
}

TEST_CASE("A conditional request sends If-None-Match and If-Modified-Since and reads a 304",
          "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest& req) {
    if (req.header("if-none-match") == "\"v7\"") {
      return HttpReply{304, {{"ETag", "\"v7\""}}, ""};
    }
    return HttpReply{200, {{"ETag", "\"v7\""}}, "<rss/>"};
  });
  Fetcher f;
  FetchResponse r =
      fetch_one(f, {"a", server.url("/f"), "\"v7\"", "Sat, 28 Nov 2026 00:00:00 GMT", {}, ""});
  CHECK_FALSE(r.error.has_value());
  CHECK(r.status == 304);
  CHECK(r.body.empty());
  auto reqs = server.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].header("if-none-match") == "\"v7\"");
  CHECK(reqs[0].header("if-modified-since") == "Sat, 28 Nov 2026 00:00:00 GMT");
}

TEST_CASE("A gzip-encoded response comes back decompressed", "[feeds][fetcher]") {
  const std::string plain = read_file(KHOBOR_FIXTURES "/fetcher/small.xml");
  const std::string gz = read_file(KHOBOR_FIXTURES "/fetcher/small.xml.gz");
  REQUIRE(gz.size() > 10);
  HttpServer server([&](const HttpRequest& req) {
    if (req.header("accept-encoding").find("gzip") == std::string::npos) {
      return HttpReply{200, {}, plain};
    }
    return HttpReply{200, {{"Content-Encoding", "gzip"}}, gz};
  });
  Fetcher f;
  FetchResponse r = fetch_one(f, {"a", server.url("/f"), "", "", {}, ""});
  CHECK_FALSE(r.error.has_value());
  CHECK(server.requests().at(0).header("accept-encoding").find("gzip") != std::string::npos);
  CHECK(r.body == plain);
}

TEST_CASE("Redirects are followed, a chain of 301 and 308 is permanent, a 302 is not",
          "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest& req) {
    if (req.path == "/old") {
      return HttpReply{301, {{"Location", "/older"}}, ""};
    }
    if (req.path == "/older") {
      return HttpReply{308, {{"Location", "/new"}}, ""};
    }
    if (req.path == "/temp") {
      return HttpReply{302, {{"Location", "/new"}}, ""};
    }
    return HttpReply{200, {{"ETag", "\"final\""}}, "<rss/>"};
  });
  Fetcher f;
  FetchResponse p = fetch_one(f, {"a", server.url("/old"), "", "", {}, ""});
  CHECK(p.status == 200);
  CHECK(p.body == "<rss/>");
  CHECK(p.effective_url == server.url("/new"));
  CHECK(p.permanent_redirect);
  CHECK(p.etag == "\"final\"");
  FetchResponse t = fetch_one(f, {"b", server.url("/temp"), "", "", {}, ""});
  CHECK(t.status == 200);
  CHECK_FALSE(t.permanent_redirect);
}

TEST_CASE("An HTTP error status is a status, not a transport error", "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest&) {
    return HttpReply{503, {{"Retry-After", "120"}}, "busy"};
  });
  Fetcher f;
  FetchResponse r = fetch_one(f, {"a", server.url("/f"), "", "", {}, ""});
  CHECK_FALSE(r.error.has_value());
  CHECK(r.status == 503);
  CHECK(r.retry_after == "120");
}

TEST_CASE("A body larger than the cap aborts the transfer with a body_cap error",
          "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest&) {
    return HttpReply{200, {}, std::string(200000, 'x')};
  });
  FetchOptions o;
  o.max_body_bytes = 1000;
  Fetcher f(o);
  FetchResponse r = fetch_one(f, {"a", server.url("/big"), "", "", {}, ""});
  REQUIRE(r.error.has_value());
  CHECK(r.error->code == "body_cap");
  CHECK(r.error->message.find(server.url("/big")) != std::string::npos);
  CHECK(r.body.empty());
}

TEST_CASE("A redirect to file:// is refused", "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest&) {
    return HttpReply{302, {{"Location", "file:///etc/passwd"}}, ""};
  });
  Fetcher f;
  FetchResponse r = fetch_one(f, {"a", server.url("/f"), "", "", {}, ""});
  REQUIRE(r.error.has_value());
  CHECK(r.body.empty());
  CHECK(r.error->code == "scheme");
}

TEST_CASE("A refused connection is an error that names the URL", "[feeds][fetcher]") {
  int port = 0;
  {
    HttpServer gone([](const HttpRequest&) { return HttpReply{}; });
    port = gone.port();
  }
  Fetcher f;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/feed";
  FetchResponse r = fetch_one(f, {"a", url, "", "", {}, ""});
  REQUIRE(r.error.has_value());
  CHECK(r.status == 0);
  CHECK(r.error->message.find(url) != std::string::npos);
}

TEST_CASE("Many transfers run at once and each comes back exactly once", "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest& req) {
    return HttpReply{200, {}, "body of " + req.path};
  });
  Fetcher f;
  constexpr int k_n = 20;
  for (int i = 0; i < k_n; ++i) {
    f.add({"feed-" + std::to_string(i), server.url("/" + std::to_string(i)), "", "", {}, ""});
  }
  CHECK(f.in_flight() == k_n);
  auto got = run_until(f, k_n);
  REQUIRE(got.size() == k_n);
  std::set<std::string> ids;
  for (const auto& r : got) {
    CHECK(r.status == 200);
    CHECK(r.body == "body of /" + r.feed_id.substr(5));
    ids.insert(r.feed_id);
  }
  CHECK(ids.size() == k_n);
  CHECK(f.in_flight() == 0);
}

TEST_CASE("poll returns early when an extra fd becomes readable and reports it",
          "[feeds][fetcher]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  Fetcher f;
  REQUIRE(::write(fds[1], "x", 1) == 1);
  PollFd extra[1] = {{fds[0], POLLIN, 0}};
  auto start = std::chrono::steady_clock::now();
  f.poll(extra, 5000);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK((extra[0].revents & POLLIN) != 0);
  CHECK(took < std::chrono::seconds(4));  // a bound for a hang, not a timing assertion
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("Transfers beyond the per-domain and the global limit wait in a queue and all finish",
          "[feeds][fetcher]") {
  HttpServer server([](const HttpRequest& req) { return HttpReply{200, {}, "of " + req.path}; });
  FetchOptions o;
  o.max_per_host = 1;
  o.max_connections = GENERATE(1, 10);
  Fetcher f(o);
  constexpr int k_each = 4;
  for (int i = 0; i < k_each; ++i) {
    for (const char* domain : {"a.example", "b.example"}) {
      FetchRequest req;
      req.feed_id = std::string(domain) + "-" + std::to_string(i);
      req.url = server.url("/" + req.feed_id);
      req.domain = domain;
      f.add(std::move(req));
    }
  }
  CHECK(f.in_flight() == 2 * k_each);
  const size_t limit = std::min<size_t>(2, static_cast<size_t>(o.max_connections));
  size_t most = 0;
  std::vector<FetchResponse> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got.size() < 2 * k_each && std::chrono::steady_clock::now() < deadline) {
    f.poll({}, 100);
    most = std::max(most, f.running());
    for (auto& r : f.take_finished()) {
      got.push_back(std::move(r));
    }
  }
  REQUIRE(got.size() == 2 * k_each);
  CHECK(most <= limit);
  CHECK(most >= 1);
  for (const auto& r : got) {
    CHECK(r.status == 200);
    CHECK(r.body == "of /" + r.feed_id);
  }
  CHECK(f.in_flight() == 0);
}

TEST_CASE("A server that accepts but never answers ends in a timeout error", "[feeds][fetcher]") {
  // A listening socket nobody accepts from: the kernel completes the handshake,
  // then nothing is ever sent back.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  FetchOptions o;
  o.total_timeout_ms = 300;
  Fetcher f(o);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/slow";
  FetchResponse r = fetch_one(f, {"a", url, "", "", {}, ""});
  ::close(fd);
  REQUIRE(r.error.has_value());
  CHECK(r.error->code == "timeout");
  CHECK(r.error->message.find(url) != std::string::npos);
}
