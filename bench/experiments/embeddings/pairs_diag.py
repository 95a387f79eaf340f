# Pair level: cross-publisher Bengali same_event vs related pairs; exact headline IDF cosine vs soft scores.
import json, numpy as np, collections, sys
from common import *
from sklearn.metrics import roc_auc_score
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
vec = sys.argv[1] if len(sys.argv) > 1 else 'vec_{fold}_w2_d100.npz'
def bag(st): return list(dict.fromkeys(t for t in st.split() if not t.startswith('#')))
for w in ['w3', 'w2']:
    z = np.load(vec.format(fold=w)); E = z['E']; vocab = list(z['vocab']); vid = {x: i for i, x in enumerate(vocab)}
    df = dict(zip(z['df_w'], z['df_c'])); N = int(z['ndocs'])
    idf = lambda x: np.log((N + 1) / (df.get(x, 0) + 1))
    R = {r['id']: r for r in load_recs(w)}
    eng = lambda r: all(ord(ch) < 128 for ch in r['title'] if ch.isalpha())
    rows = []; ex = []
    for l in open(f'/work/shared/data/eval/events-{w}-pairs.jsonl'):
        p = json.loads(l)
        if p['label'] not in ('same_event', 'related') or p['same_outlet']: continue
        a, b = R[p['a']], R[p['b']]
        if eng(a) or eng(b): continue
        A, B = bag(a['t_st']), bag(b['t_st'])
        if not A or not B: continue
        sa, sb = set(A), set(B)
        wa = {x: idf(x) for x in sa}; wb = {x: idf(x) for x in sb}
        num = sum(wa[x] * wb[x] for x in sa & sb)
        cos = num / (np.sqrt(sum(v * v for v in wa.values())) * np.sqrt(sum(v * v for v in wb.values())) + 1e-9)
        nsh = len(sa & sb)
        def syn(X, Y, wx):
            U = [u for u in X if u not in Y and u in vid]; V = [v for v in Y if v not in X and v in vid]
            if not U or not V: return 0.0, None
            S = E[[vid[u] for u in U]] @ E[[vid[v] for v in V]].T
            m = S.max(1); k = S.argmax(1)
            best = int(np.argmax(m))
            return float(sum(wx[u] * (x if x >= 0.5 else 0) for u, x in zip(U, m)) / sum(wx.values())), (U[best], V[k[best]], float(m[best]))
        s1, e1 = syn(sa, sb, wa); s2, e2 = syn(sb, sa, wb)
        rows.append((p['label'] == 'same_event', cos, nsh, 0.5 * (s1 + s2)))
        if e1 and p['label'] == 'same_event' and nsh <= 2: ex.append(e1)
    X = np.array(rows, dtype=float); y = X[:, 0]
    print(w, 'pairs same', int(y.sum()), 'related', int((1 - y).sum()))
    print('  AUC exact cos %.3f  soft syn %.3f' % (roc_auc_score(y, X[:, 1]), roc_auc_score(y, X[:, 3])))
    for lo, hi in [(0, 0.2), (0.2, 0.4)]:
        m = (X[:, 1] >= lo) & (X[:, 1] < hi)
        print('  cos in [%.1f,%.1f): same %d related %d; soft syn AUC %.3f; share with syn>0: same %.2f related %.2f' % (
            lo, hi, y[m].sum(), (1 - y[m]).sum(), roc_auc_score(y[m], X[m, 3]), (X[m & (y == 1), 3] > 0).mean(), (X[m & (y == 0), 3] > 0).mean()))
    for feats, nm in [([1], 'exact'), ([1, 3], 'exact+syn'), ([1, 2], 'exact+nshared'), ([1, 2, 3], 'exact+nshared+syn')]:
        pr = cross_val_predict(LogisticRegression(max_iter=2000), X[:, feats], y, cv=5, method='predict_proba')[:, 1]
        print('   5-fold LR AUC %-20s %.4f' % (nm, roc_auc_score(y, pr)))
    c = collections.Counter((u, v) for u, v, s in ex)
    print('  most frequent best soft matches in same-event pairs sharing <=2 stems:', [f'{u}~{v}' for (u, v), n in c.most_common(25)])
