# Collects unlabelled documents (title, text, date, source, link) from shared/data.
# Writes docs.jsonl: one {"src","date","title","text","link"} per unique document.
import json, glob, os, re, csv, html, calendar, time
D = '/work/shared/data'
out = []
seen = set()
def clean(s):
    s = re.sub(r'<[^>]+>', ' ', s or '')
    s = html.unescape(s)
    return re.sub(r'\s+', ' ', s).strip()
def add(src, date, title, text, link=''):
    title = clean(title); text = clean(text)
    key = (title, text[:80])
    if not title and not text: return
    if key in seen: return
    seen.add(key)
    out.append({'src': src, 'date': date, 'title': title, 'text': text, 'link': link})
for path in sorted(glob.glob(D + '/feeds-bd/snapshots/*/*/*.xml')) + sorted(glob.glob(D + '/feeds-bd/latest/*.xml')):
    src = 'snap:' + path.split('/')[-3][:2] if '/snapshots/' in path else 'latest'
    raw = open(path, encoding='utf-8', errors='replace').read()
    for item in re.findall(r'<(?:item|entry)\b.*?</(?:item|entry)>', raw, re.S):
        def tag(names):
            for n in names:
                m = re.search(r'<' + n + r'\b[^>]*>(.*?)</' + n + '>', item, re.S)
                if m:
                    v = m.group(1)
                    v = re.sub(r'<!\[CDATA\[(.*?)\]\]>', r'\1', v, flags=re.S)
                    return html.unescape(v)
            return ''
        ds = tag(['pubDate', 'published', 'updated', 'dc:date'])
        date = ''
        try:
            import email.utils
            date = email.utils.parsedate_to_datetime(ds).strftime('%Y-%m-%d')
        except Exception:
            m = re.match(r'(\d{4}-\d\d-\d\d)', ds.strip())
            date = m.group(1) if m else ''
        link = tag(['link', 'guid'])
        add(src, date, tag(['title']), clean(tag(['description', 'summary'])) + ' ' + clean(tag(['content:encoded', 'content']))[:3000], link)
for a in json.load(open(D + '/articles/articles_2025-12-30.json')):
    add('articles', '2025-12-30', a.get('headline', ''), (a.get('article') or '')[:6000], a.get('url', ''))
for fn in ['bangla_sample.json', 'english_sample.json']:
    for a in json.load(open(D + '/titles/' + fn)):
        add('titles', '2026-02-15', a.get('title', ''), (a.get('body') or '')[:6000], a.get('url', ''))
for r in csv.DictReader(open(D + '/titles/articles_metadata.csv')):
    add('titles', '2026-02-15', r['title'], '', r['url'])
for r in csv.DictReader(open(D + '/paraphrase/BnPC_train.csv')):
    add('bnpc', '', r['sentence1'], '')
    add('bnpc', '', r['sentence2'], '')
for w in ['w2', 'w3']:
    for line in open(D + f'/eval/events-{w}.jsonl'):
        r = json.loads(line)
        add('events-' + w, r['published'][:10], r['title'], r['summary'] + ' ' + r['body'], r['link'])
with open('docs.jsonl', 'w') as f:
    for d in out: f.write(json.dumps(d, ensure_ascii=False) + '\n')
import collections
print(len(out), collections.Counter(d['src'] for d in out))
