from baseline import *
sizef = {w: evsize_before(w) for w in ['w2','w3']}
eng = {w: {r['id']: all(ord(ch) < 128 for ch in r['title'] if ch.isalpha()) for r in recs[w]} for w in recs}
def pair_f1(w, p, t, best, mode, bn_only, denom):
    X, y, ids, evs = arrays(w)
    col = 0 if mode == 'all' else 1
    tp = pred = 0
    for i, k in best.items():
        if bn_only and eng[w][i]: continue
        if p[k] >= t:
            n = sizef[w](i, evs[k])[col]
            pred += n; tp += n if y[k] == 1 else 0
    gold = 0
    for s in starts[w]:
        if bn_only and eng[w][s[0]]: continue
        if denom == 'found' and s[2] != 1: continue
        if denom == 'notfirst' and s[1] == 1: continue
        # gold event members before
        r = recs[w][info[w]['idx'][s[0]]]
        gold += sizef[w](s[0], r['event'])[col]
    P = tp / pred if pred else 0; R = tp / gold if gold else 0
    return 2 * P * R / (P + R) if P + R else 0
fits = {}
for tr, te in [('w2', 'w3'), ('w3', 'w2')]:
    Xtr, ytr, *_ = arrays(tr); Xte, yte, *_ = arrays(te)
    m = LogisticRegression(C=1.0, max_iter=5000).fit(Xtr, ytr)
    fits[te] = (m.predict_proba(Xtr)[:, 1], m.predict_proba(Xte)[:, 1], tr)
grid = np.arange(0.05, 0.96, 0.01)
for mode in ['all', 'cross']:
  for bn in [False, True]:
    for denom in ['found', 'notfirst']:
        res = []
        for te in ['w3', 'w2']:
            ptr, pte, tr = fits[te]
            btr = decisions(tr, ptr); bte = decisions(te, pte)
            ftr = [pair_f1(tr, ptr, t, btr, mode, bn, denom) for t in grid]
            t = grid[int(np.argmax(ftr))]
            res.append(f'{te} {pair_f1(te, pte, t, bte, mode, bn, denom):.3f} (t {t:.2f}, oracle {max(pair_f1(te, pte, tt, bte, mode, bn, denom) for tt in grid):.3f})')
        print(mode, 'bn' if bn else 'all', denom, ' | '.join(res), flush=True)
