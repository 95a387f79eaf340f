#!/usr/bin/env bash
# tools/demo.sh BUILD_DIR — khobor end to end on this machine, in under a minute.
#
# Serves four small Bengali feeds (tests/fixtures/demo/, written for the demo) with
# `python3 -m http.server` on 127.0.0.1 at a free port, starts `khobor sub`, runs
# `khobord --once` with config/demo.toml, shows the alerts the subscriber printed,
# then serves the desk (`khobor web`) on the demo's store and prints its URL (on a
# terminal it stays up until Enter; KHOBOR_DEMO_SCREENSHOT=FILE saves a picture
# of it with headless chromium), and stops everything it started (by pid) on the
# way out, also on Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
khobord="$build/daemon/khobord"
khobor="$build/tools/khobor"
for b in "$khobord" "$khobor"; do
  [ -x "$b" ] || { echo "demo: $b is missing; build first (tools/dev build)" >&2; exit 2; }
done

state=$(mktemp -d "${TMPDIR:-/tmp}/khobor-demo.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait (bounded) until a command succeeds.
wait_for() {
  local tries=$1; shift
  for _ in $(seq "$tries"); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

echo "== 1. the outlets' feeds, served on 127.0.0.1"
/usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1 \
  --directory "$root/tests/fixtures/demo" >"$state/http.log" 2>&1 &
pids+=($!)
port_known() { port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$state/http.log" | head -n1); [ -n "$port" ]; }
port=""
wait_for 100 port_known || { echo "demo: the HTTP server did not start:" >&2; cat "$state/http.log" >&2; exit 1; }
echo "   http://127.0.0.1:$port/ serves: $(cd "$root/tests/fixtures/demo" && echo *)"

sed -e "s|@PORT@|$port|g" -e "s|@STATE@|$state|g" -e "s|@CONFIG_DIR@|$root/config|g" \
  "$root/config/demo.toml" >"$state/demo.toml"

echo "== 2. khobor sub, listening on ipc://$state/alerts.sock"
"$khobor" sub --endpoint "ipc://$state/alerts.sock" --format text --timeout 55 >"$state/alerts.txt" &
pids+=($!)

echo "== 3. khobord --once (watch lists: $(cd "$root/config/watchlists" && echo *))"
"$khobord" --config "$state/demo.toml" --once --await-subscriber 10

echo "== 4. the alerts, as khobor sub printed them"
expected=$(sqlite3 "$state/khobor.db" "SELECT COUNT(*) FROM alerts")
have_all() { [ "$(wc -l <"$state/alerts.txt")" -ge "$expected" ]; }
if ! wait_for 100 have_all; then
  echo "demo: expected $expected alerts, the subscriber printed $(wc -l <"$state/alerts.txt")" >&2
  cat "$state/alerts.txt"
  exit 1
fi
cat "$state/alerts.txt"
# Alerts are lines of their own ("#1 … [summit, event 1] …"); an update is a line
# indented under its event ("  └ #2 … [summit, event 1: 2 outlets, 2 entries] …"),
# or, after another event's line, "  ↳ #4 … [summit, event 1 (alert #1): …]".
summit=$(grep -c "^#[0-9]* .*\[summit" "$state/alerts.txt" || true)
updates=$(grep -cE "^  (└|↳) #" "$state/alerts.txt" || true)
events=$(grep -o "^#[0-9]* .*\[summit, event [0-9]*" "$state/alerts.txt" | sed 's/.*event //' | sort -u | wc -l)
echo "== $expected message(s): $summit summit alert(s) for $events event(s) and $updates update(s)."

echo "== 5. the desk: khobor web on the demo's store"
"$khobor" web --config "$state/demo.toml" --listen 127.0.0.1:0 >"$state/web.txt" 2>"$state/web.log" &
pids+=($!)
web_up() { grep -q "http://" "$state/web.txt"; }
wait_for 100 web_up || { echo "demo: khobor web did not start" >&2; exit 1; }
url=$(grep -o "http://[^ ]*" "$state/web.txt")
cards=$(curl -sf "${url}api/events" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))')
echo "   $url shows $cards event(s) (the feeds' table is empty: this khobord ran --once)"
if [ -n "${KHOBOR_DEMO_SCREENSHOT:-}" ]; then
  /usr/bin/python3 "$root/tests/integration/desk/screenshot.py" "$url" "$KHOBOR_DEMO_SCREENSHOT" 1000 900
fi
if [ -t 0 ]; then
  read -r -p "   open $url in a browser; press Enter to end the demo " _ || true
fi
