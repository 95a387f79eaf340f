# New candidate features from word vectors, for one fold's vectors, on both weeks' candidates.
# usage: features.py VECFILE_PATTERN (with {fold}) OUTTAG
import sys, json, numpy as np, collections
from common import *
pat, tag = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else 'idf'
cands, starts = load_dump()
recs = {w: load_recs(w) for w in ['w2', 'w3']}
def bag(st):
    return list(dict.fromkeys(t for t in st.split() if not t.startswith('#')))
out = {}
for fold in ['w3', 'w2']:
    z = np.load(pat.format(fold=fold))
    E = z['E']; vocab = list(z['vocab']); vid = {w: i for i, w in enumerate(vocab)}
    df = dict(zip(z['df_w'], z['df_c'])); N = int(z['ndocs'])
    tot = sum(df.values())
    def wt(w):
        if mode == 'sif':
            return 1e-3 / (1e-3 + df.get(w, 0) / tot)
        return np.log((N + 1) / (df.get(w, 0) + 1))
    if mode == 'sif':
        # common component over the fold corpus' own words (first PC of the word vectors, frequency-weighted)
        pass
    def vec(words):
        v = np.zeros(E.shape[1], np.float32); n = 0
        for w in words:
            i = vid.get(w)
            if i is not None: v += wt(w) * E[i]; n += 1
        nr = np.linalg.norm(v)
        return v / nr if nr > 0 else v
    def mat(words):
        ws = [w for w in words if w in vid]
        if not ws: return np.zeros((0, E.shape[1]), np.float32), np.zeros(0)
        return E[[vid[w] for w in ws]], np.array([wt(w) for w in ws])
    def align(A, B):
        (Ea, wa), (Eb, wb) = A, B
        if len(wa) == 0 or len(wb) == 0: return 0.0
        S = Ea @ Eb.T
        return 0.5 * (float((S.max(1) * wa).sum() / wa.sum()) + float((S.max(0) * wb).sum() / wb.sum()))
    def syn(Ti, Tj, thr):
        U = [u for u in Ti if u not in Tj]; V = [v for v in Tj if v not in Ti and v in vid]
        tot = sum(wt(u) for u in Ti if u in vid or True)
        if tot <= 0: return 0.0
        Uv = [u for u in U if u in vid]
        if not Uv or not V: return 0.0
        S = E[[vid[u] for u in Uv]] @ E[[vid[v] for v in V]].T
        m = S.max(1)
        m = np.where(m >= thr, m, 0.0)
        return float(sum(wt(u) * x for u, x in zip(Uv, m)) / tot)
    for w in ['w2', 'w3']:
        R = recs[w]; pos = {r['id']: i for i, r in enumerate(R)}
        T = [bag(r['t_st']) for r in R]
        A = [list(dict.fromkeys(T[i] + bag(r['s_st']))) for i, r in enumerate(R)]
        hv = [vec(t) for t in T]; av = [vec(a) for a in A]; hm = [mat(t) for t in T]
        byev = collections.defaultdict(list)
        for i, r in enumerate(R): byev[r['event']].append(i)
        rows = []
        for (eid, ev, y, en, x) in cands[w]:
            i = pos[eid]
            mem = [j for j in byev[ev] if j < i]
            cen = vec([t for j in mem for t in T[j]])  # idf-weighted over the members' headline words (with repeats)
            f1 = max(float(hv[i] @ hv[j]) for j in mem)
            f2 = max(float(av[i] @ hv[j]) for j in mem)
            f3 = float(hv[i] @ cen); f4 = float(av[i] @ cen)
            f5 = max(align(hm[i], hm[j]) for j in mem)
            Ts = set(T[i])
            f6 = max(syn(Ts, set(T[j]), 0.0) for j in mem)
            f7 = max(syn(Ts, set(T[j]), 0.5) for j in mem)
            rows.append((f1, f2, f3, f4, f5, f6, f7))
        out[f'{fold}_{w}'] = np.array(rows)
        print(fold, w, len(rows), flush=True)
np.savez(f'feat_{tag}.npz', **out)
