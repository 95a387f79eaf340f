# Story starts whose gold event was open but not a candidate (Bengali): would the vectors find it?
# Rank of the gold event among the gold events with a member in the 24 h before, by soft_best_all.
import numpy as np, collections, datetime
from common import *
cands, starts = load_dump()
def bag(st): return list(dict.fromkeys(t for t in st.split() if not t.startswith('#')))
for w in ['w3', 'w2']:
    z = np.load(f'vec_{w}_w2_d100.npz'); E = z['E']; vid = {x: i for i, x in enumerate(z['vocab'])}
    df = dict(zip(z['df_w'], z['df_c'])); N = int(z['ndocs'])
    def vec(ws):
        v = np.zeros(E.shape[1], np.float32)
        for x in ws:
            if x in vid: v += np.log((N + 1) / (df.get(x, 0) + 1)) * E[vid[x]]
        n = np.linalg.norm(v); return v / n if n else v
    R = load_recs(w); pos = {r['id']: i for i, r in enumerate(R)}
    ts = [datetime.datetime.fromisoformat(r['published'].replace('Z', '+00:00')).timestamp() for r in R]
    H = np.array([vec(bag(r['t_st'])) for r in R]); A = np.array([vec(bag(r['t_st'] + ' ' + r['s_st'])) for r in R])
    def xvec(ws):
        v = np.zeros(len(vid) + 1, np.float32)
        for x in ws:
            if x in vid: v[vid[x]] += np.log((N + 1) / (df.get(x, 0) + 1))
        n = np.linalg.norm(v); return v / n if n else v
    X = np.array([xvec(bag(r['t_st'])) for r in R]); XA = np.array([xvec(bag(r['t_st'] + ' ' + r['s_st'])) for r in R])
    eng = lambda r: all(ord(ch) < 128 for ch in r['title'] if ch.isalpha())
    ranks = []; n_open = 0; cut = 0; xr = []
    for sid, first, found in starts[w]:
        i = pos[sid]; r = R[i]
        if first or found or eng(r): continue
        prev = [j for j in range(i) if ts[i] - ts[j] <= 86400 and not eng(R[j])]
        gold = [j for j in prev if R[j]['event'] == r['event']]
        if not gold: continue
        allgold = [j for j in range(i) if R[j]['event'] == r['event']]
        if any(R[j]['outlet'] == r['outlet'] and ts[i] - ts[j] >= 6 * 3600 for j in allgold): cut += 1; continue
        n_open += 1
        s = H[prev] @ A[i]
        best = collections.defaultdict(lambda: -9)
        for j, v in zip(prev, s): best[R[j]['event']] = max(best[R[j]['event']], v)
        g = best[r['event']]
        ranks.append(1 + sum(1 for e, v in best.items() if v > g))
        s2 = X[prev] @ XA[i]
        b2 = collections.defaultdict(lambda: -9)
        for j, v in zip(prev, s2): b2[R[j]['event']] = max(b2[R[j]['event']], v)
        xr.append(1 + sum(1 for e, v in b2.items() if v > b2[r['event']]))
    ranks = np.array(ranks)
    print(w, 'Bengali missed starts with a gold member in the 24 h before:', n_open,
          '; gold event ranked 1st by soft_best_all: %d, top 3: %d, top 16: %d; median rank %d' % (
          (ranks == 1).sum(), (ranks <= 3).sum(), (ranks <= 16).sum(), np.median(ranks)))
    xr = np.array(xr)
    print('   cut by the 6 h same-outlet rule: %d; by exact IDF cosine (same bags): 1st %d, top 3 %d; soft 1st where exact is not: %d' % (cut, (xr == 1).sum(), (xr <= 3).sum(), ((ranks == 1) & (xr > 1)).sum()))
