# sentinel-lib.sh - shared by the bench/sentinel-*.sh scripts (sourced, not run).
#
# Expects $me (the script's name) to be set. Sets top, sentinel_bin,
# redis_sentinel_bin, kv_bin, redis_bin, tmp; starts processes on free
# loopback ports and stops them by PID when the script exits.
#
# Environment (shared by every script):
#   SENTINEL_BIN        the sentinel to test (default: src/sentinel/sentinel here)
#   SENTINEL_KV_BIN     sentinel-kv (default: src/kv/sentinel-kv here)
#   REDIS_SENTINEL_BIN  the reference (default: /usr/bin/redis-sentinel, or
#                       redis-sentinel on PATH; =none: measure ours alone)
#   REDIS_SERVER_BIN    redis-server for the monitored servers (default: on
#                       PATH; =none: sentinel-kv only)
#   KEEP_TMP=1          keep the temporary directory (logs) at the end

top=$(cd "$(dirname "$0")/.." && pwd)
sentinel_bin=${SENTINEL_BIN:-$top/src/sentinel/sentinel}
kv_bin=${SENTINEL_KV_BIN:-$top/src/kv/sentinel-kv}
if [ -z "${REDIS_SENTINEL_BIN+x}" ]; then
	if [ -x /usr/bin/redis-sentinel ]; then
		REDIS_SENTINEL_BIN=/usr/bin/redis-sentinel
	else
		REDIS_SENTINEL_BIN=$(command -v redis-sentinel || true)
	fi
fi
redis_sentinel_bin=$REDIS_SENTINEL_BIN
[ "$redis_sentinel_bin" = none ] && redis_sentinel_bin=
redis_bin=${REDIS_SERVER_BIN:-$(command -v redis-server || true)}
[ "$redis_bin" = none ] && redis_bin=
probe_py=$top/bench/sentinel-probe.py

# need_positive VAR...: each named variable holds a positive integer, or the
# script stops with exit status 2.
need_positive() {
	local v
	for v in "$@"; do
		case ${!v} in
		''|*[!0-9]*|0) echo "$me: $v must be a positive number" >&2; exit 2 ;;
		esac
	done
}

need_bins() {
	local b
	if [ ! -x "$sentinel_bin" ]; then
		echo "$me: sentinel not found at $sentinel_bin (build it with make, or set SENTINEL_BIN)" >&2
		exit 1
	fi
	if [ ! -x "$kv_bin" ] && [ -z "$redis_bin" ]; then
		echo "$me: neither sentinel-kv ($kv_bin) nor redis-server found for the monitored servers" >&2
		exit 1
	fi
	for b in "$redis_sentinel_bin" "$redis_bin"; do
		if [ -n "$b" ] && [ ! -x "$b" ]; then
			echo "$me: $b is not executable" >&2
			exit 1
		fi
	done
	for b in redis-cli python3 "$@"; do
		if ! command -v "$b" >/dev/null 2>&1; then
			echo "$me: $b not found" >&2
			exit 1
		fi
	done
	if [ -z "${EPOCHREALTIME:-}" ]; then
		echo "$me: needs bash 5 (EPOCHREALTIME)" >&2
		exit 1
	fi
}

# pick_server [kv|redis]: sets server, the kind of the monitored servers:
# $SERVER, else the preferred kind (default kv) when its binary is there,
# else the other; and kinds: "ours", and "redis" when redis-sentinel is there.
pick_server() {
	local pref=${1:-kv}
	if [ -n "${SERVER:-}" ]; then
		server=$SERVER
	elif [ "$pref" = kv ] && [ -x "$kv_bin" ]; then
		server=kv
	elif [ "$pref" = redis ] && [ -n "$redis_bin" ]; then
		server=redis
	elif [ "$pref" = kv ]; then
		server=redis
	else
		server=kv
	fi
	kinds=ours
	[ -n "$redis_sentinel_bin" ] && kinds="ours redis"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 1
pids=()
bg_pid=''

cleanup() {
	local pid n
	[ -n "$bg_pid" ] && kill -TERM "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
	for pid in "${pids[@]}"; do
		kill -CONT "$pid" 2>/dev/null  # a master the sdown probe left stopped
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
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "$me: files kept in $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

probe() {
	python3 "$probe_py" "$@"
}

# run CMD...: run in the background and wait, so that Ctrl-C is handled at once.
run() {
	"$@" &
	bg_pid=$!
	wait "$bg_pid"
	local rc=$?
	bg_pid=''
	return $rc
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: a loopback port nobody listens on and not handed out before,
# below the ephemeral range (so that no outgoing connection holds it).
declare -A given_ports
eph_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
case $eph_low in ''|*[!0-9]*) eph_low=32768 ;; esac
[ "$eph_low" -gt 22000 ] || eph_low=60000
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % (eph_low - 20000)))
		[ -n "${given_ports[$port]:-}" ] && continue
		port_busy "$port" || break
	done
	given_ports[$port]=1
	echo "$port"
}

# forget PID: drop a PID that has been reaped from the list.
forget() {
	local n keep=()
	for n in "${pids[@]}"; do
		[ "$n" = "$1" ] || keep+=("$n")
	done
	pids=("${keep[@]}")
}

# stop PID: stop a process started here, and forget it.
stop() {
	local pid=$1 n
	kill -CONT "$pid" 2>/dev/null
	kill -TERM "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget "$pid"
}

# wait_pong PORT PID: until PORT answers PING (5 s); 1 if PID exits or time runs out.
wait_pong() {
	local n
	for ((n = 0; n < 100; n++)); do
		kill -0 "$2" 2>/dev/null || return 1
		[ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
		sleep 0.05
	done
	return 1
}

# start_server KIND DIR PORT [ARGS...]: a server (kind kv or redis) on PORT,
# no persistence; waits for PONG; sets launched. Exits the script on failure.
start_server() {
	local kind=$1 dir=$2 port=$3 bin
	shift 3
	if [ "$kind" = kv ]; then bin=$kv_bin; else bin=$redis_bin; fi
	mkdir -p "$dir"
	"$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
	    --dir "$dir" --logfile "$dir/log" --daemonize no "$@" \
	    </dev/null >>"$dir/console" 2>&1 &
	launched=$!
	pids+=("$launched")
	if ! wait_pong "$port" "$launched"; then
		echo "$me: could not start $bin on port $port; its output:" >&2
		tail -n 20 "$dir/console" "$dir/log" >&2 2>/dev/null
		exit 1
	fi
}

# start_sentinel KIND DIR PORT CONF_BODY_FILE: a sentinel (kind ours or
# redis) on PORT with the sentinel lines of CONF_BODY_FILE; waits for PONG
# unless NOWAIT=1; sets launched.
start_sentinel() {
	local kind=$1 dir=$2 port=$3 body=$4 bin
	if [ "$kind" = ours ]; then bin=$sentinel_bin; else bin=$redis_sentinel_bin; fi
	mkdir -p "$dir"
	{
		echo "port $port"
		echo "bind 127.0.0.1"
		echo "dir $dir"
		echo "logfile $dir/log"
		echo "daemonize no"
		cat "$body"
	} >"$dir/sentinel.conf"
	"$bin" "$dir/sentinel.conf" </dev/null >>"$dir/console" 2>&1 &
	launched=$!
	pids+=("$launched")
	[ "${NOWAIT:-0}" = 1 ] && return 0
	if ! wait_pong "$port" "$launched"; then
		echo "$me: could not start $bin on port $port; its output:" >&2
		tail -n 20 "$dir/console" "$dir/log" >&2 2>/dev/null
		exit 1
	fi
}

# --- figures ---------------------------------------------------------------------------
isnum() {
	case $1 in ''|*[!0-9.-]*|-) return 1 ;; *) return 0 ;; esac
}

# median of the numbers on standard input, with DECIMALS decimals (default 0)
median() {
	grep -E '^-?[0-9.]+$' | sort -g | awk -v d="${1:-0}" '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.*f\n", d, m }'
}

# maximum of the numbers on standard input
maximum() {
	grep -E '^-?[0-9.]+$' | sort -g | awk -v d="${1:-0}" '{ m = $1 } END {
		if (NR == 0) print "-"; else printf "%.*f\n", d, m }'
}

# rounds FILE: the figures of every round, on one line
rounds() {
	[ -s "$1" ] && tr '\n' ' ' <"$1" | sed 's/ $//' || echo -
}

ratio() {
	if isnum "$1" && isnum "$2"; then
		awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'
	else
		echo -
	fi
}

# verdict VALUE TARGET ge|le: ok when VALUE >= (ge) or <= (le) TARGET.
verdict() {
	isnum "$1" || { echo -; return; }
	awk -v r="$1" -v t="$2" -v d="$3" 'BEGIN {
		ok = (d == "ge") ? (r + 0 >= t + 0) : (r + 0 <= t + 0)
		print ok ? "ok" : "MISSED" }'
}

# cpu_ticks PID: utime + stime of a process, in clock ticks.
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# status_kb PID FIELD: a field of /proc/PID/status in kB (VmRSS, VmHWM).
status_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

load_note() {
	echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
}
