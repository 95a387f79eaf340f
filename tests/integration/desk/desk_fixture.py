"""What the desk's integration tests share: a feed server on loopback, a real
khobord polling it every second with ipc endpoints, feeds written on demand,
and polling helpers with deadlines (never a sleep to wait for something)."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import harness  # noqa: E402

DEADLINE_S = 60
# Distinct words per entry, so no two entries read as the same story.
VOCAB = ("নদী পাহাড় বাজার বিদ্যালয় হাসপাতাল সেতু রেল বন্দর কৃষক শ্রমিক শিক্ষক চিকিৎসক "
         "বৃষ্টি বন্যা খরা ঝড় ধান পাট চা মাছ বিদ্যুৎ গ্যাস তেল সোনা রপ্তানি আমদানি বাজেট "
         "কর ব্যাংক ঋণ সঞ্চয় বিমান জাহাজ সড়ক মেট্রো উড়ালসড়ক টানেল ক্রিকেট ফুটবল হকি দাবা "
         "উপন্যাস কবিতা নাটক চলচ্চিত্র সংগীত চিত্রকলা জাদুঘর গ্রন্থাগার বইমেলা উৎসব পূজা ঈদ").split()


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def wait_for(what, cond, deadline_s=DEADLINE_S):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.05)  # polling for the condition, with a deadline
    fail("timed out waiting for " + what)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def entry_title(i):
    return "পুতিন " + " ".join(VOCAB[(i - 1) * 6 % len(VOCAB):][:6]) + " %d" % i


def write_feed(path, items):
    """items: (guid, title, link) newest first."""
    body = "".join("<item><title>%s</title><guid>%s</guid><link>%s</link></item>"
                   % (xml_escape(t), xml_escape(g), xml_escape(l)) for g, t, l in items)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                "<title>t</title><link>http://127.0.0.1/</link>%s</channel></rss>" % body)
    os.replace(tmp, path)


def numbered_items(n):
    return [("item-%d" % i, entry_title(i), "http://127.0.0.1/item/%d" % i)
            for i in range(n, 0, -1)]


class Khobord:
    """A feed server and khobord in `tmp`, with one feed `f` (feed.xml)."""

    def __init__(self, khobord, feed_server, tmp, extra_config="", curve_secret=None,
                 extra_feeds=()):
        """extra_feeds: (id, path on the feed server), e.g. ("broken", "/fault/500")."""
        self.tmp = tmp
        self.procs = []
        root = os.path.join(tmp, "feeds")
        os.makedirs(root, exist_ok=True)
        self.feed = os.path.join(root, "feed.xml")
        write_feed(self.feed, [])
        self.server = subprocess.Popen(
            [sys.executable, feed_server, "--root", root, "--stdin-lifeline"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.procs.append(self.server)
        port = int(self.server.stdout.readline().split()[1])
        self.pub, self.ctl = "ipc://%s/pub" % tmp, "ipc://%s/ctl" % tmp
        os.makedirs(os.path.join(tmp, "wl"), exist_ok=True)
        with open(os.path.join(tmp, "wl", "putin.toml"), "w") as f:
            f.write('rules = ["পুতিন"]\n')
        key = '\ncurve_secret_key = "%s"' % curve_secret if curve_secret else ""
        self.config = os.path.join(tmp, "khobor.toml")
        self.store = os.path.join(tmp, "state.db")
        with open(self.config, "w") as f:
            f.write('watchlists = "wl"\n[store]\npath = "state.db"\n'
                    '[publish]\nendpoint = "%s"%s\n[control]\nendpoint = "%s"%s\n'
                    '[poll]\ninterval = "1s"\n[alerts]\ngroup_interval = 0\n'
                    '[log]\nlevel = "warning"\n%s\n'
                    '[[feed]]\nid = "f"\nurl = "http://127.0.0.1:%d/feed.xml"\n'
                    % (self.pub, key, self.ctl, key, extra_config, port))
            for feed_id, path in extra_feeds:
                f.write('[[feed]]\nid = "%s"\nurl = "http://127.0.0.1:%d%s"\n'
                        % (feed_id, port, path))
        self.daemon = subprocess.Popen([khobord, "--config", self.config])
        self.procs.append(self.daemon)
        self.curve_server_public = None

    def request(self, req, server_public=None):
        return harness.control(self.ctl, req, 2000, server_public)

    def last_seq(self, server_public=None):
        r = self.request({"cmd": "status"}, server_public)
        return r["alerts"]["last_seq"] if r else -1

    def wait_ready(self, server_public=None):
        wait_for("khobord to answer", lambda: self.last_seq(server_public) >= 0)

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.server.stdin.close()
