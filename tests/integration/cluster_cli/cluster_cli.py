#!/usr/bin/python3
"""`khobor cluster` as a user runs it: one JSON line per record, in order, with the
contract's keys; a bad record is reported with its line number and skipped; the
window is honoured. Usage: cluster_cli.py KHOBOR FIXTURE"""
import json
import subprocess
import sys

khobor, fixture = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(args, stdin=None):
    return subprocess.run([khobor, "cluster", *args], input=stdin, capture_output=True,
                          text=True, timeout=60)


res = run([fixture])
check(res.returncode == 1, f"exit 1 when a record is bad, got {res.returncode}")
check(":4:" in res.stderr and '"id"' in res.stderr,
      f"stderr names line 4 and the missing id: {res.stderr!r}")
lines = [json.loads(line) for line in res.stdout.splitlines()]
check([l["id"] for l in lines] == ["flash-1", "report-1", "fair-1", "copy-1", "copy-late"],
      f"one line per good record, in order: {res.stdout}")
for l in lines:
    check(list(l.keys()) == ["id", "story", "duplicate_of", "score", "event", "event_p"],
          f"keys in order: {l}")
by_id = {l["id"]: l for l in lines}
if len(by_id) == 5:
    check(by_id["flash-1"]["duplicate_of"] is None, "the first record starts a story")
    check(by_id["report-1"]["story"] == by_id["flash-1"]["story"]
          and by_id["report-1"]["duplicate_of"] == "flash-1",
          "the full report joins the earlier RSS item's story")
    check(by_id["fair-1"]["duplicate_of"] is None
          and by_id["fair-1"]["story"] != by_id["flash-1"]["story"],
          "another event at the same place is its own story")
    check(by_id["copy-1"]["duplicate_of"] == "flash-1" and by_id["copy-1"]["score"] >= 0.5,
          "the copy joins with a score of at least the threshold")
    check(by_id["copy-late"]["duplicate_of"] is None,
          "ten days later (outside the 48 h window) the same text starts a new story")

# Standard input gives the same answers; a wider window joins the late copy.
with open(fixture, encoding="utf-8") as f:
    text = f.read()
same = run(["-"], stdin=text)
check(same.stdout == res.stdout, "stdin and FILE give the same output")
wide = run(["--window", "720"], stdin=text)
wide_lines = {json.loads(l)["id"]: json.loads(l) for l in wide.stdout.splitlines()}
check(wide_lines.get("copy-late", {}).get("duplicate_of") == "flash-1",
      "with --window 720 the late copy joins the story")

missing = run(["/nonexistent/file.jsonl"])
check(missing.returncode == 2 and "/nonexistent/file.jsonl" in missing.stderr,
      "a missing file is a usage error naming it")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("khobor cluster: contract holds")
