#!/bin/bash
# The word-vector experiment for the event level (docs/stories.md, "Word vectors").
# Offline: Python (Debian's python3-numpy, -scipy, -sklearn) and event_train.
# usage: run.sh WORKTREE SCRATCH   (WORKTREE has build/bench/event_train and the
# static libraries built; SCRATCH receives the data derived from ../shared/data,
# which must not be committed)
set -euo pipefail
wt=$(realpath "$1"); s=$2; data=$wt/../shared/data
[ -d "$data" ] || data=/work/shared/data
mkdir -p "$s"; cp "$wt"/bench/experiments/embeddings/*.py "$s"/; cd "$s"
# the engine's stems (normalise, tokenise, light_stem, stop list), one line in, one out
g++ -O2 -std=c++20 -I"$wt" "$wt"/bench/experiments/embeddings/stems.cpp -o stems \
  "$wt"/build/stories/libkhobor_stories.a "$wt"/build/text/libkhobor_text.a \
  "$wt"/build/base/libkhobor_base.a -licuuc -licudata -ldl
rm -f dump.tsv; KHOBOR_EV_DUMPX=$PWD/dump.tsv "$wt"/build/bench/event_train "$data" > train_out.txt
P=/usr/bin/python3
$P corpus.py; $P stem_all.py
$P variants2.py | grep starts          # reproduces the earlier decision F1 (bn, oracle threshold)
for args in "5 100" "2 100" "2 64" "2 128" "5 100 both" "2 100 leaky"; do $P embed.py $args; done
$P embed_doc.py 100
for v in w5_d100 w2_d100 w2_d64 w2_d128 w5_d100_both w2_d100_leaky doc_d100; do
  $P features.py "vec_{fold}_$v.npz" $v
done
$P features.py "vec_{fold}_w2_d100.npz" w2_d100_sif sif
$P lexicon.py; $P features_lex.py
$P evaluate.py feat_w5_d100.npz feat_w2_d100.npz feat_w2_d64.npz feat_w2_d128.npz \
  feat_w2_d100_sif.npz feat_w5_d100_both.npz feat_w2_d100_leaky.npz feat_doc_d100.npz feat_lex.npz
$P bootstrap.py; $P pairs_diag.py; $P missed.py
