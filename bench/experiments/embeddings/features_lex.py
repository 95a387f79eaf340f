import json, numpy as np, collections
from common import *
cands, starts = load_dump()
lex = collections.defaultdict(dict)
for u, v, n in json.load(open('lexicon.json')): lex[u][v] = n
def bag(st): return list(dict.fromkeys(t for t in st.split() if not t.startswith('#')))
out = {}
for fold in ['w3', 'w2']:
    z = np.load(f'vec_{fold}_w2_d100.npz'); df = dict(zip(z['df_w'], z['df_c'])); N = int(z['ndocs'])
    idf = lambda x: np.log((N + 1) / (df.get(x, 0) + 1))
    for w in ['w2', 'w3']:
        R = load_recs(w); pos = {r['id']: i for i, r in enumerate(R)}
        T = [set(bag(r['t_st'])) for r in R]
        byev = collections.defaultdict(list)
        for i, r in enumerate(R): byev[r['event']].append(i)
        def credit(a, b, mn):
            tot = sum(idf(x) for x in a)
            if tot <= 0: return 0.0
            return sum(idf(u) for u in a - b if any(lex[u].get(v, 0) >= mn for v in b - a)) / tot
        rows = []
        for (eid, ev, y, en, x) in cands[w]:
            i = pos[eid]; mem = [j for j in byev[ev] if j < i]
            rows.append((max(credit(T[i], T[j], 2) for j in mem), max(credit(T[i], T[j], 4) for j in mem)))
        out[f'{fold}_{w}'] = np.array(rows)
        print(fold, w, 'nonzero share', (out[f'{fold}_{w}'][:, 0] > 0).mean(), flush=True)
np.savez('feat_lex.npz', **out)
