#!/usr/bin/python3
"""`khobor sub`, `status` and `reload` find khobord by its config file: the
endpoints and the CURVE public keys (derived from the config's secret keys)
come from --config when no option names them; options override; a bad
[control] key is refused with its place (exit 78).

usage: tools_config_test.py KHOBORD KHOBOR FEED_SERVER"""
import json
import os
import subprocess
import sys
import tempfile

from desk_fixture import Khobord, fail, numbered_items, wait_for, write_feed

khobord, khobor, feed_server = sys.argv[1:4]


def run(*args, timeout=60):
    return subprocess.run([khobor, *args], capture_output=True, text=True, timeout=timeout)


def keypair():
    out = run("keygen").stdout.split()
    return out[1], out[3]  # "public P secret S"


with tempfile.TemporaryDirectory() as tmp:
    public, secret = keypair()
    k = Khobord(khobord, feed_server, tmp, curve_secret=secret)
    try:
        k.wait_ready(public)
        write_feed(k.feed, numbered_items(2))
        wait_for("khobord to publish seq 2", lambda: k.last_seq(public) >= 2)

        # 1. status and reload: the control endpoint and its key from the config.
        r = run("status", "--config", k.config, "--json")
        if r.returncode != 0:
            fail("status --config: exit %d: %s" % (r.returncode, r.stderr))
        if json.loads(r.stdout)["control_endpoint"] != k.ctl:
            fail("status answered from elsewhere: " + r.stdout)
        r = run("reload", "--config", k.config)
        if r.returncode != 0 or "reloaded" not in r.stdout:
            fail("reload --config: exit %d: %s %s" % (r.returncode, r.stdout, r.stderr))
        print("ok: status and reload reach khobord over CURVE from --config alone")

        # 2. sub: both sockets and both keys from the config (replay needs control).
        r = run("sub", "--config", k.config, "--from-start", "--count", "2", "--timeout", "30")
        seqs = [json.loads(line)["seq"] for line in r.stdout.splitlines()]
        if r.returncode != 0 or seqs != [1, 2]:
            fail("sub --config: exit %d, seqs %s: %s" % (r.returncode, seqs, r.stderr))
        print("ok: sub --config replays and follows over CURVE")

        # 3. Options override the config: another endpoint is asked, not the config's.
        elsewhere = "ipc://%s/nothing-here" % tmp
        r = run("status", "--config", k.config, "--control", elsewhere, "--timeout", "0.5")
        if r.returncode != 1 or elsewhere not in r.stderr:
            fail("--control did not override the config: %d %s" % (r.returncode, r.stderr))
        # The config's endpoint without its key: the CURVE server does not answer.
        r = run("status", "--control", k.ctl, "--timeout", "0.5")
        if r.returncode != 1:
            fail("a plain client got an answer from a CURVE socket: " + r.stdout)
        # … and with the key given as an option it does.
        r = run("status", "--control", k.ctl, "--server-key", public, "--json")
        if r.returncode != 0:
            fail("--control with --server-key: exit %d: %s" % (r.returncode, r.stderr))
        print("ok: options override the config, the key goes with its endpoint")

        # 4. A bad [control] key is refused with its place, before any connection.
        bad = os.path.join(tmp, "bad.toml")
        with open(bad, "w") as f:
            f.write('[control]\nendpoint = "tcp://127.0.0.1:1"\ncurve_secret_key = "short"\n')
        for cmd in (["status"], ["reload"], ["sub", "--timeout", "1"]):
            r = run(*cmd, "--config", bad)
            if r.returncode != 78 or "bad.toml:3:" not in r.stderr:
                fail("%s with a bad config: exit %d: %s" % (cmd[0], r.returncode, r.stderr))
        # A problem elsewhere in the file (a feed) is khobord's business, not the tools'.
        other = os.path.join(tmp, "other.toml")
        with open(other, "w") as f:
            f.write('[control]\nendpoint = "%s"\ncurve_secret_key = "%s"\n'
                    '[[feed]]\nid = "x"\nurl = "ftp://nowhere/"\n' % (k.ctl, secret))
        r = run("status", "--config", other, "--json")
        if r.returncode != 0:
            fail("a feed's problem stopped status: %s" % r.stderr)
        r = run("status", "--config", os.path.join(tmp, "missing.toml"))
        if r.returncode != 78 or "missing.toml" not in r.stderr:
            fail("a missing --config file: exit %d: %s" % (r.returncode, r.stderr))
        print("ok: a bad or missing config is refused with its name (exit 78)")
    finally:
        k.close()

# 5. Without --config and without /etc/khobor/khobor.toml: the built-in defaults.
if not os.path.exists("/etc/khobor/khobor.toml"):
    r = run("status", "--timeout", "0.3")
    if r.returncode != 1 or "no answer from" not in r.stderr:
        fail("no default config: exit %d: %s" % (r.returncode, r.stderr))
    print("ok: no config file means the built-in endpoints")
print("ok: the tools find khobord by its config")
