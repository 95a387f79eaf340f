#!/usr/bin/python3
"""Differential check of `khobor parse` against Python feedparser (Debian's
python3-feedparser) over every feed file under a directory (default: the real Bengali
feeds in ../shared/data/feeds-bd).

Per entry (matched by position) it compares: entry count per file, id (where feedparser
has one), title, link, and the published date (feedparser's published_parsed, else
updated_parsed, in UTC). A date khobor reads and feedparser cannot (Bengali digits and
month names) is counted as khobor's win, listed, and not as a disagreement.

usage: parse-differential.py KHOBOR_BINARY [DATA_DIR] [--min-agreement PERCENT] [--list N]
Exit 77 (CTest's skip) when DATA_DIR is absent; 1 when agreement is below the floor.
"""
import calendar
import json
import multiprocessing
import os
import subprocess
import sys


def feedparser_view(path):
    import feedparser  # Debian's, from /usr/bin/python3
    d = feedparser.parse(path)
    out = []
    for e in d.entries:
        t = e.get("published_parsed") or e.get("updated_parsed")
        out.append({
            "id": e.get("id"),
            "title": e.get("title", ""),
            "link": e.get("link", ""),
            "date": calendar.timegm(t) if t else None,
            "raw_date": e.get("published") or e.get("updated"),
        })
    return path, out, bool(d.bozo)


def epoch(ts):
    if not ts:
        return None
    import time
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def flat(s):
    return " ".join((s or "").split())


def main():
    args = sys.argv[1:]
    binary = args[0]
    here = os.path.dirname(os.path.abspath(__file__))
    data = args[1] if len(args) > 1 and not args[1].startswith("--") else \
        os.path.normpath(os.path.join(here, "..", "..", "shared", "data", "feeds-bd"))
    min_agree = float(args[args.index("--min-agreement") + 1]) if "--min-agreement" in args else 0.0
    list_n = int(args[args.index("--list") + 1]) if "--list" in args else 15
    if not os.path.isdir(data):
        print("SKIP: no data at %s (the real feeds are not part of a fresh clone)" % data)
        return 77
    files = sorted(os.path.join(r, n) for r, _, ns in os.walk(data) for n in ns
                   if n.endswith((".xml", ".rss", ".atom", ".json")) and "manifest" not in n)
    ours = {}
    for i in range(0, len(files), 100):
        batch = files[i:i + 100]
        p = subprocess.run([binary, "parse"] + batch, capture_output=True, timeout=600)
        for f, line in zip(batch, p.stdout.decode("utf-8").splitlines()):
            ours[f] = json.loads(line)
    with multiprocessing.Pool(2) as pool:
        theirs = {p: (v, b) for p, v, b in pool.map(feedparser_view, files, chunksize=8)}

    fields = {"id": [0, 0], "title": [0, 0], "link": [0, 0], "date": [0, 0]}
    entries = agree = 0
    count_mismatch, wins, disagreements = [], [], []
    for f in files:
        mine = ours.get(f, {"error": "no output"})
        their, _ = theirs[f]
        rel = os.path.relpath(f, data)
        if "error" in mine:
            count_mismatch.append((rel, len(their), "error: " + mine["error"]))
            entries += len(their)
            continue
        me = mine["entries"]
        if len(me) != len(their):
            count_mismatch.append((rel, len(their), len(me)))
        for a, b in zip(me, their):
            entries += 1
            ok = True
            checks = {
                "id": (b["id"], a["id"]) if b["id"] else None,
                "title": (flat(b["title"]), flat(a["title"])),
                "link": (b["link"], a["link"]),
            }
            mine_date = epoch(a["published"]) or epoch(a["updated"])
            if b["date"] is None and mine_date is not None:
                wins.append((rel, b["raw_date"], a["published"] or a["updated"]))
                checks["date"] = None
            else:
                checks["date"] = (b["date"], mine_date)
            for k, v in checks.items():
                if v is None:
                    continue
                fields[k][1] += 1
                if v[0] == v[1]:
                    fields[k][0] += 1
                else:
                    ok = False
                    disagreements.append((rel, k, v[0], v[1]))
            agree += ok
    rate = 100.0 * agree / max(1, entries)
    print("differential vs feedparser %s: %d files, %d entries" %
          (__import__("feedparser").__version__, len(files), entries))
    for k, (a, n) in fields.items():
        print("  %-6s agree %6d/%-6d %6.2f%%" % (k, a, n, 100.0 * a / max(1, n)))
    print("  entry count differs in %d files" % len(count_mismatch))
    print("  dates only khobor reads (Bengali; khobor's win): %d" % len(wins))
    print("entries agreeing on every field: %d/%d = %.2f%%" % (agree, entries, rate))
    for rel, n_theirs, n_mine in count_mismatch[:list_n]:
        print("COUNT %s: feedparser %s, khobor %s" % (rel, n_theirs, n_mine))
    seen = set()
    for rel, raw, mine in wins:
        if raw not in seen and len(seen) < 5:
            seen.add(raw)
            print("WIN   %s: %r -> %s" % (rel, raw, mine))
    for rel, k, t, m in disagreements[:list_n]:
        print("DIFF  %s %s: feedparser %r, khobor %r" % (rel, k, t, m))
    return 0 if rate >= min_agree else 1


if __name__ == "__main__":
    sys.exit(main())
