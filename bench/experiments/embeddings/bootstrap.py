# Paired bootstrap over Bengali story starts of the held-out decision F1 difference (+feature - baseline),
# both at the training week's threshold; and a boosted-tree check with all soft features.
import sys, numpy as np
from evaluate import *
from sklearn.ensemble import HistGradientBoostingClassifier
rng = np.random.default_rng(0)
def decisions_at(tr, te, Xtr, Xte):
    m = LogisticRegression(C=1.0, max_iter=10000).fit(Xtr, Y[tr])
    ptr = m.predict_proba(Xtr)[:, 1]; pte = m.predict_proba(Xte)[:, 1]
    t = grid[int(np.argmax(f1_curve(tr, ptr)))]
    return per_start(te, pte, t)
def per_start(te, pte, t):
    best = {}
    for k, i in enumerate(ids[te]):
        if eng[te][i]: continue
        if i not in best or pte[k] > pte[best[i]]: best[i] = k
    S = [s[0] for s in starts[te] if not eng[te][s[0]]]
    pred = np.array([i in best and pte[best[i]] >= t for i in S])
    tp = np.array([i in best and pte[best[i]] >= t and Y[te][best[i]] == 1 for i in S])
    gold = np.array([s[2] == 1 for s in starts[te] if not eng[te][s[0]]])
    return pred, tp, gold
def f1(pred, tp, gold):
    P = tp.sum() / max(pred.sum(), 1); R = tp.sum() / gold.sum(); return 2 * P * R / (P + R)
for ff, j in [('feat_w2_d100.npz', 6), ('feat_w5_d100.npz', 1), ('feat_w2_d128.npz', 6)]:
    F = np.load(ff)
    for tr, te in [('w2', 'w3'), ('w3', 'w2')]:
        a = decisions_at(tr, te, base[tr], base[te])
        b = decisions_at(tr, te, np.hstack([base[tr], F[f'{te}_{tr}'][:, j:j+1]]), np.hstack([base[te], F[f'{te}_{te}'][:, j:j+1]]))
        n = len(a[0]); d = []
        for _ in range(1000):
            k = rng.integers(0, n, n)
            d.append(f1(*(x[k] for x in b)) - f1(*(x[k] for x in a)))
        d = np.array(d)
        print(f'{ff} col {j} test {te}: dF1 {f1(*b) - f1(*a):+.4f}  bootstrap sd {d.std():.4f}  95% [{np.percentile(d, 2.5):+.4f}, {np.percentile(d, 97.5):+.4f}]; F1 sd alone {np.std([f1(*(x[k] for x in a)) for k in [rng.integers(0, n, n) for _ in range(300)]]):.4f}', flush=True)
# boosted trees, 12 vs 12 + 7 soft features (oracle and train threshold)
F = np.load('feat_w2_d100.npz')
for extra in [False, True]:
    for tr, te in [('w2', 'w3'), ('w3', 'w2')]:
        Xtr, Xte = base[tr], base[te]
        if extra: Xtr = np.hstack([Xtr, F[f'{te}_{tr}']]); Xte = np.hstack([Xte, F[f'{te}_{te}']])
        m = HistGradientBoostingClassifier(max_iter=200, max_leaf_nodes=15, learning_rate=0.05, random_state=0).fit(Xtr, Y[tr])
        ptr = m.predict_proba(Xtr)[:, 1]; pte = m.predict_proba(Xte)[:, 1]
        t = int(np.argmax(f1_curve(tr, ptr))); c = f1_curve(te, pte)
        print(f'GBT {"12+7" if extra else "12"} test {te}: LL {log_loss(Y[te], pte):.5f} F1 {c[t]:.3f} oracle {c.max():.3f}', flush=True)
