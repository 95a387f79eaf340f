#!/usr/bin/python3
"""A feed server for khobor's tests and benchmarks, on loopback only.

Serves a directory of feed files with the conditional-GET behaviour of a real
web server (ETag, Last-Modified, 304) and gzip when asked, plus paths that
misbehave the way real servers do:

  /fault/500              500 Internal Server Error
  /fault/503              503 with Retry-After: 120 (seconds)
  /fault/429              429 with Retry-After as an HTTP-date 300 s ahead
  /fault/301/N            a chain of N permanent redirects ending at /files/good.xml
  /fault/302              a temporary redirect to /files/good.xml
  /fault/loop             a redirect loop
  /fault/to-file          a redirect to file:///etc/passwd
  /fault/to-gopher        a redirect to gopher://127.0.0.1/
  /fault/endless          a body that never ends (until the client goes away)
  /fault/trickle          one byte a second
  /fault/bad-gzip         a truncated gzip body
  /fault/gzip-bomb        ~256 KB of gzip that inflates to 256 MiB
  /fault/big              a 20 MB body
  /fault/html             an HTML page served as text/html
  /fault/410              410 Gone
  /grow/NAME.xml          an RSS feed that gains one entry per request (up to --grow-max)
  /regen/NAME.xml         an RSS feed of 5 entries whose links stay the same and whose
                          guids change on every request (as some CMSs generate them)
  /count/PATH             how many times PATH was requested (text)

usage: feed_server.py --root DIR [--port 0] [--port-file F] [--tls-cert C --tls-key K]
Prints "PORT <n>" on stdout once it listens. Stops on SIGTERM or when stdin closes
with --stdin-lifeline.
"""
import argparse
import email.utils
import gzip
import hashlib
import io
import os
import signal
import ssl
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTS = {}
COUNTS_LOCK = threading.Lock()
GROW = {}
ARGS = None
BOMB = None


def bomb_bytes():
    global BOMB
    if BOMB is None:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\0" * (1 << 20)
        out = io.BytesIO()
        for _ in range(256):
            out.write(c.compress(chunk))
        out.write(c.flush())
        BOMB = out.getvalue()
    return BOMB


# Words for the growing feeds' entries: each entry gets its own mix, so no two
# entries read as the same story, and every title names পুতিন (the tests' rule).
VOCAB = ("নদী পাহাড় বাজার বিদ্যালয় হাসপাতাল সেতু রেল বন্দর কৃষক শ্রমিক শিক্ষক চিকিৎসক "
         "বৃষ্টি বন্যা খরা ঝড় ধান পাট চা মাছ বিদ্যুৎ গ্যাস তেল সোনা রপ্তানি আমদানি বাজেট "
         "কর ব্যাংক ঋণ সঞ্চয় বিমান জাহাজ সড়ক মেট্রো উড়ালসড়ক টানেল ক্রিকেট ফুটবল হকি দাবা "
         "উপন্যাস কবিতা নাটক চলচ্চিত্র সংগীত চিত্রকলা জাদুঘর গ্রন্থাগার বইমেলা উৎসব পূজা ঈদ "
         "নির্বাচন সংসদ আদালত পুলিশ সেনা সীমান্ত দূতাবাস চুক্তি সম্মেলন আলোচনা প্রতিবাদ মিছিল "
         "বিজ্ঞান গবেষণা উপগ্রহ রকেট টিকা ভাইরাস জলবায়ু বন উপকূল দ্বীপ চর হাওর").split()


def grow_title(name, i):
    import random
    rnd = random.Random("%s-%d" % (name, i))
    return "পুতিন " + " ".join(rnd.sample(VOCAB, 8))


def grow_feed(name, count):
    items = []
    for i in range(count, 0, -1):
        items.append(
            "<item><title>%s</title>"
            "<link>http://127.0.0.1/%s/%d</link><guid>%s-%d</guid>"
            "<pubDate>%s</pubDate><description>%s</description></item>"
            % (grow_title(name, i), name, i, name, i,
               email.utils.formatdate(1_700_000_000 + i * 60, usegmt=True),
               grow_title(name + "-summary", i)))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>%s</title><link>http://127.0.0.1/</link>%s</channel></rss>"
            % (name, "".join(items))).encode()


def regen_feed(name, request):
    items = []
    for i in range(5, 0, -1):
        items.append(
            "<item><title>পুতিন ও কিম %s</title>"
            "<link>http://127.0.0.1/%s/%d?utm_source=rss</link>"
            "<guid isPermaLink=\"false\">%s-%d-request-%d</guid>"
            "<pubDate>%s</pubDate><description>%s</description></item>"
            % (grow_title(name, i), name, i, name, i, request,
               email.utils.formatdate(1_700_000_000 + i * 60, usegmt=True),
               grow_title(name + "-summary", i)))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>%s</title><link>http://127.0.0.1/</link>%s</channel></rss>"
            % (name, "".join(items))).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "khobor-test-server"

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (as khobor does on a body cap): not an error

    def log_message(self, fmt, *args):  # quiet
        if ARGS.verbose:
            sys.stderr.write("feed_server: " + (fmt % args) + "\n")

    def count(self):
        with COUNTS_LOCK:
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            return COUNTS[self.path]

    def send_body(self, status, body, ctype="application/rss+xml; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return
        accept = self.headers.get("Accept-Encoding", "")
        if "gzip" in accept and status == 200 and len(body) > 0:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, status, location):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        n = self.count()
        p = self.path.split("?", 1)[0]
        base = "http%s://127.0.0.1:%d" % ("s" if ARGS.tls_cert else "", self.server.server_address[1])
        if p.startswith("/count/"):
            with COUNTS_LOCK:
                c = COUNTS.get(p[len("/count"):], 0)
            return self.send_body(200, str(c).encode(), "text/plain")
        if p.startswith("/grow/"):
            name = p[len("/grow/"):].removesuffix(".xml")
            with COUNTS_LOCK:
                GROW[name] = min(GROW.get(name, 0) + 1, ARGS.grow_max)
                k = GROW[name]
            return self.send_body(200, grow_feed(name, k))
        if p.startswith("/regen/"):
            return self.send_body(200, regen_feed(p[len("/regen/"):].removesuffix(".xml"), n))
        if p.startswith("/fault/"):
            return self.fault(p[len("/fault/"):], base, n)
        if p.startswith("/files/"):
            p = p[len("/files"):]
        return self.serve_file(p)

    def serve_file(self, p):
        path = os.path.realpath(os.path.join(ARGS.root, p.lstrip("/")))
        if not path.startswith(os.path.realpath(ARGS.root)) or not os.path.isfile(path):
            return self.send_body(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            body = f.read()
        st = os.stat(path)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        lastmod = email.utils.formatdate(st.st_mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == lastmod):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", lastmod)
            self.end_headers()
            return
        ctype = "application/rss+xml; charset=utf-8"
        if path.endswith(".json"):
            ctype = "application/feed+json"
        elif path.endswith(".atom"):
            ctype = "application/atom+xml"
        self.send_body(200, body, ctype, [("ETag", etag), ("Last-Modified", lastmod)])

    def fault(self, what, base, n):
        good = base + "/files/good.xml"
        if what == "500":
            return self.send_body(500, b"boom", "text/plain")
        if what == "410":
            return self.send_body(410, b"gone", "text/plain")
        if what == "503":
            return self.send_body(503, b"busy", "text/plain", [("Retry-After", "120")])
        if what == "429":
            when = email.utils.formatdate(time.time() + 300, usegmt=True)
            return self.send_body(429, b"slow down", "text/plain", [("Retry-After", when)])
        if what.startswith("301/"):
            left = int(what.split("/")[1])
            return self.redirect(301, good if left <= 1 else "%s/fault/301/%d" % (base, left - 1))
        if what == "302":
            return self.redirect(302, good)
        if what == "loop":
            return self.redirect(302, base + "/fault/loop")
        if what == "to-file":
            return self.redirect(302, "file:///etc/passwd")
        if what == "to-gopher":
            return self.redirect(302, "gopher://127.0.0.1/")
        if what == "html":
            return self.send_body(200, b"<!DOCTYPE html><html><head><title>Login</title></head>"
                                  b"<body><form>password</form></body></html>", "text/html")
        if what == "big":
            return self.send_body(200, b"<rss>" + b" " * (20 * 1024 * 1024) + b"</rss>")
        if what == "bad-gzip":
            body = gzip.compress(grow_feed("badgzip", 50))[:-200]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if what == "gzip-bomb":
            body = bomb_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if what in ("endless", "trickle"):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                self.wfile.write(b"5\r\n<rss>\r\n")
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    if what == "endless":
                        self.wfile.write(b"4000\r\n" + b" " * 0x4000 + b"\r\n")
                    else:
                        self.wfile.write(b"1\r\n \r\n")
                        self.wfile.flush()
                        time.sleep(1)  # the fault itself: a slow server, not a wait
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
            return
        return self.send_body(404, b"no such fault", "text/plain")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--grow-max", type=int, default=1000)
    ap.add_argument("--stdin-lifeline", action="store_true",
                    help="exit when stdin reaches EOF (the parent died)")
    ap.add_argument("--verbose", action="store_true")
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    if ARGS.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls_cert, ARGS.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if ARGS.port_file:
        tmp = ARGS.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, ARGS.port_file)
    print("PORT %d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    if ARGS.stdin_lifeline:
        def watch():
            sys.stdin.read()
            srv.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
