#!/usr/bin/env bash
# The service as an operator meets it: the units (khobord, khobor-web) pass `systemd-analyze verify`,
# scores <= 1.5 on `systemd-analyze security --offline=true`, `cmake --install`
# lays out the files where the FHS says, and the .deb built by CPack holds them.
# usage: service_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Install into a scratch root.
DESTDIR="$scratch/root" cmake --install "$build" --prefix /usr >/dev/null
root=$scratch/root
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
for f in usr/sbin/khobord usr/bin/khobor "${unitdir#/}/khobord.service" \
         "${unitdir#/}/khobor-web.service" usr/share/man/man1/khobor-web.1.gz \
         usr/share/doc/khobor/examples/exec/slack.sh \
         usr/lib/sysusers.d/khobor.conf usr/lib/tmpfiles.d/khobor.conf \
         etc/khobor/khobor.toml usr/share/man/man8/khobord.8.gz \
         usr/share/man/man1/khobor.1.gz usr/share/man/man5/khobor.toml.5.gz \
         usr/share/doc/khobor/copyright; do
  [ -e "$root/$f" ] || fail "cmake --install did not install /$f"
done
ls "$root"/etc/khobor/watchlists/*.toml >/dev/null 2>&1 || fail "no example watch lists in /etc/khobor/watchlists"
echo "ok: cmake --install lays out every file"

# 2. systemd-analyze verify: the units as installed, with their binaries and man
#    pages found in the scratch root.
for name in khobord khobor-web; do
  unit=$scratch/$name.service
  sed -e "s#/usr/sbin/khobord#$root/usr/sbin/khobord#g" -e "s#/usr/bin/khobor #$root/usr/bin/khobor #g" \
      "$root/${unitdir#/}/$name.service" > "$unit"
  out=$(MANPATH="$root/usr/share/man" SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$unit" 2>&1) || {
    echo "$out"; fail "systemd-analyze verify $name.service failed"; }
  if [ -n "$out" ]; then echo "$out"; fail "systemd-analyze verify $name.service is not clean"; fi
  echo "ok: systemd-analyze verify $name.service is clean"
done

# 3. The exposure scores.
for name in khobord khobor-web; do
  sec=$(systemd-analyze security --offline=true "$src/systemd/$name.service" 2>&1 | tail -n 1)
  echo "$sec"
  score=$(echo "$sec" | sed -n "s/.*level for $name.service: \([0-9.]*\).*/\1/p")
  [ -n "$score" ] || fail "no score in: $sec"
  awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || fail "$name exposure $score > 1.5"
  echo "ok: $name exposure score $score <= 1.5"
done

# 4. The Debian package.
(cd "$build" && cpack -G DEB -B "$scratch/pkg" >/dev/null) || fail "cpack failed"
deb=$(ls "$scratch"/pkg/khobor_*.deb | head -n 1)
[ -n "$deb" ] || fail "no .deb"
dpkg-deb -x "$deb" "$scratch/deb"
for f in usr/sbin/khobord usr/bin/khobor "${unitdir#/}/khobord.service" etc/khobor/khobor.toml \
         "${unitdir#/}/khobor-web.service" usr/share/man/man1/khobor-web.1.gz \
         usr/lib/sysusers.d/khobor.conf usr/share/man/man8/khobord.8.gz; do
  [ -e "$scratch/deb/$f" ] || fail "the .deb has no /$f"
done
deps=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $deps"
for lib in libcurl4 libzmq5 libsqlite3-0 libicu72 libpugixml1v5 libsystemd0 libcpp-httplib0.11; do
  echo "$deps" | grep -q "$lib" || fail "the .deb does not depend on $lib"
done
dpkg-deb -c "$deb" | grep -q "conffiles" && true
dpkg-deb -I "$deb" conffiles | grep -q /etc/khobor/khobor.toml || fail "khobor.toml is not a conffile"
echo "ok: the .deb holds the files, its dependencies and conffiles"

# 5. lintian: every tag it still reports must be explained in packaging/lintian-explained.txt.
if command -v lintian >/dev/null; then
  tags=$(lintian --no-tag-display-limit "$deb" 2>/dev/null | awk '{print $1" "$3}' | sort -u || true)
  echo "lintian:"; echo "${tags:-  (clean)}"
  while read -r sev tag; do
    [ -z "$tag" ] && continue
    grep -q "^$tag\b" "$src/packaging/lintian-explained.txt" || fail "lintian tag $sev $tag is not explained"
  done <<< "$tags"
  echo "ok: lintian is clean or each tag is explained"
fi
