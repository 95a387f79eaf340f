#!/usr/bin/python3
"""docs/examples/subscriber.py against a real khobord: it receives alerts, is
stopped, more alerts are published while it is away, and on restart it catches
up through replay and then follows the live stream — every alert exactly once,
in seq order.

usage: pysub_test.py KHOBORD FEED_SERVER SUBSCRIBER_PY
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import harness  # noqa: E402
from harness import last_seq  # noqa: E402

khobord, feed_server, subscriber = sys.argv[1:4]
DEADLINE_S = 60
# Distinct words per entry, so no two entries read as the same story.
VOCAB = ("নদী পাহাড় বাজার বিদ্যালয় হাসপাতাল সেতু রেল বন্দর কৃষক শ্রমিক শিক্ষক চিকিৎসক "
         "বৃষ্টি বন্যা খরা ঝড় ধান পাট চা মাছ বিদ্যুৎ গ্যাস তেল সোনা রপ্তানি আমদানি বাজেট "
         "কর ব্যাংক ঋণ সঞ্চয় বিমান জাহাজ সড়ক মেট্রো উড়ালসড়ক টানেল ক্রিকেট ফুটবল হকি দাবা "
         "উপন্যাস কবিতা নাটক চলচ্চিত্র সংগীত চিত্রকলা জাদুঘর গ্রন্থাগার বইমেলা উৎসব পূজা ঈদ "
         "নির্বাচন সংসদ আদালত পুলিশ সেনা সীমান্ত দূতাবাস চুক্তি সম্মেলন আলোচনা প্রতিবাদ মিছিল "
         "বিজ্ঞান গবেষণা উপগ্রহ রকেট টিকা ভাইরাস জলবায়ু বন উপকূল দ্বীপ চর হাওর").split()


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def write_feed(path, n):
    items = []
    for i in range(n, 0, -1):
        words = " ".join(VOCAB[(i - 1) * 6:i * 6])  # no word shared: never one story
        items.append("<item><title>পুতিন %s</title><guid>item-%d</guid>"
                     "<link>http://127.0.0.1/item/%d</link></item>" % (words, i, i))
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                "<title>t</title><link>http://127.0.0.1/</link>%s</channel></rss>"
                % "".join(items))
    os.replace(tmp, path)


def wait_for(what, cond):
    harness.wait_or_exit(what, cond, DEADLINE_S)


def read_lines(proc, n):
    """Read n lines from proc's stdout, each within the deadline."""
    lines = []
    deadline = time.monotonic() + DEADLINE_S
    while len(lines) < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
            fail("the subscriber printed %d of %d alerts" % (len(lines), n))
        line = proc.stdout.readline()
        if not line:
            fail("the subscriber exited after %d of %d alerts" % (len(lines), n))
        lines.append(json.loads(line))
    return lines


with tempfile.TemporaryDirectory() as tmp:
    root = os.path.join(tmp, "feeds")
    os.mkdir(root)
    feed = os.path.join(root, "feed.xml")
    write_feed(feed, 3)
    server = subprocess.Popen([sys.executable, feed_server, "--root", root, "--stdin-lifeline"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    pub, ctl = "ipc://%s/pub" % tmp, "ipc://%s/ctl" % tmp
    os.mkdir(os.path.join(tmp, "wl"))
    with open(os.path.join(tmp, "wl", "putin.toml"), "w") as f:
        f.write('rules = ["পুতিন"]\n')
    config = os.path.join(tmp, "khobor.toml")
    with open(config, "w") as f:
        f.write('watchlists = "wl"\n[store]\npath = "state.db"\n'
                '[publish]\nendpoint = "%s"\n[control]\nendpoint = "%s"\n'
                '[poll]\nbacklog = "all"\ninterval = "1s"\n[log]\nlevel = "warning"\n'
                '[[feed]]\nid = "f"\nurl = "http://127.0.0.1:%d/feed.xml"\n' % (pub, ctl, port))
    daemon = subprocess.Popen([khobord, "--config", config])
    state = os.path.join(tmp, "sub.state")
    sub_cmd = [sys.executable, subscriber, "--publish", pub, "--control", ctl, "--state", state,
               "--idle-timeout", str(DEADLINE_S)]
    procs = [server, daemon]
    try:
        # 1. It receives the first three alerts, then stops (--count 3).
        first = subprocess.Popen(sub_cmd + ["--count", "3"], stdout=subprocess.PIPE, text=True)
        procs.append(first)
        got = read_lines(first, 3)
        if first.wait(timeout=DEADLINE_S) != 0:
            fail("the subscriber exited %d" % first.returncode)
        # 2. While it is away, three more alerts are published.
        write_feed(feed, 6)
        wait_for("khobord to publish seq 6", lambda: last_seq(ctl) >= 6)
        # 3. Restarted, it catches up through replay, then follows the live stream.
        second = subprocess.Popen(sub_cmd + ["--count", "5"], stdout=subprocess.PIPE, text=True)
        procs.append(second)
        got += read_lines(second, 3)
        write_feed(feed, 8)
        got += read_lines(second, 2)
        if second.wait(timeout=DEADLINE_S) != 0:
            fail("the subscriber exited %d" % second.returncode)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
        server.stdin.close()

    ids = [a["entry"]["id"] for a in got]
    seqs = [a["seq"] for a in got]
    print("received %s" % list(zip(seqs, ids)))
    if sorted(ids) != sorted("item-%d" % i for i in range(1, 9)):
        fail("expected item-1..item-8 exactly once, got %s" % ids)
    if seqs != list(range(1, 9)):
        fail("expected seq 1..8 in order, got %s" % seqs)
    with open(state) as f:
        if int(f.read()) != 8:
            fail("the state file does not hold 8")
print("ok: 8 alerts exactly once across a restart of the subscriber")
