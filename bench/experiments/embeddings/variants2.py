from variants import *
def st_f1(w, p, t, best, bn, denom):
    X, y, ids, evs = arrays(w)
    E = {c[0]: c[3] for c in cands[w]}
    pos = sum(1 for s in starts[w] if (not bn or not eng[w][s[0]]) and (s[2] == 1 if denom == 'found' else s[1] == 0))
    pred = tp = 0
    for i, k in best.items():
        if bn and eng[w][i]: continue
        if p[k] >= t: pred += 1; tp += y[k] == 1
    P = tp / pred if pred else 0; R = tp / pos
    return 2 * P * R / (P + R) if P + R else 0
for bn in [False, True]:
  for denom in ['found', 'notfirst']:
    res = []
    for te in ['w3', 'w2']:
        ptr, pte, tr = fits[te]
        btr = decisions(tr, ptr); bte = decisions(te, pte)
        t = grid[int(np.argmax([st_f1(tr, ptr, t, btr, bn, denom) for t in grid]))]
        res.append(f'{te} {st_f1(te, pte, t, bte, bn, denom):.3f} (t {t:.2f}, oracle {max(st_f1(te, pte, tt, bte, bn, denom) for tt in grid):.3f})')
    print('starts', 'bn' if bn else 'all', denom, ' | '.join(res))
