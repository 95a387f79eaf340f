#!/usr/bin/python3
"""`khobor web` against a real khobord and its store: the page and its files,
the security headers (a CSP without inline script), only GET, the cards as
JSON with a hostile title kept as text (its <script> and markup are data, its
javascript: link dropped), the matched words marked, the feeds' health, the
live stream (server-sent events) carrying a new alert's card, /metrics
accepted by `promtool check metrics`, and a clean stop on SIGTERM.

usage: web_test.py KHOBORD KHOBOR FEED_SERVER"""
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from desk_fixture import Khobord, fail, numbered_items, wait_for, write_feed

khobord, khobor, feed_server = sys.argv[1:4]
HOSTILE = '<script>window.__pwned=1</script><b>bold</b> <img src=x onerror=alert(1)> পুতিন "q" & co'
# Feed titles are HTML: escaped once more, the parsed title is HOSTILE as text.
HOSTILE_ITEM = ("js", html.escape(HOSTILE), "javascript:alert(1)")


def start_web(k):
    web = k.spawn([khobor, "web", "--config", k.config, "--listen", "127.0.0.1:0"],
                  stdout=subprocess.PIPE, text=True)
    line = web.stdout.readline()
    if "http://" not in line:
        fail("khobor web printed %r" % line)
    return web, line.split("http://", 1)[1].strip().rstrip("/")


def get(base, path, method="GET"):
    req = urllib.request.Request("http://" + base + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def text_of(runs):
    return "".join(t for t, _ in runs)


def check_page(base):
    status, headers, body = get(base, "/")
    csp = headers.get("Content-Security-Policy", "")
    if status != 200 or "script-src 'self'" not in csp or "unsafe-inline" in csp:
        fail("/: %d, CSP %r" % (status, csp))
    if "default-src 'none'" not in csp or headers.get("X-Content-Type-Options") != "nosniff":
        fail("/: weak headers %s" % headers)
    if '<script src="/app.js"' not in body or "<script>" in body or "পুতিন" in body:
        fail("/ has inline script or feed text")
    status, _, body = get(base, "/", "HEAD")
    if status != 200 or body:
        fail("HEAD /: %d with %d bytes" % (status, len(body)))
    for path, kind in (("/app.js", "text/javascript"), ("/app.css", "text/css")):
        status, headers, _ = get(base, path)
        if status != 200 or not headers.get("Content-Type", "").startswith(kind):
            fail("%s: %d %s" % (path, status, headers.get("Content-Type")))
    for method, path in (("POST", "/"), ("PUT", "/api/events"), ("DELETE", "/metrics")):
        status, headers, _ = get(base, path, method)
        if status != 405 or "GET" not in headers.get("Allow", ""):
            fail("%s %s: %d, not 405 with Allow" % (method, path, status))
    print("ok: the page, its files and headers; only GET")


def check_cards(base):
    cards = json.loads(get(base, "/api/events")[2])["events"]
    hostile = [c for c in cards if "<script>" in text_of(c["headline"])]
    if len(hostile) != 1:
        fail("no card with the hostile title: %s" % [text_of(c["headline"]) for c in cards])
    c = hostile[0]
    if text_of(c["headline"]) != HOSTILE:
        fail("the hostile title changed: %r" % text_of(c["headline"]))
    if ["পুতিন", 1] not in c["headline"]:
        fail("the matched word is not marked: %s" % c["headline"])
    if c["link"] != "" or c["entries"][0]["link"] != "":
        fail("a javascript: link went out: %r" % c["link"])
    if c["watchlists"] != [{"name": "putin", "terms": ["পুতিন"]}] or not c["timeline"]:
        fail("watch lists or timeline: %s" % c)
    feeds = json.loads(get(base, "/api/feeds")[2])["feeds"]
    if [f["id"] for f in feeds] != ["f"]:
        fail("/api/feeds: %s" % feeds)
    print("ok: %d cards; the hostile title is text, its word marked, its link dropped" % len(cards))


def check_live(base, k):
    stream = urllib.request.urlopen("http://" + base + "/live", timeout=30)
    if stream.headers.get("Content-Type") != "text/event-stream":
        fail("/live is %s" % stream.headers.get("Content-Type"))
    if stream.readline().decode().strip() != "retry: 2000" or "hello" not in stream.readline().decode():
        fail("/live did not say hello")
    items = numbered_items(3)
    write_feed(k.feed, items + [HOSTILE_ITEM])
    lines = []
    while not any("item/3" in x for x in lines):
        line = stream.readline().decode()  # within the urlopen timeout
        if not line:
            fail("/live ended: %s" % lines)
        lines.append(line)
    card = json.loads([x for x in lines if x.startswith("data:") and "item/3" in x][-1][5:])
    if "item/3" not in card["link"]:
        fail("the live card: %s" % card)
    stream.close()
    print("ok: a new alert's card arrives on /live")


def check_metrics(base, k):
    status, headers, body = get(base, "/metrics")
    if status != 200 or not headers["Content-Type"].startswith("text/plain; version=0.0.4"):
        fail("/metrics: %d %s" % (status, headers.get("Content-Type")))
    promtool = shutil.which("promtool")
    if promtool is None:
        fail("promtool is missing (Debian's prometheus package; tools/dev deps installs it)")
    r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
        fail("promtool check metrics: %d %s %s" % (r.returncode, r.stdout, r.stderr))
    samples = dict(line.rsplit(" ", 1) for line in body.splitlines() if not line.startswith("#"))
    last = k.last_seq()
    want = {"khobor_up": "1", "khobor_alerts_last_seq": str(last),
            'khobor_feeds{state="ok"}': "1", "khobor_story_window_events": None,
            "khobor_loop_rounds_total": None, 'khobor_polls_total{outcome="error"}': "0"}
    for name, value in want.items():
        if name not in samples or (value is not None and samples[name] != value):
            fail("/metrics: %s is %s, want %s" % (name, samples.get(name), value))
    if float(samples['khobor_polls_total{outcome="200"}']) < 2:
        fail("/metrics counts %s polls with a body" % samples['khobor_polls_total{outcome="200"}'])
    print("ok: /metrics passes promtool check metrics (%d samples)" % len(samples))


with tempfile.TemporaryDirectory() as tmp:
    k = Khobord(khobord, feed_server, tmp)
    try:
        k.wait_ready()
        write_feed(k.feed, numbered_items(2) + [HOSTILE_ITEM])
        wait_for("khobord to publish seq 3", lambda: k.last_seq() >= 3)
        web, base = start_web(k)
        check_page(base)
        check_cards(base)
        check_live(base, k)
        check_metrics(base, k)
        web.send_signal(signal.SIGTERM)
        if web.wait(timeout=10) != 0:
            fail("khobor web exited %d on SIGTERM" % web.returncode)
        print("ok: khobor web stops on SIGTERM")
    finally:
        k.close()
print("ok: khobor web")
