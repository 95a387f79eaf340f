#!/usr/bin/python3
"""Fault integration tests: khobord against tests/servers/feed_server.py on loopback.

Every fault the server knows is one feed among good ones. The tests read the
store's feeds table (real SQLite) and the server's request counts, and check that
each fault becomes that feed's error with the right next-due time, that the good
feeds keep polling on time, that a 503/429 holds its whole domain, that a lasting
301 moves the feed and a 302 never does, that 410 retires the feed until
`khobor feed enable`, that memory stays bounded (the gzip bomb and the endless
body are cut at the cap), that nothing crashes, and that a self-signed TLS
certificate is refused with a clear error (and accepted with [http] ca_file).

usage: faults_test.py KHOBORD KHOBOR FEED_SERVER FIXTURES [unittest args]
No sleeps to wait: every wait polls its condition with a deadline.
"""
import email.utils
import os
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from harness import stop, wait_for  # noqa: E402
import harness  # noqa: E402

KHOBORD, KHOBOR, FEED_SERVER, FIXTURES = sys.argv[1:5]
del sys.argv[1:5]


def start_server(root, *extra):
    return harness.start_feed_server(FEED_SERVER, root, *extra)

# Feeds whose fault is answered at once: min = max interval 60 s, so the first
# backoff lands in [60 s, 120 s] and nothing is retried during the test.
SLOW = 'min_interval = "60s"\nmax_interval = "60s"\n'


def rows(db):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    except sqlite3.OperationalError:
        return {}  # not created yet
    try:
        con.row_factory = sqlite3.Row
        return {r["id"]: dict(r) for r in con.execute("SELECT * FROM feeds")}
    except sqlite3.OperationalError:
        return {}  # not migrated yet
    finally:
        con.close()


def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()  # unittest does not call it when setUpClass fails
            raise

    @classmethod
    def start(cls):
        cls.daemon = cls.server = None
        cls.tmp = tempfile.mkdtemp(prefix="khobor-faults.")
        files = cls.tmp  # the server serves its root under /files/ too
        shutil.copy(os.path.join(FIXTURES, "demo", "dainik-alo.xml"), os.path.join(files, "good.xml"))
        shutil.copy(os.path.join(FIXTURES, "demo", "khobor-chobbish.xml"),
                    os.path.join(files, "good2.xml"))
        shutil.copy(os.path.join(FIXTURES, "demo", "dainik-alo.xml"), os.path.join(files, "held.xml"))
        os.mkdir(os.path.join(cls.tmp, "wl"))
        with open(os.path.join(cls.tmp, "wl", "w.toml"), "w") as f:
            f.write('rules = ["পুতিন"]\n')
        cls.server, cls.port = start_server(cls.tmp)
        ip = "http://127.0.0.1:%d" % cls.port
        # "localhost" is another registrable domain than "127.0.0.1": the 503 and
        # feed on it is held, and the good feeds on 127.0.0.1 must not notice.
        lh = "http://localhost:%d" % cls.port
        cls.ip, cls.lh = ip, lh
        cls.feeds = {
            "good-a": (ip + "/files/good.xml", ""),
            "good-b": (ip + "/files/good2.xml", ""),
            "held": (lh + "/files/held.xml", ""),
            "f500": (ip + "/fault/500", SLOW),
            "f503": (lh + "/fault/503", SLOW),
            "f410": (ip + "/fault/410", ""),
            "moved": (ip + "/fault/301/2", ""),
            "temp": (ip + "/fault/302", ""),
            "loop": (ip + "/fault/loop", SLOW),
            "to-file": (ip + "/fault/to-file", SLOW),
            "to-gopher": (ip + "/fault/to-gopher", SLOW),
            "endless": (ip + "/fault/endless", SLOW),
            "trickle": (ip + "/fault/trickle", SLOW),
            "bad-gzip": (ip + "/fault/bad-gzip", SLOW),
            "gzip-bomb": (ip + "/fault/gzip-bomb", SLOW),
            "big": (ip + "/fault/big", SLOW),
            "html": (ip + "/fault/html", SLOW),
        }
        cls.db = os.path.join(cls.tmp, "state.db")
        cls.config = os.path.join(cls.tmp, "khobor.toml")
        with open(cls.config, "w") as f:
            f.write('watchlists = "wl"\n[store]\npath = "state.db"\n')
            f.write('[publish]\nendpoint = "ipc://%s/pub"\n' % cls.tmp)
            f.write('[control]\nendpoint = "ipc://%s/ctl"\n' % cls.tmp)
            f.write('[poll]\nbacklog = "all"\nmin_interval = "1s"\nmax_interval = "2s"\n')
            f.write('[http]\nconnect_timeout = "2s"\ntimeout = "8s"\nlow_speed_time = "3s"\n')
            f.write('[log]\nlevel = "info"\n')
            for fid, (url, extra) in cls.feeds.items():
                f.write('[[feed]]\nid = "%s"\nurl = "%s"\n%s' % (fid, url, extra))
        # The server makes its gzip bomb once, on the first request, holding
        # Python's GIL for seconds: do that before khobord starts, so the good
        # feeds are not slowed down by the test server itself.
        with urllib.request.urlopen(ip + "/fault/gzip-bomb", timeout=120) as r:
            r.read()
        cls.log_path = os.path.join(cls.tmp, "khobord.log")
        cls.log = open(cls.log_path, "w")
        cls.started = time.time()
        cls.daemon = subprocess.Popen([KHOBORD, "--config", cls.config], stdout=cls.log,
                                      stderr=subprocess.STDOUT)
        # Every feed has been tried once, and the good one several times.
        # Every feed has been tried once (the held one may wait for its domain).
        def untried():
            r = rows(cls.db)
            return sorted(f for f in cls.feeds if f not in r or
                          (r[f]["last_attempt"] == 0 and r[f]["next_due"] == 0))
        try:
            wait_for(lambda: not untried(), 60, "every feed to be tried")
        except AssertionError as e:
            raise AssertionError("%s; not tried: %s" % (e, untried())) from None
        wait_for(lambda: cls.count(ip, "/files/good.xml") >= 4, 30, "good-a polled 4 times")
        cls.hwm_kb = vm_hwm_kb(cls.daemon.pid)
        cls.state = rows(cls.db)

    @classmethod
    def tearDownClass(cls):
        if cls.daemon is not None and cls.daemon.poll() is None:
            cls.daemon.send_signal(signal.SIGTERM)
            try:
                cls.daemon.wait(10)
            except subprocess.TimeoutExpired:
                cls.daemon.kill()
                cls.daemon.wait()
        if cls.server is not None:
            stop(cls.server)
        if getattr(cls, "log", None) is not None:
            cls.log.close()
        if os.environ.get("KHOBOR_KEEP"):
            print("kept", cls.tmp, file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @staticmethod
    def count(base, path):
        with urllib.request.urlopen("%s/count%s" % (base, path), timeout=5) as r:
            return int(r.read())

    def feed(self, fid):
        return self.state[fid]

    def due_after_attempt_s(self, fid):
        r = self.feed(fid)
        return (r["next_due"] - r["last_attempt"]) / 1000.0

    def assert_error(self, fid, *needles):
        r = self.feed(fid)
        self.assertEqual(r["consecutive_errors"], 1, r)
        self.assertEqual(r["last_success"], 0, r)
        for n in needles:
            self.assertIn(n, r["error"], r)
        # The first backoff: min_interval + uniform(0, interval) = [60 s, 120 s].
        self.assertGreaterEqual(self.due_after_attempt_s(fid), 59, r)
        self.assertLessEqual(self.due_after_attempt_s(fid), 121, r)

    def test_daemon_survives_every_fault(self):
        self.assertIsNone(self.daemon.poll(), "khobord died; see " + self.log_path)

    def test_good_feeds_poll_on_time_among_the_faults(self):
        for fid in ("good-a", "good-b"):
            r = self.feed(fid)
            self.assertEqual(r["error"], "", r)
            self.assertGreater(r["entries"], 0, r)
            # Polled within its max interval (2 s), with slack for the load.
            self.assertLess(time.time() * 1000 - r["last_success"], 6000, r)

    def test_memory_stays_bounded_with_the_gzip_bomb_endless_and_big_bodies(self):
        # Uncapped, the bomb alone inflates to 256 MiB and the big body is 20 MB.
        self.assertLess(self.hwm_kb, 160 * 1024, "peak RSS %d kB" % self.hwm_kb)

    def test_500_backs_off_with_jitter(self):
        self.assert_error("f500", "HTTP 500")
        self.assertEqual(self.feed("f500")["http_status"], 500)
        self.assertEqual(self.count(self.ip, "/fault/500"), 1, "retried in a tight loop")

    def test_503_waits_for_its_retry_after_seconds(self):
        r = self.feed("f503")
        self.assertEqual(r["http_status"], 503)
        self.assertIn("wait 120 s", r["error"])
        self.assertAlmostEqual(self.due_after_attempt_s("f503"), 120, delta=2)

    def test_503_holds_the_whole_domain(self):
        # The feed on the same domain ("localhost") waits; at most its first poll
        # raced the 503, while good-a on 127.0.0.1 was polled again and again.
        self.assertLessEqual(self.count(self.lh, "/files/held.xml"), 1)
        held = self.feed("held")
        self.assertGreater(held["next_due"], time.time() * 1000 + 60_000, held)

    def test_410_retires_the_feed(self):
        r = self.feed("f410")
        self.assertEqual(r["retired"], 1, r)
        self.assertEqual(r["next_due"], 0, r)
        self.assertIn("410", r["error"])
        self.assertEqual(self.count(self.ip, "/fault/410"), 1)

    def test_301_on_three_polls_moves_the_feed_and_302_never_does(self):
        target = self.ip + "/files/good.xml"
        r = wait_for(lambda: rows(self.db)["moved"]["moved_to"] == target and rows(self.db)["moved"],
                     30, "the 301 feed to move")
        self.assertEqual(r["url"], target)
        self.assertEqual(r["moved_from"], self.ip + "/fault/301/2")
        self.assertEqual(self.count(self.ip, "/fault/301/2"), 3)
        with open(self.log_path) as f:
            self.assertIn("feed moved: moved permanently to " + target, f.read())
        wait_for(lambda: self.count(self.ip, "/fault/302") >= 3, 30, "three polls of the 302")
        t = rows(self.db)["temp"]
        self.assertEqual(t["moved_to"], "", t)
        self.assertEqual(t["url"], self.ip + "/fault/302", t)

    def test_redirect_loop_and_foreign_schemes_are_errors(self):
        self.assert_error("loop", "redirect")
        self.assert_error("to-file", "only http and https")
        self.assert_error("to-gopher", "only http and https")

    def test_endless_gzip_bomb_and_big_bodies_are_cut_at_the_cap(self):
        for fid in ("endless", "gzip-bomb", "big"):
            self.assert_error(fid, "larger than the cap of 16777216 bytes")

    def test_trickle_is_cut_by_the_low_speed_timeout(self):
        self.assert_error("trickle", "too slow")

    def test_truncated_gzip_is_an_error_or_a_recovered_feed(self):
        r = self.feed("bad-gzip")
        if r["error"]:
            self.assert_error("bad-gzip")
        else:
            self.assertGreater(r["entries"], 0, r)

    def test_html_page_is_an_unreadable_feed(self):
        self.assert_error("html", "unreadable feed")

    def test_zz_feed_enable_revives_a_retired_feed_on_reload(self):
        out = subprocess.run([KHOBOR, "feed", "enable", "f410", "--config", self.config],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("enabled again", out.stdout)
        self.assertEqual(rows(self.db)["f410"]["retired"], 0)
        self.daemon.send_signal(signal.SIGHUP)
        wait_for(lambda: self.count(self.ip, "/fault/410") >= 2, 20, "the revived feed to be polled")
        wait_for(lambda: rows(self.db)["f410"]["retired"] == 1, 20, "the feed to be retired again")
        bad = subprocess.run([KHOBOR, "feed", "enable", "nosuchfeed", "--config", self.config],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("nosuchfeed", bad.stderr)


def once(tmp, url, extra="", more_feeds=""):
    """khobord --once on one feed "f" at `url` (and `more_feeds`, TOML); returns f's
    store row and the log."""
    config = os.path.join(tmp, "khobor.toml")
    os.makedirs(os.path.join(tmp, "wl"), exist_ok=True)
    with open(config, "w") as f:
        f.write('watchlists = "wl"\n[store]\npath = "state.db"\n')
        f.write('[publish]\nendpoint = "ipc://%s/pub"\n' % tmp)
        f.write('[control]\nendpoint = "ipc://%s/ctl"\n' % tmp)
        f.write(extra)
        f.write('[[feed]]\nid = "f"\nurl = "%s"\n' % url)
        f.write(more_feeds)
    p = subprocess.run([KHOBORD, "--config", config, "--once"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return rows(os.path.join(tmp, "state.db"))["f"], p.stderr


class RetryAfterDate(unittest.TestCase):
    def test_429_waits_for_its_retry_after_http_date(self):
        tmp = tempfile.mkdtemp(prefix="khobor-429.")
        server, port = start_server(tmp)
        try:
            r, log = once(tmp, "http://127.0.0.1:%d/fault/429" % port)
            self.assertEqual(r["http_status"], 429, r)
            self.assertEqual(r["consecutive_errors"], 1, r)
            # The server's date is 300 s ahead, in whole seconds.
            self.assertAlmostEqual((r["next_due"] - r["last_attempt"]) / 1000.0, 300, delta=3)
            self.assertIn("domain 127.0.0.1: held for", log)
        finally:
            stop(server)
            shutil.rmtree(tmp, ignore_errors=True)

    def test_a_domain_hold_survives_a_restart(self):
        tmp = tempfile.mkdtemp(prefix="khobor-hold.")
        shutil.copy(os.path.join(FIXTURES, "demo", "dainik-alo.xml"), os.path.join(tmp, "good.xml"))
        server, port = start_server(tmp)
        base = "http://127.0.0.1:%d" % port
        try:
            r, _ = once(tmp, base + "/fault/429")
            self.assertEqual(r["http_status"], 429, r)
            con = sqlite3.connect(os.path.join(tmp, "state.db"))
            holds = con.execute("SELECT domain, until FROM domain_holds").fetchall()
            con.close()
            self.assertEqual(len(holds), 1, holds)
            self.assertEqual(holds[0][0], "127.0.0.1")
            self.assertAlmostEqual((holds[0][1] - r["last_attempt"]) / 1000.0, 300, delta=3)
            # A new khobord, with another feed on the same domain: neither is asked.
            good = '[[feed]]\nid = "g"\nurl = "%s/files/good.xml"\n' % base
            r2, log = once(tmp, base + "/fault/429", more_feeds=good)
            self.assertIn("domain 127.0.0.1: still held for", log)
            self.assertIn("feed g: skipped, its domain 127.0.0.1 asked to wait", log)
            self.assertEqual(Faults.count(base, "/fault/429"), 1)
            self.assertEqual(Faults.count(base, "/files/good.xml"), 0)
            self.assertEqual(r2["last_attempt"], r["last_attempt"], r2)
        finally:
            stop(server)
            shutil.rmtree(tmp, ignore_errors=True)


class PlannerMemory(unittest.TestCase):
    def test_the_budget_planners_memory_survives_a_restart(self):
        tmp = tempfile.mkdtemp(prefix="khobor-planner.")
        now = int(time.time())
        dates = [now - 3600, now - 7200, now - 10800]
        items = "".join("<item><title>t%d</title><link>http://x/%d</link><pubDate>%s</pubDate>"
                        "</item>" % (d, d, email.utils.formatdate(d)) for d in dates)
        with open(os.path.join(tmp, "recent.xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>r</title>%s'
                    '</channel></rss>' % items)
        server, port = start_server(tmp)
        url = "http://127.0.0.1:%d/files/recent.xml" % port
        budget = "[poll]\nrequests_per_day = 200\n"
        try:
            _, log = once(tmp, url, extra=budget)
            self.assertNotIn("budget planner:", log)
            db = os.path.join(tmp, "state.db")
            con = sqlite3.connect(db)
            mem = con.execute("SELECT feed_id, as_of, observed_since, feed_size, dated, times "
                              "FROM planner_memory").fetchall()
            self.assertEqual(len(mem), 1, mem)
            feed_id, as_of, since, size, dated, times = mem[0]
            self.assertEqual((feed_id, size, dated), ("f", 3, 1))
            self.assertAlmostEqual(as_of, now, delta=60)
            self.assertEqual(since, dates[-1])
            self.assertEqual(sorted(struct.unpack("<3q", times)), sorted(dates))
            # A feed gone from the configuration while khobord was down.
            con.execute("INSERT INTO planner_memory VALUES ('gone', 1, 1, 1, 1, x'')")
            con.commit()
            con.close()
            _, log = once(tmp, url, extra=budget)
            self.assertIn("budget planner: what it learnt of 1 feed(s) before the restart is "
                          "restored", log)
            con = sqlite3.connect(db)
            ids = [r[0] for r in con.execute("SELECT feed_id FROM planner_memory")]
            con.close()
            self.assertEqual(ids, ["f"])
        finally:
            stop(server)
            shutil.rmtree(tmp, ignore_errors=True)


    def test_the_budget_is_on_by_default_and_off_at_zero_per_feed(self):
        # The shipped default shares [poll] requests_per_feed_per_day (48) x the
        # feeds; its planner keeps what it learnt. Turned off, it keeps nothing.
        tmp = tempfile.mkdtemp(prefix="khobor-planner-default.")
        now = int(time.time())
        items = "".join("<item><title>t%d</title><link>http://x/%d</link><pubDate>%s</pubDate>"
                        "</item>" % (d, d, email.utils.formatdate(d))
                        for d in (now - 600, now - 1200))
        with open(os.path.join(tmp, "recent.xml"), "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>r</title>%s'
                    '</channel></rss>' % items)
        server, port = start_server(tmp)
        url = "http://127.0.0.1:%d/files/recent.xml" % port
        db = os.path.join(tmp, "state.db")

        def remembered():
            con = sqlite3.connect(db)
            try:
                return [r[0] for r in con.execute("SELECT feed_id FROM planner_memory")]
            finally:
                con.close()

        try:
            _, log = once(tmp, url, more_feeds='[[feed]]\nid = "g"\nurl = "%s?g"\n' % url)
            self.assertIn("2 feed(s) (a budget of 96 requests a day, 48 a feed)", log)
            self.assertEqual(sorted(remembered()), ["f", "g"])
            os.remove(db)
            _, log = once(tmp, url, extra="[poll]\nrequests_per_feed_per_day = 0\n")
            self.assertIn("1 feed(s) (no budget: each feed's interval adapts", log)
            self.assertEqual(remembered(), [])
        finally:
            stop(server)
            shutil.rmtree(tmp, ignore_errors=True)


class Tls(unittest.TestCase):
    def test_self_signed_certificate_is_refused_and_accepted_with_ca_file(self):
        tmp = tempfile.mkdtemp(prefix="khobor-tls.")
        try:
            shutil.copy(os.path.join(FIXTURES, "demo", "dainik-alo.xml"),
                        os.path.join(tmp, "good.xml"))
            os.mkdir(os.path.join(tmp, "wl"))
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", key, "-out", cert], check=True, capture_output=True)
            server, port = start_server(tmp, "--tls-cert", cert, "--tls-key", key)
            try:
                url = "https://127.0.0.1:%d/files/good.xml" % port

                def run(extra):
                    config = os.path.join(tmp, "khobor.toml")
                    with open(config, "w") as f:
                        f.write('watchlists = "wl"\n[store]\npath = "state.db"\n')
                        f.write('[publish]\nendpoint = "ipc://%s/pub"\n' % tmp)
                        f.write('[control]\nendpoint = "ipc://%s/ctl"\n' % tmp)
                        f.write(extra)
                        f.write('[[feed]]\nid = "tls"\nurl = "%s"\n' % url)
                    p = subprocess.run([KHOBORD, "--config", config, "--once"],
                                       capture_output=True, text=True, timeout=60)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    return rows(os.path.join(tmp, "state.db"))["tls"], p.stderr

                r, log = run("")
                self.assertEqual(r["http_status"], 0, r)
                self.assertIn("certificate", r["error"])
                self.assertIn("ca_file", r["error"])
                self.assertIn("certificate", log)
                r, _ = run('[http]\nca_file = "%s"\n' % cert)
                self.assertEqual(r["error"], "", r)
                self.assertEqual(r["http_status"], 200, r)
                self.assertGreater(r["entries"], 0, r)
            finally:
                stop(server)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
