import sys, numpy as np
from common import *
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
cands, starts = load_dump()
recs = {w: load_recs(w) for w in ['w2','w3']}
info = {}
for w in recs:
    idx = {r['id']: i for i, r in enumerate(recs[w])}
    ev_members = collections.defaultdict(list)
    info[w] = dict(idx=idx)
def arrays(w):
    C = cands[w]
    X = np.array([c[4] for c in C]); y = np.array([c[2] for c in C])
    ids = [c[0] for c in C]; evs = [c[1] for c in C]
    return X, y, ids, evs
# per-start: number of earlier gold members (all / cross-publisher bn)
def gold_counts(w):
    R = recs[w]; out = {}
    members = collections.defaultdict(list)
    for r in R:
        prev = members[r['event']]
        eng = all(ord(ch) < 128 for ch in r['title'] if ch.isalpha())
        out[r['id']] = (len(prev), sum(1 for q in prev if publisher(q) != publisher(r)))
        prev.append(r)
    return out, members
def evsize_before(w):
    # members of candidate event (gold) before entry id: count all, cross-publisher
    R = recs[w]; pos = {r['id']: i for i, r in enumerate(R)}
    byev = collections.defaultdict(list)
    for r in R: byev[r['event']].append(r)
    def f(eid, ev):
        i = pos[eid]; me = R[i]
        prev = [q for q in byev[ev] if pos[q['id']] < i]
        return len(prev), sum(1 for q in prev if publisher(q) != publisher(me))
    return f
def decisions(w, p):
    X, y, ids, evs = arrays(w)
    best = {}
    for k, i in enumerate(ids):
        if i not in best or p[k] > p[best[i]]: best[i] = k
    return best
def dec_f1(w, p, t, best=None, kind='starts'):
    X, y, ids, evs = arrays(w)
    best = best or decisions(w, p)
    st = starts[w]
    if kind == 'starts':
        pos = sum(1 for s in st if s[2] == 1)
        pred = sum(1 for i, k in best.items() if p[k] >= t)
        tp = sum(1 for i, k in best.items() if p[k] >= t and y[k] == 1)
    elif kind == 'starts_all':
        pos = sum(1 for s in st if s[1] == 0)
        pred = sum(1 for i, k in best.items() if p[k] >= t)
        tp = sum(1 for i, k in best.items() if p[k] >= t and y[k] == 1)
    P = tp / pred if pred else 0; Rr = tp / pos if pos else 0
    return 2 * P * Rr / (P + Rr) if P + Rr else 0, P, Rr
if __name__ == '__main__':
    for kind in ['starts', 'starts_all']:
        for tr, te in [('w2', 'w3'), ('w3', 'w2')]:
            Xtr, ytr, *_ = arrays(tr); Xte, yte, *_ = arrays(te)
            m = LogisticRegression(C=1.0, max_iter=5000).fit(Xtr, ytr)
            ptr = m.predict_proba(Xtr)[:, 1]; pte = m.predict_proba(Xte)[:, 1]
            grid = np.arange(0.05, 0.96, 0.01)
            btr = decisions(tr, ptr); bte = decisions(te, pte)
            ftr = [dec_f1(tr, ptr, t, btr, kind)[0] for t in grid]
            t = grid[int(np.argmax(ftr))]
            fte = dec_f1(te, pte, t, bte, kind)
            orac = max(dec_f1(te, pte, tt, bte, kind)[0] for tt in grid)
            print(kind, f'test {te}: logloss {log_loss(yte, pte):.5f} t={t:.2f} F1 {fte[0]:.3f} P {fte[1]:.3f} R {fte[2]:.3f} oracle-t F1 {orac:.3f}')
