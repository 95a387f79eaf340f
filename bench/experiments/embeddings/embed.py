# Word vectors per fold: PPMI (±WIN window, context smoothing 0.75) -> truncated SVD.
# Fold w3 = built without events-w3's text and the W3 window (and likewise w2).
import json, sys, numpy as np, scipy.sparse as sp, collections
from scipy.sparse.linalg import svds
WIN = int(sys.argv[1]) if len(sys.argv) > 1 else 5
DIM = int(sys.argv[2]) if len(sys.argv) > 2 else 100
MINC = 3
MODE = sys.argv[3] if len(sys.argv) > 3 else 'fold'  # fold: without the scored week; both: without either week
EXCL = {'w3': ('snap:W3', 'events-w3', '2026-04-18', '2026-04-28'),
        'w2': ('snap:W2', 'events-w2', '2025-12-10', '2025-12-21')}
docs = [json.loads(l) for l in open('docs_stems.jsonl')]
def excluded(d, fold):
    s1, s2, lo, hi = EXCL[fold]
    return d['src'] in (s1, s2) or d['title'] in HELD[fold] or (d['date'] and lo <= d['date'] <= hi)
HELD = {f: set(json.loads(l)['title'].strip() for l in open(f'/work/shared/data/eval/events-{f}.jsonl')) for f in EXCL}
def corpus(fold):
    folds = ['w2', 'w3'] if MODE == 'both' else ([] if MODE == 'leaky' else [fold])
    return [d for d in docs if not any(excluded(d, f) for f in folds)]
for fold in ['w3', 'w2']:
    C = corpus(fold)
    seqs = []
    for d in C:
        for f in ('t_st', 'x_st'):
            toks = [t for t in d[f].split() if not t.startswith('#')]
            if toks: seqs.append(toks)
    cnt = collections.Counter(t for s in seqs for t in s)
    vocab = [w for w, c in cnt.most_common(40000) if c >= MINC]
    vid = {w: i for i, w in enumerate(vocab)}
    # document frequency (for IDF) over docs, title+text
    df = collections.Counter()
    for d in C:
        df.update(set(t for t in (d['t_st'] + ' ' + d['x_st']).split()))
    rows, cols, vals = [], [], []
    for s in seqs:
        ids = [vid.get(t, -1) for t in s]
        for i, a in enumerate(ids):
            if a < 0: continue
            for j in range(max(0, i - WIN), min(len(ids), i + WIN + 1)):
                b = ids[j]
                if j == i or b < 0: continue
                rows.append(a); cols.append(b); vals.append(1.0)
    V = len(vocab)
    M = sp.coo_matrix((vals, (rows, cols)), shape=(V, V)).tocsr()
    M.sum_duplicates()
    total = M.sum()
    rs = np.asarray(M.sum(1)).ravel()
    cs = np.asarray(M.sum(0)).ravel() ** 0.75
    cs = cs / cs.sum()
    M = M.tocoo()
    pmi = np.log(M.data / total / (rs[M.row] / total) / cs[M.col])
    keep = pmi > 0
    P = sp.csr_matrix((pmi[keep], (M.row[keep], M.col[keep])), shape=(V, V))
    U, S, Vt = svds(P, k=DIM, random_state=0)
    E = U * np.sqrt(S)
    E /= np.linalg.norm(E, axis=1, keepdims=True) + 1e-12
    np.savez(f'vec_{fold}_w{WIN}_d{DIM}' + ('_' + MODE if MODE != 'fold' else '') + '.npz', E=E.astype(np.float32), vocab=np.array(vocab),
             df_w=np.array(list(df.keys())), df_c=np.array(list(df.values())), ndocs=len(C))
    print(fold, 'docs', len(C), 'tokens', sum(len(s) for s in seqs), 'vocab', V, 'nnz', P.nnz, flush=True)
    for q in ['সোনা', 'স্বর্ণ', 'প্রণয়ন', 'তৈরি', 'হাম', 'নির্বাচন', 'গ্রেপ্তা', 'ইরান']:
        q2 = __import__('subprocess').run(['./stems'], input=q.encode(), capture_output=True).stdout.decode().strip()
        if q2 in vid:
            sims = E @ E[vid[q2]]
            print('  ', q2, [vocab[k] for k in np.argsort(-sims)[1:9]])
