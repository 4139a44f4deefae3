#!/usr/bin/env bash
# failover.sh - how fast 3 sentinels fail a master over to one of its replicas.
#
#   bench/failover.sh            (from the top of a built tree)
#
# Not part of "make check": the figures depend on the machine.
#
# For each kind of server (sentinel-kv, and redis-server when installed),
# two sets are started side by side, each of a master, 2 replicas and 3
# sentinels (ours in one set, redis-sentinel in the other) with quorum 2,
# down-after-milliseconds DOWN_AFTER and failover-timeout FAILOVER_TIMEOUT.
# Each round, in the set of ours then in that of redis-sentinel: once the set
# has settled (every sentinel names the same master, knows its 2 peers and
# both replicas with their link up), the master gets SIGKILL and a helper,
# polling every 2 ms and listening to every sentinel's events, takes the
# time until
#   writes     a replica accepts SET: the new master
#   sentinels  all 3 sentinels return the new address from
#              SENTINEL get-master-addr-by-name
#   replica    the other replica replicates from the new master
#              (INFO replication: master_port, master_link_status:up)
#   end        the first +failover-end event
#   sdown      the first +sdown of the master, from any sentinel (it can
#              come before down-after has passed since the kill: the
#              last reply to a PING came before the kill)
# each minus DOWN_AFTER ("beyond down-after"). The killed server is then
# started again on its port as a replica of the new master; the helper goes
# on counting events until the set has settled again and QUIET s more: a
# round where a sentinel sent more than one +switch-master, or where more
# than one +elected-leader was seen, counts as a spurious second failover.
# After the R rounds, PLANNED rounds of SENTINEL FAILOVER sent to one of the
# sentinels with the master up (the same figures, from the command, with
# nothing subtracted). Medians of the rounds.
#
# Reference (from the issue: redis-sentinel's medians beyond down-after):
# writes 370 ms, all sentinels 1235 ms, other replica 1244 ms, end 2280 ms.
# The ratio column is ours / redis-sentinel, measured here side by side.
#
# Environment: see bench/sentinel-lib.sh (SENTINEL_BIN, SENTINEL_KV_BIN,
# REDIS_SENTINEL_BIN, REDIS_SERVER_BIN), and
#   R                 rounds with SIGKILL (default 10)
#   PLANNED           rounds with SENTINEL FAILOVER (default 1)
#   SERVERS           kinds of server, among kv and redis (default: both
#                     when installed)
#   DOWN_AFTER        down-after-milliseconds (default 1000)
#   FAILOVER_TIMEOUT  failover-timeout (default 10000)
#   QUIET             seconds of events still counted after a set settled (default 1)
#   ROUND_TIMEOUT     seconds a failover may take before the round fails (default 60)
#   ROUND_GAP         seconds to wait after a set settled before the next
#                     round's failover (default 0: back to back; a sentinel
#                     that still holds off after the previous failover,
#                     2 x failover-timeout, shows it in the figures)

set -u
me=failover
. "$(dirname "$0")/sentinel-lib.sh"
R=${R:-10}
PLANNED=${PLANNED:-1}
DOWN_AFTER=${DOWN_AFTER:-1000}
FAILOVER_TIMEOUT=${FAILOVER_TIMEOUT:-10000}
QUIET=${QUIET:-1}
ROUND_TIMEOUT=${ROUND_TIMEOUT:-60}
ROUND_GAP=${ROUND_GAP:-0}
need_positive R DOWN_AFTER FAILOVER_TIMEOUT QUIET ROUND_TIMEOUT
for v in PLANNED ROUND_GAP; do
	case ${!v} in ''|*[!0-9]*) echo "$me: $v must be a number" >&2; exit 2 ;; esac
done
need_bins
if [ -n "${SERVERS:-}" ]; then
	server_kinds=$SERVERS
else
	server_kinds=
	[ -x "$kv_bin" ] && server_kinds=kv
	[ -n "$redis_bin" ] && server_kinds="$server_kinds redis"
fi
kinds=ours
[ -n "$redis_sentinel_bin" ] && kinds="ours redis"
name=mymaster
failed=0

declare -A srv_pid set_servers set_sentinels set_dead
# setup SKIND KIND: servers and sentinels of the set SKIND.KIND.
setup() {
	local sk=$1 k=$2 set=$1.$2 i p m list=() slist=()
	for ((i = 0; i < 3; i++)); do
		p=$(free_port)
		if [ "$i" = 0 ]; then
			m=$p
			start_server "$sk" "$tmp/$set/server.$p" "$p"
		else
			start_server "$sk" "$tmp/$set/server.$p" "$p" --replicaof 127.0.0.1 "$m"
		fi
		srv_pid[$set.$p]=$launched
		list+=("$p")
	done
	{
		echo "sentinel monitor $name 127.0.0.1 $m 2"
		echo "sentinel down-after-milliseconds $name $DOWN_AFTER"
		echo "sentinel failover-timeout $name $FAILOVER_TIMEOUT"
	} >"$tmp/$set/body"
	for ((i = 0; i < 3; i++)); do
		p=$(free_port)
		start_sentinel "$k" "$tmp/$set/sentinel.$p" "$p" "$tmp/$set/body"
		slist+=("$p")
	done
	set_servers[$set]=$(IFS=,; echo "${list[*]}")
	set_sentinels[$set]=$(IFS=,; echo "${slist[*]}")
	set_dead[$set]=
}

# teardown SET: stop its sentinels and servers.
teardown() {
	local set=$1 key
	for key in "${!srv_pid[@]}"; do
		case $key in "$set".*) stop "${srv_pid[$key]}"; unset "srv_pid[$key]" ;; esac
	done
}

# settle SET: wait until the set is settled; sets master (its port).
settle() {
	local set=$1
	if ! run probe ready "$name" "${set_sentinels[$set]}" "${set_servers[$set]}" "$ROUND_TIMEOUT" \
	    >"$tmp/ready" 2>"$tmp/ready.err"; then
		echo "$me: $set did not settle: $(cat "$tmp/ready.err")" >&2
		return 1
	fi
	master=$(cat "$tmp/ready")
}

# one_round SET MODE: one failover (kill or planned) in SET; appends the
# figures to $tmp/res.SET.MODE.{sdown,writes,sentinels,replica,end,spurious}.
one_round() {
	local set=$1 mode=$2 sk=${1%%.*} replicas mpid out=$tmp/fo.out stopf=$tmp/fo.stop n v newport
	local sub=0 f
	[ "$mode" = kill ] && sub=$DOWN_AFTER
	settle "$set" || return 1
	[ "$ROUND_GAP" -gt 0 ] && run sleep "$ROUND_GAP"
	mpid=${srv_pid[$set.$master]}
	replicas=$(echo "${set_servers[$set]}" | tr ',' '\n' | grep -vx "$master" | paste -sd,)
	rm -f "$out" "$out.done" "$out.events" "$stopf"
	probe failover "$name" "${set_sentinels[$set]}" "$master" "$mpid" "$replicas" "$mode" \
	    "$out" "$stopf" "$ROUND_TIMEOUT" 2>"$tmp/fo.err" &
	fo_pid=$!
	pids+=("$fo_pid")
	for ((n = 0; n < (ROUND_TIMEOUT + 15) * 20; n++)); do
		[ -e "$out.done" ] && break
		kill -0 "$fo_pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -e "$out.done" ]; then
		echo "$me: $set: the failover helper gave no figures: $(cat "$tmp/fo.err")" >&2
		stop "$fo_pid"
		return 1
	fi
	read -r a w s r e newport <"$out"
	[ -s "$tmp/fo.err" ] && sed "s/^/  helper: /" "$tmp/fo.err" >&2
	if [ "$mode" = kill ]; then
		wait "$mpid" 2>/dev/null
		forget "$mpid"
		if [ "$newport" != - ]; then
			start_server "$sk" "$tmp/$set/server.$master" "$master" --replicaof 127.0.0.1 "$newport"
			srv_pid[$set.$master]=$launched
		fi
	fi
	local settled=0
	settle "$set" && settled=1
	sleep "$QUIET"
	: >"$stopf"
	wait "$fo_pid" 2>/dev/null
	forget "$fo_pid"
	read -r nswitch nelected ntry naborts spurious <"$out.events" 2>/dev/null ||
	    spurious=- nswitch=- nelected=- ntry=- naborts=-
	for f in a w s r e; do
		v=${!f}
		isnum "$v" && v=$(awk -v a="$v" -v d="$sub" 'BEGIN { printf "%.1f", a - d }') || v=FAILED
		printf -v "$f" %s "$v"
	done
	echo "$a" >>"$tmp/res.$set.$mode.sdown"
	echo "$w" >>"$tmp/res.$set.$mode.writes"
	echo "$s" >>"$tmp/res.$set.$mode.sentinels"
	echo "$r" >>"$tmp/res.$set.$mode.replica"
	echo "$e" >>"$tmp/res.$set.$mode.end"
	echo "$spurious" >>"$tmp/res.$set.$mode.spurious"
	printf '  %-11s %-7s sdown %8s  writes %8s  sentinels %8s  replica %8s  end %8s ms; +switch-master max %s/sentinel, +elected-leader %s, +try-failover %s, aborts %s\n' \
	    "$set" "$mode" "$a" "$w" "$s" "$r" "$e" "$nswitch" "$nelected" "$ntry" "$naborts" >&2
	[ "$mode" = planned ] && a=0
	case "$w $s $r $e $a" in *FAILED*) failed=1 ;; esac
	[ "$newport" != - ] && [ "$settled" = 1 ]
}

load_note
echo "ours:           $sentinel_bin"
if [ -n "$redis_sentinel_bin" ]; then
	echo "redis-sentinel: $redis_sentinel_bin"
else
	echo "redis-sentinel: none (REDIS_SENTINEL_BIN=none or not installed): ours alone"
fi
echo "servers: $server_kinds; 3 sentinels, a master and 2 replicas per set; quorum 2,"
echo "down-after-milliseconds $DOWN_AFTER, failover-timeout $FAILOVER_TIMEOUT; $R rounds of SIGKILL, $PLANNED of SENTINEL FAILOVER"
echo "rounds back to back$([ "$ROUND_GAP" -gt 0 ] && echo ", but $ROUND_GAP s after each set settled")"

for sk in $server_kinds; do
	for k in $kinds; do
		setup "$sk" "$k"
	done
	for ((round = 1; round <= R + PLANNED; round++)); do
		mode=kill
		[ "$round" -gt "$R" ] && mode=planned
		printf '%s servers, round %d/%d (%s) ...\n' "$sk" "$round" "$((R + PLANNED))" "$mode" >&2
		for k in $kinds; do
			set=$sk.$k
			[ -n "${set_dead[$set]}" ] && continue
			if ! one_round "$set" "$mode"; then
				failed=1
				set_dead[$set]=1
				echo "$me: $set: giving up on this set (logs: $tmp/$set, kept until the end)" >&2
			fi
		done
	done
	for k in $kinds; do
		teardown "$sk.$k"
	done

	echo
	echo "== $sk servers: medians of the rounds, ms"
	printf '%-38s %10s %10s %7s   %s\n' "SIGKILL, beyond down-after" ours redis ratio "redis's reference"
	for f in sdown:- writes:370 sentinels:1235 replica:1244 end:2280; do
		m=${f%%:*} ref=${f#*:}
		o=$(median 1 <"$tmp/res.$sk.ours.kill.$m" 2>/dev/null || echo -)
		r=-
		[ -n "$redis_sentinel_bin" ] && r=$(median 1 <"$tmp/res.$sk.redis.kill.$m" 2>/dev/null || echo -)
		case $m in
		sdown) label="first +sdown" ;;
		writes) label="new master accepts writes" ;;
		sentinels) label="all sentinels give the new address" ;;
		replica) label="other replica follows" ;;
		end) label="+failover-end" ;;
		esac
		printf '%-38s %10s %10s %7s   %s\n' "$label" "${o:--}" "${r:--}" "$(ratio "$o" "$r")" "$ref"
	done
	so=$(grep -c '^1$' "$tmp/res.$sk.ours.kill.spurious" 2>/dev/null)
	no=$(grep -c . "$tmp/res.$sk.ours.kill.spurious" 2>/dev/null)
	sr=- nr=-
	if [ -n "$redis_sentinel_bin" ]; then
		sr=$(grep -c '^1$' "$tmp/res.$sk.redis.kill.spurious" 2>/dev/null)
		nr=$(grep -c . "$tmp/res.$sk.redis.kill.spurious" 2>/dev/null)
	fi
	printf '%-38s %10s %10s\n' "rounds with a spurious 2nd failover" "${so:-0}/${no:-0}" "${sr:-0}/${nr:-0}"
	for m in sdown writes sentinels replica end; do
		echo "  $m, every round: ours $(rounds "$tmp/res.$sk.ours.kill.$m")"
		[ -n "$redis_sentinel_bin" ] && echo "  $m, every round: redis $(rounds "$tmp/res.$sk.redis.kill.$m")"
	done
	if [ "$PLANNED" -gt 0 ]; then
		printf '%-38s %10s %10s %7s\n' "SENTINEL FAILOVER, from the command" ours redis ratio
		for m in writes sentinels replica end; do
			o=$(median 1 <"$tmp/res.$sk.ours.planned.$m" 2>/dev/null || echo -)
			r=-
			[ -n "$redis_sentinel_bin" ] && r=$(median 1 <"$tmp/res.$sk.redis.planned.$m" 2>/dev/null || echo -)
			printf '%-38s %10s %10s %7s\n' "  $m" "${o:--}" "${r:--}" "$(ratio "$o" "$r")"
		done
	fi
	echo
done
echo "(writes: a replica accepts SET; sentinels: all 3 return the new address; replica: the"
echo " other replica's link to the new master is up; end: the first +failover-end. A spurious"
echo " failover: more than one +switch-master from a sentinel or +elected-leader in a round,"
echo " counted until the set settled again. Polling every 2 ms: the figures carry ~1-2 ms of it)"
exit $failed
