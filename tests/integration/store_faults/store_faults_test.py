#!/usr/bin/python3
"""Store faults are one poll's problem (issue 14): khobord polls two growing feeds
(tests/servers/feed_server.py /grow/, one new entry per request, every entry
matching the watch list) while the test breaks its store, then mends it:

  Busy      a second connection holds the write lock (BEGIN IMMEDIATE)
  Full      the store's file system is full (a small tmpfs filled to the last
            byte; needs a private mount namespace: root, or skipped)
  ReadOnly  the store file is not writable for khobord's user when it starts
            (as root khobord runs as nobody, so the file mode counts)
  Refused   a corrupt file and another program's database at start-up

Checked for each fault: khobord keeps running and keeps polling on its interval
(no backoff: the outlets did nothing wrong), logs the fault once when it begins
and once when it ends, shows it in `khobor status` (store_health and the feeds'
store_error); after the fault clears, alerts flow again within seconds, and in
the end `khobor sub --state` holds every entry's alert exactly once while a raw
subscriber never saw a seq twice. Refused: exit 65, a message naming the file,
the file left byte for byte as it was.

usage: store_faults_test.py KHOBORD KHOBOR FEED_SERVER [unittest args]
No sleeps to wait: every wait polls its condition with a deadline.
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from harness import control, start_feed_server, wait_for  # noqa: E402

KHOBORD, KHOBOR, FEED_SERVER = sys.argv[1:4]
del sys.argv[1:4]
FEEDS = ["a", "b"]
GROW = 14  # entries each feed reaches
SKIP = 77  # CTest's SKIP_RETURN_CODE for this test


class RawSub(threading.Thread):
    """Every seq that reaches a plain SUB socket, duplicates included."""

    def __init__(self, endpoint):
        super().__init__(daemon=True)
        self.endpoint, self.seqs, self.stop = endpoint, [], False

    def run(self):
        s = zmq.Context.instance().socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, 200)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(self.endpoint)
        while not self.stop:
            try:
                frames = s.recv_multipart()
            except zmq.Again:
                continue
            self.seqs.append(json.loads(frames[1])["seq"])
        s.close()


class World:
    """The feed server, the config, khobord, `khobor sub --state` and a raw SUB."""

    def __init__(self, store_dir=None, run_as=None):
        self.tmp = tempfile.mkdtemp(prefix="khobor-storefaults.")
        os.chmod(self.tmp, 0o777)  # khobord may run as nobody
        self.store_dir = store_dir or self.tmp
        self.db = os.path.join(self.store_dir, "state.db")
        self.run_as = run_as
        self.server, self.port = start_feed_server(FEED_SERVER, self.tmp, "--grow-max", str(GROW))
        self.pub, self.ctl = "ipc://%s/pub" % self.tmp, "ipc://%s/ctl" % self.tmp
        os.mkdir(os.path.join(self.tmp, "wl"))
        with open(os.path.join(self.tmp, "wl", "putin.toml"), "w") as f:
            f.write('name = "putin"\nrules = ["পুতিন"]\n')
        os.chmod(os.path.join(self.tmp, "wl"), 0o755)
        self.config = os.path.join(self.tmp, "khobor.toml")
        with open(self.config, "w") as f:
            f.write('watchlists = "%s/wl"\n[store]\npath = "%s"\n' % (self.tmp, self.db))
            f.write('[publish]\nendpoint = "%s"\n[control]\nendpoint = "%s"\n' % (self.pub, self.ctl))
            f.write('[poll]\nbacklog = "all"\ninterval = "1s"\n[alerts]\ngroup_interval = 0\n')
            f.write('[log]\nlevel = "info"\n')
            for name in FEEDS:
                f.write('[[feed]]\nid = "%s"\nurl = "http://127.0.0.1:%d/grow/%s.xml"\n'
                        % (name, self.port, name))
        self.out_path = os.path.join(self.tmp, "alerts.jsonl")
        self.out = open(self.out_path, "w")
        self.sub = subprocess.Popen([KHOBOR, "sub", "--endpoint", self.pub, "--control", self.ctl,
                                     "--state", os.path.join(self.tmp, "sub.state"), "--json"],
                                    stdout=self.out, stderr=subprocess.DEVNULL)
        self.raw = RawSub(self.pub)
        self.raw.start()
        self.daemon = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.log_path = os.path.join(self.tmp, "khobord-%d.log" % self.runs)
        cmd = [KHOBORD, "--config", self.config]
        if self.run_as is not None:
            cmd = ["setpriv", "--reuid=%d" % self.run_as, "--regid=%d" % self.run_as,
                   "--clear-groups"] + cmd
        with open(self.log_path, "w") as log:
            self.daemon = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.status() is not None, 20, "khobord's control socket")

    def stop(self):
        self.daemon.send_signal(signal.SIGTERM)
        return self.daemon.wait(timeout=20)

    def close(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait()
        self.raw.stop = True
        self.raw.join(5)
        self.sub.terminate()
        self.sub.wait(timeout=10)
        self.out.close()
        self.server.stdin.close()
        self.server.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self):
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def requests(self, name):
        with urllib.request.urlopen("http://127.0.0.1:%d/count/grow/%s.xml" % (self.port, name)) as r:
            return int(r.read())

    def status(self):
        return control(self.ctl, {"cmd": "status"})

    def received(self):
        with open(self.out_path) as f:
            return [json.loads(line) for line in f if line.strip()]


class StoreFault:
    """The scenario every fault shares; `inject` and `clear` are the fault's."""

    cause = ""  # a word of store_health.error while the fault lasts
    status_timeout = 20

    def scenario(self, w, inject, clear):
        w.start()
        wait_for(lambda: len(w.received()) >= 2, 30, "the first alerts")
        inject()
        wait_for(lambda: "the store %s fails" % w.db in w.log(), 30, "the fault in the log")
        st = wait_for(lambda: self.failing(w), self.status_timeout, "the fault in khobor status")
        self.assertIn(self.cause, st["store_health"]["error"])
        # Polling goes on at the feeds' interval while the store fails: no backoff.
        before = {n: w.requests(n) for n in FEEDS}
        wait_for(lambda: all(w.requests(n) >= before[n] + 2 for n in FEEDS), 40,
                 "two more polls of each feed during the fault")
        self.assertIsNone(w.daemon.poll(), "khobord stopped during the fault")
        st = wait_for(lambda: self.feed_errors(w), self.status_timeout,
                      "a feed's store_error in khobor status")
        errors = [f["store_error"] for f in st["feeds"] if f["store_error"]]
        shown = subprocess.run([KHOBOR, "status", "--control", w.ctl, "--timeout", "20"],
                               capture_output=True, text=True, timeout=60).stdout
        self.assertIn("STORE FAILING since", shown)
        self.assertIn("not recorded: store fails (", shown)
        # The feeds are not at fault: no error of theirs, no backoff.
        self.assertTrue(all(f["consecutive_errors"] == 0 and f["error"] == "" for f in st["feeds"]),
                        st)
        got_before = len(w.received())
        cleared = time.monotonic()
        clear()
        wait_for(lambda: len(w.received()) > got_before, 30, "alerts after the fault cleared")
        latency = time.monotonic() - cleared
        wait_for(lambda: "works again" in w.log(), 10, "the end of the fault in the log")
        wait_for(lambda: (w.status() or {}).get("store_health", {}).get("error") == "", 10,
                 "the fault gone from khobor status")
        expected = {"%s-%d" % (n, i) for n in FEEDS for i in range(1, GROW + 1)}
        wait_for(lambda: expected <= {a["entry"]["id"] for a in w.received()}, 90,
                 "every entry's alert")
        self.assertEqual(w.stop(), 0)
        ids = [a["entry"]["id"] for a in w.received()]
        self.assertEqual(sorted(ids), sorted(expected), "each alert exactly once")
        dupes = [s for s in set(w.raw.seqs) if w.raw.seqs.count(s) > 1]
        self.assertEqual(dupes, [], "a seq published twice")
        log = w.log()
        print("%s: %d feed(s) showed store_error %s; first alert %.1f s after the fault cleared; "
              "%d alerts exactly once; 'fails' logged %d time(s), 'works again' %d"
              % (type(self).__name__, len(errors), errors[:1], latency, len(ids),
                 log.count("fails ("), log.count("works again, after")))
        return log

    def feed_errors(self, w):
        st = w.status()
        if st and any(f["store_error"] for f in st["feeds"]):
            return st
        return None

    def failing(self, w):
        st = w.status()
        if st and st["store_health"]["error"]:
            return st
        return None


class Busy(StoreFault, unittest.TestCase):
    cause = "locked"
    status_timeout = 40  # the loop waits out the busy timeout (5 s) on each write

    def test_a_held_write_lock_costs_polls_not_alerts(self):
        w = World()
        holder = {}

        def inject():
            con = sqlite3.connect(w.db, timeout=30, isolation_level=None)
            con.execute("BEGIN IMMEDIATE")
            holder["con"] = con

        def clear():
            holder["con"].rollback()
            holder["con"].close()

        try:
            log = self.scenario(w, inject, clear)
            self.assertEqual(log.count("fails ("), 1, log)
        finally:
            w.close()


def in_private_mounts():
    return os.environ.get("KHOBOR_TEST_MOUNTNS") == "1"


class Full(StoreFault, unittest.TestCase):
    cause = "full"

    def test_a_full_disk_costs_polls_not_alerts(self):
        self.assertTrue(in_private_mounts(), "run through __main__, which enters one")
        mnt = tempfile.mkdtemp(prefix="khobor-full.")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0777", "tmpfs", mnt], check=True)
        w = World(store_dir=mnt)
        filler = os.path.join(mnt, "filler")

        def inject():
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                while True:
                    os.write(fd, b"\0" * 4096)
            except OSError:
                pass  # ENOSPC: the file system is full
            finally:
                os.close(fd)

        try:
            self.scenario(w, inject, lambda: os.remove(filler))
        finally:
            w.close()
            subprocess.run(["umount", "-l", mnt])


class ReadOnly(StoreFault, unittest.TestCase):
    cause = "readonly"

    def test_a_read_only_store_costs_polls_and_is_reopened_when_writable(self):
        run_as = 65534 if os.geteuid() == 0 else None
        if run_as is not None and shutil.which("setpriv") is None:
            self.skipTest("root without setpriv: a file mode cannot stop root")
        w = World(run_as=run_as)
        files = lambda: [p for p in (w.db, w.db + "-wal", w.db + "-shm") if os.path.exists(p)]

        def inject():
            # Restarted on a store its user cannot write (a backup restored as root).
            self.assertEqual(w.stop(), 0)
            for p in files():
                os.chmod(p, 0o444)
            w.start()

        def clear():
            for p in files():
                os.chmod(p, 0o666)

        try:
            log = self.scenario(w, inject, clear)
            self.assertIn("is writable again: reopened", log)
        finally:
            w.close()


class Refused(unittest.TestCase):
    def run_on(self, content):
        tmp = tempfile.mkdtemp(prefix="khobor-refused.")
        db = os.path.join(tmp, "state.db")
        if isinstance(content, bytes):
            with open(db, "wb") as f:
                f.write(content)
        else:
            content(db)
        with open(db, "rb") as f:
            before = f.read()
        config = os.path.join(tmp, "khobor.toml")
        with open(config, "w") as f:
            f.write('[store]\npath = "%s"\n[publish]\nendpoint = "ipc://%s/pub"\n'
                    '[control]\nendpoint = "ipc://%s/ctl"\n' % (db, tmp, tmp))
        p = subprocess.run([KHOBORD, "--config", config], capture_output=True, text=True,
                           timeout=30)
        with open(db, "rb") as f:
            after = f.read()
        shutil.rmtree(tmp)
        return p, before, after

    def test_a_corrupt_store_is_refused_and_left_as_it_is(self):
        p, before, after = self.run_on(b"SQLite format 3\0" + os.urandom(4080))
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn("state.db is not an SQLite database or is corrupt", p.stderr)
        self.assertEqual(before, after)

    def test_a_text_file_is_refused(self):
        p, before, after = self.run_on(b"notes I keep here\n" * 100)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertEqual(before, after)

    def test_another_programs_database_is_refused_and_not_written(self):
        def make(db):
            con = sqlite3.connect(db)
            con.execute("CREATE TABLE recipes (name TEXT)")
            con.execute("INSERT INTO recipes VALUES ('ilish')")
            con.commit()
            con.close()

        p, before, after = self.run_on(make)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn("is not a khobor store", p.stderr)
        self.assertIn("recipes", p.stderr)
        self.assertEqual(before, after)


if __name__ == "__main__":
    # Full needs a private mount namespace for its small tmpfs: re-run this file
    # inside one, or skip (CTest's SKIP_RETURN_CODE) where none can be made.
    if any(a.startswith("Full") for a in sys.argv[1:]) and not in_private_mounts():
        if os.geteuid() != 0 or shutil.which("unshare") is None or \
                subprocess.run(["unshare", "-m", "true"]).returncode != 0:
            print("skipped: a private mount namespace (root and unshare -m) is needed here")
            sys.exit(SKIP)
        env = dict(os.environ, KHOBOR_TEST_MOUNTNS="1")
        sys.exit(subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable,
                                 __file__, KHOBORD, KHOBOR, FEED_SERVER] + sys.argv[1:],
                                env=env).returncode)
    unittest.main(verbosity=2)
