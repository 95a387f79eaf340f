#!/usr/bin/python3
"""The command `khobor sub --exec` runs in sub_exec_test.py: it appends what it
got (stdin, the KHOBOR_* variables, whether it succeeded) as one JSON line to
LOG, and fails while FAILDIR/fail-<seq> holds a count above zero (one less
each time).  usage: exec_probe.py LOG FAILDIR"""
import json
import os
import sys

log, faildir = sys.argv[1:3]
stdin = sys.stdin.read()
env = {k: v for k, v in os.environ.items() if k.startswith("KHOBOR_")}
plan = os.path.join(faildir, "fail-" + env.get("KHOBOR_SEQ", "?"))
ok = True
if os.path.exists(plan):
    with open(plan) as f:
        left = int(f.read())
    if left > 0:
        ok = False
        with open(plan, "w") as f:
            f.write(str(left - 1))
with open(log, "a") as f:
    f.write(json.dumps({"ok": ok, "stdin": stdin, "env": env}, ensure_ascii=False) + "\n")
sys.exit(0 if ok else 1)
