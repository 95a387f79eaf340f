#!/bin/sh
# khobor sub --exec recipe: each alert as a mail, through the system's sendmail
# (exim4, postfix or msmtp-mta provide /usr/sbin/sendmail).
#   KHOBOR_MAIL_TO=desk@example.org khobor sub --topic alert. --state ~/.khobor-mail \
#     --exec /usr/share/doc/khobor/examples/exec/mail.sh
# The subject is RFC 2047 encoded (Bengali is not ASCII); the body is UTF-8.
set -eu
to=${KHOBOR_MAIL_TO:?set KHOBOR_MAIL_TO to the recipient}
subject=$(printf '[%s] %s' "$KHOBOR_WATCHLIST" "$KHOBOR_TITLE" | base64 -w0)
{
  printf 'To: %s\n' "$to"
  printf 'Subject: =?UTF-8?B?%s?=\n' "$subject"
  printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n'
  printf 'Content-Transfer-Encoding: 8bit\n\n'
  printf '%s\n\n%s\n\n' "$KHOBOR_TITLE" "$KHOBOR_LINK"
  printf 'watch list: %s (matched: %s)\nfeed: %s, outlets so far: %s\nseq %s\n' \
    "$KHOBOR_WATCHLIST" "$KHOBOR_TERMS" "$KHOBOR_FEED" "$KHOBOR_OUTLETS" "$KHOBOR_SEQ"
} | sendmail -oi -t
