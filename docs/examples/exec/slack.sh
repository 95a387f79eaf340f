#!/bin/sh
# khobor sub --exec recipe: each message to a chat webhook that takes Slack's
# JSON ({"text": …}: Slack, Mattermost, Rocket.Chat, Discord's /slack endpoint).
#   KHOBOR_WEBHOOK_URL=https://hooks.slack.com/services/… khobor sub --state ~/.khobor-chat \
#     --exec /usr/share/doc/khobor/examples/exec/slack.sh
# jq builds the JSON from the message on stdin (no quoting by hand); curl -f
# makes an HTTP error a failure, so khobor sub retries it.
set -eu
url=${KHOBOR_WEBHOOK_URL:?set KHOBOR_WEBHOOK_URL to the webhook}
jq -c '{text: (if .event then "[\(.watchlist)] \(.entry.title)\n\(.entry.link)\n\(.event.outlet_count) outlet(s): \(.event.sources | join(", "))"
               else "[\(.watchlist)] \(.entry.title)\n\(.entry.link)" end)}' |
  curl -sS -f --max-time 20 -H 'Content-Type: application/json' --data-binary @- "$url" >/dev/null
