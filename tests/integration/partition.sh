#!/bin/sh
# partition.sh - the network partition tests (partition.py, TAP), with the
# first Python 3 found ($PYTHON, else python3). partition.py says what
# they do and what they need (root and nft; skipped otherwise).
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3"
	exit 0
fi
exec "$py" "$here/partition.py" "$@"
