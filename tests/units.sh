#!/bin/sh
# units.sh - the systemd units pass "systemd-analyze verify" with nothing to
# say (TAP).
#
# Each etc/*.service.in is filled in as "make" does, with @bindir@ a
# temporary directory holding links to the built sentinel and sentinel-kv
# (verify checks that ExecStart is executable), then verified (the man
# pages of Documentation= are not installed: --man=no): it passes
# only when systemd-analyze exits 0 and prints nothing (an unknown key is
# only a warning to it). Then each unit must say Type=notify and
# WatchdogSec=, which the daemons honour (tests/integration/notify.py).
# Skipped where systemd-analyze is not installed.

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
srcdir=${TEST_SRCDIR:-$here}
etc=$srcdir/../etc
sbin=${SENTINEL_BIN:-$srcdir/../src/sentinel/sentinel}
kvbin=${SENTINEL_KV_BIN:-$srcdir/../src/kv/sentinel-kv}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..0 # SKIP systemd-analyze not installed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/units.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/etc/sentinel"
ln -s "$sbin" "$tmp/bin/sentinel"
ln -s "$kvbin" "$tmp/bin/sentinel-kv"

set -- "$etc"/*.service.in
echo "1..$#"
n=0
for f in "$@"; do
	n=$((n + 1))
	u=$tmp/$(basename "$f" .in)
	sed -e "s|@bindir@|$tmp/bin|g" -e "s|@sysconfdir@|$tmp/etc|g" "$f" >"$u"
	out=$(systemd-analyze verify --man=no "$u" 2>&1)
	rc=$?
	ok=1
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		ok=0
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
	for want in '^Type=notify$' '^WatchdogSec=' '^NoNewPrivileges=yes$' '^ProtectSystem=strict$'; do
		if ! grep -q "$want" "$u"; then
			echo "# $(basename "$u"): no line matching $want"
			ok=0
		fi
	done
	if [ $ok = 1 ]; then
		echo "ok $n - $(basename "$u") passes systemd-analyze verify"
	else
		echo "not ok $n - $(basename "$u") passes systemd-analyze verify"
	fi
done
