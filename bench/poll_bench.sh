#!/usr/bin/env bash
# Polling at scale: one full round of N feeds (default 10,000) on a local nginx,
# 80% answering 304 to the conditional request and 20% serving a changed real
# Bengali feed; the same for newsboat (Debian's package) reloading M feeds
# (default 1,000) of the same server in the same run. Prints wall time, CPU
# seconds, peak RSS and requests per second for both, and the per-feed ratio.
#
# usage: bench/poll_bench.sh BUILD_DIR [DATA_DIR] [N] [M]
#   DATA_DIR defaults to ../shared/data; its feeds-bd/latest/*.xml are served.
set -euo pipefail
build=$(realpath "${1:?usage: poll_bench.sh BUILD_DIR [DATA_DIR] [N] [M]}")
data=$(realpath "${2:-$(dirname "$0")/../../shared/data}")
n=${3:-10000}
m=${4:-1000}
src=$data/feeds-bd/latest
[ -d "$src" ] || { echo "poll_bench: no $src (the shared data directory)"; exit 1; }
for tool in nginx newsboat /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "poll_bench: needs $tool (apt-get install nginx-light newsboat time)"; exit 1; }
done

work=$(mktemp -d /tmp/khobor-pollbench.XXXXXX)
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  if [ -n "${POLL_BENCH_KEEP:-}" ]; then echo "poll_bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The feeds: N names, hard links to the real files (cycled), so 10,000 feeds
# cost no disk; "changing" a feed relinks it to another outlet's file.
mapfile -t files < <(ls "$src"/*.xml)
mkdir -p "$work/www" "$work/logs" "$work/wl"
# link FIRST STEP OFFSET: relink f$i.xml (i = FIRST, FIRST+STEP, ...) to the
# outlet file (i + OFFSET) mod count. One Python process: 10,000 `ln`
# processes take minutes on a loaded machine.
link() {
  /usr/bin/python3 - "$work/www" "$n" "$1" "$2" "$3" "${files[@]}" <<'PY'
import os, sys
www, n, first, step, offset = sys.argv[1], *map(int, sys.argv[2:6])
files = sys.argv[6:]
for i in range(first, n, step):
    dst = os.path.join(www, "f%d.xml" % i)
    tmp = dst + ".tmp"
    os.link(files[(i + offset) % len(files)], tmp)
    os.replace(tmp, dst)
PY
}
link 0 1 0

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
daemon off;
user root;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
NGINX
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/f0.xml" && break
  sleep 0.1  # nginx is starting; bounded
done

# A watch list of 1,000 rules, so the round does the daemon's real work.
{
  echo 'name = "bench"'
  echo 'rules = ['
  for w in পুতিন ঢাকা নির্বাচন বাজেট ভারত চীন রাশিয়া আওয়ামী বিএনপি সরকার; do
    for ((k = 0; k < 100; k++)); do echo "  \"$w$k OR $w\","; done
  done
  echo ']'
} > "$work/wl/bench.toml"

cat > "$work/khobor.toml" <<TOML
watchlists = "$work/wl"
[store]
path = "$work/state.db"
[publish]
endpoint = "tcp://127.0.0.1:*"
[control]
endpoint = "tcp://127.0.0.1:*"
[poll]
interval = "5m"
[log]
level = "warning"
TOML
for ((i = 0; i < n; i++)); do
  printf '[[feed]]\nid = "f%d"\nurl = "http://127.0.0.1:%d/f%d.xml"\n' "$i" "$port" "$i"
done >> "$work/khobor.toml"

for ((i = 0; i < m; i++)); do echo "http://127.0.0.1:$port/f$i.xml"; done > "$work/urls"
cat > "$work/newsboat.conf" <<NB
reload-threads 2
NB

change_feeds() {  # relink every 5th feed to the next outlet's file: 20% change
  link 0 5 $((1 + $1))
}

run_timed() {  # label, command...: prints wall s, cpu s, peak RSS MB
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$label" "$@" >"$work/out.$label" 2>&1 || {
    echo "poll_bench: $label failed:"; tail -n 20 "$work/out.$label"; exit 1; }
  read -r wall user sys rss < "$work/time.$label"
  echo "$wall $(echo "$user + $sys" | bc) $((rss / 1024))"
}

echo "poll_bench: $n feeds for khobord, $m for newsboat, nginx on 127.0.0.1:$port"
# Round 1 fills the caches (ETag / Last-Modified); round 2 is measured.
run_timed khobor-warm "$build/daemon/khobord" --config "$work/khobor.toml" --once >/dev/null
run_timed newsboat-warm newsboat -u "$work/urls" -c "$work/newsboat.db" -C "$work/newsboat.conf" -x reload >/dev/null
change_feeds 1
read -r k_wall k_cpu k_rss < <(run_timed khobor "$build/daemon/khobord" --config "$work/khobor.toml" --once)
read -r n_wall n_cpu n_rss < <(run_timed newsboat newsboat -u "$work/urls" -c "$work/newsboat.db" -C "$work/newsboat.conf" -x reload)

k_rps=$(echo "scale=0; $n / $k_wall" | bc 2>/dev/null || echo inf)
n_rps=$(echo "scale=0; $m / $n_wall" | bc 2>/dev/null || echo inf)
printf '\n%-10s %8s %10s %8s %9s %10s\n' tool feeds "round s" "CPU s" "RSS MB" "req/s"
printf '%-10s %8d %10s %8s %9s %10s\n' khobord "$n" "$k_wall" "$k_cpu" "$k_rss" "$k_rps"
printf '%-10s %8d %10s %8s %9s %10s\n' newsboat "$m" "$n_wall" "$n_cpu" "$n_rss" "$n_rps"
echo "per feed: khobord $(echo "scale=3; 1000 * $k_wall / $n" | bc) ms, newsboat $(echo "scale=3; 1000 * $n_wall / $m" | bc) ms;" \
     "khobord is $(echo "scale=1; ($n_wall * $n) / ($m * $k_wall)" | bc)x faster per feed"
