// khobor/feeds/fetcher.h — HTTP fetching on libcurl's multi interface.
//
// One Fetcher runs many transfers at once from a single thread: the caller adds
// requests, then calls poll() in its event loop (poll waits on curl's sockets and
// the caller's extra fds together, as curl_multi_poll does) and takes finished
// responses. Requests beyond the global or the per-domain limit wait in a queue
// (round-robin across domains) and start as others finish. HTTP/2 multiplexing,
// and DNS, TLS sessions and connections shared across transfers (a CURLSH). No curl header leaks
// out of here (pimpl). Not thread-safe: use it from the loop thread only. Move-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace khobor::feeds {

struct FetchOptions {
  std::string user_agent;  // default: user_agent() ("khobor/VERSION", no contact)
  long connect_timeout_ms = 10'000;
  long total_timeout_ms = 60'000;
  long low_speed_bytes = 64;                  // abort when slower than this many bytes/s …
  long low_speed_seconds = 30;                // … for this long
  int64_t max_body_bytes = 16 * 1024 * 1024;  // abort the transfer past this
  long max_redirects = 5;
  int max_connections = 64;  // global concurrency limit: transfers beyond it wait in a queue
  int max_per_host = 4;      // concurrency limit per domain (FetchRequest::domain), queued too
  std::string ca_file;       // extra CA bundle; verification is always on
  std::string proxy;         // empty: curl reads the environment (http_proxy, …)
};

struct FetchRequest {
  std::string feed_id;  // echoed back in the response
  std::string url;
  std::string etag;                  // sent as If-None-Match when not empty
  std::string last_modified;         // sent as If-Modified-Since when not empty
  std::vector<std::string> headers;  // extra "Name: value" headers
  // The concurrency group (the caller passes the registrable domain, so that
  // www.x.com and feeds.x.com share one limit); empty: the URL's host.
  std::string domain;
};

struct FetchResponse {
  std::string feed_id;
  std::string url;                  // the URL requested
  std::string effective_url;        // after redirects
  long status = 0;                  // HTTP status; 0 when no response was read
  bool permanent_redirect = false;  // every redirect on the way was 301/308
  std::string body;                 // decompressed
  std::string content_type;
  std::string etag;  // from the response (empty when absent)
  std::string last_modified;
  std::string retry_after;       // raw header value (seconds or an HTTP-date)
  int64_t max_age_seconds = -1;  // Cache-Control max-age, -1 when absent
  std::string expires;           // raw Expires header
  int64_t bytes = 0;             // bytes received on the wire
  int64_t elapsed_ms = 0;
  // Set when the transfer failed below HTTP (DNS, TLS, timeout, body cap, bad
  // scheme…). An HTTP error status is not an Error here: look at `status`.
  std::optional<Error> error;
};

struct PollFd {
  int fd = -1;
  short events = 0;   // POLLIN / POLLOUT
  short revents = 0;  // filled by poll()
};

// The User-Agent khobor sends: "khobor/VERSION", and with a contact (an
// http(s) URL or a mailto: address the outlets' webmasters can use; the
// operator's [http] contact) "khobor/VERSION (+CONTACT)", as crawlers write it.
std::string user_agent(std::string_view contact = {});

class Fetcher {
 public:
  explicit Fetcher(FetchOptions options = {});
  ~Fetcher();
  Fetcher(Fetcher&&) noexcept;
  Fetcher& operator=(Fetcher&&) noexcept;
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Queue a transfer; it starts on the next poll().
  void add(FetchRequest request);

  // Drive transfers and wait up to timeout_ms for activity on curl's sockets or
  // on `extra` (whose revents are filled). Returns early on activity or wakeup().
  void poll(std::span<PollFd> extra, int timeout_ms);

  // Wake a poll() blocked in another thread (the only thread-safe call).
  void wakeup();

  // Finished transfers since the last call, in completion order.
  std::vector<FetchResponse> take_finished();

  // Transfers queued or running.
  size_t in_flight() const;

  // Transfers running now (queued ones not counted).
  size_t running() const;

  // Abandon every transfer (their responses are dropped).
  void cancel_all();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace khobor::feeds
