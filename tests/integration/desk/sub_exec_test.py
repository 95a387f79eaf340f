#!/usr/bin/python3
"""`khobor sub --exec CMD --state FILE` against a real khobord, with real child
processes: CMD runs once per message with the JSON on stdin and the KHOBOR_*
variables; a failing CMD is retried (the seq is saved only after it succeeds)
and never skipped, also across a restart of khobor sub; updates run it too.
Then the documented recipes (docs/examples/exec/) run for real: the chat
webhook with jq and curl against an HTTP server on loopback; the mail and the
desktop notification with stand-ins for sendmail and notify-send on PATH
(neither is installed on a build machine), whose input is checked.

usage: sub_exec_test.py KHOBORD KHOBOR FEED_SERVER EXAMPLES_DIR"""
import base64
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

from desk_fixture import Khobord, entry_title, fail, numbered_items, wait_for, write_feed

khobord, khobor, feed_server, examples = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))


def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def successes(log):
    return [int(r["env"]["KHOBOR_SEQ"]) for r in read_log(log) if r["ok"]]


def sub_exec(k, cmd, state, count, timeout, extra_env=None):
    env = dict(os.environ, **(extra_env or {}))
    return subprocess.run([khobor, "sub", "--config", k.config, "--state", state,
                           "--exec", cmd, "--count", str(count), "--timeout", str(timeout)],
                          capture_output=True, text=True, timeout=timeout + 30, env=env)


def check_environment(log):
    for r in read_log(log):
        m, env = json.loads(r["stdin"]), r["env"]
        want = {"KHOBOR_SEQ": str(m["seq"]), "KHOBOR_TITLE": m["entry"]["title"],
                "KHOBOR_LINK": m["entry"]["link"], "KHOBOR_FEED": m["feed"],
                "KHOBOR_WATCHLIST": m["watchlist"], "KHOBOR_EVENT": str(m["event"]["id"]),
                "KHOBOR_KIND": "alert" if "rule" in m else "update"}
        for key, value in want.items():
            if env.get(key) != value:
                fail("%s is %r, the message says %r" % (key, env.get(key), value))
        if env["KHOBOR_KIND"] == "alert" and "পুতিন" not in env["KHOBOR_TERMS"]:
            fail("KHOBOR_TERMS lacks the matched term: %r" % env["KHOBOR_TERMS"])


def exactly_once(k, tmp):
    log, faildir, state = (os.path.join(tmp, n) for n in ("exec.log", "fail", "sub.state"))
    os.mkdir(faildir)
    cmd = "/usr/bin/python3 %s/exec_probe.py %s %s" % (here, log, faildir)
    with open(os.path.join(faildir, "fail-2"), "w") as f:
        f.write("2")  # seq 2 fails twice, then succeeds
    write_feed(k.feed, numbered_items(3))
    wait_for("khobord to publish seq 3", lambda: k.last_seq() >= 3)
    r = sub_exec(k, cmd, state, 3, 30)
    if r.returncode != 0 or successes(log) != [1, 2, 3]:
        fail("first run: exit %d, successes %s: %s" % (r.returncode, successes(log), r.stderr))
    tries = [int(x["env"]["KHOBOR_SEQ"]) for x in read_log(log)]
    if tries != [1, 2, 2, 2, 3] or "try 2" not in r.stderr:
        fail("seq 2 was not retried twice in order: %s / %s" % (tries, r.stderr))
    print("ok: a failing command is retried, then the next seq runs")
    # seq 4 keeps failing: khobor sub gives up at its --timeout, seq 5 never runs,
    # the state stays at 3.
    with open(os.path.join(faildir, "fail-4"), "w") as f:
        f.write("1000")
    items = numbered_items(5)
    write_feed(k.feed, items)
    wait_for("khobord to publish seq 5", lambda: k.last_seq() >= 5)
    r = sub_exec(k, cmd, state, 2, 2)
    if r.returncode != 1 or successes(log) != [1, 2, 3] or open(state).read().strip() != "3":
        fail("a failing seq 4: exit %d, successes %s" % (r.returncode, successes(log)))
    if any(x["env"]["KHOBOR_SEQ"] == "5" for x in read_log(log)):
        fail("seq 5 ran while seq 4 had not succeeded")
    print("ok: a command that keeps failing holds the position (state 3, seq 5 not run)")
    # Mended, the next run delivers 4, 5 and an update of 5's event (a copy of it).
    os.remove(os.path.join(faildir, "fail-4"))
    write_feed(k.feed, [("item-5-copy", entry_title(5), "http://127.0.0.1/copy/5")] + items)
    wait_for("khobord to publish the update", lambda: k.last_seq() >= 6)
    r = sub_exec(k, cmd, state, 3, 30)
    if r.returncode != 0 or successes(log) != [1, 2, 3, 4, 5, 6]:
        fail("after the mend: exit %d, successes %s: %s" % (r.returncode, successes(log), r.stderr))
    if open(state).read().strip() != "6":
        fail("the state file does not hold 6")
    if read_log(log)[-1]["env"]["KHOBOR_KIND"] != "update":
        fail("seq 6 is no update: %s" % read_log(log)[-1]["env"])
    check_environment(log)
    print("ok: every message ran the command exactly once, in seq order, KHOBOR_* right")


class Hook(http.server.BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        Hook.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def stand_in(bindir, name, outfile):
    path = os.path.join(bindir, name)
    with open(path, "w") as f:
        f.write('#!/bin/sh\n{ printf "%%s\\n" "$*"; cat; } > %s\n' % outfile)
    os.chmod(path, 0o755)


def recipes(k, tmp):
    hook = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    stand_in(bindir, "sendmail", os.path.join(tmp, "mail.out"))
    stand_in(bindir, "notify-send", os.path.join(tmp, "notify.out"))
    env = {"PATH": bindir + ":" + os.environ["PATH"], "KHOBOR_MAIL_TO": "desk@example.org",
           "KHOBOR_WEBHOOK_URL": "http://127.0.0.1:%d/hook" % hook.server_address[1]}
    first = k.request({"cmd": "replay", "since": 0, "limit": 1})["alerts"][0]["alert"]
    title, link = first["entry"]["title"], first["entry"]["link"]
    for name in ("slack", "mail", "notify"):
        r = sub_exec(k, os.path.join(examples, name + ".sh"), os.path.join(tmp, name + ".state"),
                     1, 30, env)
        if r.returncode != 0:
            fail("recipe %s: exit %d: %s" % (name, r.returncode, r.stderr))
    text = json.loads(Hook.bodies[0])["text"]
    if title not in text or link not in text:
        fail("the webhook got %r" % text)
    mail = open(os.path.join(tmp, "mail.out"), encoding="utf-8").read()
    subject = base64.b64encode(("[putin] " + title).encode()).decode()
    if "To: desk@example.org" not in mail or subject not in mail or title not in mail:
        fail("sendmail got %r" % mail)
    notify = open(os.path.join(tmp, "notify.out"), encoding="utf-8").read()
    if "khobor: putin" not in notify or title not in notify:
        fail("notify-send got %r" % notify)
    hook.shutdown()
    print("ok: the webhook, mail and notification recipes deliver the first alert")


with tempfile.TemporaryDirectory() as tmp:
    k = Khobord(khobord, feed_server, tmp)
    try:
        k.wait_ready()
        exactly_once(k, tmp)
        recipes(k, tmp)
    finally:
        k.close()
print("ok: khobor sub --exec")
