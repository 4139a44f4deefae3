#!/bin/sh
# clients.sh - real clients against our sentinel (TAP).
#
# Starts a sentinel-kv master, one replica of it and one sentinel watching
# them, all on free loopback ports in a temporary directory, then asks the
# sentinel what clients ask:
#
#   redis-cli    SENTINEL GET-MASTER-ADDR-BY-NAME in raw, --no-raw and RESP3
#                (-3) output, SENTINEL MASTERS, SENTINEL REPLICAS and
#                INFO sentinel;
#   redis-py     redis.sentinel.Sentinel: discover_master, discover_slaves,
#                a write through master_for() read back through slave_for(),
#                and an INCR loop through a planned failover (SENTINEL
#                FAILOVER): it goes on on the new master, nothing acknowledged
#                is lost (it loses ~1500 of 2000 without the write pause);
#                then a kill -9 of the new master (down-after 1000 ms): it
#                goes on writing on the promoted one.
#
# Then the same two failovers for three more libraries, each run on a fresh
# master, replica and sentinel, with the programs in clients/ (common.js
# says what they check): a steady INCR loop, one at a time, through
#   (a) SENTINEL FAILOVER with the master up: 300 INCRs acknowledged after the
#       switch, none of them lower than one before (nothing acknowledged is
#       lost) and the new master's counter at least the last acknowledged;
#   (b) kill -9 of the master (down-after 500 ms): 100 INCRs acknowledged
#       after the kill, on the promoted replica, within DEADLINE seconds.
# Each prints its figures (switch time, longest stall) as a TAP comment.
#
#   ioredis      (npm) new Redis({sentinels, name}), with protocol 2 and 3
#                (ioredis 6 speaks RESP3);
#   node-redis   (npm "redis" v5) createSentinel(), with RESP 2 and 3;
#   redis-rb     (Debian ruby-redis 4.x) Redis.new(name:, sentinels:,
#                role: :master), RESP2 only (redis-rb 4 has no RESP3).
# The npm packages come from tests/integration/package.json: run "npm ci"
# there first.
#
# A missing client skips its tests ("ok N # SKIP"). SENTINEL_BIN and
# SENTINEL_KV_BIN name the binaries (set by Makefile.am); without them the
# build tree next to TEST_BUILDDIR, or to this script, is used. PYTHON names
# the interpreter to try first (python3, then /usr/bin/python3, where
# Debian's python3-redis lives); NODE and RUBY name node and ruby. Every
# process is stopped by its PID, at the end of its test group or on exit.

case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
srcdir=${TEST_SRCDIR:-$here/..}
builddir=${TEST_BUILDDIR:-$srcdir}
kvbin=${SENTINEL_KV_BIN:-$builddir/../src/kv/sentinel-kv}
sbin=${SENTINEL_BIN:-$builddir/../src/sentinel/sentinel}
cli=${REDIS_CLI:-redis-cli}

NTESTS=25
DEADLINE=15		# seconds to wait for anything to happen

for b in "$kvbin" "$sbin"; do
	if [ ! -x "$b" ]; then
		echo "1..0 # SKIP $b not built"
		exit 0
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/clients.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 1
}
pids=""

# Stop what we started, by PID: SIGTERM, then SIGKILL after a deadline.
stop() {	# stop PID...
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		w=0
		while kill -0 "$p" 2>/dev/null && [ $w -lt 50 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
cleanup() {
	stop $pids
	pids=""
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# --- helpers ---------------------------------------------------------------

n=0
failed=0
ok() {	# ok DESC: pass
	n=$((n + 1))
	echo "ok $n - $1"
}
notok() {	# notok DESC [DIAG]: fail, with diagnostics
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -n "${2-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
}
skip() {	# skip DESC REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
check() {	# check DESC GOT WANT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1" "got:
$2
wanted:
$3"
	fi
}

# Find a Python that has redis-py (it may not be the first python3 in PATH).
py=""
for p in "${PYTHON:-python3}" python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 &&
	    "$p" -c 'import redis.sentinel' >/dev/null 2>&1; then
		py=$p
		break
	fi
done
anypy=""
for p in "${PYTHON:-python3}" python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1; then
		anypy=$p
		break
	fi
done

# A free loopback port, other than those already taken by us.
taken=""
free_port() {
	i=0
	while [ $i -lt 50 ]; do
		i=$((i + 1))
		if [ -n "$anypy" ]; then
			p=$("$anypy" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') || return 1
		else
			# No Python: a port in 20000..59999 that refuses connections.
			p=$(( ( $$ * 7919 + i * 104729 + $(date +%S) * 613 ) % 40000 + 20000 ))
			if command -v "$cli" >/dev/null 2>&1 &&
			    "$cli" -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1; then
				continue
			fi
		fi
		case " $taken " in *" $p "*) continue ;; esac
		taken="$taken $p"
		echo "$p"
		return 0
	done
	return 1
}

# A PING on 127.0.0.1:PORT answered (any reply) within the deadline.
ping_port() {	# ping_port PORT PID
	i=0
	while [ $i -lt $((DEADLINE * 10)) ]; do
		kill -0 "$2" 2>/dev/null || return 1
		if [ -n "$anypy" ]; then
			"$anypy" - "$1" <<'EOF' >/dev/null 2>&1 && return 0
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"PING\r\n")
sys.exit(0 if s.recv(64) else 1)
EOF
		elif "$cli" -h 127.0.0.1 -p "$1" ping >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# Poll until "$@" prints something matching PATTERN; prints the last output.
poll() {	# poll PATTERN CMD...
	pat=$1
	shift
	i=0
	out=""
	while [ $i -lt $((DEADLINE * 5)) ]; do
		out=$("$@" 2>&1)
		case $out in *$pat*) printf '%s\n' "$out"; return 0 ;; esac
		sleep 0.2
		i=$((i + 1))
	done
	printf '%s\n' "$out"
	return 1
}

logs() {
	for f in "$tmp"/*.log; do
		[ -f "$f" ] || continue
		echo "--- ${f##*/}"
		tail -n 15 "$f"
	done
}

# --- the servers -----------------------------------------------------------

echo "1..$NTESTS"

start_kv() {	# start_kv NAME PORT [ARGS...]: sets kvpid
	name=$1
	port=$2
	shift 2
	mkdir -p "$tmp/$name"
	"$kvbin" --port "$port" --bind 127.0.0.1 --dir "$tmp/$name" --save "" \
	    --appendonly no "$@" >"$tmp/$name.log" 2>&1 &
	kvpid=$!
	pids="$pids $kvpid"
}

mport=$(free_port) && rport=$(free_port) && sport=$(free_port) || {
	echo "Bail out! no free port"
	exit 1
}

start_kv master "$mport"
mpid=$kvpid
if ping_port "$mport" "$mpid"; then
	ok "sentinel-kv master on port $mport"
else
	notok "sentinel-kv master on port $mport" "$(logs)"
	echo "Bail out! no master"
	exit 1
fi

start_kv replica "$rport" --replicaof 127.0.0.1 "$mport"
rpid=$kvpid
if ping_port "$rport" "$rpid" &&
    { ! command -v "$cli" >/dev/null 2>&1 ||
    poll "master_link_status:up" "$cli" -p "$rport" INFO replication >/dev/null; }; then
	ok "sentinel-kv replica on port $rport, link up"
else
	notok "sentinel-kv replica on port $rport, link up" "$(logs)"
fi

mkdir -p "$tmp/sentinel"
cat >"$tmp/sentinel/sentinel.conf" <<EOF
port $sport
bind 127.0.0.1
dir $tmp/sentinel
sentinel monitor mymaster 127.0.0.1 $mport 1
sentinel down-after-milliseconds mymaster 5000
EOF
"$sbin" "$tmp/sentinel/sentinel.conf" >"$tmp/sentinel.log" 2>&1 &
spid=$!
pids="$pids $spid"
if ping_port "$sport" "$spid"; then
	ok "sentinel on port $sport"
else
	notok "sentinel on port $sport" "$(logs)"
	echo "Bail out! no sentinel"
	exit 1
fi

# --- redis-cli -------------------------------------------------------------

if ! command -v "$cli" >/dev/null 2>&1; then
	for d in "get-master-addr-by-name (raw)" "get-master-addr-by-name (--no-raw)" \
	    "get-master-addr-by-name (-3)" "SENTINEL MASTERS" "SENTINEL REPLICAS" \
	    "INFO sentinel"; do
		skip "redis-cli $d" "redis-cli not installed"
	done
else
	rc() { "$cli" -h 127.0.0.1 -p "$sport" "$@"; }

	got=$(rc SENTINEL get-master-addr-by-name mymaster 2>&1)
	check "redis-cli get-master-addr-by-name (raw)" "$got" "127.0.0.1
$mport"

	got=$(rc --no-raw SENTINEL get-master-addr-by-name mymaster 2>&1)
	check "redis-cli get-master-addr-by-name (--no-raw)" "$got" "1) \"127.0.0.1\"
2) \"$mport\""

	got=$(rc -3 SENTINEL get-master-addr-by-name mymaster 2>&1)
	got3=$(rc -3 --no-raw SENTINEL get-master-addr-by-name mymaster 2>&1)
	if [ "$got" = "127.0.0.1
$mport" ] && [ "$got3" = "1) \"127.0.0.1\"
2) \"$mport\"" ]; then
		ok "redis-cli get-master-addr-by-name (-3)"
	else
		notok "redis-cli get-master-addr-by-name (-3)" "raw:
$got
--no-raw:
$got3"
	fi

	# Raw output of a flat array of pairs: one word per line.
	got=$(rc SENTINEL masters 2>&1)
	want_lines="name mymaster ip 127.0.0.1 port $mport flags master quorum 1"
	bad=""
	set -- $want_lines
	while [ $# -ge 2 ]; do
		printf '%s\n' "$got" | grep -A1 -x "$1" | grep -qx "$2" ||
		    bad="$bad $1=$2"
		shift 2
	done
	if [ -z "$bad" ]; then
		ok "redis-cli SENTINEL MASTERS"
	else
		notok "redis-cli SENTINEL MASTERS" "missing:$bad
$got"
	fi

	# The replica is learned from the master's INFO.
	if got=$(poll "$rport" rc SENTINEL replicas mymaster); then
		ok "redis-cli SENTINEL REPLICAS lists 127.0.0.1:$rport"
	else
		notok "redis-cli SENTINEL REPLICAS lists 127.0.0.1:$rport" "$got"
	fi

	want="master0:name=mymaster,status=ok,address=127.0.0.1:$mport,slaves=1,sentinels=1"
	if got=$(poll "$want" rc INFO sentinel) &&
	    printf '%s\n' "$got" | grep -q '^# Sentinel'; then
		ok "redis-cli INFO sentinel shows master0"
	else
		notok "redis-cli INFO sentinel shows master0" "wanted $want in:
$got"
	fi
fi

# --- redis-py ----------------------------------------------------------------

pytest() {	# pytest DESC SCRIPT: the script exits 0 on success
	if [ -z "$py" ]; then
		skip "$1" "python3-redis not installed"
		return
	fi
	if out=$("$py" - "$sport" "$mport" "$rport" "$DEADLINE" 2>&1 <<EOF
import sys, time
from redis.sentinel import Sentinel
sport, mport, rport, deadline = (int(a) for a in sys.argv[1:5])
s = Sentinel([("127.0.0.1", sport)], socket_timeout=2)
$2
EOF
	); then
		ok "$1"
	else
		notok "$1" "$out"
	fi
}

pytest "redis-py discover_master" '
got = s.discover_master("mymaster")
if got != ("127.0.0.1", mport):
    sys.exit("discover_master gave %r" % (got,))'

pytest "redis-py discover_slaves lists the replica" '
end = time.monotonic() + deadline
while True:
    got = s.discover_slaves("mymaster")
    if ("127.0.0.1", rport) in got:
        break
    if time.monotonic() > end:
        sys.exit("discover_slaves gave %r" % (got,))
    time.sleep(0.2)'

pytest "redis-py master_for().set" '
m = s.master_for("mymaster", socket_timeout=2)
if m.set("k", "v") is not True:
    sys.exit("SET failed")
if m.get("k") != b"v":
    sys.exit("GET on the master gave %r" % (m.get("k"),))'

pytest "redis-py slave_for().get reads the write" '
r = s.slave_for("mymaster", socket_timeout=2)
end = time.monotonic() + deadline
while True:
    try:
        got = r.get("k")
    except Exception as e:
        got = e
    if got == b"v":
        break
    if time.monotonic() > end:
        sys.exit("GET on a replica gave %r" % (got,))
    time.sleep(0.2)
addr = r.connection_pool.get_connection("GET").port
if addr != rport:
    sys.exit("slave_for read from port %r, not the replica %d" % (addr, rport))'

# Last: it moves the master. SENTINEL FAILOVER on a healthy master is a
# planned failover: writes are held on the old master until the replica has
# them all, so no INCR that redis-py saw acknowledged may be missing on the
# new master, and the client goes on writing there by itself.
pytest "redis-py writes through a planned failover, no acknowledged write lost" '
import threading
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError
m = s.master_for("mymaster", socket_timeout=2)
acked, errors, stop = [0], [0], threading.Event()
def writer():
    while not stop.is_set():
        try:
            acked[0] = max(acked[0], m.incr("planned:counter"))
        except (ConnectionError, ReadOnlyError, TimeoutError):
            errors[0] += 1
            time.sleep(0.01)
t = threading.Thread(target=writer)
t.start()
end = time.monotonic() + deadline
while acked[0] < 500 and time.monotonic() < end:
    time.sleep(0.01)
before = acked[0]
reply = s.sentinels[0].execute_command("SENTINEL FAILOVER mymaster")
while s.discover_master("mymaster") != ("127.0.0.1", rport):
    if time.monotonic() > end:
        stop.set(); t.join()
        sys.exit("no switch to the replica %d (FAILOVER said %r)" % (rport, reply))
    time.sleep(0.05)
switched = acked[0]
while acked[0] < switched + 500 and time.monotonic() < end:
    time.sleep(0.01)
stop.set()
t.join()
after = acked[0]
if after < switched + 500:
    sys.exit("writes stalled on the new master: %d acknowledged, %d at the switch" % (after, switched))
import redis
got = int(redis.Redis(port=rport, socket_timeout=2).get("planned:counter"))
if got < after:
    sys.exit("lost acknowledged writes: the new master has %d, %d were acknowledged" % (got, after))
print("acknowledged %d (%d before FAILOVER), %d retried errors, new master has %d" % (after, before, errors[0], got))'

# Then the new master (the former replica) dies with kill -9: the sentinel
# promotes the old one, which now follows it, and redis-py writes there.
pytest "redis-py keeps writing through a kill -9 failover" '
import os, signal
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError
s.sentinels[0].execute_command("SENTINEL SET mymaster down-after-milliseconds 1000")
end = time.monotonic() + deadline
m = s.master_for("mymaster", socket_timeout=1)
while s.discover_master("mymaster") != ("127.0.0.1", rport) or \
    s.sentinels[0].execute_command("SENTINEL REPLICAS mymaster") == []:
    if time.monotonic() > end:
        sys.exit("no master at %d with a replica" % rport)
    time.sleep(0.05)
os.kill('"$rpid"', signal.SIGKILL)
ok_after, errors = 0, 0
while ok_after < 100:
    if time.monotonic() > end + 10:
        sys.exit("%d writes after the kill, %d errors; master %r" % (ok_after, errors, s.discover_master("mymaster")))
    try:
        m.incr("killed:counter")
        if s.discover_master("mymaster") == ("127.0.0.1", mport):
            ok_after += 1
    except (ConnectionError, ReadOnlyError, TimeoutError):
        errors += 1
        time.sleep(0.05)
    except Exception as e:
        if "No master found" not in str(e):
            raise
        errors += 1
        time.sleep(0.05)
print("%d writes on the new master %d after %d errors" % (ok_after, mport, errors))'

# --- ioredis, node-redis, redis-rb ------------------------------------------

# A fresh master, replica and sentinel for one client's two failovers: sets
# gsport, gnodes ("PORT:PID PORT:PID", master first) and gpids.
gpids=""
group() {
	gm=$(free_port) && gr=$(free_port) && gs=$(free_port) || return 1
	start_kv "master-$gm" "$gm"
	gmpid=$kvpid
	start_kv "replica-$gr" "$gr" --replicaof 127.0.0.1 "$gm"
	grpid=$kvpid
	gpids="$gmpid $grpid"
	gnodes="$gm:$gmpid $gr:$grpid"
	# The sentinel learns the replica from the master's INFO, every 10 s:
	# started after the link is up, it knows it from the first one.
	ping_port "$gm" "$gmpid" && ping_port "$gr" "$grpid" || return 1
	if command -v "$cli" >/dev/null 2>&1; then
		poll "master_link_status:up" "$cli" -p "$gr" INFO replication >/dev/null || return 1
	fi
	mkdir -p "$tmp/sentinel-$gs"
	cat >"$tmp/sentinel-$gs/sentinel.conf" <<EOF
port $gs
bind 127.0.0.1
dir $tmp/sentinel-$gs
sentinel monitor mymaster 127.0.0.1 $gm 1
sentinel down-after-milliseconds mymaster 5000
EOF
	"$sbin" "$tmp/sentinel-$gs/sentinel.conf" >"$tmp/sentinel-$gs.log" 2>&1 &
	gspid=$!
	pids="$pids $gspid"
	gpids="$gpids $gspid"
	gsport=$gs
	ping_port "$gs" "$gspid"
}
glogs() {
	for f in "$tmp/master-$gm.log" "$tmp/replica-$gr.log" "$tmp/sentinel-$gs.log"; do
		[ -f "$f" ] || continue
		echo "--- ${f##*/}"
		tail -n 15 "$f"
	done
}
group_end() {
	stop $gpids
	rest=""
	for p in $pids; do
		case " $gpids " in *" $p "*) ;; *) rest="$rest $p" ;; esac
	done
	pids=$rest
	gpids=""
}

# failovers NAME WHY CMD...: WHY non-empty skips; else CMD MODE SPORT
# DEADLINE PORT:PID PORT:PID runs MODE planned, then kill, on a fresh group.
failovers() {
	fname=$1
	fwhy=$2
	shift 2
	for mode in planned kill; do
		case $mode in
		planned) fdesc="$fname writes through a planned failover, no acknowledged write lost" ;;
		kill) fdesc="$fname keeps writing through a kill -9 failover" ;;
		esac
		if [ -n "$fwhy" ]; then
			skip "$fdesc" "$fwhy"
		elif [ $mode = planned ] && ! group; then
			notok "$fdesc" "no group: $(glogs)"
			fwhy="no group"
		elif out=$("$@" $mode "$gsport" "$DEADLINE" $gnodes 2>&1); then
			ok "$fdesc"
			printf '%s\n' "$out" | sed 's/^/# /'
		else
			notok "$fdesc" "$out
$(glogs)"
		fi
	done
	group_end
}

node=${NODE:-node}
ruby=${RUBY:-ruby}
cdir=$srcdir/integration/clients
nodehas() {	# nodehas JS: node runs JS from clients/, where require() finds the npm packages
	command -v "$node" >/dev/null 2>&1 && (cd "$cdir" && "$node" -e "$1") >/dev/null 2>&1
}

why=""
command -v "$node" >/dev/null 2>&1 || why="node not installed"
[ -n "$why" ] || nodehas 'require("ioredis")' ||
    why="ioredis not installed (npm ci in tests/integration)"
failovers "ioredis (RESP2)" "$why" "$node" "$cdir/ioredis.js" 2
failovers "ioredis (RESP3)" "$why" "$node" "$cdir/ioredis.js" 3

why=""
command -v "$node" >/dev/null 2>&1 || why="node not installed"
[ -n "$why" ] || nodehas 'if (typeof require("redis").createSentinel != "function") process.exit(1)' ||
    why="node-redis 5 (createSentinel) not installed (npm ci in tests/integration)"
failovers "node-redis (RESP2)" "$why" "$node" "$cdir/node-redis.js" 2
failovers "node-redis (RESP3)" "$why" "$node" "$cdir/node-redis.js" 3

why=""
command -v "$ruby" >/dev/null 2>&1 || why="ruby not installed"
[ -n "$why" ] || "$ruby" -e 'require "redis"' >/dev/null 2>&1 ||
    why="ruby-redis not installed"
failovers "redis-rb" "$why" "$ruby" "$cdir/redis-rb.rb"

if [ "$n" -ne "$NTESTS" ]; then
	echo "Bail out! ran $n tests, planned $NTESTS"
	exit 1
fi
[ "$failed" -eq 0 ] || logs | sed 's/^/# /'
exit 0
