#!/usr/bin/python3
"""`khobor parse` end to end: files and URLs served by a real HTTP server on 127.0.0.1.

Checks the DESIGN.md contract: one JSON line per input with the documented fields,
the HTTP charset honoured (RFC 7303), exit 0 / 1 / 2.
usage: parse_cli_test.py KHOBOR_BINARY
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

# "Привет" in windows-1251, declared only in the HTTP header.
CP1251_FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>\xcf\xf0\xe8\xe2\xe5\xf2'
               b'</title><item><title>one</title><link>/a/1</link>'
               b'<pubDate>Sat, 06 Dec 2025 05:20:10 +0000</pubDate></item></channel></rss>')
BENGALI_ATOM = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>খবর</title>'
                '<entry><id>urn:x:1</id><title>শিরোনাম</title>'
                '<updated>২০২৬-০৮-২২T১৯:১৪:৪৬+০৬:০০</updated></entry></feed>').encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/cp1251.xml":
            body, ctype = CP1251_FEED, "application/rss+xml; charset=windows-1251"
        elif self.path == "/page.html":
            body, ctype = b"<!DOCTYPE html><html><body>login</body></html>", "text/html"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run(binary, *args):
    p = subprocess.run([binary, "parse", *args], capture_output=True, timeout=60)
    return p.returncode, [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]


def main():
    binary = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        atom = os.path.join(tmp, "bn.atom")
        with open(atom, "wb") as f:
            f.write(BENGALI_ATOM)
        rc, docs = run(binary, base + "/cp1251.xml", atom)
        check(rc == 0, "exit 0 when every input is a feed (got %d)" % rc)
        check(len(docs) == 2, "one line per input")
        if len(docs) == 2:
            d = docs[0]
            for key in ("format", "title", "link", "bozo", "warnings", "entries"):
                check(key in d, "field %s present" % key)
            check(d["title"] == "Привет", "HTTP charset honoured: %r" % d["title"])
            check(d["entries"][0]["link"] == base + "/a/1", "relative link resolved against the URL")
            check(d["entries"][0]["published"] == "2025-12-06T05:20:10Z", "RFC 3339 UTC date")
            e = docs[1]["entries"][0]
            check(docs[1]["format"] == "atom10" and e["id"] == "urn:x:1", "Atom file read")
            check(e["updated"] == "2026-08-22T13:14:46Z", "Bengali digits in a date: %r" % e["updated"])
            check(e["published"] is None, "published null when absent")
        rc, docs = run(binary, base + "/missing.xml", base + "/page.html", atom)
        check(rc == 1, "exit 1 when an input cannot be read (got %d)" % rc)
        check(len(docs) == 3 and "error" in docs[0] and "404" in docs[0]["error"], "HTTP 404 named")
        check(len(docs) == 3 and "HTML page" in docs[1].get("error", ""), "an HTML page is no feed")
        check(len(docs) == 3 and docs[2].get("format") == "atom10", "later inputs still read")
        rc, _ = run(binary)
        check(rc == 2, "exit 2 without inputs (got %d)" % rc)
        rc, _ = run(binary, "--no-such-option", atom)
        check(rc == 2, "exit 2 on an unknown option (got %d)" % rc)
    server.shutdown()
    for f in failures:
        print("FAIL", f)
    print("khobor parse CLI: %d checks failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
