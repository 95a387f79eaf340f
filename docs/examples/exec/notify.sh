#!/bin/sh
# khobor sub --exec recipe: a desktop notification (libnotify-bin's notify-send),
# run in the desktop session of the user who wants it:
#   khobor sub --topic alert. --exec /usr/share/doc/khobor/examples/exec/notify.sh
# The title is the watch list, the body the headline and the link.
set -eu
exec notify-send --app-name=khobor --urgency=normal \
  "khobor: $KHOBOR_WATCHLIST" "$KHOBOR_TITLE
$KHOBOR_LINK"
