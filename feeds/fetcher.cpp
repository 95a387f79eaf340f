// khobor/feeds/fetcher.cpp — the Fetcher on libcurl's multi interface.
//
// Each transfer owns its easy handle, header list and buffers; curl finds it
// again through CURLOPT_PRIVATE. Callbacks never throw (they catch and abort the
// transfer). Share handle: DNS cache, TLS sessions and connections are reused.
#include "feeds/fetcher.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "base/strings.h"

namespace khobor::feeds {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct ShareDeleter {
  void operator()(CURLSH* h) const { curl_share_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SharePtr = std::unique_ptr<CURLSH, ShareDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init once per process, before any handle is made.
void global_init() {
  static std::once_flag k_once;
  std::call_once(k_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// max-age=N from a Cache-Control value; -1 when absent.
int64_t parse_max_age(std::string_view value) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view part = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    constexpr std::string_view k_key = "max-age=";
    if (part.size() > k_key.size() && iequals_ascii(part.substr(0, k_key.size()), k_key)) {
      int64_t n = -1;
      auto digits = part.substr(k_key.size());
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec == std::errc{} && n >= 0) {
        return n;
      }
    }
  }
  return -1;
}

struct Transfer {
  EasyPtr easy;
  SlistPtr headers;
  FetchResponse response;
  std::vector<long> statuses;  // one per response read (redirects included)
  std::string domain;          // the concurrency group it counts against
  int64_t max_body = 0;
  bool over_cap = false;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

size_t on_body(char* data, size_t size, size_t nmemb, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  try {
    if (static_cast<int64_t>(t->response.body.size() + n) > t->max_body) {
      t->over_cap = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->response.body.append(data, n);
    return n;
  } catch (...) {
    return 0;
  }
}

size_t on_header(char* data, size_t size, size_t nmemb, void* user) noexcept {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  try {
    std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
      // A new response (the first, or one after a redirect): its headers replace
      // those of the previous one.
      long code = 0;
      size_t sp = line.find(' ');
      if (sp != std::string_view::npos) {
        std::string_view rest = line.substr(sp + 1);
        std::from_chars(rest.data(), rest.data() + rest.size(), code);
      }
      t->statuses.push_back(code);
      FetchResponse& r = t->response;
      r.content_type.clear();
      r.etag.clear();
      r.last_modified.clear();
      r.retry_after.clear();
      r.expires.clear();
      r.max_age_seconds = -1;
      return n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return n;
    }
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    FetchResponse& r = t->response;
    if (iequals_ascii(name, "content-type")) {
      r.content_type = value;
    } else if (iequals_ascii(name, "etag")) {
      r.etag = value;
    } else if (iequals_ascii(name, "last-modified")) {
      r.last_modified = value;
    } else if (iequals_ascii(name, "retry-after")) {
      r.retry_after = value;
    } else if (iequals_ascii(name, "expires")) {
      r.expires = value;
    } else if (iequals_ascii(name, "cache-control")) {
      r.max_age_seconds = parse_max_age(value);
    }
    return n;
  } catch (...) {
    return 0;
  }
}

// The host of `url` (lower case), the default concurrency group; "" when unreadable.
std::string url_host(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) {
    return {};
  }
  std::string host;
  char* raw = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &raw, 0) == CURLUE_OK && raw != nullptr) {
    host = raw;
    curl_free(raw);
  }
  curl_url_cleanup(u);
  host = ascii_lowered(host);
  return host;
}

// What a failed transfer's error says: a kind for programs, a text for people.
Error transfer_error(const Transfer& t, CURLcode code, const FetchOptions& options) {
  const std::string& url = t.response.url;
  std::string detail = t.error_buffer[0] != '\0' ? t.error_buffer : curl_easy_strerror(code);
  std::string kind = "fetch";
  if (t.over_cap || code == CURLE_FILESIZE_EXCEEDED) {
    kind = "body_cap";
    detail = "the body is larger than the cap of " + std::to_string(options.max_body_bytes) +
             " bytes (decompressed); the transfer was aborted (raise [http] max_body_bytes if "
             "the feed is really that large)";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    kind = "timeout";
  } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    kind = "scheme";
    detail += " (only http and https are fetched, also across redirects)";
  } else if (code == CURLE_TOO_MANY_REDIRECTS) {
    kind = "redirects";
  } else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
             code == CURLE_SSL_CONNECT_ERROR) {
    kind = "tls";
    detail = "TLS: the server's certificate cannot be verified: " + detail +
             " (verification is always on; if the server uses a private CA, give its "
             "certificate with [http] ca_file)";
  } else if (code == CURLE_BAD_CONTENT_ENCODING) {
    kind = "encoding";
    detail = "the compressed body is corrupt: " + detail;
  } else if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT) {
    kind = "connect";
  }
  return make_error(kind, url + ": " + detail);
}

}  // namespace

std::string user_agent(std::string_view contact) {
  std::string ua = std::string("khobor/") + KHOBOR_VERSION;
  if (!contact.empty()) {
    ua += " (+";
    ua += contact;
    ua += ')';
  }
  return ua;
}

struct Fetcher::Impl {
  // Requests of one concurrency group (a registrable domain).
  struct Domain {
    std::deque<FetchRequest> waiting;
    int running = 0;
    bool in_ready = false;  // listed in `ready`
  };

  FetchOptions options;
  MultiPtr multi;
  SharePtr share;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::unordered_map<std::string, Domain> domains;
  std::deque<std::string> ready;  // domains with waiting requests and room, round-robin
  size_t queued = 0;
  std::vector<EasyPtr> idle;  // easy handles kept for reuse (curl_easy_reset)
  std::vector<FetchResponse> finished;

  explicit Impl(FetchOptions o) : options(std::move(o)) {
    global_init();
    if (options.user_agent.empty()) {
      options.user_agent = user_agent();
    }
    options.max_connections = std::max(options.max_connections, 1);
    options.max_per_host = std::max(options.max_per_host, 1);
    multi.reset(curl_multi_init());
    share.reset(curl_share_init());
    if (!multi || !share) {
      throw std::runtime_error("libcurl: cannot create the multi or share handle");
    }
    // One thread uses the share: no lock callbacks needed.
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS,
                      static_cast<long>(options.max_connections));
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options.max_connections));
  }

  ~Impl() {
    cancel_all();
    idle.clear();
    multi.reset();  // before the share its handles used
  }

  void add(FetchRequest request) {
    std::string key = request.domain.empty() ? url_host(request.url) : request.domain;
    Domain& d = domains[key];
    d.waiting.push_back(std::move(request));
    ++queued;
    if (!d.in_ready && d.running < options.max_per_host) {
      d.in_ready = true;
      ready.push_back(std::move(key));
    }
  }

  // Start queued requests while the global limit allows, one per domain in turn.
  void start_queued() {
    while (transfers.size() < static_cast<size_t>(options.max_connections) && !ready.empty()) {
      std::string key = std::move(ready.front());
      ready.pop_front();
      auto it = domains.find(key);
      if (it == domains.end()) {
        continue;
      }
      Domain& d = it->second;
      d.in_ready = false;
      if (d.waiting.empty() || d.running >= options.max_per_host) {
        continue;
      }
      FetchRequest req = std::move(d.waiting.front());
      d.waiting.pop_front();
      --queued;
      ++d.running;
      if (!d.waiting.empty() && d.running < options.max_per_host) {
        d.in_ready = true;
        ready.push_back(key);
      }
      start(std::move(req), key);
    }
  }

  // A transfer of `key` ended: give its domain's room to the next request.
  void release(const std::string& key) {
    auto it = domains.find(key);
    if (it == domains.end()) {
      return;
    }
    Domain& d = it->second;
    --d.running;
    if (d.running <= 0 && d.waiting.empty()) {
      domains.erase(it);
      return;
    }
    if (!d.in_ready && !d.waiting.empty() && d.running < options.max_per_host) {
      d.in_ready = true;
      ready.push_back(key);
    }
  }

  EasyPtr take_easy() {
    if (!idle.empty()) {
      EasyPtr e = std::move(idle.back());
      idle.pop_back();
      curl_easy_reset(e.get());
      return e;
    }
    return EasyPtr(curl_easy_init());
  }

  void start(FetchRequest request, const std::string& key) {
    auto t = std::make_unique<Transfer>();
    t->easy = take_easy();
    t->domain = key;
    t->max_body = options.max_body_bytes;
    t->response.feed_id = std::move(request.feed_id);
    t->response.url = request.url;
    if (!t->easy) {
      fail_start(*t, request.url + ": libcurl cannot make a handle", key);
      return;
    }
    CURL* e = t->easy.get();
    t->headers = request_headers(request);
    set_transfer_options(e, *t, request.url);
    CURLMcode mc = curl_multi_add_handle(multi.get(), e);
    if (mc != CURLM_OK) {
      fail_start(*t, "cannot start " + request.url + ": " + curl_multi_strerror(mc), key);
      return;
    }
    transfers.emplace(e, std::move(t));
  }

  // A transfer that never reached curl finishes at once with `message`.
  void fail_start(Transfer& t, const std::string& message, const std::string& key) {
    t.response.error = make_error("fetch", message);
    finished.push_back(std::move(t.response));
    release(key);
  }

  // The conditional headers (ETag, Last-Modified) first, then the request's own.
  static SlistPtr request_headers(const FetchRequest& request) {
    curl_slist* list = nullptr;
    auto append = [&list](const std::string& h) {
      curl_slist* next = curl_slist_append(list, h.c_str());
      if (next != nullptr) {
        list = next;
      }
    };
    if (!request.etag.empty()) {
      append("If-None-Match: " + request.etag);
    }
    if (!request.last_modified.empty()) {
      append("If-Modified-Since: " + request.last_modified);
    }
    for (const auto& h : request.headers) {
      append(h);
    }
    return SlistPtr(list);
  }

  // Every curl option of one transfer; its bytes, headers and errors go back to `t`.
  void set_transfer_options(CURL* e, Transfer& t, const std::string& url) {
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_SHARE, share.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    set_protocol_options(e, url);
    set_limit_options(e);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers.get());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    set_tls_and_proxy_options(e);
  }

  // HTTP(S) only, redirects followed, HTTP/2 over TLS, any compression curl has.
  void set_protocol_options(CURL* e, const std::string& url) {
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, options.max_redirects);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    if (url.starts_with("https:")) {
      curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);  // prefer multiplexing on an h2 connection
    }
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip, br, zstd: all curl was built with
  }

  // Timeouts, the slow-transfer cut-off and the body cap from the options.
  void set_limit_options(CURL* e) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options.total_timeout_ms);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  }

  // Peers verified (against `ca_file` when set); the proxy, when one is set.
  void set_tls_and_proxy_options(CURL* e) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) {
      curl_easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
    }
    if (!options.proxy.empty()) {
      curl_easy_setopt(e, CURLOPT_PROXY, options.proxy.c_str());
    }
  }

  void complete(CURL* e, CURLcode code) {
    auto it = transfers.find(e);
    if (it == transfers.end()) {
      return;
    }
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers.erase(it);
    curl_multi_remove_handle(multi.get(), e);

    FetchResponse& r = t->response;
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    char* effective = nullptr;
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
    r.effective_url = effective != nullptr ? effective : r.url;
    curl_off_t total_us = 0;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
    r.elapsed_ms = static_cast<int64_t>(total_us / 1000);
    curl_off_t body_bytes = 0;
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &body_bytes);
    long header_bytes = 0;
    curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_bytes);
    r.bytes = static_cast<int64_t>(body_bytes) + header_bytes;

    // Every response but the last was a redirect; permanent when all were 301/308.
    if (t->statuses.size() > 1) {
      r.permanent_redirect = std::all_of(t->statuses.begin(), t->statuses.end() - 1,
                                         [](long s) { return s == 301 || s == 308; });
    }

    if (code != CURLE_OK) {
      r.error = transfer_error(*t, code, options);
      r.body.clear();
      r.body.shrink_to_fit();
    }
    finished.push_back(std::move(r));
    release(t->domain);
    if (idle.size() < static_cast<size_t>(options.max_connections)) {
      idle.push_back(std::move(t->easy));
    }
  }

  void drain() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg == CURLMSG_DONE) {
        complete(msg->easy_handle, msg->data.result);
      }
    }
  }

  void perform() {
    int running = 0;
    start_queued();
    curl_multi_perform(multi.get(), &running);
    drain();
    start_queued();  // room freed by the transfers that just ended
  }

  void poll(std::span<PollFd> extra, int timeout_ms) {
    perform();
    if (!finished.empty()) {
      timeout_ms = 0;  // the caller has work: do not block
    }
    std::vector<curl_waitfd> fds(extra.size());
    for (size_t i = 0; i < extra.size(); ++i) {
      fds[i].fd = extra[i].fd;
      fds[i].events = 0;
      if ((extra[i].events & POLLIN) != 0) {
        fds[i].events |= CURL_WAIT_POLLIN;
      }
      if ((extra[i].events & POLLOUT) != 0) {
        fds[i].events |= CURL_WAIT_POLLOUT;
      }
      fds[i].revents = 0;
    }
    curl_multi_poll(multi.get(), fds.data(), static_cast<unsigned>(fds.size()),
                    std::max(timeout_ms, 0), nullptr);
    for (size_t i = 0; i < extra.size(); ++i) {
      short rev = 0;
      if ((fds[i].revents & CURL_WAIT_POLLIN) != 0) {
        rev |= POLLIN;
      }
      if ((fds[i].revents & CURL_WAIT_POLLOUT) != 0) {
        rev |= POLLOUT;
      }
      extra[i].revents = rev;
    }
    perform();
  }

  void cancel_all() {
    for (auto& [easy, t] : transfers) {
      curl_multi_remove_handle(multi.get(), easy);
    }
    transfers.clear();
    domains.clear();
    ready.clear();
    queued = 0;
  }
};

Fetcher::Fetcher(FetchOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}
Fetcher::~Fetcher() = default;
Fetcher::Fetcher(Fetcher&&) noexcept = default;
Fetcher& Fetcher::operator=(Fetcher&&) noexcept = default;

void Fetcher::add(FetchRequest request) {
  m_impl->add(std::move(request));
}

void Fetcher::poll(std::span<PollFd> extra, int timeout_ms) {
  m_impl->poll(extra, timeout_ms);
}

void Fetcher::wakeup() {
  curl_multi_wakeup(m_impl->multi.get());
}

std::vector<FetchResponse> Fetcher::take_finished() {
  std::vector<FetchResponse> out;
  out.swap(m_impl->finished);
  return out;
}

size_t Fetcher::in_flight() const {
  return m_impl->transfers.size() + m_impl->queued;
}

size_t Fetcher::running() const {
  return m_impl->transfers.size();
}

void Fetcher::cancel_all() {
  m_impl->cancel_all();
}

}  // namespace khobor::feeds
