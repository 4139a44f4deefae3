#!/bin/sh
# man.sh - check every man page with groff's strictest warnings (TAP).
#
# Each man/*.8 and man/*.5 file is one test: it passes only when
# "groff -mandoc -ww -z" prints nothing and exits 0. TEST_SRCDIR is the
# absolute path of tests/ in the source tree (set by Makefile.am); without
# it the directory of this script is used.

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
srcdir=${TEST_SRCDIR:-$here}
mandir=$srcdir/../man
groff=${GROFF:-groff}

if ! command -v "$groff" >/dev/null 2>&1; then
	echo "1..0 # SKIP groff not installed"
	exit 0
fi

total=0
for f in "$mandir"/*.8 "$mandir"/*.5; do
	[ -f "$f" ] && total=$((total + 1))
done
if [ "$total" -eq 0 ]; then
	echo "1..0 # SKIP no man pages found in $mandir"
	exit 0
fi

echo "1..$total"
n=0
for f in "$mandir"/*.8 "$mandir"/*.5; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=${f##*/}
	out=$(LC_ALL=C "$groff" -mandoc -ww -z "$f" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (groff exit status $rc)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
exit 0
