#!/usr/bin/env bash
# Polling at scale: one full round of N feeds (default 10,000) on a local nginx,
# and the same for newsboat (Debian's package) reloading M of the same feeds
# (default 1,000) from the same server in the same run. Prints wall time, CPU
# seconds, peak RSS and requests per second for both, and the per-feed ratio.
#
# The workload. Each feed is one pair of consecutive real snapshots of an
# outlet's feed (../shared/data/feeds-bd/snapshots/<window>/<feed>/, 360 pairs;
# feeds 5k..5k+4 get pair k mod 360, so the changed feeds cover every pair). Warm-up: every feed serves its older snapshot (both
# tools read everything and fill their caches: ETag / Last-Modified). Then two
# measured rounds:
#   real    80% answer 304; 20% (every 5th feed) now serve the next snapshot of
#           the same feed: the outlet's real delta, a few new entries each.
#   stress  80% answer 304; the same 20% are relinked to another outlet's whole
#           feed (feeds-bd/latest/, 300-500 entries, nearly all new to the feed).
# The files are hard links (10,000 feeds cost no disk), so each real file is
# served by ~30 feeds and its entries reach the story index from many feeds.
#
# The feeds are spread over H loopback addresses (127.0.0.1 .. 127.0.0.H,
# default 16; one nginx listens on all), since khobord limits itself to
# max_per_domain = 4 connections per domain, as for real outlets on many
# domains; newsboat gets the same URLs. The watch list has 1,000 rules.
#
# usage: bench/poll_bench.sh BUILD_DIR [DATA_DIR] [N] [M] [H]
#   DATA_DIR defaults to ../shared/data.
#   POLL_BENCH_KEEP=1 keeps the work directory; POLL_BENCH_PERF=1 records each
#   measured khobord round with `perf record -g` (perf.real, perf.stress there),
#   POLL_BENCH_PERF=dwarf with DWARF call graphs (`perf report --children`).
set -euo pipefail
build=$(realpath "${1:?usage: poll_bench.sh BUILD_DIR [DATA_DIR] [N] [M] [H]}")
data=$(realpath "${2:-$(dirname "$0")/../../shared/data}")
n=${3:-10000}
m=${4:-1000}
hosts=${5:-16}
[ "$hosts" -ge 1 ] && [ "$hosts" -le 254 ] || { echo "poll_bench: H must be 1..254"; exit 1; }
snaps=$data/feeds-bd/snapshots
latest=$data/feeds-bd/latest
[ -d "$snaps" ] && [ -d "$latest" ] || {
  echo "poll_bench: no $snaps or $latest (the shared data directory)"
  exit 1
}
for tool in nginx newsboat /usr/bin/time bc; do
  command -v "$tool" >/dev/null || {
    echo "poll_bench: needs $tool (apt-get install nginx-light newsboat time bc)"
    exit 1
  }
done

work=$(mktemp -d /tmp/khobor-pollbench.XXXXXX)
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  if [ -n "${POLL_BENCH_KEEP:-}" ]; then echo "poll_bench: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/www" "$work/logs" "$work/wl"

# link STAGE: (re)link f$i.xml for every feed (warm), or every 5th feed to its
# next snapshot (real) or to another outlet's latest file (stress). One Python
# process: 10,000 `ln` processes take minutes on a loaded machine.
link() {
  /usr/bin/python3 - "$work/www" "$n" "$snaps" "$latest" "$1" <<'PY'
import os, shutil, sys
www, n, snaps, latest, stage = sys.argv[1], int(sys.argv[2]), *sys.argv[3:6]
pairs = []
for window in sorted(os.listdir(snaps)):
    for feed in sorted(os.listdir(os.path.join(snaps, window))):
        d = os.path.join(snaps, window, feed)
        files = sorted(f for f in os.listdir(d) if f.endswith(".xml"))
        pairs += [(os.path.join(d, a), os.path.join(d, b)) for a, b in zip(files, files[1:])]
outlets = sorted(os.path.join(latest, f) for f in os.listdir(latest) if f.endswith(".xml"))
copies = {}
def fresh(src):
    # A changed feed is served from a copy made now: nginx's ETag is mtime-size, and
    # two snapshots of one size copied in the same second would look unchanged.
    if src not in copies:
        copies[src] = os.path.join(www, "src", "%s-%d.xml" % (stage, len(copies)))
        os.makedirs(os.path.dirname(copies[src]), exist_ok=True)
        shutil.copyfile(src, copies[src])
    return copies[src]
for i in range(0, n, 1 if stage == "warm" else 5):
    old, new = pairs[(i // 5) % len(pairs)]  # each changed feed (i % 5 == 0) has its own pair
    src = {"warm": old, "real": new, "stress": outlets[(i // 5) % len(outlets)]}[stage]
    if stage != "warm":
        src = fresh(src)
    dst = os.path.join(www, "f%d.xml" % i)
    os.link(src, dst + ".tmp")
    os.replace(dst + ".tmp", dst)
if stage == "warm":
    print(len(pairs))
PY
}
pairs=$(link warm)

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host() { echo "127.0.0.$(($1 % hosts + 1))"; }  # the loopback address of feed $1 (inlined below)
{
  cat <<NGINX
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
    root $work/www;
NGINX
  for ((h = 0; h < hosts; h++)); do echo "    listen $(host "$h"):$port;"; done
  echo '  }'
  echo '}'
} > "$work/nginx.conf"
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
backlog = "all"
[log]
level = "info"
TOML
for ((i = 0; i < n; i++)); do
  printf '[[feed]]\nid = "f%d"\nurl = "http://127.0.0.%d:%d/f%d.xml"\n' "$i" $((i % hosts + 1)) "$port" "$i"
done >> "$work/khobor.toml"

for ((i = 0; i < m; i++)); do echo "http://127.0.0.$((i % hosts + 1)):$port/f$i.xml"; done > "$work/urls"
cat > "$work/newsboat.conf" <<NB
reload-threads 2
NB

run_timed() {  # label, command...: prints wall s, cpu s, peak RSS MB
  local label=$1; shift
  local pre=()
  if [ -n "${POLL_BENCH_PERF:-}" ] && [ "${label#khobor-}" != "$label" ] && [ "$label" != khobor-warm ]; then
    local graph=(-g)
    [ "$POLL_BENCH_PERF" = dwarf ] && graph=(-F 250 --call-graph dwarf,8192)
    pre=(perf record "${graph[@]}" -o "$work/perf.${label#khobor-}" --)
  fi
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.$label" "${pre[@]}" "$@" >"$work/out.$label" 2>&1 || {
    echo "poll_bench: $label failed:"; tail -n 20 "$work/out.$label"; exit 1; }
  read -r wall user sys rss < "$work/time.$label"
  echo "$wall $(echo "$user + $sys" | bc) $((rss / 1024))"
}
khobor=("$build/daemon/khobord" --config "$work/khobor.toml" --once)
newsboat=(newsboat -u "$work/urls" -c "$work/newsboat.db" -C "$work/newsboat.conf" -x reload)
# "1,234 new entries" from khobord's round summary
new_entries() { grep -o '([0-9]* new entries)' "$work/out.$1" | tr -dc 0-9; }

echo "poll_bench: $n feeds for khobord, $m for newsboat ($pairs snapshot pairs)," \
     "nginx on $hosts loopback addresses, port $port; load: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r w_wall w_cpu w_rss < <(run_timed khobor-warm "${khobor[@]}")
echo "warm-up (every entry new): khobord $w_wall s, $w_cpu CPU s, $w_rss MB, $(new_entries khobor-warm) entries"
run_timed newsboat-warm "${newsboat[@]}" >/dev/null

printf '\n%-7s %-9s %7s %10s %8s %8s %8s %12s\n' round tool feeds "round s" "CPU s" "RSS MB" "req/s" "new entries"
for stage in real stress; do
  link "$stage"
  read -r k_wall k_cpu k_rss < <(run_timed "khobor-$stage" "${khobor[@]}")
  read -r n_wall n_cpu n_rss < <(run_timed "newsboat-$stage" "${newsboat[@]}")
  printf '%-7s %-9s %7d %10s %8s %8s %8s %12s\n' "$stage" khobord "$n" "$k_wall" "$k_cpu" "$k_rss" \
    "$(echo "scale=0; $n / $k_wall" | bc)" "$(new_entries "khobor-$stage")"
  printf '%-7s %-9s %7d %10s %8s %8s %8s\n' "$stage" newsboat "$m" "$n_wall" "$n_cpu" "$n_rss" \
    "$(echo "scale=0; $m / $n_wall" | bc)"
  echo "        per feed: khobord $(echo "scale=3; 1000 * $k_wall / $n" | bc) ms," \
       "newsboat $(echo "scale=3; 1000 * $n_wall / $m" | bc) ms of wall time:" \
       "$(echo "scale=1; ($n_wall * $n) / ($m * $k_wall)" | bc)x; CPU:" \
       "$(echo "scale=1; ($n_cpu * $n) / ($m * $k_cpu)" | bc)x"
done
