#!/bin/sh
# package.sh - build the Debian packages in a clean clone, check them with
# lintian, install them, run both daemons by hand from /etc/sentinel as
# the sentinel user, then purge them again (TAP). Not part of "make check":
# it needs root, debhelper and lintian (apt-get install debhelper lintian),
# and it installs packages on this machine for a minute.
#
#   sudo tests/package.sh        (from the top of a git checkout)
#
# The daemons listen on free ports given on the command line, so a
# redis-server or redis-sentinel already running is not disturbed. The
# user and group "sentinel" are removed afterwards only if this script's
# install created them.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (it installs the packages)"
	exit 0
fi
for t in dpkg-buildpackage lintian git redis-cli python3 setpriv; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP $t not installed"
		exit 0
	fi
done
if dpkg -s sentinel >/dev/null 2>&1 || dpkg -s sentinel-kv >/dev/null 2>&1; then
	echo "1..0 # SKIP the sentinel packages are installed already: not touching them"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/package.XXXXXX") || exit 1
had_user=0
getent passwd sentinel >/dev/null && had_user=1
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	sleep 0.5
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	dpkg --purge sentinel sentinel-kv >/dev/null 2>&1
	if [ $had_user = 0 ] && getent passwd sentinel >/dev/null; then
		userdel sentinel 2>/dev/null
		groupdel sentinel 2>/dev/null
		rm -rf /var/lib/sentinel
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "1..7"
n=0
check() { # description, then the status of what was checked
	n=$((n + 1))
	if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 1. Build, in a clean clone of HEAD.
git clone -q "$top" "$tmp/src" && cp -r "$top/debian" "$tmp/src/" &&
    (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -20 "$tmp/build.log" | sed 's/^/# /'
check "dpkg-buildpackage -us -uc -b builds sentinel and sentinel-kv" $rc

# 2. lintian: no error (E:) nor warning (W:).
lintian "$tmp"/sentinel_*.changes >"$tmp/lintian.log" 2>&1
grep -E '^(E|W):' "$tmp/lintian.log" | sed 's/^/# /'
! grep -qE '^(E|W):' "$tmp/lintian.log"
check "lintian: no errors or warnings" $?

# 3. Install: binaries, units, the live configuration owned by the user.
dpkg -i "$tmp"/sentinel_*_*.deb "$tmp"/sentinel-kv_*_*.deb >"$tmp/install.log" 2>&1
rc=$?
for f in /usr/bin/sentinel /usr/bin/sentinel-kv /lib/systemd/system/sentinel.service \
    /lib/systemd/system/sentinel-kv.service /etc/sentinel/sentinel.conf /etc/sentinel/sentinel-kv.conf; do
	[ -e "$f" ] || { echo "# missing: $f"; rc=1; }
done
[ "$(stat -c %U /etc/sentinel/sentinel.conf 2>/dev/null)" = sentinel ] ||
    { echo "# /etc/sentinel/sentinel.conf is not owned by sentinel"; rc=1; }
dpkg-query -W -f='${Conffiles}\n' sentinel 2>/dev/null | grep -q sentinel.conf &&
    { echo "# sentinel.conf is a conffile"; rc=1; }
[ $rc = 0 ] || tail -10 "$tmp/install.log" | sed 's/^/# /'
check "dpkg -i installs both, with /etc/sentinel/*.conf owned by sentinel and not conffiles" $rc

# 4. By hand, from /etc/sentinel, as the sentinel user.
kport=$(free_port)
sport=$(free_port)
chmod 755 "$tmp" && mkdir -p "$tmp/data" && chown sentinel: "$tmp/data"
sed -i "s/^sentinel monitor mymaster 127.0.0.1 6379 /sentinel monitor mymaster 127.0.0.1 $kport /" \
    /etc/sentinel/sentinel.conf
setpriv --reuid=sentinel --regid=sentinel --init-groups /usr/bin/sentinel-kv /etc/sentinel/sentinel-kv.conf --port "$kport" \
    --dir "$tmp/data" --daemonize no >"$tmp/kv.log" 2>&1 &
pids="$pids $!"
setpriv --reuid=sentinel --regid=sentinel --init-groups /usr/bin/sentinel /etc/sentinel/sentinel.conf --port "$sport" \
    --daemonize no >"$tmp/sentinel.log" 2>&1 &
pids="$pids $!"
rc=1
for i in $(seq 1 100); do
	if [ "$(redis-cli -p "$kport" ping 2>/dev/null)" = PONG ] &&
	    redis-cli -p "$sport" info sentinel 2>/dev/null | grep -q "name=mymaster,status=ok,address=127.0.0.1:$kport"; then
		rc=0
		break
	fi
	sleep 0.1
done
[ $rc = 0 ] || { tail -n 5 "$tmp/kv.log" "$tmp/sentinel.log" | sed 's/^/# /'; }
check "the installed sentinel-kv and sentinel run from /etc/sentinel as user sentinel" $rc

# 5. The sentinel rewrote its file there (it saves its id at the first start).
grep -q '^sentinel myid ' /etc/sentinel/sentinel.conf
check "the sentinel rewrote /etc/sentinel/sentinel.conf" $?

# 6. A failover (to a replica started by hand) is recorded beside the
# config: the sentinel user may write there, as the unit's ReadWritePaths.
rport=$(free_port)
mkdir -p "$tmp/rdata" && chown sentinel: "$tmp/rdata"
setpriv --reuid=sentinel --regid=sentinel --init-groups /usr/bin/sentinel-kv /etc/sentinel/sentinel-kv.conf --port "$rport" \
    --dir "$tmp/rdata" --daemonize no --replicaof 127.0.0.1 "$kport" >"$tmp/kv2.log" 2>&1 &
pids="$pids $!"
rc=1
for i in $(seq 1 150); do
	if [ "$(redis-cli -p "$sport" sentinel failover mymaster 2>/dev/null)" = OK ]; then
		rc=0
		break
	fi
	sleep 0.1
done
if [ $rc = 0 ]; then
	rc=1
	for i in $(seq 1 100); do
		if grep -q "^failover mymaster 1 leader .* ok 127.0.0.1 $kport 127.0.0.1 $rport " \
		    /etc/sentinel/sentinel.conf.history 2>/dev/null; then
			rc=0
			break
		fi
		sleep 0.1
	done
fi
[ $rc = 0 ] || { ls -la /etc/sentinel; tail -n 8 "$tmp/sentinel.log"; } | sed 's/^/# /'
check "a failover is kept in /etc/sentinel/sentinel.conf.history" $rc

# 7. Purge takes the live files (the history too) and the directory.
for p in $pids; do
	kill "$p" 2>/dev/null
done
for p in $pids; do
	wait "$p" 2>/dev/null
done
pids=
dpkg --purge sentinel sentinel-kv >"$tmp/purge.log" 2>&1
rc=$?
[ -e /etc/sentinel ] && { ls -la /etc/sentinel | sed 's/^/# /'; rc=1; }
check "dpkg --purge removes /etc/sentinel with what the sentinel wrote there" $rc
