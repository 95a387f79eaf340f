import csv, json, collections, subprocess
rows = list(csv.DictReader(open('/work/shared/data/paraphrase/BnPC_train.csv')))
inp = '\n'.join((r['sentence1'] + '\n' + r['sentence2']).replace('\r', ' ') for r in rows) + '\n'
out = subprocess.run(['./stems'], input=inp.encode(), capture_output=True).stdout.decode().split('\n')
pos = collections.Counter(); neg = collections.Counter(); uni = collections.Counter()
for k, r in enumerate(rows):
    a = set(t for t in out[2 * k].split() if not t.startswith('#')); b = set(t for t in out[2 * k + 1].split() if not t.startswith('#'))
    U, V = a - b, b - a
    C = pos if r['label'] == '1' else neg
    for u in U:
        for v in V:
            C[(u, v)] += 1; C[(v, u)] += 1
print('pairs', len(rows), 'positive', sum(r['label'] == '1' for r in rows))
lex = {k: n for k, n in pos.items() if n >= 2 and n > 2 * neg.get(k, 0)}
print('lexicon entries (both directions)', len(lex))
print(sorted(lex.items(), key=lambda x: -x[1])[:60])
json.dump([[u, v, n] for (u, v), n in lex.items()], open('lexicon.json', 'w'), ensure_ascii=False)
