#!/usr/bin/env bash
# demo.sh - run the demo stack from a built source tree; Ctrl-C stops it.
#
#   ./demo.sh
#
# Starts the processes listed in demo_instances below on loopback, each with
# its files and log in demo-data/<port>/, waits until they answer, prints how
# to reach them, and stays in the foreground. Ctrl-C (or SIGTERM) stops every
# process this script started, by PID. A sentinel-kv that exits (you may
# stop the master on purpose, to watch the sentinels) is reported and the
# rest keep running; a sentinel that exits stops the whole demo.
#
# Sentinels rewrite their configuration file, so each runs its own copy,
# demo-data/<port>/sentinel.conf, made from etc/sentinel-demo-N.conf on the
# first start (ports moved by DEMO_PORT_OFFSET) and reused afterwards, with
# what the sentinel learned. Remove demo-data/ to start afresh.
#
# Environment:
#   SENTINEL_KV_BIN    the sentinel-kv binary (default: src/kv/sentinel-kv)
#   SENTINEL_BIN       the sentinel binary (default: src/sentinel/sentinel)
#   DEMO_DATA          where data and logs go (default: demo-data in this tree)
#   DEMO_PORT_OFFSET   added to every port, to run beside a server that already
#                      holds 6379 or 26379 (e.g. 1000 gives 7379 and 27379)

set -u

top=$(cd "$(dirname "$0")" && pwd)
kv_bin=${SENTINEL_KV_BIN:-$top/src/kv/sentinel-kv}
sentinel_bin=${SENTINEL_BIN:-$top/src/sentinel/sentinel}
data=${DEMO_DATA:-$top/demo-data}
offset=${DEMO_PORT_OFFSET:-0}

pids=()		# every process started, in order
names=()	# "name port" of each, same order
kinds=()	# "kv" or "sentinel", same order
gone=()		# set once the process has exited and been reported

# The stack: one line per instance. The replicas' files name 127.0.0.1 6379
# as their master; the command line repeats it with the port offset applied.
# The sentinels' files monitor mymaster at 127.0.0.1 6379 with a quorum of 2;
# start_sentinel moves that port by the offset in the sentinel's copy.
demo_instances() {
	start_kv master 6379 etc/sentinel-kv.conf
	start_kv replica1 6380 etc/sentinel-kv-replica.conf --replicaof 127.0.0.1 $((6379 + offset))
	start_kv replica2 6381 etc/sentinel-kv-replica2.conf --replicaof 127.0.0.1 $((6379 + offset))
	start_sentinel sentinel1 26379 etc/sentinel-demo-1.conf
	start_sentinel sentinel2 26380 etc/sentinel-demo-2.conf
	start_sentinel sentinel3 26381 etc/sentinel-demo-3.conf
}

die() {
	printf 'demo: %s\n' "$*" >&2
	stop_all
	exit 1
}

# Is something listening on 127.0.0.1:port? (bash's /dev/tcp connects.)
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Name the process that holds a port, when ss can tell.
port_owner() {
	command -v ss >/dev/null 2>&1 || return 0
	ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1
}

# Does this machine have IPv6 loopback? Without it, "bind ::1" cannot work.
have_ipv6_loopback() {
	[ -r /proc/net/if_inet6 ] && grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

# Wait until the server on port answers PING, or its process is gone.
wait_ready() {
	local pid=$1 port=$2 log=$3 i
	for i in $(seq 1 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			printf 'demo: the server for port %s exited at start-up:\n' "$port" >&2
			tail -n 15 "$log" "${log%/*}/console.log" >&2
			return 1
		fi
		if command -v redis-cli >/dev/null 2>&1; then
			[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] && return 0
		elif port_busy "$port"; then
			return 0
		fi
		sleep 0.1
	done
	printf 'demo: the server for port %s did not answer within 10 seconds (see %s)\n' "$port" "$log" >&2
	return 1
}

# Refuse to start on a port something else holds.
check_port() {
	local port=$1 owner
	if port_busy "$port"; then
		owner=$(port_owner "$port")
		printf 'demo: port %s on 127.0.0.1 is already in use%s.\n' "$port" "${owner:+ by $owner}" >&2
		printf '      Stop that server first (a system redis-server: systemctl stop redis-server;\n' >&2
		printf '      redis-sentinel: systemctl stop redis-sentinel),\n' >&2
		printf '      or move the demo: DEMO_PORT_OFFSET=1000 %s\n' "$0" >&2
		die "not starting"
	fi
}

# Remember a process just started in the background.
started() {
	pids+=("$1")
	names+=("$2 $3")
	kinds+=("$4")
	gone+=("")
}

# start_kv NAME PORT CONF [--directive value ...]: one sentinel-kv instance.
start_kv() {
	local name=$1 port=$(($2 + offset)) conf=$top/$3 dir log
	shift 3
	dir=$data/$port
	log=$dir/sentinel-kv.log
	check_port "$port"
	mkdir -p "$dir" || die "cannot create $dir"
	: >"$log"
	local args=("$conf" --port "$port" --dir "$dir" --logfile "$log" --daemonize no)
	have_ipv6_loopback || args+=(--bind 127.0.0.1)
	# Errors before the log file is open (a bad config line) go to console.log.
	"$kv_bin" "${args[@]}" "$@" </dev/null >"$dir/console.log" 2>&1 &
	started "$!" "$name" "$port" kv
	wait_ready "$!" "$port" "$log" || die "start-up failed"
	printf '  %-9s sentinel-kv  127.0.0.1:%-5s pid %-7s log %s\n' "$name" "$port" "$!" "$log"
}

# start_sentinel NAME PORT CONF: one sentinel. It saves what it learns in
# its configuration file, so it runs demo-data/<port>/sentinel.conf: a copy
# of CONF made on the first start, with the port and the master's port moved
# by the offset, then kept (with the sentinel's id, and the replicas and
# sentinels it found) for the next runs. The command line adds only what
# the sentinel never writes back: port, directory and log file.
start_sentinel() {
	local name=$1 port=$(($2 + offset)) src=$top/$3 dir conf log
	local mport=$((6379 + offset))
	dir=$data/$port
	conf=$dir/sentinel.conf
	log=$dir/sentinel.log
	check_port "$port"
	mkdir -p "$dir" || die "cannot create $dir"
	if [ ! -f "$conf" ]; then
		sed -e "s/^port $2\$/port $port/" \
		    -e "s/^sentinel monitor mymaster 127\.0\.0\.1 6379 /sentinel monitor mymaster 127.0.0.1 $mport /" \
		    "$src" >"$conf.new" || die "cannot copy $src to $conf"
		grep -q "^sentinel monitor mymaster 127\.0\.0\.1 $mport " "$conf.new" ||
			die "$src has no line 'sentinel monitor mymaster 127.0.0.1 6379 <quorum>'"
		mv "$conf.new" "$conf" || die "cannot create $conf"
	fi
	: >"$log"
	# Errors before the log file is open (a bad config line) go to console.log.
	"$sentinel_bin" "$conf" --port "$port" --dir "$dir" --logfile "$log" --daemonize no \
	    </dev/null >"$dir/console.log" 2>&1 &
	started "$!" "$name" "$port" sentinel
	wait_ready "$!" "$port" "$log" || die "start-up failed"
	printf '  %-9s sentinel     127.0.0.1:%-5s pid %-7s log %s\n' "$name" "$port" "$!" "$log"
}

# Stop what we started, newest first: SIGTERM, then SIGKILL after 10 seconds.
stop_all() {
	local i pid n
	trap - INT TERM EXIT
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		[ -n "${gone[i]}" ] || kill -TERM "${pids[i]}" 2>/dev/null
	done
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		[ -n "${gone[i]}" ] && continue
		pid=${pids[i]}
		for ((n = 0; n < 100; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			printf 'demo: %s (pid %s) did not stop on SIGTERM; killing it\n' "${names[i]}" "$pid" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	pids=()
}

for bin in "$kv_bin" "$sentinel_bin"; do
	if [ ! -x "$bin" ]; then
		printf 'demo: %s is not built yet.\n' "$bin" >&2
		printf '      Build first: ./autogen.sh && ./configure && make\n' >&2
		exit 1
	fi
done
case $offset in
''|*[!0-9]*) printf 'demo: DEMO_PORT_OFFSET must be a number\n' >&2; exit 1 ;;
esac

trap 'echo; echo "demo: stopping"; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

echo "demo: starting (data and logs in $data)"
demo_instances
master_port=$((6379 + offset))
sentinel_port=$((26379 + offset))
cat <<EOF

demo: running. Try:
  redis-cli -p $master_port ping
  redis-cli -p $master_port set greeting hello
  redis-cli -p $((master_port + 1)) get greeting          # a replica has it too
  redis-cli -p $master_port info replication
  redis-cli -p $((master_port + 2)) set greeting bye      # -READONLY: replicas refuse writes

The sentinels (ports $sentinel_port to $((sentinel_port + 2))) watch the master "mymaster":
  redis-cli -p $sentinel_port sentinel get-master-addr-by-name mymaster
  redis-cli -p $sentinel_port sentinel replicas mymaster    # found through the master's INFO
  redis-cli -p $sentinel_port sentinel sentinels mymaster   # the other two, found through hellos
  redis-cli -p $sentinel_port psubscribe '*'                # events, as they happen (keep it open)

Take the master away and watch the events in the psubscribe window:
EOF
printf '  %-20s # %s\n' \
    "kill -STOP ${pids[0]}" "freeze the master: +sdown after 5 s, +odown once two" \
    "" "sentinels agree, then a failover: one replica is promoted" \
    "kill -CONT ${pids[0]}" "wake it up: before the failover, -sdown and -odown;" \
    "" "after it, it is made a replica (+convert-to-slave)" \
    "kill ${pids[0]}" "or stop it for good: a failover too (the rest keeps running)"
cat <<EOF
The failover is over when +switch-master names the new master, e.g.
  +switch-master mymaster 127.0.0.1 $master_port 127.0.0.1 $((master_port + 1))
Every sentinel then gives the new address; ask again:
  redis-cli -p $sentinel_port sentinel get-master-addr-by-name mymaster
  redis-cli -p $sentinel_port sentinel replicas mymaster    # the old master is listed here now
The elected sentinel shows each step (+elected-leader, +promoted-slave,
+slave-reconf-done, +failover-end); it may not be the one on port $sentinel_port:
see $data/<port>/sentinel.log. To fail over without stopping anything:
  redis-cli -p $sentinel_port sentinel failover mymaster
The sentinels remember the new master in $data:
remove it to start again with port $master_port as the master.

Press Ctrl-C to stop (the data set is saved to $data/$master_port on the way out).
EOF

# Stay in the foreground until Ctrl-C. A sentinel-kv that exits is reported
# and the others go on (stopping the master is part of the demo); a
# sentinel that exits ends the demo.
while :; do
	live=()
	for ((i = 0; i < ${#pids[@]}; i++)); do
		[ -n "${gone[i]}" ] || live+=("${pids[i]}")
	done
	[ ${#live[@]} -gt 0 ] || break
	wait -n "${live[@]}"
	rc=$?
	for ((i = 0; i < ${#pids[@]}; i++)); do
		[ -z "${gone[i]}" ] || continue
		kill -0 "${pids[i]}" 2>/dev/null && continue
		# Not reaped yet when two exited at once; otherwise wait -n had its status.
		wait "${pids[i]}" 2>/dev/null
		st=$?
		[ "$st" -eq 127 ] && st=$rc
		gone[i]=1
		printf 'demo: %s (pid %s) exited with status %s\n' "${names[i]}" "${pids[i]}" "$st" >&2
		if [ "${kinds[i]}" = sentinel ]; then
			printf 'demo: a sentinel stopped; stopping the rest (see %s)\n' \
			    "$data/${names[i]#* }/sentinel.log" >&2
			stop_all
			exit 1
		fi
	done
done
stop_all
exit 1
