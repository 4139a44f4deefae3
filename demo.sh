#!/usr/bin/env bash
# demo.sh - run the demo stack from a built source tree; Ctrl-C stops it.
#
#   ./demo.sh
#
# Starts the servers listed in demo_instances below on loopback, each with
# its data and log in demo-data/<port>/, waits until they answer, prints how
# to reach them, and stays in the foreground. Ctrl-C (or SIGTERM, or one of
# the servers dying) stops every process this script started, by PID.
#
# Environment:
#   SENTINEL_KV_BIN    the sentinel-kv binary (default: src/kv/sentinel-kv)
#   DEMO_DATA          where data and logs go (default: demo-data in this tree)
#   DEMO_PORT_OFFSET   added to every port, to run beside a server that already
#                      holds 6379 (e.g. 1000 gives 7379)

set -u

top=$(cd "$(dirname "$0")" && pwd)
kv_bin=${SENTINEL_KV_BIN:-$top/src/kv/sentinel-kv}
data=${DEMO_DATA:-$top/demo-data}
offset=${DEMO_PORT_OFFSET:-0}

pids=()		# every process started, in order
names=()	# "name port" of each, same order

# The stack: one line per instance. The replicas' files name 127.0.0.1 6379
# as their master; the command line repeats it with the port offset applied.
# Sentinels join here as their code lands, e.g.
#   start_sentinel sentinel 26379 etc/sentinel.conf
demo_instances() {
	start_kv master 6379 etc/sentinel-kv.conf
	start_kv replica1 6380 etc/sentinel-kv-replica.conf --replicaof 127.0.0.1 $((6379 + offset))
	start_kv replica2 6381 etc/sentinel-kv-replica2.conf --replicaof 127.0.0.1 $((6379 + offset))
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

# start_kv NAME PORT CONF [--directive value ...]: one sentinel-kv instance.
start_kv() {
	local name=$1 port=$(($2 + offset)) conf=$top/$3 dir log owner
	shift 3
	dir=$data/$port
	log=$dir/sentinel-kv.log
	if port_busy "$port"; then
		owner=$(port_owner "$port")
		printf 'demo: port %s on 127.0.0.1 is already in use%s.\n' "$port" "${owner:+ by $owner}" >&2
		printf '      Stop that server first (a system redis-server: systemctl stop redis-server),\n' >&2
		printf '      or move the demo: DEMO_PORT_OFFSET=1000 %s\n' "$0" >&2
		die "not starting"
	fi
	mkdir -p "$dir" || die "cannot create $dir"
	: >"$log"
	local args=("$conf" --port "$port" --dir "$dir" --logfile "$log" --daemonize no)
	have_ipv6_loopback || args+=(--bind 127.0.0.1)
	# Errors before the log file is open (a bad config line) go to console.log.
	"$kv_bin" "${args[@]}" "$@" </dev/null >"$dir/console.log" 2>&1 &
	pids+=("$!")
	names+=("$name $port")
	wait_ready "$!" "$port" "$log" || die "start-up failed"
	printf '  %-8s sentinel-kv  127.0.0.1:%-5s pid %-7s log %s\n' "$name" "$port" "$!" "$log"
}

# Stop what we started, newest first: SIGTERM, then SIGKILL after 10 seconds.
stop_all() {
	local i pid n
	trap - INT TERM EXIT
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[i]}" 2>/dev/null
	done
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
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

if [ ! -x "$kv_bin" ]; then
	printf 'demo: %s is not built yet.\n' "$kv_bin" >&2
	printf '      Build first: ./autogen.sh && ./configure && make\n' >&2
	exit 1
fi
case $offset in
''|*[!0-9]*) printf 'demo: DEMO_PORT_OFFSET must be a number\n' >&2; exit 1 ;;
esac

trap 'echo; echo "demo: stopping"; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

echo "demo: starting (data and logs in $data)"
demo_instances
master_port=$((6379 + offset))
cat <<EOF

demo: running. Try:
  redis-cli -p $master_port ping
  redis-cli -p $master_port set greeting hello
  redis-cli -p $((master_port + 1)) get greeting          # a replica has it too
  redis-cli -p $master_port info replication
  redis-cli -p $((master_port + 2)) set greeting bye      # -READONLY: replicas refuse writes

Press Ctrl-C to stop (the data set is saved to $data/$master_port on the way out).
EOF

# Stay in the foreground until Ctrl-C, or until one of the servers exits.
wait -n "${pids[@]}"
rc=$?
trap - INT TERM
for ((i = 0; i < ${#pids[@]}; i++)); do
	if ! kill -0 "${pids[i]}" 2>/dev/null; then
		printf 'demo: %s (pid %s) exited with status %s; stopping the rest\n' "${names[i]}" "${pids[i]}" "$rc" >&2
	fi
done
stop_all
exit 1
