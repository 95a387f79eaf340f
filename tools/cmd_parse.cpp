// khobor parse FILE|URL ... — parse feeds and print one JSON document per input.
//
// Files are read as they are; http(s) URLs are fetched with one blocking libcurl
// call each (redirects followed, compressed bodies decoded, the Content-Type kept
// for the encoding rules). Exit 0 when every input was read as a feed (bozo or
// not), 1 when one could not be read, 2 on usage errors.
#include <curl/curl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "feeds/feed_json.h"
#include "feeds/fetcher.h"
#include "feeds/parser.h"
#include "tools/command.h"

namespace {

using nlohmann::json;

struct Body {
  std::string bytes;
  std::string content_type;
  std::string url;  // the effective URL, for relative links
};

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  constexpr size_t k_max = 64 * 1024 * 1024;
  if (out->size() + size * n > k_max) {
    return 0;  // aborts the transfer
  }
  out->append(data, size * n);
  return size * n;
}

khobor::Result<Body> fetch(const std::string& url) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
  if (!h) {
    return khobor::make_error("curl", "cannot create a curl handle");
  }
  Body body;
  // No config here, so no operator's contact: "khobor/VERSION".
  const std::string ua = khobor::feeds::user_agent();
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h.get(), CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h.get(), CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, 60'000L);
  curl_easy_setopt(h.get(), CURLOPT_USERAGENT, ua.c_str());
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &on_data);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &body.bytes);
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(h.get());
  if (rc != CURLE_OK) {
    return khobor::make_error("curl", url + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  char* ct = nullptr;
  curl_easy_getinfo(h.get(), CURLINFO_CONTENT_TYPE, &ct);
  if (ct != nullptr) {
    body.content_type = ct;
  }
  char* eff = nullptr;
  curl_easy_getinfo(h.get(), CURLINFO_EFFECTIVE_URL, &eff);
  body.url = eff != nullptr ? eff : url;
  if (status >= 400) {
    return khobor::make_error("http", url + ": HTTP status " + std::to_string(status));
  }
  return body;
}

// Reads the file at `path` into `body` (its buffer reused from the last file).
khobor::Status read_file(const std::string& path, Body& body) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return khobor::make_error("io", path + ": is a directory; give feed files or URLs");
  }
  struct Close {
    void operator()(FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<FILE, Close> in(std::fopen(path.c_str(), "rb"));
  if (!in) {
    return khobor::make_error("io", path + ": cannot open the file");
  }
  // One read into a string of the file's size (plus whatever a growing file adds).
  const auto size = std::filesystem::file_size(path, ec);
  body.bytes.resize(ec ? 0 : static_cast<size_t>(size));
  size_t got = std::fread(body.bytes.data(), 1, body.bytes.size(), in.get());
  body.bytes.resize(got);
  char chunk[65536];
  while ((got = std::fread(chunk, 1, sizeof chunk, in.get())) > 0) {
    body.bytes.append(chunk, got);
  }
  if (std::ferror(in.get()) != 0) {
    return khobor::make_error("io", path + ": cannot read the file");
  }
  return khobor::Ok{};
}

// stdout through one buffer: the JSON is appended as it is written and goes out
// in large writes (and at the end).
class Output {
 public:
  Output() { m_buffer.reserve(2 * k_flush_at); }
  ~Output() { flush(); }
  std::string& buffer() { return m_buffer; }
  void end_line() {
    m_buffer += '\n';
    if (m_buffer.size() >= k_flush_at) {
      flush();
    }
  }
  void flush() {
    if (!m_buffer.empty()) {
      std::fwrite(m_buffer.data(), 1, m_buffer.size(), stdout);
      m_buffer.clear();
    }
    std::fflush(stdout);
  }

 private:
  static constexpr size_t k_flush_at = 1 << 20;
  std::string m_buffer;
};

// A batch of files in a short-lived process, where page faults were the largest
// cost once the JSON tree had gone (docs/parse.md). Freed memory stays in the
// heap (no mmap per large buffer, no trimming), so each file reuses the pages the
// last one faulted in; and the heap grows in one 64 MiB step that the kernel may
// back with 2 MiB pages (MADV_HUGEPAGE; THP is "madvise" on Debian), one fault
// where there were 512. This is glibc's own `glibc.malloc.hugetlb=1` tunable,
// which can only be set from the environment before start-up, done by hand: only
// address space is reserved, a page is still committed when first touched.
void prepare_batch_heap() {
  constexpr size_t k_huge = size_t{2} << 20;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  auto start = reinterpret_cast<uintptr_t>(sbrk(0));
  void* volatile grow = std::malloc(k_huge);  // volatile: the pair must not be elided
  std::free(grow);
  auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  uintptr_t from = (start + k_huge - 1) & ~(k_huge - 1);
  if (end > from + k_huge) {
    // Advice only: a kernel without THP refuses it and the heap works as before.
    madvise(reinterpret_cast<void*>(from), (end - from) & ~(k_huge - 1), MADV_HUGEPAGE);
  }
}

// What `khobor parse`'s command line asks for.
struct ParseArgs {
  std::vector<std::string> inputs;
  std::string timezone = "Asia/Dhaka";
  std::string content_type;
  std::string base_url;
  bool with_html = false;
  bool pretty = false;
};

constexpr const char* k_usage =
    "usage: khobor parse [--timezone ZONE] [--content-type TYPE] [--base-url URL] [--html] "
    "[--pretty] "
    "FILE|URL...\n"
    "  Parse feeds (files or http(s) URLs); print one JSON document per input.\n"
    "  --timezone ZONE      zone for dates written without one (default Asia/Dhaka)\n"
    "  --content-type TYPE  Content-Type to assume for files (its charset counts)\n"
    "  --base-url URL       URL to resolve relative links in files against\n"
    "  --html               also print summary_html and content_html\n"
    "  --pretty             indent the JSON\n"
    "Exit: 0 every input read as a feed, 1 one could not be read, 2 usage error.\n";

// Reads the command line into `args`; an exit status when khobor parse is done
// already (help, a usage error).
std::optional<int> read_args(int argc, char** argv, ParseArgs& args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(k_usage, stdout);
      return 0;
    }
    if (a == "--timezone" || a == "--content-type" || a == "--base-url") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "khobor parse: %s needs a value\n%s", a.c_str(), k_usage);
        return 2;
      }
      (a == "--timezone"   ? args.timezone
       : a == "--base-url" ? args.base_url
                           : args.content_type) = argv[++i];
    } else if (a == "--html") {
      args.with_html = true;
    } else if (a == "--pretty") {
      args.pretty = true;
    } else if (a.starts_with("--")) {
      std::fprintf(stderr, "khobor parse: unknown option %s\n%s", a.c_str(), k_usage);
      return 2;
    } else {
      args.inputs.push_back(a);
    }
  }
  if (args.inputs.empty()) {
    std::fprintf(stderr, "khobor parse: no input given\n%s", k_usage);
    return 2;
  }
  return std::nullopt;
}

// One input (a file, or a URL fetched) into `body`, parsed and printed as one
// JSON line; false (after an error line) when it could not be read as a feed.
bool parse_input(const std::string& input, const ParseArgs& args,
                 const khobor::feeds::FeedJsonOptions& json_options, Body& body, Output& out) {
  const bool is_url = input.starts_with("http://") || input.starts_with("https://");
  khobor::Status got = khobor::Ok{};
  if (!is_url) {
    got = read_file(input, body);
  } else if (auto fetched = fetch(input)) {
    body = std::move(*fetched);
  } else {
    got = fetched.error();
  }
  if (!got) {
    std::fprintf(stderr, "khobor parse: %s\n", got.error().message.c_str());
    out.buffer() += json{{"source", input}, {"error", got.error().message}}.dump();
    out.end_line();
    return false;
  }
  khobor::feeds::ParseOptions options;
  options.content_type = is_url ? body.content_type : args.content_type;
  options.base_url = is_url ? body.url : args.base_url;
  options.default_timezone = args.timezone;
  auto feed = khobor::feeds::parse_feed(body.bytes, options);
  if (!feed) {
    std::fprintf(stderr, "khobor parse: %s: %s\n", input.c_str(), feed.error().message.c_str());
    out.buffer() += json{{"source", input}, {"error", feed.error().message}}.dump();
    out.end_line();
    return false;
  }
  khobor::feeds::append_feed_json(out.buffer(), input, *feed, json_options);
  out.end_line();
  return true;
}

int run_parse(int argc, char** argv) {
  ParseArgs args;
  if (const std::optional<int> done = read_args(argc, argv, args)) {
    return *done;
  }
  prepare_batch_heap();
  Output out;
  Body body;  // reused from one input to the next
  khobor::feeds::FeedJsonOptions json_options;
  json_options.with_html = args.with_html;
  json_options.indent = args.pretty ? 2 : -1;
  int status = 0;
  for (const auto& input : args.inputs) {
    if (!parse_input(input, args, json_options, body, out)) {
      status = 1;
    }
  }
  out.flush();
  return status;
}

const khobor::tools::Registration k_reg{
    "parse", "parse feeds (files or URLs) and print them as JSON", &run_parse};

}  // namespace
