import json, numpy as np, collections
WK = {'5624': 'w3', '3740': 'w2'}
def load_dump(path='dump.tsv'):
    """First replay of each week only (event_train replays each twice)."""
    cands = {'w2': [], 'w3': []}; starts = {'w2': [], 'w3': []}
    seen_start = {'w2': set(), 'w3': set()}; done = set()
    for line in open(path):
        p = line.rstrip('\n').split('\t')
        w = WK[p[0]]
        if w in done: continue
        if p[2] == 'START':
            if p[1] in seen_start[w]: done.add(w); continue
            seen_start[w].add(p[1]); starts[w].append((p[1], int(p[3]), int(p[4])))
        else:
            cands[w].append((p[1], p[2], int(p[3]), int(p[4]), [float(v) for v in p[5:]]))
    return cands, starts
def load_recs(w):
    return [json.loads(l) for l in open(f'recs_{w}.jsonl')]
def publisher(rec):
    o = rec['outlet']
    if o.startswith('bonikbarta'): return 'bonikbarta'
    if o.startswith('bdnews24'): return 'bdnews24'
    if o.startswith('banglanews24'): return 'banglanews24'
    if o == 'bd-editorials-aggregate':
        import urllib.parse
        return 'agg:' + urllib.parse.urlparse(rec['link']).netloc
    return o
