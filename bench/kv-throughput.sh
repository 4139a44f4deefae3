#!/usr/bin/env bash
# kv-throughput.sh - sentinel-kv against redis-server: throughput and memory.
#
#   bench/kv-throughput.sh            (from the top of a built tree)
#
# Not part of "make check": the figures depend on the machine. Both servers
# run on free loopback ports in a temporary directory, without persistence
# (--save "" --appendonly no), and are stopped by PID when the script ends.
#
# Throughput: redis-benchmark -t set,get,incr -c 50 -n N at pipeline 1 and
# 16. Each round runs every configuration against sentinel-kv then
# redis-server, back to back, so that both see the same machine load; the
# table shows the median of R rounds. Memory: FLUSHALL, then 1M SETs of
# 3-byte values on random keys (-r 100000000, so slightly fewer distinct
# keys than 1M: DBSIZE is shown), then the resident set size of each server.
#
# Targets (from the issue): sentinel-kv >= 1.0x redis-server's requests per
# second at pipeline 1, >= 0.8x at pipeline 16, RSS <= 1.5x redis-server's.
#
# Environment:
#   SENTINEL_KV_BIN   sentinel-kv to test (default: src/kv/sentinel-kv here)
#   REDIS_SERVER_BIN  the reference (default: redis-server on PATH; if there
#                     is none, or with REDIS_SERVER_BIN=none, only sentinel-kv
#                     is measured)
#   N                 requests per test (default 200000)
#   R                 rounds; the median is reported (default 3)
#   MEM_N             SETs in the memory test (default 1000000)
#   CLIENTS           parallel connections (default 50)
#
# A dry run of both columns without sentinel-kv:
#   SENTINEL_KV_BIN=/usr/bin/redis-server bench/kv-throughput.sh

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
kv_bin=${SENTINEL_KV_BIN:-$top/src/kv/sentinel-kv}
redis_bin=${REDIS_SERVER_BIN:-$(command -v redis-server || true)}
[ "$redis_bin" = none ] && redis_bin=
N=${N:-200000}
R=${R:-3}
MEM_N=${MEM_N:-1000000}
CLIENTS=${CLIENTS:-50}
TESTS="set,get,incr"
PIPELINES="1 16"

for v in N R MEM_N CLIENTS; do
	case ${!v} in
	''|*[!0-9]*|0) echo "kv-throughput: $v must be a positive number" >&2; exit 2 ;;
	esac
done

if [ ! -x "$kv_bin" ]; then
	echo "kv-throughput: sentinel-kv not found at $kv_bin" >&2
	echo "  build it first (./autogen.sh && ./configure && make), or set SENTINEL_KV_BIN" >&2
	exit 1
fi
for tool in redis-benchmark redis-cli; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "kv-throughput: $tool not found (apt-get install redis-tools)" >&2
		exit 1
	fi
done
if [ -n "$redis_bin" ] && [ ! -x "$redis_bin" ]; then
	echo "kv-throughput: REDIS_SERVER_BIN=$redis_bin is not executable" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kv-throughput.XXXXXX") || exit 1
pids=()
port_kv='' pid_kv='' port_redis='' pid_redis=''

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

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start NAME BIN: start a server on a free loopback port; sets port_NAME and pid_NAME.
start() {
	local name=$1 bin=$2 dir=$tmp/$1 port pid try n
	mkdir -p "$dir"
	for ((try = 0; try < 10; try++)); do
		port=$((20000 + RANDOM % 40000))
		port_busy "$port" && continue
		"$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
		    --dir "$dir" --logfile "$dir/log" --daemonize no \
		    </dev/null >"$dir/console" 2>&1 &
		pid=$!
		pids+=("$pid")
		for ((n = 0; n < 100; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
				printf -v "port_$name" %s "$port"
				printf -v "pid_$name" %s "$pid"
				return 0
			fi
			sleep 0.1
		done
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	echo "kv-throughput: could not start $bin; its output:" >&2
	tail -n 20 "$dir/console" "$dir/log" >&2 2>/dev/null
	exit 1
}

# run CMD...: run a client in the background and wait for it, so that
# Ctrl-C is handled at once (bash runs traps only between foreground commands).
run() {
	"$@" &
	bg_pid=$!
	wait "$bg_pid"
	bg_pid=''
}

# bench PORT PIPELINE: one redis-benchmark run; prints "TEST rps" lines.
bench() {
	run redis-benchmark -p "$1" -t "$TESTS" -c "$CLIENTS" -n "$N" -P "$2" -q --csv \
	    >"$tmp/bench.csv" 2>/dev/null
	awk -F'"' 'NR > 1 && $4 != "" { print $2, $4 }' "$tmp/bench.csv"
}

# median of the numbers on standard input
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.0f\n", m }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}

# verdict RATIO TARGET DIRECTION: "ok" when ratio >= target (ge) or <= target (le).
verdict() {
	awk -v r="$1" -v t="$2" -v d="$3" 'BEGIN {
		if (r == "-") { print "-"; exit }
		ok = (d == "ge") ? (r + 0 >= t + 0) : (r + 0 <= t + 0)
		print ok ? "ok" : "MISSED" }'
}

servers="kv"
start kv "$kv_bin"
if [ -n "$redis_bin" ]; then
	start redis "$redis_bin"
	servers="kv redis"
fi

echo "sentinel-kv:  $kv_bin (127.0.0.1:$port_kv, pid $pid_kv)"
if [ -n "$redis_bin" ]; then
	echo "redis-server: $redis_bin (127.0.0.1:$port_redis, pid $pid_redis)"
else
	echo "redis-server: none (not installed, or REDIS_SERVER_BIN=none): measuring sentinel-kv alone"
fi
echo "redis-benchmark -t $TESTS -c $CLIENTS -n $N, pipelines: $PIPELINES; $R rounds, median shown"
echo

# Warm up each server (first connections, allocator, page faults) outside the figures.
for s in $servers; do
	port_var=port_$s
	run redis-benchmark -p "${!port_var}" -t "$TESTS" -c "$CLIENTS" -n 20000 -q >/dev/null 2>&1
done

# --- throughput: results in $tmp/res.<server>.<pipeline>.<TEST>, one rps per round
for ((round = 1; round <= R; round++)); do
	printf 'round %d/%d ...\n' "$round" "$R" >&2
	for p in $PIPELINES; do
		for s in $servers; do
			port_var=port_$s
			bench "${!port_var}" "$p" >"$tmp/bench.out"
			while read -r test rps; do
				echo "$rps" >>"$tmp/res.$s.$p.$test"
			done <"$tmp/bench.out"
		done
	done
done

printf '%-6s %8s %14s %14s %7s   %s\n' test pipeline sentinel-kv redis-server ratio "target"
for p in $PIPELINES; do
	if [ "$p" = 1 ]; then target=1.0; else target=0.8; fi
	for test in $(echo "$TESTS" | tr 'a-z,' 'A-Z '); do
		kv=$(median <"$tmp/res.kv.$p.$test" 2>/dev/null || echo -)
		if [ -n "$redis_bin" ]; then
			rd=$(median <"$tmp/res.redis.$p.$test" 2>/dev/null || echo -)
		else
			rd=-
		fi
		r=$(ratio "$kv" "$rd")
		printf '%-6s %8s %14s %14s %7s   >= %s x  %s\n' "$test" "$p" "$kv" "$rd" "$r" "$target" \
		    "$(verdict "$r" "$target" ge)"
	done
done
echo "(ratios within about 10% of a target are noise on a busy or small machine:"
echo " run on an idle one, or raise N and R; a dry run of redis-server against itself shows the spread)"
echo

# --- memory
echo "memory: FLUSHALL, then redis-benchmark -t set -n $MEM_N -r 100000000 -d 3 -P 16 -c $CLIENTS"
declare -A dbsize rss_proc rss_info used
for s in kv redis; do
	dbsize[$s]=-; rss_proc[$s]=-; rss_info[$s]=-; used[$s]=-
done
for s in $servers; do
	port_var=port_$s
	pid_var=pid_$s
	port=${!port_var}
	redis-cli -p "$port" flushall >/dev/null
	run redis-benchmark -p "$port" -t set -n "$MEM_N" -r 100000000 -d 3 -P 16 -c "$CLIENTS" -q >/dev/null 2>&1
	dbsize[$s]=$(redis-cli -p "$port" dbsize)
	rss_proc[$s]=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${!pid_var}/status")
	info=$(redis-cli -p "$port" info memory | tr -d '\r')
	v=$(printf '%s\n' "$info" | awk -F: '$1 == "used_memory_rss" { print $2 }')
	rss_info[$s]=${v:--}
	v=$(printf '%s\n' "$info" | awk -F: '$1 == "used_memory" { print $2 }')
	used[$s]=${v:--}
done

# row LABEL KV REDIS [mib]: one line of the memory table; the ratio is taken on the raw figures.
row() {
	local kv=$2 rd=$3
	if [ "${4:-}" = mib ]; then
		kv=$(awk -v b="$2" 'BEGIN { if (b == "-") print b; else printf "%.1f", b / 1048576 }')
		rd=$(awk -v b="$3" 'BEGIN { if (b == "-") print b; else printf "%.1f", b / 1048576 }')
	fi
	printf '%-26s %14s %14s %7s\n' "$1" "$kv" "$rd" "$(ratio "$2" "$3")"
}
printf '%-26s %14s %14s %7s\n' "" sentinel-kv redis-server ratio
row "keys (DBSIZE)" "${dbsize[kv]}" "${dbsize[redis]}"
row "RSS MiB (/proc VmRSS)" "${rss_proc[kv]}" "${rss_proc[redis]}" mib
row "RSS MiB (used_memory_rss)" "${rss_info[kv]}" "${rss_info[redis]}" mib
row "used_memory MiB" "${used[kv]}" "${used[redis]}" mib
r=$(ratio "${rss_proc[kv]}" "${rss_proc[redis]}")
echo "target: RSS (VmRSS) <= 1.5 x redis-server's: $r x  $(verdict "$r" 1.5 le)"
