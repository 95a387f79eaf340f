#!/usr/bin/python3
"""How far can word evidence go on events-w2/w3? An optimistic ceiling.

Usage: /usr/bin/python3 bench/experiments/event_ceiling.py ../shared/data/eval
(Debian's python3-sklearn; about 2 minutes.)

Not the engine: an offline judge given every advantage the engine lacks. Each
labelled cross-outlet pair of Bengali items is scored by gradient-boosted trees
over generous word features of headline and summary (TF-IDF cosines of
suffix-stripped words and of character 3-5-grams, shared words and their IDF,
the rarest shared word, time apart, lengths), the IDF taken from both weeks'
whole text at once (hindsight: the engine only knows the past), trained on one
week's pairs and scored on the other's. Pairs are then grouped by single link
(every pair above the threshold joins, transitively: the grouping that gives a
pairwise score the most recall), and scored as story_eval scores events:
pairwise precision and recall over the cross-outlet Bengali pairs of the gold
events; a pair the labels do not list is `different`. The thresholds are read
on the test week itself (optimistic again).

Then a perfect judge: it links exactly the same-event pairs that share a word
with IDF above a bar, closed transitively inside the gold event. Its recall
tells whether shared words exist at all; the trees tell whether they separate
same-event pairs from `related` ones.
"""
import json, re, sys, unicodedata, math, itertools, collections
from datetime import datetime
from urllib.parse import urlparse
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer

D = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/eval"

SUFFIXES = sorted("""ের েরা দের কে তে য় ে র টি টা গুলো গুলি রা ও ই েই য়ের য়ে য়া ার াকে াতে েও""".split(), key=len, reverse=True)

def norm(s):
    s = unicodedata.normalize("NFC", s).replace("\u200c", "").replace("\u200d", "")
    return s.lower()

def toks(s):
    out = []
    for w in re.findall(r"[\u0980-\u09FFa-z0-9]+", norm(s)):
        for suf in SUFFIXES:
            if len(w) > len(suf) + 2 and w.endswith(suf):
                w = w[: -len(suf)]
                break
        out.append(w)
    return out

def publisher(it):
    o = it["outlet"]
    if o.startswith("bonikbarta"):
        return "bonikbarta"
    if o.startswith("bdnews24"):
        return "bdnews24"
    if o == "bd-editorials-aggregate":
        return urlparse(it["link"]).netloc
    return o

def load(week):
    items = [json.loads(l) for l in open(f"{D}/events-{week}.jsonl")]
    byid = {it["id"]: it for it in items}
    labels = {}
    for l in open(f"{D}/events-{week}-pairs.jsonl"):
        p = json.loads(l)
        labels[(p["a"], p["b"])] = p["label"]
    return items, byid, labels

weeks = {w: load(w) for w in ("w2", "w3")}
docs = []
for w in weeks:
    for it in weeks[w][0]:
        docs.append(it)
stop_df = collections.Counter()
for it in docs:
    for t in set(toks(it["title"] + " " + it["summary"])):
        stop_df[t] += 1
N = len(docs)
idf = {t: math.log((N + 1) / (c + 1)) + 1 for t, c in stop_df.items()}

wvec = TfidfVectorizer(analyzer=lambda s: toks(s), sublinear_tf=True)
wvec.fit([it["title"] + " " + it["summary"] for it in docs])
cvec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, preprocessor=norm)
cvec.fit([it["title"] + " " + it["summary"] for it in docs])

def ts(it):
    return datetime.fromisoformat(it["published"].replace("Z", "+00:00")).timestamp()

def is_bn(it):
    return it["outlet"] != "bdnews24-english"

def featurize(week):
    items, byid, labels = weeks[week]
    ids = [it["id"] for it in items]
    ix = {i: k for k, i in enumerate(ids)}
    T = wvec.transform([it["title"] for it in items])
    A = wvec.transform([it["title"] + " " + it["summary"] for it in items])
    CT = cvec.transform([it["title"] for it in items])
    CA = cvec.transform([it["title"] + " " + it["summary"] for it in items])
    tt = [set(toks(it["title"])) for it in items]
    aa = [set(toks(it["title"] + " " + it["summary"])) for it in items]
    X, y, pairs = [], [], []
    for (a, b), lab in labels.items():
        ia, ib = byid[a], byid[b]
        if not (is_bn(ia) and is_bn(ib)) or publisher(ia) == publisher(ib):
            continue
        i, j = ix[a], ix[b]
        dt = abs(ts(ia) - ts(ib)) / 3600
        sh_t = tt[i] & tt[j]
        sh_a = aa[i] & aa[j]
        rare = [idf[t] for t in sh_a if idf.get(t, 0) > 5]
        f = [
            T[i].multiply(T[j]).sum(), A[i].multiply(A[j]).sum(),
            CT[i].multiply(CT[j]).sum(), CA[i].multiply(CA[j]).sum(),
            len(sh_t), len(sh_a), sum(idf[t] for t in sh_a), len(rare), max(rare, default=0),
            dt, math.exp(-dt * dt / 72), len(tt[i]) + len(tt[j]), abs(len(tt[i]) - len(tt[j])),
            int(not items[i]["summary"]) + int(not items[j]["summary"]),
        ]
        X.append(f)
        y.append(1 if lab == "same_event" else 0)
        pairs.append((a, b, lab))
    return np.array(X), np.array(y), pairs, items

def gold_pairs(items):
    ev = collections.defaultdict(list)
    for it in items:
        if is_bn(it):
            ev[it["event"]].append(it)
    n = 0
    for members in ev.values():
        for x, z in itertools.combinations(members, 2):
            if publisher(x) != publisher(z):
                n += 1
    return n

def evaluate(week, scores, pairs, items, thresholds):
    byid = {it["id"]: it for it in items}
    G = gold_pairs(items)
    order = np.argsort(-scores)
    res = []
    for th in thresholds:
        parent = {}
        def find(x):
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x
        pp = tp = 0
        for k in order:
            if scores[k] < th:
                break
            a, b, _ = pairs[k]
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
        comps = collections.defaultdict(list)
        for it in items:
            if is_bn(it):
                comps[find(it["id"])].append(it)
        for members in comps.values():
            for x, z in itertools.combinations(members, 2):
                if publisher(x) != publisher(z):
                    pp += 1
                    tp += x["event"] == z["event"]
        # pairwise (no closure)
        sel = scores >= th
        ptp = sum(1 for k in np.nonzero(sel)[0] if pairs[k][2] == "same_event")
        res.append((th, tp / max(pp, 1), tp / G, ptp / max(sel.sum(), 1), ptp / G, pp))
    return res

feats = {w: featurize(w) for w in weeks}
for train, test in (("w2", "w3"), ("w3", "w2")):
    Xtr, ytr, _, _ = feats[train]
    Xte, yte, pte, ite = feats[test]
    clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=15, random_state=0)
    clf.fit(Xtr, ytr)
    s = clf.predict_proba(Xte)[:, 1]
    G = gold_pairs(ite)
    print(f"train {train} -> test {test}: labelled cross-outlet bn pairs {len(yte)}, same_event {yte.sum()}, gold pairs {G}")
    best = None
    print("  th     closure P   R    F1  | pairwise P   R    F1  | predicted pairs")
    for th, P, R, pP, pR, pp in evaluate(test, s, pte, ite, [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]):
        F = 2 * P * R / max(P + R, 1e-9)
        pF = 2 * pP * pR / max(pP + pR, 1e-9)
        print(f"  {th:.2f}   {P:.3f} {R:.3f} {F:.3f} | {pP:.3f} {pR:.3f} {pF:.3f} | {pp}")
    # Max pairwise recall at P >= 0.95 (no closure)
    o = np.argsort(-s)
    tp = 0
    bestR = 0
    for k, idx in enumerate(o, 1):
        tp += yte[idx]
        if tp / k >= 0.95:
            bestR = tp / G
    print(f"  pairwise: the largest recall at precision >= 0.95: {bestR:.3f}")

for week in weeks:
    items = weeks[week][0]
    ev = collections.defaultdict(list)
    for it in items:
        if is_bn(it):
            ev[it["event"]].append(it)
    G = gold_pairs(items)
    for field in ("title+summary", "title"):
        words = {it["id"]: set(toks(it["title"] + ("" if field == "title" else " " + it["summary"])))
                 for m in ev.values() for it in m}
        line = []
        for bar in (3, 5, 6, 7):
            got = 0
            for m in ev.values():
                parent = {x["id"]: x["id"] for x in m}

                def root(x):
                    while parent[x] != x:
                        x = parent[x]
                    return x

                for x, z in itertools.combinations(m, 2):
                    if any(idf[t] > bar for t in words[x["id"]] & words[z["id"]]):
                        parent[root(x["id"])] = root(z["id"])
                got += sum(1 for x, z in itertools.combinations(m, 2)
                           if publisher(x) != publisher(z) and root(x["id"]) == root(z["id"]))
            line.append(f"idf > {bar}: {got / G:.3f}")
        print(f"{week} perfect judge, a shared {field} word: recall " + ", ".join(line))

# How often the labelled pairs share such a word at all: same-event against related.
for week in weeks:
    items, byid, labels = weeks[week]
    words = {it["id"]: set(toks(it["title"] + " " + it["summary"])) for it in items}
    counts = collections.Counter()
    for (a, b), lab in labels.items():
        x, z = byid[a], byid[b]
        if lab == "different" or not (is_bn(x) and is_bn(z)) or publisher(x) == publisher(z):
            continue
        counts[lab] += 1
        shared = [idf[t] for t in words[a] & words[b]]
        for bar in (3, 5, 6, 7):
            counts[(lab, bar)] += any(v > bar for v in shared)
    print(f"{week} labelled cross-outlet pairs sharing a title+summary word above the bar, same_event / related: "
          + ", ".join(f"idf > {bar}: {counts[('same_event', bar)] / counts['same_event']:.3f} / "
                      f"{counts[('related', bar)] / counts['related']:.3f}" for bar in (3, 5, 6, 7))
          + f" (of {counts['same_event']} / {counts['related']})")
