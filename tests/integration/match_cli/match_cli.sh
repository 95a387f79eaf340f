#!/bin/bash
# Usage: match_cli.sh KHOBOR_BINARY THIS_DIR — checks `khobor match` end to end.
set -u
khobor=$1
dir=$2
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2], got [$3]" >&2
    fail=1
  fi
}

text='রুশ প্রেসিডেন্ট পুতিনের সঙ্গে কিম জং-উনের বৈঠক'
out=$(printf '%s' "$text" | "$khobor" match --rule 'পুতিন AND "কিম জং উন"')
check "match exit status" 0 $?
check "match json" '{"hits":[{"begin":44,"end":65,"term":"পুতিন","text":"পুতিনের"},{"begin":82,"end":111,"term":"\"কিম জং উন\"","text":"কিম জং-উনের"}],"match":true,"rule":"পুতিন AND \"কিম জং উন\"","snippet":"রুশ প্রেসিডেন্ট পুতিনের সঙ্গে কিম জং-উনের বৈঠক"}' "$out"
# The spans are byte offsets into the input:
check "span bytes" "পুতিনের" "$(printf '%s' "$text" | head -c 65 | tail -c 21)"

out=$(printf 'গরুর মাংসের কিমা' | "$khobor" match --rule 'কিম')
check "no match exit status" 1 $?
check "no match json" '{"hits":[],"match":false}' "$out"

err=$(printf 'x' | "$khobor" match --rule 'পুতিন AND (কিম' 2>&1 >/dev/null)
check "bad rule exit status" 2 $?
case "$err" in
  *"column 11"*) ;;
  *) echo "FAIL: bad rule message does not name column 11: $err" >&2; fail=1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'name = "summit"\nrules = ["স্যাটেলাইট", "পুতিন"]\nexclude = ["খেলা"]\nfeeds = ["bbc*"]\n' > "$tmp/s.toml"
out=$(printf 'পুতিনকে ধন্যবাদ' | "$khobor" match --watchlist "$tmp/s.toml" --feed bbc-bangla)
check "watchlist exit status" 0 $?
check "watchlist json" '{"hits":[{"begin":0,"end":21,"term":"পুতিন","text":"পুতিনকে"}],"match":true,"rule":"পুতিন","snippet":"পুতিনকে ধন্যবাদ","watchlist":"summit"}' "$out"
printf 'পুতিনকে ধন্যবাদ' | "$khobor" match --watchlist "$tmp/s.toml" --feed jugantor >/dev/null
check "watchlist other feed" 1 $?
printf 'rules = [\n  "a OR",\n]\n' > "$tmp/bad.toml"
err=$(printf 'a' | "$khobor" match --watchlist "$tmp/bad.toml" 2>&1 >/dev/null)
check "bad watchlist exit status" 2 $?
case "$err" in
  *"bad.toml:2:8: bad rule"*) ;;
  *) echo "FAIL: bad list message does not name file:line:column: $err" >&2; fail=1 ;;
esac
"$khobor" match </dev/null >/dev/null 2>&1
check "usage exit status" 2 $?
exit $fail
