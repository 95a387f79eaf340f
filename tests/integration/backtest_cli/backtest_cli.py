#!/usr/bin/python3
"""`khobor backtest` on a small archive written for the test: snapshots replayed in
time order through the daemon's pipeline, entries seen in an earlier snapshot
skipped, one alert per (event, watch list), a story.update when a later matching
entry joins an alerted event, coalesced to one per --group-interval.
Usage: backtest_cli.py KHOBOR FIXTURES_DIR"""
import json
import subprocess
import sys

khobor, fixtures = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


res = subprocess.run([khobor, "backtest", "--archive", f"{fixtures}/archive", "--watchlists",
                      f"{fixtures}/watchlists", "--no-summary"],
                     capture_output=True, text=True, timeout=60)
check(res.returncode == 0, f"exit 0, got {res.returncode}: {res.stderr}")
lines = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
alerts = [l for l in lines if l["type"] == "alert"]
updates = [l for l in lines if l["type"] == "story.update"]
check([(a["watchlist"], a["entry"]["id"]) for a in alerts]
      == [("climate", "a.example.test/report-1"), ("fair", "b.example.test/fair-1")],
      f"one alert per story and list, in time order: {alerts}")
if alerts:
    s = alerts[0]["story"]
    check(set(s.keys()) == {"id", "sources", "first_seen"}, f"story carries id, sources, first_seen: {s}")
    check(s["first_seen"] == "2025-03-10T04:00:00Z" and s["sources"] == ["outlet-a"],
          f"first seen at the first snapshot's time: {s}")
    check([u["entry"]["id"] for u in updates] == ["b.example.test/copy-1", "a.example.test/flash-1"],
          f"the copy and the flash item update the alerted story: {updates}")
    check(all(u["story"] == s["id"] for u in updates), "updates name the alerted story")
    if updates:
        check(updates[0]["outlet_count"] == 2 and updates[-1]["entry_count"] == 3,
              f"outlet and entry counts grow: {updates}")
        check(all(u["event"]["id"] == alerts[0]["event"]["id"] for u in updates),
              "updates name the alerted event")
    check(alerts[0]["event"]["sources"] == ["outlet-a"], f"alerts carry their event: {alerts[0]}")

# With a 3 h group_interval the copy (05:30) and the flash (06:00) wait for 07:00
# and go out as one update naming both.
res = subprocess.run([khobor, "backtest", "--archive", f"{fixtures}/archive", "--watchlists",
                      f"{fixtures}/watchlists", "--no-summary", "--group-interval", "3h"],
                     capture_output=True, text=True, timeout=60)
check(res.returncode == 0, f"exit 0 with --group-interval, got {res.returncode}: {res.stderr}")
lines = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
coalesced = [l for l in lines if l["type"] == "story.update"]
check(len(coalesced) == 1, f"one coalesced update: {coalesced}")
if coalesced:
    u = coalesced[0]
    check(u["new_entries"] == 2 and u["new_sources"] == ["outlet-b", "outlet-a"]
          and u["time"] == "2025-03-10T07:00:00Z" and u["entry"]["id"] == "a.example.test/flash-1",
          f"the update names both entries and goes out when due: {u}")

# --backlog none: each outlet's first snapshot alerts nothing, as a new feed's first
# poll with [poll] backlog = "none"; the report's event counts as alerted, so the
# flash item of outlet-a's second snapshot is an update of it.
res = subprocess.run([khobor, "backtest", "--archive", f"{fixtures}/archive", "--watchlists",
                      f"{fixtures}/watchlists", "--no-summary", "--backlog", "none"],
                     capture_output=True, text=True, timeout=60)
check(res.returncode == 0, f"exit 0 with --backlog none, got {res.returncode}: {res.stderr}")
lines = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
check([(l["type"], l["entry"]["id"]) for l in lines] == [("story.update", "a.example.test/flash-1")],
      f"--backlog none: only the later snapshot's entry, as an update: {lines}")
bad = subprocess.run([khobor, "backtest", "--archive", f"{fixtures}/archive", "--watchlists",
                      f"{fixtures}/watchlists", "--backlog", "soon"],
                     capture_output=True, text=True, timeout=60)
check(bad.returncode == 2 and "--backlog" in bad.stderr, "a bad --backlog is a usage error")

bad = subprocess.run([khobor, "backtest", "--archive", "/nonexistent", "--watchlists",
                      f"{fixtures}/watchlists"], capture_output=True, text=True, timeout=60)
check(bad.returncode == 2 and "/nonexistent" in bad.stderr, "a missing archive is a usage error")

if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("khobor backtest: alerts and story updates as expected")
