import sys, math
def load(path):
    rows=[]
    with open(path) as f:
        for k,line in enumerate(f):
            if k>=63735: break
            p=line.rstrip('\n').split('\t')
            rows.append((p[0],int(p[1]),p[2],[float(v) for v in p[4:]]))
    return rows
def solve(A,b):
    n=len(b); A=[r[:] for r in A]; b=b[:]
    for c in range(n):
        piv=max(range(c,n),key=lambda r:abs(A[r][c])); A[c],A[piv]=A[piv],A[c]; b[c],b[piv]=b[piv],b[c]
        for r in range(c+1,n):
            f=A[r][c]/A[c][c]
            for k in range(c,n): A[r][k]-=f*A[c][k]
            b[r]-=f*b[c]
    x=[0]*n
    for r in range(n-1,-1,-1):
        x[r]=(b[r]-sum(A[r][k]*x[k] for k in range(r+1,n)))/A[r][r]
    return x
def fit(X,Y):
    n=len(X[0])+1; w=[0.0]*n
    for it in range(12):
        g=[0.0]*n; H=[[0.0]*n for _ in range(n)]
        for x,y in zip(X,Y):
            v=x+[1.0]; z=sum(a*b for a,b in zip(w,v)); z=max(-30,min(30,z)); p=1/(1+math.exp(-z))
            d=p-y; h=max(p*(1-p),1e-9)
            for i in range(n):
                g[i]+=d*v[i]; hv=h*v[i]
                if hv==0: continue
                Hi=H[i]
                for j in range(i,n): Hi[j]+=hv*v[j]
        for i in range(n):
            for j in range(i): H[i][j]=H[j][i]
        for i in range(n-1): g[i]+=w[i]; H[i][i]+=1.0
        H[n-1][n-1]+=1e-9
        s=solve(H,g); w=[a-b for a,b in zip(w,s)]
        if sum(abs(t) for t in s)<1e-8: break
    return w
def evaluate(w,X,Y,L):
    ll=0; sc=[]
    for x,y,l in zip(X,Y,L):
        z=sum(a*b for a,b in zip(w,x+[1.0])); z=max(-30,min(30,z)); p=1/(1+math.exp(-z))
        ll-= math.log(p if y else 1-p); sc.append((p,y,l))
    # AUC pos vs related negatives
    pos=[p for p,y,l in sc if y==1]; rel=[p for p,y,l in sc if y==0 and l=='r']
    rel.sort(); import bisect
    auc=sum(bisect.bisect_left(rel,p)+0.5*(bisect.bisect_right(rel,p)-bisect.bisect_left(rel,p)) for p in pos)/(len(pos)*len(rel))
    return ll/len(X), auc
path=sys.argv[1]; rows=load(path)
base=list(range(12))
for extra in [None]+[int(a) for a in sys.argv[2:]]:
    cols=base+([extra] if extra is not None else [])
    out=[]
    for tr,te in [('5624','3740'),('3740','5624')]:
        Xtr=[[r[3][c] for c in cols] for r in rows if r[0]==tr and r[2+1-1]!='x' ]
        Ytr=[r[1] for r in rows if r[0]==tr]
        Xte=[[r[3][c] for c in cols] for r in rows if r[0]==te]
        Yte=[r[1] for r in rows if r[0]==te]; Lte=[r[2] for r in rows if r[0]==te]
        w=fit(Xtr,Ytr); ll,auc=evaluate(w,Xte,Yte,Lte)
        out.append(f"test {te}: logloss {ll:.5f} AUC(pos vs related) {auc:.4f} w_extra {w[-2] if extra is not None else 0:+.3f}")
    print(extra, " | ".join(out), flush=True)
