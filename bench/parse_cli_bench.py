#!/usr/bin/python3
"""The whole `khobor parse` process beside Python feedparser, on the same files.

usage: bench/parse_cli_bench.py KHOBOR DIR [DIR...] [--rounds N] [--peer-rounds M]

For each DIR (every regular file under it, recursively, in name order):

  khobor      `KHOBOR parse FILE...`, one process for all the files, its JSON
              written to /dev/null: start-up, reading, parsing and writing the
              JSON, all of it. N runs (default 11).
  feedparser  one /usr/bin/python3 process (Debian's python3-feedparser) that
              reads each file and calls feedparser.parse on its bytes: start-up,
              import and parsing, no output (less work than khobor's). M runs
              (default 3).

Both are timed in the same run, by the wall clock and by CPU time (user + system
of the child, from getrusage); the medians are printed with the load average.
The ratio is feedparser's time over khobor's. Numbers, never pass/fail.

Start-up alone is timed too (`KHOBOR --version`: the dynamic loader mapping and
relocating every library the executable links, then exit, N runs), and each row
prints feedparser's CPU time over it: the most that any `khobor parse` in this
executable could reach on those files, however fast it parsed and wrote.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

PEER = """
import sys, feedparser
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        feedparser.parse(f.read())
"""
PYTHON = "/usr/bin/python3"  # Debian's, with python3-feedparser


def files_under(d):
    out = []
    for root, _, names in os.walk(d):
        out.extend(os.path.join(root, n) for n in names)
    return sorted(p for p in out if os.path.isfile(p))


def timed(argv):
    """(wall seconds, CPU seconds, exit status) of one run of argv."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        rc = subprocess.run(argv, stdout=null, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rc


def medians(argv, rounds):
    runs = [timed(argv) for _ in range(rounds)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
            max(r[2] for r in runs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("khobor")
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--peer-rounds", type=int, default=3)
    args = ap.parse_args()
    if subprocess.run([PYTHON, "-c", "import feedparser"]).returncode != 0:
        sys.exit("parse_cli_bench: %s has no feedparser (apt-get install python3-feedparser)"
                 % PYTHON)
    print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    s_wall, s_cpu, _ = medians([args.khobor, "--version"], args.rounds)
    print("khobor start-up alone (--version): %.1f ms wall, %.1f ms CPU" % (
        s_wall * 1e3, s_cpu * 1e3))
    print("%-34s %5s %7s | %9s %9s | %9s %9s | %7s %7s | %9s" % (
        "files", "n", "MB", "khobor ms", "cpu ms", "feedp. ms", "cpu ms", "× wall", "× cpu",
        "ceiling×"))
    for d in args.dirs:
        files = files_under(d)
        if not files:
            print("%s: no files" % d)
            continue
        mb = sum(os.path.getsize(p) for p in files) / 1e6
        k_wall, k_cpu, k_rc = medians([args.khobor, "parse"] + files, args.rounds)
        p_wall, p_cpu, p_rc = medians([PYTHON, "-c", PEER] + files, args.peer_rounds)
        note = ""
        if k_rc not in (0, 1) or p_rc != 0:
            note = "  (exit: khobor %d, feedparser %d)" % (k_rc, p_rc)
        elif k_rc == 1:
            note = "  (khobor: some inputs were not feeds)"
        name = os.path.normpath(d)
        name = name if len(name) <= 34 else "…" + name[-33:]
        print("%-34s %5d %7.2f | %9.1f %9.1f | %9.1f %9.1f | %6.0fx %6.0fx | %8.0fx%s" % (
            name, len(files), mb, k_wall * 1e3, k_cpu * 1e3, p_wall * 1e3, p_cpu * 1e3,
            p_wall / k_wall, p_cpu / max(k_cpu, 1e-9), p_cpu / max(s_cpu, 1e-9), note))
    print("load average after:  %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
