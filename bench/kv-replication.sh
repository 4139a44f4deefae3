#!/usr/bin/env bash
# kv-replication.sh - sentinel-kv against redis-server: replication.
#
#   bench/kv-replication.sh            (from the top of a built tree)
#
# Not part of "make check": the figures depend on the machine. Every server
# runs on a free loopback port in a temporary directory, without persistence
# (--save "" --appendonly no), and is stopped by PID when the script ends.
#
# 1. Full sync: a master holding N keys (DEBUG POPULATE N: "key:I" ->
#    "value:I"); a fresh replica is started with --replicaof, and the time is
#    taken from its start until INFO replication shows master_link_status:up
#    and its DBSIZE equals the master's (polled every 5 ms). Configurations:
#      sentinel-kv   its defaults
#      redis-server  7.0 defaults: repl-diskless-sync yes with
#                    repl-diskless-sync-delay 5, so the master waits 5 s for
#                    more replicas before it starts the transfer
#      redis-server  repl-diskless-sync-delay 0: the fair comparison, as
#                    sentinel-kv starts the transfer at once; the target is
#                    checked against this one
#    (the replicas keep their defaults: redis-server 7.0 loads the payload
#    through a file, repl-diskless-load disabled).
# 2. Lag under write load: each master with one synced replica; while
#    redis-benchmark -t set -c 50 -n LAG_N -P 16 runs against the master, a
#    sampler reads the master's master_repl_offset every 10 ms, then polls
#    the replica's slave_repl_offset (persistent connections) until it has
#    reached that offset: the time that took is the lag of the sample
#    (capped at LAG_CAP_MS). Samples taken while the master's offset did not
#    move (before and after the load) are left out. p50, p99 and max per round.
#
# Each round runs every configuration against sentinel-kv then redis-server,
# back to back, so that both see the same machine load; the tables show the
# median of R rounds. The measuring is done by a small Python 3 helper
# speaking RESP over raw sockets (no modules beyond the standard library).
#
# Targets (from the issue): full sync time <= 1.0x redis-server's, lag p99
# <= 1.0x redis-server's.
#
# Environment:
#   SENTINEL_KV_BIN   sentinel-kv to test (default: src/kv/sentinel-kv here)
#   REDIS_SERVER_BIN  the reference (default: redis-server on PATH; if there
#                     is none, or with REDIS_SERVER_BIN=none, only sentinel-kv
#                     is measured)
#   N                 keys on the master for the full sync (default 1000000)
#   R                 rounds; the median is reported (default 3)
#   LAG_N             SETs of the write load in the lag test (default 500000)
#   LAG_CAP_MS        the most one lag sample may count (default 2000)
#   SYNC_TIMEOUT      seconds a full sync may take before giving up (default 120)
#   KV_ARGS           extra arguments for every sentinel-kv started (masters
#                     and replicas), split on blanks; default none
#   REDIS_ARGS        the same for redis-server
#
# A full sync that does not complete (the replica exits, SYNC_TIMEOUT runs
# out, or the master has served 3 full syncs to the one replica, which means
# the replica keeps dropping the link and starting over) is shown as FAILED,
# and the script goes on with the other figures; it then exits with status 1.
#
# A dry run of both columns without sentinel-kv:
#   SENTINEL_KV_BIN=/usr/bin/redis-server bench/kv-replication.sh

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
kv_bin=${SENTINEL_KV_BIN:-$top/src/kv/sentinel-kv}
redis_bin=${REDIS_SERVER_BIN:-$(command -v redis-server || true)}
[ "$redis_bin" = none ] && redis_bin=
N=${N:-1000000}
R=${R:-3}
LAG_N=${LAG_N:-500000}
LAG_CAP_MS=${LAG_CAP_MS:-2000}
SYNC_TIMEOUT=${SYNC_TIMEOUT:-120}
SAMPLE_MS=10
CLIENTS=50
me=kv-replication

for v in N R LAG_N LAG_CAP_MS SYNC_TIMEOUT; do
	case ${!v} in
	''|*[!0-9]*|0) echo "$me: $v must be a positive number" >&2; exit 2 ;;
	esac
done

if [ ! -x "$kv_bin" ]; then
	echo "$me: sentinel-kv not found at $kv_bin" >&2
	echo "  build it first (./autogen.sh && ./configure && make src/kv/sentinel-kv), or set SENTINEL_KV_BIN" >&2
	exit 1
fi
for tool in redis-benchmark redis-cli; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$me: $tool not found (apt-get install redis-tools)" >&2
		exit 1
	fi
done
if ! command -v python3 >/dev/null 2>&1; then
	echo "$me: python3 not found (it runs the sampler)" >&2
	exit 1
fi
if [ -n "$redis_bin" ] && [ ! -x "$redis_bin" ]; then
	echo "$me: REDIS_SERVER_BIN=$redis_bin is not executable" >&2
	exit 1
fi
read -r -a args_kv <<<"${KV_ARGS:-}"
read -r -a args_redis <<<"${REDIS_ARGS:-}"
if [ -z "${EPOCHREALTIME:-}" ]; then
	echo "$me: needs bash 5 (EPOCHREALTIME)" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 1
pids=()
bg_pid=''

cleanup() {
	local pid n
	[ -n "$bg_pid" ] && kill -TERM "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		for ((n = 0; n < 50; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the measuring helper --------------------------------------------------------
cat >"$tmp/replprobe.py" <<'EOF'
"""replprobe.py - replication probes speaking RESP over raw sockets.

fullsync MASTER_PORT REPLICA_PORT REPLICA_PID T0 TIMEOUT_S
    Poll the replica every 5 ms (connecting as soon as it listens) until
    INFO replication says master_link_status:up and DBSIZE equals the
    master's; print the milliseconds since T0 (a wall-clock time in seconds,
    as bash's EPOCHREALTIME). Exit 3 if the replica process is gone, 4 if
    the master's sync_full has grown by 3 (the replica keeps starting over;
    asked every 100 ms without waiting for the answer, as a master may be
    busy building the payload), 1 on timeout.
lag MASTER_PORT REPLICA_PORT STOPFILE OUTFILE INTERVAL_MS CAP_MS
    Every INTERVAL_MS until STOPFILE exists (STOPFILE.ready is created after
    the first sample): read the master's
    master_repl_offset M, then poll the replica's slave_repl_offset until it
    is >= M; write "moved lag_ms bytes_behind" per sample to OUTFILE.
"""
import os
import sys
import time

sys.path.insert(0, os.environ["RESP_PY_DIR"])
from resp import Conn, RespError, field  # noqa: E402


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def fullsync(mport, rport, rpid, t0, timeout):
    m = Conn(mport, 10.0)
    want = m.cmd("DBSIZE")
    base = int(field(m.cmd("INFO", "stats"), "sync_full") or 0)
    m.s.setblocking(False)
    asked = None
    last = 0.0
    deadline = time.monotonic() + timeout
    r = None
    state = "not listening"
    while True:
        tick = time.monotonic()
        if asked is None and tick - last >= 0.1:
            m.s.setblocking(True)
            m.send("INFO", "stats")
            m.s.setblocking(False)
            asked = tick
        if asked is not None:
            try:
                got = m.pending()
            except BlockingIOError:
                got = []
            if got:
                info = got[0]
                last, asked = tick, None
                served = int(field(info, "sync_full") or 0) - base
                if served >= 3:
                    print("the master served %d full syncs to the replica, which keeps"
                          " starting over (%s)" % (served, state), file=sys.stderr)
                    return 4
        try:
            if r is None:
                r = Conn(rport, 10.0)
            info = r.cmd("INFO", "replication")
            state = "link " + str(field(info, "master_link_status"))
            if field(info, "master_link_status") == "up":
                n = r.cmd("DBSIZE")
                now = time.time()
                state = "link up, DBSIZE %s of %s" % (n, want)
                if n == want:
                    print("%.1f" % ((now - t0) * 1000.0))
                    return 0
        except RespError as e:          # -LOADING and the like
            state = str(e)
        except OSError:                 # not listening yet, or gone
            if r is not None:
                r.close()
                r = None
            if not alive(rpid):
                print("replica exited (%s)" % state, file=sys.stderr)
                return 3
        if time.monotonic() > deadline:
            print("no full sync after %d s (%s)" % (timeout, state), file=sys.stderr)
            return 1
        rest = 0.005 - (time.monotonic() - tick)
        if rest > 0:
            time.sleep(rest)


def lag(mport, rport, stopfile, outfile, interval_ms, cap_ms):
    m = Conn(mport, 10.0)
    r = Conn(rport, 10.0)
    interval = interval_ms / 1000.0
    cap = cap_ms / 1000.0
    prev = None
    out = []
    nxt = time.monotonic()
    ready = False
    while not os.path.exists(stopfile):
        off = int(field(m.cmd("INFO", "replication"), "master_repl_offset"))
        t0 = time.monotonic()
        behind = None
        while True:
            got = int(field(r.cmd("INFO", "replication"), "slave_repl_offset"))
            now = time.monotonic()
            if behind is None:
                behind = max(0, off - got)
            if got >= off:
                took = now - t0
                break
            if now - t0 >= cap:
                took = cap
                break
        moved = 1 if prev is not None and off != prev else 0
        prev = off
        out.append("%d %.3f %d\n" % (moved, took * 1000.0, behind))
        if not ready:
            open(stopfile + ".ready", "w").close()
            ready = True
        nxt += interval
        now = time.monotonic()
        if nxt > now:
            time.sleep(nxt - now)
        else:
            nxt = now
    with open(outfile, "w") as f:
        f.writelines(out)
    return 0


def main(a):
    if a[0] == "fullsync":
        return fullsync(int(a[1]), int(a[2]), int(a[3]), float(a[4]), float(a[5]))
    if a[0] == "lag":
        return lag(int(a[1]), int(a[2]), a[3], a[4], float(a[5]), float(a[6]))
    print("usage: replprobe.py fullsync|lag ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
EOF
probe() {
	RESP_PY_DIR=$top/tests/integration python3 "$tmp/replprobe.py" "$@"
}

# --- processes ---------------------------------------------------------------------
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: a loopback port nobody listens on (checked, not reserved).
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		port_busy "$port" || break
	done
	echo "$port"
}

# launch SERVER DIR PORT ARGS...: start a server (kv or redis) in the
# background, with ARGS then KV_ARGS or REDIS_ARGS; sets launched.
launch() {
	local s=$1 dir=$2 port=$3 bin_var=${1}_bin extra
	shift 3
	extra="args_$s[@]"
	mkdir -p "$dir"
	"${!bin_var}" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
	    --dir "$dir" --logfile "$dir/log" --daemonize no "$@" "${!extra}" \
	    </dev/null >"$dir/console" 2>&1 &
	launched=$!
	pids+=("$launched")
}

# stop PID: stop a server started here and forget its PID.
stop() {
	local pid=$1 n keep=()
	kill -TERM "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for n in "${pids[@]}"; do
		[ "$n" = "$pid" ] || keep+=("$n")
	done
	pids=("${keep[@]}")
}

# start_master SERVER: a master on a free port, answering PING; sets
# port_SERVER and pid_SERVER.
start_master() {
	local name=$1 dir=$tmp/$1 port try n bin_var=${1}_bin
	for ((try = 0; try < 10; try++)); do
		port=$(free_port)
		launch "$name" "$dir" "$port" --enable-debug-command yes
		for ((n = 0; n < 200; n++)); do
			kill -0 "$launched" 2>/dev/null || break
			if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
				printf -v "port_$name" %s "$port"
				printf -v "pid_$name" %s "$launched"
				return 0
			fi
			sleep 0.05
		done
		stop "$launched"
	done
	echo "$me: could not start ${!bin_var}; its output:" >&2
	tail -n 20 "$dir/console" "$dir/log" >&2 2>/dev/null
	exit 1
}

# start_replica NAME SERVER: start a replica of the SERVER master and time
# its full sync; sets port_NAME, pid_NAME and synced_ms. On failure, says
# why (once per SERVER), stops the replica and returns 1.
replicas=0
failed=0
start_replica() {
	local name=$1 s=$2 mport_var=port_$2 dir port t0 try rc
	for ((try = 0; try < 5; try++)); do
		replicas=$((replicas + 1))
		dir=$tmp/replica.$replicas
		port=$(free_port)
		t0=$EPOCHREALTIME
		launch "$s" "$dir" "$port" --replicaof 127.0.0.1 "${!mport_var}"
		run probe fullsync "${!mport_var}" "$port" "$launched" "$t0" "$SYNC_TIMEOUT" \
		    >"$tmp/probe.out" 2>"$tmp/probe.err"
		rc=$?
		synced_ms=$(cat "$tmp/probe.out")
		if [ "$rc" = 0 ]; then
			printf -v "port_$name" %s "$port"
			printf -v "pid_$name" %s "$launched"
			return 0
		fi
		stop "$launched"
		[ "$rc" = 3 ] || break  # 3: the replica exited, perhaps the port was taken
	done
	synced_ms=FAILED
	failed=1
	if [ ! -e "$tmp/told.$s" ]; then
		: >"$tmp/told.$s"
		echo "$me: a $s replica did not complete its full sync: $(cat "$tmp/probe.err")" >&2
		echo "  the last lines of its log:" >&2
		tail -n 6 "$dir/log" 2>/dev/null | sed 's/^/    /' >&2
	fi
	rm -rf "$dir"
	return 1
}

# drop_replica NAME: stop it and remove its directory.
drop_replica() {
	local pid_var=pid_$1
	stop "${!pid_var}"
	rm -rf "$tmp/replica.$replicas"
}

# run CMD...: run a client in the background and wait for it, so that
# Ctrl-C is handled at once (bash runs traps only between foreground commands).
run() {
	"$@" &
	bg_pid=$!
	wait "$bg_pid"
	local rc=$?
	bg_pid=''
	return $rc
}

# --- figures -----------------------------------------------------------------------
# median of the numbers on standard input, with DECIMALS decimals
median() {
	grep -E '^[0-9.]+$' | sort -g | awk -v d="${1:-1}" '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.*f\n", d, m }'
}

# fig FILE DECIMALS: the median of the rounds in FILE, FAILED if one failed,
# - if there is none.
fig() {
	if [ ! -s "$1" ]; then
		echo -
	elif grep -qx FAILED "$1"; then
		echo FAILED
	else
		median "$2" <"$1"
	fi
}

# rounds FILE: the figures of every round, on one line
rounds() {
	[ -s "$1" ] && tr '\n' ' ' <"$1" | sed 's/ $//' || echo -
}

isnum() {
	case $1 in ''|*[!0-9.]*) return 1 ;; *) return 0 ;; esac
}

ratio() {
	if isnum "$1" && isnum "$2"; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'
	else
		echo -
	fi
}

# verdict KV RATIO TARGET: "ok" when ratio <= target.
verdict() {
	if [ "$1" = FAILED ]; then
		echo "MISSED (no full sync)"
		return
	fi
	awk -v r="$2" -v t="$3" 'BEGIN {
		if (r == "-") { print "-"; exit }
		print (r + 0 <= t + 0) ? "ok" : "MISSED" }'
}

# lagstats FILE: "p50 p99 max samples capped" of the samples taken while the
# master's offset moved (nearest rank).
lagstats() {
	awk '$1 == 1 { print $2 }' "$1" | sort -g | awk -v cap="$LAG_CAP_MS" '
		{ v[NR] = $1; if ($1 >= cap) c++ }
		function rank(p,  i) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return v[i] }
		END {
			if (NR == 0) { print "- - - 0 0"; exit }
			printf "%.2f %.2f %.2f %d %d\n", rank(0.50), rank(0.99), v[NR], NR, c + 0 }'
}

# --- run ---------------------------------------------------------------------------
servers="kv"
start_master kv
if [ -n "$redis_bin" ]; then
	start_master redis
	servers="kv redis"
fi

echo "sentinel-kv:  $kv_bin (master 127.0.0.1:$port_kv, pid $pid_kv)${KV_ARGS:+, with $KV_ARGS}"
if [ -n "$redis_bin" ]; then
	echo "redis-server: $redis_bin (master 127.0.0.1:$port_redis, pid $pid_redis)${REDIS_ARGS:+, with $REDIS_ARGS}"
else
	echo "redis-server: none (not installed, or REDIS_SERVER_BIN=none): measuring sentinel-kv alone"
fi

for s in $servers; do
	port_var=port_$s
	if ! run redis-cli -p "${!port_var}" debug populate "$N" >"$tmp/populate" 2>&1 ||
	    [ "$(cat "$tmp/populate")" != OK ]; then
		echo "$me: DEBUG POPULATE $N failed on the $s master: $(cat "$tmp/populate")" >&2
		exit 1
	fi
	dbsize=$(redis-cli -p "${!port_var}" dbsize)
	if [ "$dbsize" != "$N" ]; then
		echo "$me: the $s master holds $dbsize keys after DEBUG POPULATE $N" >&2
		exit 1
	fi
done
echo "full sync: masters hold $N keys (DEBUG POPULATE); a new replica each time, from its"
echo "           start to master_link_status:up and DBSIZE = $N; $R rounds, median shown"
echo

# configurations of the full sync: "server:label"
configs="kv:kv"
[ -n "$redis_bin" ] && configs="$configs redis:redis.d0 redis:redis.d5"

for ((round = 1; round <= R; round++)); do
	printf 'full sync, round %d/%d ...\n' "$round" "$R" >&2
	for c in $configs; do
		s=${c%%:*} label=${c#*:}
		if grep -qx FAILED "$tmp/sync.$label" 2>/dev/null; then
			continue  # no use trying again
		fi
		case $label in
		redis.d0) redis-cli -p "$port_redis" config set repl-diskless-sync-delay 0 >/dev/null ;;
		redis.d5) redis-cli -p "$port_redis" config set repl-diskless-sync-delay 5 >/dev/null ;;
		esac
		if start_replica rep "$s"; then
			drop_replica rep
		fi
		echo "$synced_ms" >>"$tmp/sync.$label"
		printf '  %-9s %10s ms\n' "$label" "$synced_ms" >&2
	done
done

kv=$(fig "$tmp/sync.kv" 1)
printf '%-48s %10s %7s   %s\n' "full sync of $N keys (ms)" median ratio target
printf '%-48s %10s\n' "sentinel-kv (${KV_ARGS:-defaults})" "$kv"
if [ -n "$redis_bin" ]; then
	d0=$(fig "$tmp/sync.redis.d0" 1)
	d5=$(fig "$tmp/sync.redis.d5" 1)
	r0=$(ratio "$kv" "$d0")
	r5=$(ratio "$kv" "$d5")
	printf '%-48s %10s %7s   <= 1.0 x  %s\n' "redis-server, repl-diskless-sync-delay 0 (fair)" \
	    "$d0" "$r0" "$(verdict "$kv" "$r0" 1.0)"
	printf '%-48s %10s %7s   (no target: includes a 5 s idle wait)\n' \
	    "redis-server, 7.0 defaults (delay 5)" "$d5" "$r5"
else
	printf '%-48s %10s %7s   <= 1.0 x  -\n' "redis-server" - -
fi
echo "(ratio = sentinel-kv / redis-server. Every round, ms: sentinel-kv $(rounds "$tmp/sync.kv")"
if [ -n "$redis_bin" ]; then
	echo " redis-server delay 0: $(rounds "$tmp/sync.redis.d0"); delay 5: $(rounds "$tmp/sync.redis.d5")."
	echo " The fair comparison is delay 0: sentinel-kv starts the transfer at once, while"
	echo " redis-server's default delay is an idle wait for more replicas, not work)"
else
	echo ")"
fi
echo

# --- lag under write load
[ -n "$redis_bin" ] && redis-cli -p "$port_redis" config set repl-diskless-sync-delay 0 >/dev/null
lag_servers=
for s in $servers; do
	if start_replica "rep_$s" "$s"; then
		lag_servers="$lag_servers $s"
	else
		echo FAILED >"$tmp/lag.$s.p50"
		echo FAILED >"$tmp/lag.$s.p99"
		echo FAILED >"$tmp/lag.$s.max"
	fi
done
echo "lag: redis-benchmark -t set -c $CLIENTS -n $LAG_N -P 16 on the master (holding $N keys, one replica);"
echo "     every $SAMPLE_MS ms: master_repl_offset, then the time until the replica's slave_repl_offset"
echo "     reaches it; p50/p99/max of each round, median of $R rounds"

for ((round = 1; round <= R; round++)); do
	[ -n "$lag_servers" ] || break
	printf 'lag, round %d/%d ...\n' "$round" "$R" >&2
	for s in $lag_servers; do
		port_var=port_$s rport_var=port_rep_$s
		rm -f "$tmp/stop" "$tmp/stop.ready" "$tmp/lag.out"
		probe lag "${!port_var}" "${!rport_var}" "$tmp/stop" "$tmp/lag.out" "$SAMPLE_MS" "$LAG_CAP_MS" &
		probe_pid=$!
		pids+=("$probe_pid")
		for ((n = 0; n < 400; n++)); do
			[ -e "$tmp/stop.ready" ] && break
			kill -0 "$probe_pid" 2>/dev/null || break
			sleep 0.025
		done
		if [ ! -e "$tmp/stop.ready" ]; then
			echo "$me: the lag sampler did not start on $s" >&2
			exit 1
		fi
		run redis-benchmark -p "${!port_var}" -t set -c "$CLIENTS" -n "$LAG_N" -P 16 -q --csv \
		    >"$tmp/bench.csv" 2>/dev/null
		rps=$(awk -F'"' 'NR > 1 && $2 == "SET" { printf "%.0f\n", $4 }' "$tmp/bench.csv")
		echo "${rps:--}" >>"$tmp/lag.$s.rps"
		: >"$tmp/stop"
		wait "$probe_pid" || { echo "$me: the lag sampler failed on $s" >&2; exit 1; }
		stop "$probe_pid"
		read -r p50 p99 max n capped < <(lagstats "$tmp/lag.out")
		cat "$tmp/lag.out" >>"$tmp/lag.$s.all"
		echo "$p50" >>"$tmp/lag.$s.p50"
		echo "$p99" >>"$tmp/lag.$s.p99"
		echo "$max" >>"$tmp/lag.$s.max"
		echo "$n" >>"$tmp/lag.$s.n"
		echo "$capped" >>"$tmp/lag.$s.capped"
		printf '  %-6s p50 %8s  p99 %8s  max %8s ms  (%d samples, %d capped; %s SET/s)\n' \
		    "$s" "$p50" "$p99" "$max" "$n" "$capped" "${rps:--}" >&2
	done
done

printf '%-18s %12s %12s %7s   %s\n' "lag (ms)" sentinel-kv redis-server ratio target
for q in p50 p99 max; do
	kv=$(fig "$tmp/lag.kv.$q" 2)
	if [ -n "$redis_bin" ]; then rd=$(fig "$tmp/lag.redis.$q" 2); else rd=-; fi
	r=$(ratio "$kv" "$rd")
	if [ "$q" = p99 ]; then
		printf '%-18s %12s %12s %7s   <= 1.0 x  %s\n' "$q" "$kv" "$rd" "$r" "$(verdict "$kv" "$r" 1.0)"
	else
		printf '%-18s %12s %12s %7s\n' "$q" "$kv" "$rd" "$r"
	fi
done
declare -A pooled_p99
for s in kv redis; do
	pooled_p99[$s]=-
	[ -s "$tmp/lag.$s.all" ] && read -r _ "pooled_p99[$s]" _ _ _ < <(lagstats "$tmp/lag.$s.all")
	grep -qx FAILED "$tmp/lag.$s.p99" 2>/dev/null && pooled_p99[$s]=FAILED
done
printf '%-18s %12s %12s %7s   (all rounds pooled: steadier than one round of ~100 samples)\n' \
    "p99, pooled" "${pooled_p99[kv]}" "${pooled_p99[redis]}" "$(ratio "${pooled_p99[kv]}" "${pooled_p99[redis]}")"
total() {
	[ -s "$1" ] && awk '{ s += $1 } END { print s + 0 }' "$1" || echo -
}
kv=$(fig "$tmp/lag.kv.rps" 0)
if [ -n "$redis_bin" ]; then rd=$(fig "$tmp/lag.redis.rps" 0); else rd=-; fi
printf '%-18s %12s %12s %7s   (the write load the lag was taken under)\n' "SET/s on master" "$kv" "$rd" "$(ratio "$kv" "$rd")"
printf '%-18s %12s %12s\n' "samples (all)" "$(total "$tmp/lag.kv.n")" "$(total "$tmp/lag.redis.n")"
printf '%-18s %12s %12s\n' "capped at ${LAG_CAP_MS}ms" "$(total "$tmp/lag.kv.capped")" "$(total "$tmp/lag.redis.capped")"
echo "(every round, p99 ms: sentinel-kv $(rounds "$tmp/lag.kv.p99"); redis-server $(rounds "$tmp/lag.redis.p99")."
echo " A sample's lag includes one INFO round trip to the replica, 0.05 to 0.1 ms;"
echo " ratios within about 10% of a target are noise on a busy or small machine:"
echo " raise LAG_N and R, or run on an idle one)"

if [ "$failed" = 1 ]; then
	echo
	echo "$me: some full syncs did not complete (FAILED above); see the messages on standard error" >&2
	exit 1
fi
