# Document co-occurrence variant (LSA): documents x stems, log(1+tf)*idf, truncated SVD; word vectors V*S, normalised.
import json, sys, numpy as np, scipy.sparse as sp, collections
from scipy.sparse.linalg import svds
sys.argv = [sys.argv[0], '0', sys.argv[1] if len(sys.argv) > 1 else '100']
exec(open('embed.py').read().split('for fold in')[0])  # corpus(), docs, DIM
for fold in ['w3', 'w2']:
    C = corpus(fold)
    toks = [[t for t in (d['t_st'] + ' ' + d['x_st']).split() if not t.startswith('#')] for d in C]
    cnt = collections.Counter(t for s in toks for t in s)
    vocab = [w for w, c in cnt.most_common(40000) if c >= MINC]; vid = {w: i for i, w in enumerate(vocab)}
    df = collections.Counter()
    for d in C: df.update(set((d['t_st'] + ' ' + d['x_st']).split()))
    rows, cols, vals = [], [], []
    for k, s in enumerate(toks):
        for w, n in collections.Counter(t for t in s if t in vid).items():
            rows.append(k); cols.append(vid[w]); vals.append(np.log1p(n) * np.log(len(C) / df[w]))
    X = sp.csr_matrix((vals, (rows, cols)), shape=(len(C), len(vocab)))
    U, S, Vt = svds(X, k=DIM, random_state=0)
    E = (Vt.T * S); E /= np.linalg.norm(E, axis=1, keepdims=True) + 1e-12
    np.savez(f'vec_{fold}_doc_d{DIM}.npz', E=E.astype(np.float32), vocab=np.array(vocab),
             df_w=np.array(list(df.keys())), df_c=np.array(list(df.values())), ndocs=len(C))
    print(fold, 'docs', len(C), 'vocab', len(vocab), flush=True)
    for q in ['স্বর্ণ', 'প্রণয়ন', 'গ্রেপ্তা']:
        sims = E @ E[vid[q]]; print('  ', q, [vocab[k] for k in np.argsort(-sims)[1:9]])
