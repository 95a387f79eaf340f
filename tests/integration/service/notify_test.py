#!/usr/bin/python3
"""sd_notify against a real NOTIFY_SOCKET: khobord must say READY=1 after its
first load, WATCHDOG=1 at the rate WATCHDOG_USEC asks, RELOADING=1 then READY=1
on SIGHUP, STOPPING=1 on SIGTERM, a STATUS= line a person can read, and exit 0.

usage: notify_test.py KHOBORD FEED_SERVER FIXTURES_DIR
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

khobord, feed_server, fixtures = sys.argv[1:4]
DEADLINE_S = 20


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    server = subprocess.Popen([sys.executable, feed_server, "--root", fixtures, "--stdin-lifeline"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    os.mkdir(os.path.join(tmp, "wl"))
    with open(os.path.join(tmp, "wl", "w.toml"), "w") as f:
        f.write('name = "w"\nrules = ["পুতিন"]\n')
    config = os.path.join(tmp, "khobor.toml")
    with open(config, "w") as f:
        f.write('watchlists = "%s/wl"\n[store]\npath = "%s/state.db"\n'
                '[publish]\nendpoint = "tcp://127.0.0.1:*"\n[control]\nendpoint = "tcp://127.0.0.1:*"\n'
                '[poll]\nbacklog = "all"\ninterval = "1m"\n'
                '[[feed]]\nid = "one"\nurl = "http://127.0.0.1:%d/grow/one.xml"\n' % (tmp, tmp, port))

    sock_path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.5)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="2000000")  # 2 s: khobord pings every 1 s
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen([khobord, "--config", config], env=env)
    messages = []  # (time, field)

    def pump():
        """Read the next datagram (up to 0.5 s) into `messages`."""
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            return
        messages.extend((time.monotonic(), f) for f in data.split("\n") if f)

    def wait_for(pred, what, after=-1):
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            for i, (_, m) in enumerate(messages):
                if i > after and pred(m):
                    return i
            if proc.poll() is not None and what != "exit":
                fail("khobord exited with %s before %s" % (proc.returncode, what))
            pump()
        fail("no %s within %d s; got %r" % (what, DEADLINE_S, [m for _, m in messages]))

    try:
        wait_for(lambda m: m == "READY=1", "READY=1")
        print("ok: READY=1")
        wait_for(lambda m: m.startswith("STATUS="), "STATUS=")
        status = [m for _, m in messages if m.startswith("STATUS=")]
        print("ok: " + status[-1])
        if "feed" not in status[-1]:
            fail("STATUS= does not say how the feeds are: " + status[-1])
        # Watchdog: at least 4 pings, spaced no more than the watchdog interval.
        deadline = time.monotonic() + DEADLINE_S
        while sum(1 for _, m in messages if m == "WATCHDOG=1") < 5 and time.monotonic() < deadline:
            pump()
        pings = [t for t, m in messages if m == "WATCHDOG=1"]
        if len(pings) < 5:
            fail("only %d WATCHDOG=1 in %d s" % (len(pings), DEADLINE_S))
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        if max(gaps) > 2.0:
            fail("WATCHDOG=1 gaps %r exceed the 2 s watchdog" % gaps)
        print("ok: %d WATCHDOG=1, largest gap %.3f s" % (len(pings), max(gaps)))

        proc.send_signal(signal.SIGHUP)
        reloading = wait_for(lambda m: m == "RELOADING=1", "RELOADING=1")
        wait_for(lambda m: m == "READY=1", "READY=1 after RELOADING=1", after=reloading)
        print("ok: RELOADING=1 then READY=1 on SIGHUP")

        proc.send_signal(signal.SIGTERM)
        wait_for(lambda m: m == "STOPPING=1", "STOPPING=1")
        print("ok: STOPPING=1 on SIGTERM")
        rc = proc.wait(timeout=DEADLINE_S)
        if rc != 0:
            fail("khobord exited %d after SIGTERM" % rc)
        print("ok: exit 0")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.stdin.close()
        server.wait(timeout=10)
print("1 passed, 0 failed")
