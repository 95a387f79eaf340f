#!/usr/bin/python3
"""One alert per event, end to end: three outlets' own write-ups of one launch
capsize (written for this test: shared names, places and numbers in headline and
lede, each in its own words, as Bengali outlets report one happening) reach a real
khobord through a real HTTP server on loopback; a real `khobor sub` prints one alert
and two story updates naming the same event, the updates as lines under the alert;
a related but different capsize the next day gives its own alert.

The three reports share the names, places and numbers of the capsize (the launch,
Haimchar, the Meghna, 12 dead, 37 rescued) in headline and lede; which level joins
them (the story level's verification or the event level's model) is the engine's
business: this test pins what subscribers see.

With --coalesce, [alerts] group_interval is a few seconds: the two later reports
wait in the store (khobord is restarted meanwhile) and go out, when the interval has
passed, as one update naming both.

usage: events_test.py KHOBORD KHOBOR FEED_SERVER [--coalesce]
"""
import calendar
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import harness  # noqa: E402
from harness import last_seq  # noqa: E402

khobord, khobor, feed_server = sys.argv[1:4]
COALESCE = "--coalesce" in sys.argv[4:]
GROUP_INTERVAL_S = 10 if COALESCE else 0
DEADLINE_S = 60

# Friday 10 July 2026: the MV Sonar Tori capsizes in the Meghna off Haimchar, Chandpur.
CAPSIZE = {
    "dainik-purbo": (
        "চাঁদপুরে মেঘনায় লঞ্চডুবি, ১২ জনের মৃত্যু",
        "চাঁদপুরের হাইমচরে মেঘনা নদীতে শুক্রবার সকালে এমভি সোনার তরী নামের একটি যাত্রীবাহী লঞ্চ "
        "ডুবে অন্তত ১২ জনের মৃত্যু হয়েছে। ৩৭ জনকে জীবিত উদ্ধার করা হয়েছে। লঞ্চটিতে প্রায় ১৫০ জন "
        "যাত্রী ছিলেন বলে জানিয়েছে নৌ পুলিশ। ঢাকা থেকে বরিশালগামী লঞ্চটি ঝড়ের কবলে পড়ে ডুবে যায়।",
        "Fri, 10 Jul 2026 04:10:00 +0000"),
    "sokaler-barta": (
        "ঝড়ে উল্টে গেল ঢাকা-বরিশাল রুটের লঞ্চ, নিহত ১২",
        "বরিশালগামী এমভি সোনার তরী শুক্রবার ভোরে হাইমচর উপজেলার কাছে মেঘনায় প্রবল ঝড়ো হাওয়ার "
        "মুখে ডুবে যায়। নৌ পুলিশের চাঁদপুর অঞ্চলের পুলিশ সুপার জানান, বেলা ১১টা পর্যন্ত ১২টি লাশ "
        "পাওয়া গেছে, ৩৭ যাত্রী সাঁতরে বা স্থানীয় জেলেদের নৌকায় তীরে উঠেছেন। কোস্টগার্ড ও ফায়ার "
        "সার্ভিসের ডুবুরিরা নিখোঁজদের খুঁজছেন।",
        "Fri, 10 Jul 2026 04:35:00 +0000"),
    "desh-khobor": (
        "মেঘনায় সোনার তরী ডুবি: এখনো নিখোঁজ অনেকে, ১২ মরদেহ উদ্ধার",
        "দেড় শতাধিক যাত্রী নিয়ে ঢাকার সদরঘাট থেকে ছেড়ে যাওয়া লঞ্চটি চাঁদপুর পেরোনোর পর হাইমচরের "
        "কাছে ঝড়ের মধ্যে পড়ে। প্রত্যক্ষদর্শীরা বলছেন, কয়েক মিনিটের মধ্যে লঞ্চটি কাত হয়ে তলিয়ে "
        "যায়। উদ্ধারকারীরা এ পর্যন্ত ১২ জনের মরদেহ তুলেছেন; জীবিত উদ্ধার ৩৭ জন। জেলা প্রশাসন পাঁচ "
        "সদস্যের তদন্ত কমিটি গঠন করেছে।",
        "Fri, 10 Jul 2026 05:02:00 +0000"),
}
# Saturday: another launch, another river, other numbers — related, not the same event.
NEXT_DAY = (
    "মুন্সীগঞ্জে পদ্মায় বাল্কহেডের ধাক্কায় লঞ্চডুবি, নিহত ৫",
    "মুন্সীগঞ্জের লৌহজংয়ে পদ্মা নদীতে শনিবার বিকেলে বালুবাহী বাল্কহেডের ধাক্কায় এমভি রূপসী-৩ "
    "নামের একটি লঞ্চ ডুবে পাঁচজনের মৃত্যু হয়েছে। লঞ্চটিতে ৬০ জনের মতো যাত্রী ছিলেন; ৪২ জনকে "
    "জীবিত উদ্ধার করা হয়েছে। আগের দিন চাঁদপুরে মেঘনায় লঞ্চডুবির পর দুই দিনে এটি দ্বিতীয় লঞ্চ দুর্ঘটনা।",
    "Sat, 11 Jul 2026 11:20:00 +0000")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def item(outlet, slug, story):
    title, desc, date = story
    return ("<item><title>%s</title><link>https://%s.example/national/%s</link>"
            "<guid>https://%s.example/national/%s</guid><pubDate>%s</pubDate>"
            "<description>%s</description></item>" % (title, outlet, slug, outlet, slug, date, desc))


def write_feed(root, outlet, items):
    path = os.path.join(root, outlet + ".xml")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                "<title>%s</title><link>https://%s.example/</link>%s</channel></rss>"
                % (outlet, outlet, "".join(items)))
    os.replace(path + ".tmp", path)


def wait_for(what, cond):
    harness.wait_or_exit(what, cond, DEADLINE_S)


def sub(pub, ctl, fmt, n):
    res = subprocess.run([khobor, "sub", "--endpoint", pub, "--control", ctl, "--from-start",
                          "--format", fmt, "--count", str(n), "--timeout", str(DEADLINE_S)],
                         capture_output=True, text=True, timeout=DEADLINE_S + 10)
    if res.returncode != 0:
        fail("khobor sub --format %s exited %d: %s" % (fmt, res.returncode, res.stderr))
    return res.stdout.splitlines()


def utc(stamp):
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def pending_entries(db):
    """new_entries of the update waiting in the store (0: none)."""
    con = sqlite3.connect(db, timeout=5)
    try:
        row = con.execute("SELECT pending FROM event_alerts WHERE due > 0").fetchone()
        return json.loads(row[0])["new_entries"] if row else 0
    finally:
        con.close()


def coalesce(root, tmp, pub, ctl, config, procs):
    """Both later reports within the group_interval: one update, after it, across a restart."""
    for outlet in ("sokaler-barta", "desh-khobor"):
        write_feed(root, outlet, [item(outlet, "meghna-launch", CAPSIZE[outlet])])
    db = os.path.join(tmp, "state.db")
    wait_for("both reports to wait in the store", lambda: pending_entries(db) == 2)
    if last_seq(ctl) != 1:
        fail("nothing is sent before the group_interval has passed (last seq %d)" % last_seq(ctl))
    daemon = procs.pop()
    daemon.terminate()
    if daemon.wait(timeout=10) != 0:
        fail("khobord exited %d on SIGTERM" % daemon.returncode)
    procs.append(subprocess.Popen([khobord, "--config", config]))
    wait_for("the coalesced update", lambda: last_seq(ctl) >= 2)
    alert, update = [json.loads(l) for l in sub(pub, ctl, "json", 2)]
    if "new_entries" not in update or update["event"]["id"] != alert["event"]["id"]:
        fail("the second message is an update of the alerted event: %s" % update)
    if update["new_entries"] != 2 or sorted(update["new_sources"]) != ["desh-khobor",
                                                                       "sokaler-barta"]:
        fail("the update names both reports: %s" % update)
    if utc(update["time"]) - utc(alert["time"]) < GROUP_INTERVAL_S:
        fail("the update went out a group_interval after the alert: %s, %s"
             % (alert["time"], update["time"]))
    if pending_entries(db) != 0 or last_seq(ctl) != 2:
        fail("the update was sent once and nothing waits (last seq %d)" % last_seq(ctl))
    print("events --coalesce: two reports within the group_interval, one update after it")


with tempfile.TemporaryDirectory() as tmp:
    root = os.path.join(tmp, "feeds")
    os.mkdir(root)
    for outlet in CAPSIZE:
        write_feed(root, outlet, [])
    write_feed(root, "dainik-purbo",
               [item("dainik-purbo", "launch-capsize-meghna", CAPSIZE["dainik-purbo"])])
    server = subprocess.Popen([sys.executable, feed_server, "--root", root, "--stdin-lifeline"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    pub, ctl = "ipc://%s/pub" % tmp, "ipc://%s/ctl" % tmp
    os.mkdir(os.path.join(tmp, "wl"))
    with open(os.path.join(tmp, "wl", "launch.toml"), "w", encoding="utf-8") as f:
        f.write('name = "launch"\nrules = ["লঞ্চ OR লঞ্চডুবি"]\n')
    config = os.path.join(tmp, "khobor.toml")
    with open(config, "w", encoding="utf-8") as f:
        f.write('watchlists = "wl"\n[store]\npath = "state.db"\n'
                '[publish]\nendpoint = "%s"\n[control]\nendpoint = "%s"\n'
                '[poll]\nbacklog = "all"\ninterval = "1s"\n[alerts]\ngroup_interval = %d\n[log]\nlevel = "warning"\n'
                % (pub, ctl, GROUP_INTERVAL_S))
        for outlet in CAPSIZE:
            f.write('[[feed]]\nid = "%s"\nurl = "http://127.0.0.1:%d/files/%s.xml"\n'
                    % (outlet, port, outlet))
    daemon = subprocess.Popen([khobord, "--config", config])
    procs = [server, daemon]
    try:
        # 1. The first outlet's report: the alert.
        wait_for("the first alert", lambda: last_seq(ctl) >= 1)
        if COALESCE:
            coalesce(root, tmp, pub, ctl, config, procs)
            sys.exit(0)
        # 2. The two other outlets' write-ups of the same capsize: updates of its event.
        for outlet in ("sokaler-barta", "desh-khobor"):
            write_feed(root, outlet, [item(outlet, "meghna-launch", CAPSIZE[outlet])])
        wait_for("two more messages", lambda: last_seq(ctl) >= 3)
        # 3. The next day's capsize in another river: an alert of its own.
        write_feed(root, "desh-khobor", [
            item("desh-khobor", "padma-launch", NEXT_DAY),
            item("desh-khobor", "meghna-launch", CAPSIZE["desh-khobor"])])
        wait_for("the next day's message", lambda: last_seq(ctl) >= 4)

        got = [json.loads(l) for l in sub(pub, ctl, "json", 4)]
        kinds = ["update" if "new_entries" in m else "alert" for m in got]
        if kinds != ["alert", "update", "update", "alert"]:
            fail("expected alert, update, update, alert; got %s: %s" % (kinds, got))
        first, u1, u2, other = got
        event = first["event"]["id"]
        if first["feed"] != "dainik-purbo" or first["watchlist"] != "launch":
            fail("the alert is the first outlet's report on list launch: %s" % first)
        for u in (u1, u2):
            if u["event"]["id"] != event or u["watchlist"] != "launch":
                fail("each update names the alerted event and its list: %s" % u)
        if {u1["feed"], u2["feed"]} != {"sokaler-barta", "desh-khobor"}:
            fail("the updates are the two other outlets' reports: %s %s" % (u1, u2))
        if u2["event"]["outlet_count"] != 3 or u2["event"]["entry_count"] != 3:
            fail("the second update counts three outlets and entries: %s" % u2)
        if other["event"]["id"] == event or other["entry"]["title"] != NEXT_DAY[0]:
            fail("the next day's capsize is an event of its own: %s" % other)
        if last_seq(ctl) != 4:
            fail("nothing else was sent (last seq %d)" % last_seq(ctl))

        # What a person at a terminal reads: the updates as lines under their alert.
        text = sub(pub, ctl, "text", 4)
        if not (text[0].startswith("#1 ") and "event %d]" % event in text[0]):
            fail("the alert line names its event: %r" % text[0])
        for line in text[1:3]:
            if not (line.startswith("  └ #") and "event %d: " % event in line):
                fail("an update is one line under its event: %r" % line)
        if "3 outlets" not in text[2]:
            fail("the second update line counts the outlets: %r" % text[2])
        if text[3].startswith(" "):
            fail("the next day's alert is not under the first event: %r" % text[3])
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
print("events: one alert and two updates for one event, and its own alert for the next day's")
