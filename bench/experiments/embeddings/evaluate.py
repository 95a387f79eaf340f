# Held-out log-loss, decision F1 and hard-band AUC of the 12 features + each new feature.
# usage: evaluate.py FEATFILE [names...]
import sys, json, numpy as np, collections
from common import *
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
cands, starts = load_dump()
recs = {w: load_recs(w) for w in ['w2', 'w3']}
eng = {w: {r['id']: all(ord(ch) < 128 for ch in r['title'] if ch.isalpha()) for r in recs[w]} for w in recs}
rel = {}
for w in ['w2', 'w3']:
    R = recs[w]; pos = {r['id']: i for i, r in enumerate(R)}
    byev = collections.defaultdict(list)
    for i, r in enumerate(R): byev[r['event']].append(r['id'])
    relp = set()
    for l in open(f'/work/shared/data/eval/events-{w}-pairs.jsonl'):
        p = json.loads(l)
        if p['label'] == 'related': relp.add((p['a'], p['b'])); relp.add((p['b'], p['a']))
    rel[w] = np.array([y == 0 and any((eid, m) in relp for m in byev[ev] if pos[m] < pos[eid])
                       for (eid, ev, y, en, x) in cands[w]])
base = {w: np.array([c[4] for c in cands[w]]) for w in cands}
Y = {w: np.array([c[2] for c in cands[w]]) for w in cands}
ids = {w: [c[0] for c in cands[w]] for w in cands}
npos = {w: sum(1 for s in starts[w] if s[2] == 1 and not eng[w][s[0]]) for w in cands}
grid = np.arange(0.05, 0.96, 0.01)
def best_of(w, p):
    best = {}
    for k, i in enumerate(ids[w]):
        if eng[w][i]: continue
        if i not in best or p[k] > p[best[i]]: best[i] = k
    ks = np.array(list(best.values()))
    return p[ks], Y[w][ks]
def f1_curve(w, p):
    bp, by = best_of(w, p)
    out = []
    for t in grid:
        m = bp >= t; pred = m.sum(); tp = (by[m] == 1).sum()
        P = tp / pred if pred else 0; R = tp / npos[w]
        out.append(2 * P * R / (P + R) if P + R else 0)
    return np.array(out)
def run(extra=None):
    res = {}
    for tr, te in [('w2', 'w3'), ('w3', 'w2')]:
        Xtr, Xte = base[tr], base[te]
        if extra is not None:
            Xtr = np.hstack([Xtr, extra[f'{te}_{tr}']]); Xte = np.hstack([Xte, extra[f'{te}_{te}']])
        m = LogisticRegression(C=1.0, max_iter=10000).fit(Xtr, Y[tr])
        ptr = m.predict_proba(Xtr)[:, 1]; pte = m.predict_proba(Xte)[:, 1]
        t = int(np.argmax(f1_curve(tr, ptr)))
        cte = f1_curve(te, pte)
        res[te] = dict(ll=log_loss(Y[te], pte), f1=cte[t], t=grid[t], orac=cte.max(), w=m.coef_[0][12:])
    return res
def hard_auc(w, f):
    b = base[w][:, 2]; band = (b >= 0.2) & (b < 0.4)
    pos = band & (Y[w] == 1); neg = band & rel[w]
    v = np.concatenate([f[pos], f[neg]]); l = np.r_[np.ones(pos.sum()), np.zeros(neg.sum())]
    return roc_auc_score(l, v), int(pos.sum()), int(neg.sum())
if __name__ == '__main__':
    b = run()
    def line(name, r, aucs=''):
        return (f"{name:28s} w3: LL {r['w3']['ll']:.5f} F1 {r['w3']['f1']:.3f} (t {r['w3']['t']:.2f}) oracle {r['w3']['orac']:.3f} | "
                f"w2: LL {r['w2']['ll']:.5f} F1 {r['w2']['f1']:.3f} (t {r['w2']['t']:.2f}) oracle {r['w2']['orac']:.3f} {aucs}")
    print(line('baseline (12)', b, 'hard AUC best_title w3 %.3f (%d/%d) w2 %.3f (%d/%d)' % (hard_auc('w3', base['w3'][:, 2]) + hard_auc('w2', base['w2'][:, 2]))))
    print('   hard AUC cos_title w3 %.3f w2 %.3f; cos_all w3 %.3f w2 %.3f' % (hard_auc('w3', base['w3'][:, 0])[0], hard_auc('w2', base['w2'][:, 0])[0], hard_auc('w3', base['w3'][:, 1])[0], hard_auc('w2', base['w2'][:, 1])[0]))
    for ff in sys.argv[1:]:
        F = np.load(ff)
        names = ['lex_credit', 'lex_credit_4'] if 'lex' in ff else ['soft_best_title', 'soft_best_all', 'soft_cent_title', 'soft_cent_all', 'align_best', 'syn_credit', 'syn_credit_0.5']
        k = F['w3_w3'].shape[1]
        for j in range(k):
            ex = {key: F[key][:, j:j + 1] for key in F.files}
            r = run(ex)
            a3 = hard_auc('w3', F['w3_w3'][:, j]); a2 = hard_auc('w2', F['w2_w2'][:, j])
            print(line(f'{ff[5:-4]}:{names[j]}', r, f"w {r['w3']['w'][0]:+.2f}/{r['w2']['w'][0]:+.2f} hard AUC w3 {a3[0]:.3f} w2 {a2[0]:.3f}"), flush=True)
        ex = {key: F[key] for key in F.files}
        print(line(f'{ff[5:-4]}:all{k}', run(ex)), flush=True)
