#!/usr/bin/python3
"""How far names carry an English item to its Bengali reports (issue 13's stretch goal).

usage: bench/experiments/enbn_translit.py DATA_DIR [WEEK]   (WEEK: w3, the only week
       with English items; needs Debian's python3-icu for ICU's Bengali-Latin transform)

For every English item (bdnews24-english) and every Bengali item within 36 h, the
headline words of each side are reduced to a consonant skeleton (English words as
written; Bengali words through ICU's `Bengali-Latin; Latin-ASCII` transform, also
without a few case endings), and the pair scores the summed IDF of the skeletons it
shares. Prints, per score threshold, the pairs above it and how many are labelled
same_event: the precision and recall a join on transliterated names could reach.
An analysis, not part of the engine; numbers in docs/stories.md ("What was tried").
"""
import collections
import datetime
import json
import math
import re
import sys

import icu

STOP = set("the a an of to in on for and or at by with from is are was were be as its it "
           "his her their after over into new says said say will has have had not no more "
           "than up out about".split())
PAIRS = [("sh", "s"), ("ch", "c"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("dh", "d"),
         ("ph", "f"), ("bh", "b"), ("jh", "j"), ("v", "b"), ("w", "b"), ("z", "j"),
         ("q", "k"), ("x", "ks"), ("y", "")]


def skeleton(word):
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return ""
    for a, b in PAIRS:
        w = w.replace(a, b)
    w = re.sub(r"(.)\1+", r"\1", w)
    return w[0] + re.sub(r"[aeiou]", "", w[1:])


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    week = sys.argv[2] if len(sys.argv) > 2 else "w3"
    recs = [json.loads(l) for l in open(f"{data}/eval/events-{week}.jsonl", encoding="utf-8")]
    by_id = {r["id"]: r for r in recs}
    to_latin = icu.Transliterator.createInstance("Bengali-Latin; Latin-ASCII; Lower")

    def english(r):
        return r["outlet"] == "bdnews24-english"

    def when(r):
        return datetime.datetime.fromisoformat(r["published"].replace("Z", "+00:00")).timestamp()

    def en_keys(r):
        words = re.findall(r"[A-Za-z][A-Za-z'\-]+", r["title"])
        return {skeleton(w) for w in words if w.lower() not in STOP and len(w) >= 4}

    def bn_keys(r):
        keys = set()
        for w in re.findall(r"[\u0980-\u09FF]+", r["title"]):
            latin = to_latin.transliterate(w)
            forms = [latin] + [latin[: -len(s)] for s in ("der", "er", "ke", "ra", "e", "r")
                               if latin.endswith(s) and len(latin) - len(s) >= 4]
            keys.update(k for k in map(skeleton, forms) if len(k) >= 3)
        return keys

    en = [r for r in recs if english(r)]
    bn = [r for r in recs if not english(r)]
    if not en:
        sys.exit(f"{week}: no English items")
    keys = {r["id"]: (en_keys(r) if english(r) else bn_keys(r)) for r in recs}
    df = collections.Counter(k for ks in keys.values() for k in ks)
    same = set()
    for line in open(f"{data}/eval/events-{week}-pairs.jsonl", encoding="utf-8"):
        p = json.loads(line)
        if p["label"] == "same_event" and english(by_id[p["a"]]) != english(by_id[p["b"]]):
            same.add(frozenset((p["a"], p["b"])))
    scored = []
    for e in en:
        for b in bn:
            if abs(when(b) - when(e)) > 36 * 3600:
                continue
            shared = keys[e["id"]] & keys[b["id"]]
            if shared:
                score = sum(math.log(len(recs) / df[k]) for k in shared)
                scored.append((score, frozenset((e["id"], b["id"])) in same))
    print(f"{week}: {len(en)} English items, {len(bn)} Bengali, "
          f"{len(same)} English-Bengali same_event pairs")
    for threshold in (6, 8, 10, 12, 15):
        chosen = [s for s in scored if s[0] >= threshold]
        tp = sum(1 for s in chosen if s[1])
        print(f"score >= {threshold:2}: {len(chosen):4} pairs, {tp:3} same_event: "
              f"P {tp / max(1, len(chosen)):.3f} R {tp / len(same):.3f}")


if __name__ == "__main__":
    main()
