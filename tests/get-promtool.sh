#!/bin/sh
# get-promtool.sh - print the path of a promtool binary, fetching it first if
# needed (for tests/integration/observe.py's "promtool check metrics").
#
# Order: $PROMTOOL, promtool on PATH, a copy extracted earlier into DIR
# (first argument, default $TEST_BUILDDIR/.promtool or ./.promtool), else
# Debian's prometheus package is downloaded (apt-get download: no root
# needed, nothing installed, no daemon started) and only its promtool is
# extracted into DIR. Exits 1 with a reason on stderr when none can be had.
set -u
dir=${1:-${TEST_BUILDDIR:-.}/.promtool}

if [ -n "${PROMTOOL:-}" ] && [ -x "$PROMTOOL" ]; then
	echo "$PROMTOOL"
	exit 0
fi
if command -v promtool >/dev/null 2>&1; then
	command -v promtool
	exit 0
fi
if [ -x "$dir/usr/bin/promtool" ]; then
	echo "$dir/usr/bin/promtool"
	exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "no promtool and no apt-get" >&2; exit 1; }
mkdir -p "$dir" || exit 1
tmp=$(mktemp -d "$dir/dl.XXXXXX") || exit 1
if ! (cd "$tmp" && apt-get download prometheus >/dev/null 2>"$tmp/err"); then
	echo "apt-get download prometheus failed: $(tail -1 "$tmp/err")" >&2
	rm -rf "$tmp"
	exit 1
fi
if ! dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb |
    tar -x -C "$dir" ./usr/bin/promtool 2>"$tmp/err"; then
	echo "cannot extract promtool: $(tail -1 "$tmp/err")" >&2
	rm -rf "$tmp"
	exit 1
fi
rm -rf "$tmp"
echo "$dir/usr/bin/promtool"
