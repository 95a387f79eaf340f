#!/usr/bin/python3
"""Runs gofeed's parser and translator test data (vendored under
tests/fixtures/conformance/gofeed) against `khobor parse`.

Each input sits beside a JSON file of gofeed's expected result. We compare the fields
khobor models: feed title and link; per entry title, link, id (guid / Atom id / JSON id),
summary and content (as plain text: gofeed keeps HTML, khobor gives text), published and
updated (gofeed's parsed times), authors, categories, enclosure URLs, and the format. A
case with none of these fields is "not applicable".

usage: gofeed_suite.py KHOBOR_BINARY SUITE_DIR [--min-rate PERCENT] [--list]
Exit 1 when the pass rate of the applicable cases is below --min-rate.
"""
import calendar
import html
import json
import os
import re
import subprocess
import sys
import time


def plain(s):
    if not isinstance(s, str):
        return s
    s = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", s)
    s = re.sub(r"(?s)<!--.*?-->", "", s)
    s = re.sub(r"<[A-Za-z/!?][^>]*>", " ", s)
    s = html.unescape(s).replace("\xa0", " ")
    return " ".join(s.split())


def flat(s):
    return " ".join((s or "").split())


def epoch(ts):
    if not ts:
        return None
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$", ts)
    if not m:
        return None
    y, mo, d, h, mi, s, z = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if z != "Z":
        sign = 1 if z[0] == "+" else -1
        t -= sign * (int(z[1:3]) * 3600 + int(z[4:6]) * 60)
    return t


def run_khobor(binary, files):
    out = {}
    for i in range(0, len(files), 200):
        batch = files[i:i + 200]
        p = subprocess.run([binary, "parse"] + batch, capture_output=True, timeout=600)
        lines = p.stdout.decode("utf-8").splitlines()
        if len(lines) != len(batch):
            for f in batch:
                out[f] = {"error": "khobor parse crashed (exit %d)" % p.returncode}
            continue
        for f, line in zip(batch, lines):
            out[f] = json.loads(line)
    return out


FORMATS = {("rss", "2.0"): "rss20", ("rss", "0.91"): "rss09x", ("rss", "0.92"): "rss09x",
           ("rss", "0.93"): "rss09x", ("rss", "0.94"): "rss09x", ("rss", "1.0"): "rss10",
           ("rss", "0.90"): "rss090", ("atom", "1.0"): "atom10", ("atom", "0.3"): "atom03",
           ("json", "1.0"): "json10", ("json", "1.1"): "json11"}


def checks_for(kind, exp, ours):
    """Yields (field, expected, got) for every field of exp khobor models."""
    entries = ours.get("entries", [])
    if kind == "translator":
        if exp.get("title"):
            yield "title", plain(exp["title"]), flat(ours["title"])
        if exp.get("link"):
            yield "link", exp["link"], ours["link"]
        ft, fv = exp.get("feedType"), exp.get("feedVersion")
        if (ft, fv) in FORMATS:
            yield "format", FORMATS[(ft, fv)], ours["format"]
        items = exp.get("items") or []
    elif kind == "rss":
        if exp.get("title"):
            yield "title", plain(exp["title"]), flat(ours["title"])
        if exp.get("link"):
            yield "link", exp["link"], ours["link"]
        items = exp.get("items") or []
    elif kind == "atom":
        if exp.get("title"):
            yield "title", plain(exp["title"]), flat(ours["title"])
        items = exp.get("entries") or []
    else:  # json
        if exp.get("title"):
            yield "title", plain(exp["title"]), flat(ours["title"])
        if exp.get("home_page_url"):
            yield "link", exp["home_page_url"], ours["link"]
        items = exp.get("items") or []
    if items:
        yield "entry count", len(items), len(entries)
    for i, it in enumerate(items):
        if i >= len(entries):
            break
        e = entries[i]
        p = "entries[%d]." % i
        if it.get("title"):
            yield p + "title", plain(it["title"]), flat(e["title"])
        link = it.get("link") or it.get("url")
        if kind == "atom":
            alts = [l for l in it.get("links") or [] if l.get("rel") in (None, "", "alternate")]
            link = alts[0].get("href") if alts else None
        if link:
            yield p + "link", link, e["link"]
        guid = it.get("guid")
        if isinstance(guid, dict):
            guid = guid.get("value")
        if kind in ("atom", "json"):
            guid = it.get("id")
        if guid and guid.strip():
            yield p + "id", guid.strip(), e["id"]
        desc = it.get("description") if kind != "atom" else it.get("summary")
        if kind == "json":
            desc = it.get("summary")
        if desc and plain(desc):
            yield p + "summary", plain(desc), flat(e["summary"])
        content = it.get("content")
        if isinstance(content, dict):
            content = content.get("value")
        if kind == "json":
            content = it.get("content_html") or it.get("content_text")
        if content and plain(content):
            yield p + "content", plain(content), flat(e["content"])
        for key, ourkey in (("publishedParsed", "published"), ("updatedParsed", "updated"),
                            ("pubDateParsed", "published"), ("date_published", "published"),
                            ("date_modified", "updated")):
            if it.get(key):
                yield p + ourkey, epoch(it[key]), epoch(e[ourkey])
        cats = it.get("categories") or it.get("tags")
        if cats:
            names = [plain(c if isinstance(c, str) else (c.get("value") or c.get("term") or "")) for c in cats]
            yield p + "categories", sorted(n for n in names if n), sorted(flat(c) for c in e["categories"])
        encs = it.get("enclosures") or ([it["enclosure"]] if it.get("enclosure") else [])
        if kind == "atom":
            encs = [{"url": l.get("href")} for l in it.get("links") or [] if l.get("rel") == "enclosure"]
        if kind == "json":
            encs = it.get("attachments") or []
        if encs:
            yield p + "enclosures", [x.get("url") for x in encs], [x["url"] for x in e["enclosures"]]
        authors = it.get("authors") or ([it["author"]] if it.get("author") else [])
        if authors:
            want = []
            for a in authors:
                if isinstance(a, str):
                    want.append(plain(a))
                elif a.get("name") or a.get("email"):
                    want.append(plain(a.get("name") or a.get("email")))
            got = " | ".join(e["authors"])
            yield p + "authors", all(w in got for w in want), True


def main():
    args = sys.argv[1:]
    binary, suite = args[0], args[1]
    min_rate = float(args[args.index("--min-rate") + 1]) if "--min-rate" in args else 0.0
    cases = []  # (input, expected, kind, group)
    for root, _, names in os.walk(suite):
        group = os.path.relpath(root, suite)
        if group.startswith("extensions"):
            continue  # extension fields (itunes, dc, media details) are not in khobor's model
        for n in sorted(names):
            path = os.path.join(root, n)
            if group.startswith("translator"):
                kind = "translator"
            elif group == "parser/rss":
                kind = "rss"
            elif group == "parser/atom":
                kind = "atom"
            elif group == "parser/json":
                kind = "json"
            else:
                continue
            if n.endswith(".xml") and os.path.exists(path[:-4] + ".json"):
                cases.append((path, path[:-4] + ".json", kind, group))
            elif n.endswith(".json") and not n.endswith("_expected.json") and \
                    os.path.exists(path[:-5] + "_expected.json"):
                cases.append((path, path[:-5] + "_expected.json", kind, group))
    cases.sort()
    results = run_khobor(binary, [c[0] for c in cases])
    stats, failures = {}, []
    for inp, expf, kind, group in cases:
        s = stats.setdefault(group, [0, 0, 0])
        exp = json.load(open(expf, encoding="utf-8"))
        ours = results[inp]
        if "error" in ours:
            s[1] += 1
            failures.append((inp, "error: " + ours["error"]))
            continue
        checks = list(checks_for(kind, exp, ours))
        if not checks:
            s[2] += 1
            continue
        bad = [c for c in checks if c[1] != c[2]]
        if bad:
            s[1] += 1
            failures.append((inp, "; ".join("%s: want %r got %r" % c for c in bad[:3])))
        else:
            s[0] += 1
    tp = sum(v[0] for v in stats.values())
    tf = sum(v[1] for v in stats.values())
    tn = sum(v[2] for v in stats.values())
    print("gofeed suite: %d cases, %d applicable, %d pass, %d fail, %d not applicable" %
          (len(cases), tp + tf, tp, tf, tn))
    for g in sorted(stats):
        p, f, n = stats[g]
        if p + f:
            print("  %-22s %4d/%-4d %5.1f%%  (%d n/a)" % (g, p, p + f, 100.0 * p / (p + f), n))
    rate = 100.0 * tp / max(1, tp + tf)
    print("pass rate: %.1f%% of applicable cases" % rate)
    if "--list" in args or rate < min_rate:
        for inp, why in failures:
            print("FAIL %s: %s" % (os.path.relpath(inp, suite), why[:300]))
    return 0 if rate >= min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
