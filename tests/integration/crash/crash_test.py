#!/usr/bin/python3
"""The crash test: khobord is killed with SIGKILL at random moments while it polls
feeds that gain entries over time and a `khobor sub --state` subscriber follows
it. At the end the subscriber must hold every expected alert exactly once, in
seq order, and the store must pass PRAGMA integrity_check.

usage: crash_test.py KHOBORD KHOBOR FEED_SERVER [--kills N] [--grow G] [--seed S]
The default run kills 20 times; KHOBOR_CRASH_KILLS=200 (or --kills 200) for more.
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

import zmq

ap = argparse.ArgumentParser()
ap.add_argument("khobord")
ap.add_argument("khobor")
ap.add_argument("feed_server")
ap.add_argument("--kills", type=int, default=int(os.environ.get("KHOBOR_CRASH_KILLS", "20")))
ap.add_argument("--grow", type=int, default=None,
                help="entries each feed reaches (default: 20, or kills / 2 when more)")
ap.add_argument("--seed", type=int, default=int(os.environ.get("KHOBOR_CRASH_SEED", "0")) or None)
args = ap.parse_args()
if args.grow is None:
    args.grow = max(20, args.kills // 2)
seed = args.seed if args.seed is not None else random.randrange(1 << 30)
rnd = random.Random(seed)
FEEDS = ["a", "b", "c", "d"]
FINAL_DEADLINE_S = 120


def fail(msg):
    print("FAIL (seed %d): %s" % (seed, msg), file=sys.stderr)
    sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    server = subprocess.Popen([sys.executable, args.feed_server, "--root", tmp, "--grow-max",
                               str(args.grow), "--stdin-lifeline"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    pub = "ipc://%s/pub" % tmp
    ctl = "ipc://%s/ctl" % tmp
    os.mkdir(os.path.join(tmp, "wl"))
    with open(os.path.join(tmp, "wl", "putin.toml"), "w") as f:
        f.write('name = "putin"\nrules = ["পুতিন"]\n')
    config = os.path.join(tmp, "khobor.toml")
    with open(config, "w") as f:
        f.write('watchlists = "%s/wl"\n' % tmp)
        f.write('[store]\npath = "%s/state.db"\n' % tmp)
        f.write('[publish]\nendpoint = "%s"\n[control]\nendpoint = "%s"\n' % (pub, ctl))
        f.write('[poll]\nbacklog = "all"\ninterval = "1s"\n')
        # Every entry its own message (an alert, or an update of the story it joins):
        # coalescing is tested in tests/unit/daemon/event_delivery_test.cpp.
        f.write('[alerts]\ngroup_interval = 0\n')
        f.write('[log]\nlevel = "warning"\n')
        for name in FEEDS:
            f.write('[[feed]]\nid = "%s"\nurl = "http://127.0.0.1:%d/grow/%s.xml"\n' % (name, port, name))

    out_path = os.path.join(tmp, "alerts.jsonl")
    out = open(out_path, "w")
    sub = subprocess.Popen([args.khobor, "sub", "--endpoint", pub, "--control", ctl,
                            "--state", os.path.join(tmp, "sub.state"), "--json"],
                           stdout=out, stderr=subprocess.DEVNULL)

    def start():
        return subprocess.Popen([args.khobord, "--config", config],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def requests(name):
        with urllib.request.urlopen("http://127.0.0.1:%d/count/grow/%s.xml" % (port, name)) as r:
            return int(r.read())

    def status(endpoint):
        s = zmq.Context.instance().socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, 1000)
        s.connect(endpoint)
        try:
            s.send_json({"cmd": "status"})
            return s.recv_json()
        except zmq.Again:
            return None
        finally:
            s.close()

    def received():
        with open(out_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    daemon = None
    try:
        for k in range(args.kills):
            daemon = start()
            # The random moment: anywhere from start-up to mid-poll to publishing.
            time.sleep(rnd.uniform(0.05, 0.8))
            if daemon.poll() is not None:
                fail("khobord exited by itself (status %d) before kill %d" % (daemon.returncode, k))
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
        print("killed khobord %d times with SIGKILL" % args.kills)

        during_kills = len(received())
        daemon = start()
        expected = {"%s-%d" % (name, i) for name in FEEDS for i in range(1, args.grow + 1)}
        deadline = time.monotonic() + FINAL_DEADLINE_S
        # Serving (signals are handled from here on): the control socket answers.
        while status(ctl) is None:
            if time.monotonic() > deadline or daemon.poll() is not None:
                fail("the last khobord never answered on its control socket")
            time.sleep(0.1)  # polling for the condition, with a deadline
        while time.monotonic() < deadline:
            if all(requests(n) > args.grow for n in FEEDS):
                got = {a["entry"]["id"] for a in received()}
                if expected <= got:
                    break
            time.sleep(0.2)  # polling for the condition, with a deadline
        final = status(ctl)
        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=10) != 0:
            fail("khobord exited %d on SIGTERM" % daemon.returncode)
        requests_seen = sum(requests(n) for n in FEEDS)
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        sub.terminate()
        sub.wait(timeout=10)
        out.close()
        server.stdin.close()
        server.wait(timeout=10)

    alerts = received()
    ids = [a["entry"]["id"] for a in alerts]
    seqs = [a["seq"] for a in alerts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    missing = sorted(expected - set(ids))
    extra = sorted(set(ids) - expected)
    print("alerts received %d (%d while khobord was being killed), expected %d, missing %d, "
          "duplicated %d, unexpected %d; last seq %s, feed requests %s"
          % (len(ids), during_kills, len(expected), len(missing), len(dupes), len(extra),
             final and final["alerts"]["last_seq"], requests_seen))
    if missing:
        fail("missing alerts: %s" % missing[:20])
    if dupes:
        fail("alerts received more than once: %s" % dupes[:20])
    if extra:
        fail("unexpected alerts: %s" % extra[:20])
    if any(b <= a for a, b in zip(seqs, seqs[1:])):
        fail("seq not strictly increasing: %s" % seqs)
    db = sqlite3.connect(os.path.join(tmp, "state.db"))
    check = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    if check != "ok":
        fail("PRAGMA integrity_check: %s" % check)
    print("ok: %d kills, %d alerts exactly once in seq order, integrity_check ok (seed %d)"
          % (args.kills, len(ids), seed))
print("1 passed, 0 failed")
