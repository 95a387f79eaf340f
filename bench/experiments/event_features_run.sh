#!/bin/bash
# run.sh LABEL XSET
cd /work/wt-h-evfeat
KHOBOR_EV_X="$2" build/bench/event_train /work/shared/data > /tmp/hev/tr_$1.txt 2>&1
echo "== $1 ($2)"; grep -E "held out|in training|^  events:|x_" /tmp/hev/tr_$1.txt | grep -E "held out|events:|x_" | sed 's/| en-bn P [0-9.]* R [0-9.]* //'
