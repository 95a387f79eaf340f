import json, subprocess
docs=[json.loads(l) for l in open('docs.jsonl')]
recs={}
for w in ['w2','w3']:
    recs[w]=[json.loads(l) for l in open(f'/work/shared/data/eval/events-{w}.jsonl')]
lines=[]
for d in docs: lines += [d['title'], d['text']]
for w in ['w2','w3']:
    for r in recs[w]: lines += [r['title'], r['summary'], r['body']]
inp='\n'.join(l.replace('\n',' ').replace('\r',' ') for l in lines)+'\n'
out=subprocess.run(['./stems'],input=inp.encode(),capture_output=True,check=True).stdout.decode().split('\n')
assert len(out)>=len(lines), (len(out),len(lines))
k=0
with open('docs_stems.jsonl','w') as f:
    for d in docs:
        d['t_st']=out[k]; d['x_st']=out[k+1]; k+=2
        f.write(json.dumps(d,ensure_ascii=False)+'\n')
for w in ['w2','w3']:
    with open(f'recs_{w}.jsonl','w') as f:
        for r in recs[w]:
            r['t_st']=out[k]; r['s_st']=out[k+1]; r['b_st']=out[k+2]; k+=3
            f.write(json.dumps(r,ensure_ascii=False)+'\n')
print(k,len(lines))
