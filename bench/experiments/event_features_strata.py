import sys, math, collections
names="cos_title cos_all best_title rare_shared title_unshared num_unshared time_newest time_first same_outlet cos_title_all contained short_title bigram_best bigram_any skip_best lead_shared member_lead second_title mean_title bigram_idf bigram_bin multi".split()
rows=[]
for line in open('/tmp/hev/dump.tsv'):
    p=line.rstrip('\n').split('\t')
    if p[3]=='1': continue
    rows.append((p[0],int(p[1]),p[2],[float(v) for v in p[4:]]))
def auc(pos,neg):
    # Mann-Whitney
    allv=[(v,1) for v in pos]+[(v,0) for v in neg]
    allv.sort()
    r=0; i=0; rank_sum=0
    n=len(allv)
    while i<n:
        j=i
        while j<n and allv[j][0]==allv[i][0]: j+=1
        avg=(i+j+1)/2
        for k in range(i,j):
            if allv[k][1]: rank_sum+=avg
        i=j
    npos=len(pos); nneg=len(neg)
    return (rank_sum-npos*(npos+1)/2)/(npos*nneg)
# only candidates with best_title >= threshold region (hard ones)
for lo in [0.0,0.3]:
  for wk in ['3740','5624']:
    pos=[r for r in rows if r[0]==wk and r[1]==1 and r[3][2]>=lo]
    rel=[r for r in rows if r[0]==wk and r[1]==0 and r[2]=='r' and r[3][2]>=lo]
    print(f"week {wk} best_title>={lo}: pos {len(pos)} rel {len(rel)}")
    for k,nm in enumerate(names):
        print(f"   {nm:15s} pos {sum(r[3][k] for r in pos)/len(pos):.3f} rel {sum(r[3][k] for r in rel)/len(rel):.3f} AUC {auc([r[3][k] for r in pos],[r[3][k] for r in rel]):.3f}")
print("stratified by best_title: pos/rel counts with bigram_best>0 vs =0")
for wk in ['3740','5624']:
  for lo in [0.2,0.3,0.4,0.5,0.6,0.7]:
    b=[r for r in rows if r[0]==wk and lo<=r[3][2]<lo+0.1 and (r[1]==1 or r[2]=='r')]
    def c(cond): 
        s=[r for r in b if cond(r)]
        return f"{sum(r[1] for r in s)}/{sum(1 for r in s if r[1]==0)}"
    print(wk, lo, "bigram>0 pos/rel", c(lambda r:r[3][12]>0), " bigram=0", c(lambda r:r[3][12]==0), " lead>0.5", c(lambda r:r[3][15]>0.5), " lead<=0.5", c(lambda r:r[3][15]<=0.5))
