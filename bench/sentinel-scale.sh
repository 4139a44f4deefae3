#!/usr/bin/env bash
# sentinel-scale.sh - sentinels watching many masters: CPU, memory, discovery.
#
#   bench/sentinel-scale.sh            (from the top of a built tree)
#
# Not part of "make check": the figures depend on the machine.
#
# MASTERS masters (default 500) are monitored as m0, m1, ... with a quorum
# of 2. Running 500 servers does not fit a small machine, so SERVERS server
# processes (default 50, sentinel-kv, or redis-server when sentinel-kv is
# missing) each stand for MASTERS/SERVERS of them: master mI is the server
# I mod SERVERS, under its own name (Redis 7.0 allows one address under
# several names). Every sentinel still keeps two links per master. One
# artefact: the hello messages of every name a server stands for reach all
# the links subscribed on that server, so each sentinel receives about
# MASTERS/SERVERS times more hellos than with one server per master (both
# sentinels alike; raise SERVERS to shrink it).
#
# Phases, one after the other on the same servers: ours with 1 sentinel,
# redis-sentinel with 1, ours with 3, redis-sentinel with 3. In each:
#   discovery  (3 sentinels) started together; the time from the start until
#              every sentinel knows its 2 peers for every master (INFO
#              sentinel shows sentinels=3 on each master line, polled every
#              50 ms, checked with SENTINEL MASTERS num-other-sentinels)
#   CPU        after WARMUP s more, utime+stime from /proc/PID/stat over a
#              WINDOW s window, mean per sentinel, in % of one core
#   memory     VmRSS at the end of the window and VmHWM (peak), the largest
#              of the sentinels
# then the 3-sentinel start is repeated (fresh configuration files) until
# DISC_R discovery times have been taken per kind: the median is shown.
#
# Targets (from the issue): CPU and RSS <= 0.5x redis-sentinel's; discovery
# with 3 sentinels x 500 masters <= 1 s for ours (redis-sentinel: ~14-16 s).
#
# Environment: see bench/sentinel-lib.sh (SENTINEL_BIN, SENTINEL_KV_BIN,
# REDIS_SENTINEL_BIN, REDIS_SERVER_BIN), and
#   MASTERS   monitored masters (default 500)
#   SERVERS   server processes standing for them (default 50)
#   SERVER    kv or redis: the kind of server (default kv when built)
#   WARMUP    seconds between discovery (or start) and the CPU window (default 5)
#   WINDOW    seconds of the CPU window (default 20)
#   DISC_R    discovery rounds per kind (default 3)
#   DISC_TIMEOUT  seconds the discovery may take (default 90)

set -u
me=sentinel-scale
. "$(dirname "$0")/sentinel-lib.sh"
MASTERS=${MASTERS:-500}
SERVERS=${SERVERS:-50}
WARMUP=${WARMUP:-5}
WINDOW=${WINDOW:-20}
DISC_R=${DISC_R:-3}
DISC_TIMEOUT=${DISC_TIMEOUT:-90}
need_positive MASTERS SERVERS WARMUP WINDOW DISC_R DISC_TIMEOUT
need_bins
pick_server
hz=$(getconf CLK_TCK)


load_note
echo "ours:           $sentinel_bin"
if [ -n "$redis_sentinel_bin" ]; then
	echo "redis-sentinel: $redis_sentinel_bin"
else
	echo "redis-sentinel: none (REDIS_SENTINEL_BIN=none or not installed): ours alone"
fi
echo "$MASTERS masters on $SERVERS $server processes; warm-up $WARMUP s, CPU window $WINDOW s"

sports=()
for ((i = 0; i < SERVERS; i++)); do
	p=$(free_port)
	start_server "$server" "$tmp/server.$i" "$p" --maxclients 10000
	sports+=("$p")
done
for ((i = 0; i < MASTERS; i++)); do
	printf 'sentinel monitor m%d 127.0.0.1 %s 2\n' "$i" "${sports[i % SERVERS]}"
done >"$tmp/body"
echo "servers up: ${#sports[@]}"
echo

declare -A cpu rss hwm
n_phase=0
# phase KIND N: N sentinels of KIND; discovery (N > 1), CPU and memory.
# With MEASURE=0 only the discovery.
phase() {
	local k=$1 n=$2 i p t0 spids=() sp=() list d0 d1 c total rmax hmax v
	n_phase=$((n_phase + 1))
	for ((i = 0; i < n; i++)); do
		sp+=("$(free_port)")
	done
	list=$(IFS=,; echo "${sp[*]}")
	t0=$EPOCHREALTIME
	for ((i = 0; i < n; i++)); do
		NOWAIT=1 start_sentinel "$k" "$tmp/phase.$n_phase.$i" "${sp[i]}" "$tmp/body"
		spids+=("$launched")
	done
	for ((i = 0; i < n; i++)); do
		if ! wait_pong "${sp[i]}" "${spids[i]}"; then
			echo "$me: $k sentinel did not start; its log:" >&2
			tail -n 20 "$tmp/phase.$n_phase.$i/log" "$tmp/phase.$n_phase.$i/console" >&2 2>/dev/null
			exit 1
		fi
	done
	if [ "$n" -gt 1 ]; then
		if run probe discover "$list" "$MASTERS" "$DISC_TIMEOUT" "$t0" >"$tmp/disc" 2>"$tmp/disc.err"; then
			v=$(awk '{ print $NF }' "$tmp/disc")
			printf '  %-5s x%d discovery %8s ms (each: %s)\n' "$k" "$n" "$v" "$(cut -d' ' -f1-$n "$tmp/disc")" >&2
		else
			v=FAILED
			echo "$me: $k x$n discovery: $(cat "$tmp/disc.err")" >&2
		fi
		echo "$v" >>"$tmp/disc.$k"
	fi
	if [ "${MEASURE:-1}" = 1 ]; then
		sleep "$WARMUP"
		d0=0
		for c in "${spids[@]}"; do d0=$((d0 + $(cpu_ticks "$c"))); done
		run sleep "$WINDOW"
		d1=0 rmax=0 hmax=0
		for c in "${spids[@]}"; do
			d1=$((d1 + $(cpu_ticks "$c")))
			v=$(status_kb "$c" VmRSS); [ "$v" -gt "$rmax" ] && rmax=$v
			v=$(status_kb "$c" VmHWM); [ "$v" -gt "$hmax" ] && hmax=$v
		done
		cpu[$k.$n]=$(awk -v t=$((d1 - d0)) -v hz="$hz" -v w="$WINDOW" -v n="$n" \
		    'BEGIN { printf "%.2f", t / hz / w / n * 100 }')
		rss[$k.$n]=$(awk -v v="$rmax" 'BEGIN { printf "%.1f", v / 1024 }')
		hwm[$k.$n]=$(awk -v v="$hmax" 'BEGIN { printf "%.1f", v / 1024 }')
		printf '  %-5s x%d CPU %6s %% of a core per sentinel, RSS %s MiB, peak %s MiB\n' \
		    "$k" "$n" "${cpu[$k.$n]}" "${rss[$k.$n]}" "${hwm[$k.$n]}" >&2
	fi
	for c in "${spids[@]}"; do
		stop "$c"
	done
}

for n in 1 3; do
	for k in $kinds; do
		cpu[$k.$n]=- rss[$k.$n]=- hwm[$k.$n]=-
		phase "$k" "$n"
	done
done
for ((r = 2; r <= DISC_R; r++)); do
	for k in $kinds; do
		MEASURE=0 phase "$k" 3
	done
done

get() { local v=${1:-}; echo "${v:--}"; }
printf '%-40s %10s %10s %7s   %s\n' "" ours redis ratio target
for n in 1 3; do
	o=${cpu[ours.$n]} r=$(get "${cpu[redis.$n]:-}") x=$(ratio "${cpu[ours.$n]}" "$r")
	printf '%-40s %10s %10s %7s   <= 0.5 x  %s\n' "CPU % of a core per sentinel, $n sentinel(s)" "$o" "$r" "$x" "$(verdict "$x" 0.5 le)"
	o=${rss[ours.$n]} r=$(get "${rss[redis.$n]:-}") x=$(ratio "$o" "$r")
	printf '%-40s %10s %10s %7s   <= 0.5 x  %s\n' "RSS MiB (largest), $n sentinel(s)" "$o" "$r" "$x" "$(verdict "$x" 0.5 le)"
	o=${hwm[ours.$n]} r=$(get "${hwm[redis.$n]:-}") x=$(ratio "$o" "$r")
	printf '%-40s %10s %10s %7s\n' "peak RSS MiB (VmHWM), $n sentinel(s)" "$o" "$r" "$x"
done
o=$(median <"$tmp/disc.ours")
r=-
[ -n "$redis_sentinel_bin" ] && r=$(median <"$tmp/disc.redis")
printf '%-40s %10s %10s %7s   ours <= 1000 ms  %s\n' "discovery ms, 3 sentinels (median)" "$o" "$r" \
    "$(ratio "$o" "$r")" "$(verdict "$o" 1000 le)"
echo "(discovery, every round, ms: ours $(rounds "$tmp/disc.ours")"
[ -n "$redis_sentinel_bin" ] && echo " redis-sentinel $(rounds "$tmp/disc.redis")"
echo " from starting the 3 sentinels until each knows 2 peers for all $MASTERS masters."
echo " CPU includes the hellos of the $((MASTERS / SERVERS)) names each server stands for: see the header)"
