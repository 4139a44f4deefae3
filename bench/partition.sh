#!/usr/bin/env bash
# partition.sh - a master cut off and healed again and again: ours and
# redis-sentinel side by side.
#
#   sudo bench/partition.sh            (from the top of a built tree; root for nft)
#
# Not part of "make check" (tests/integration/partition.sh is). Each run
# starts a master, two replicas (sentinel-kv, or redis-server with
# SERVER=redis) and three sentinels with quorum 2 and down-after D, each
# process on its own loopback address 127.S.0.N (bind, bind-source-addr).
# Then CYCLES times: the host of the current master (its server and the
# sentinel beside it) is cut off from the others for CUT ms with rules in
# an nftables table of the run's own, then healed for HEAL ms. Every 10 ms
# each server is asked its role. The engine is
# tests/integration/partition.py flap; it prints per run:
#   failovers        +promoted-slave events in all (one per cut that
#                    outlasts down-after is the right number)
#   max_per_episode  most promotions in one cut/heal episode (target: 1)
#   max_masters      most servers with role:master in one sample (2 is the
#                    cut-off old master beside the new one; 3 never)
#   three_masters_ms how long three were masters at once
#   epoch_reuse      epochs in which two different replicas were promoted
#                    (the epoch of a +promoted-slave is its sender's own
#                    +vote-for-leader)
#   final_masters    servers with role:master at the end (target: 1)
#   one_master_ms    ms after the last heal until one master is left
#   settled_ms       ms after the last heal until all three sentinels name
#                    it, see both replicas linked and each other
#   demote_median_ms, demote_max_ms
#                    ms from a heal to role:slave on the old master, when
#                    it was replaced while cut off (target: <= 200)
#   undemoted_heals  heals that ended with it still a master
# ROUNDS runs of each, ours first, alternating.
#
# Then ISOLATE_MS (default 10000): the master and the sentinel beside it
# cut off once for that long while a client on 127.0.0.1 (which no rule
# names) writes to the master one SET at a time, then healed:
#   failover_ms            the two others name a new master (from the cut)
#   acked_during_cut       writes the old master acknowledged while cut off
#   acked_after_heal       ... and after the heal, until it became a replica
#                          (all lost: the new master never gets them)
#   demoted_after_heal_ms  from the heal to role:slave on the old master
#                          (target: <= 200)
#
# Environment: see bench/sentinel-lib.sh, and
#   CYCLES   cut/heal episodes per run (default 10: 30 s)
#   CUT      ms cut off (default 1500)    HEAL  ms healed (default 1500)
#   D        down-after-milliseconds (default 1000)
#   ROUNDS   runs per kind (default 1)
#   SERVER   kv or redis (default kv when built)

set -u
me=partition
. "$(dirname "$0")/sentinel-lib.sh"
CYCLES=${CYCLES:-10}
CUT=${CUT:-1500}
HEAL=${HEAL:-1500}
D=${D:-1000}
ROUNDS=${ROUNDS:-1}
ISOLATE_MS=${ISOLATE_MS:-10000}
need_positive CYCLES CUT HEAL D ROUNDS ISOLATE_MS
need_bins nft
if [ "$(id -u)" != 0 ]; then
	echo "$me: needs root (nft)" >&2
	exit 1
fi
pick_server
if [ "$server" = kv ]; then srv_bin=$kv_bin; else srv_bin=$redis_bin; fi

load_note
echo "ours:           $sentinel_bin"
echo "redis-sentinel: ${redis_sentinel_bin:-none: ours alone}"
echo "servers: $server; $CYCLES x (cut ${CUT} ms, heal ${HEAL} ms), down-after $D ms; $ROUNDS round(s) per kind"
echo

for r in $(seq 1 "$ROUNDS"); do
	for k in $kinds; do
		if [ "$k" = ours ]; then bin=$sentinel_bin; else bin=$redis_sentinel_bin; fi
		printf '%-6s round %d: ' "$k" "$r"
		TMPDIR=$tmp python3 "$top/tests/integration/partition.py" flap "$server" "$srv_bin" \
		    "$CYCLES" "$CUT" "$HEAL" "$D" "$bin" 2>"$tmp/err.$k.$r" | tee -a "$tmp/out.$k"
		if [ "${PIPESTATUS[0]}" != 0 ]; then
			echo "(failed)"
			tail -20 "$tmp/err.$k.$r" >&2
		fi
	done
done

for r in $(seq 1 "$ROUNDS"); do
	for k in $kinds; do
		if [ "$k" = ours ]; then bin=$sentinel_bin; else bin=$redis_sentinel_bin; fi
		printf '%-6s isolated %d ms, round %d: ' "$k" "$ISOLATE_MS" "$r"
		TMPDIR=$tmp python3 "$top/tests/integration/partition.py" isolate "$server" "$srv_bin" \
		    "$ISOLATE_MS" "$D" 30 "$bin" 2>"$tmp/ierr.$k.$r" | tee -a "$tmp/out.$k"
		if [ "${PIPESTATUS[0]}" != 0 ]; then
			echo "(failed)"
			tail -20 "$tmp/ierr.$k.$r" >&2
		fi
	done
done

echo
printf '%-24s %10s %15s\n' "" ours redis-sentinel
for f in failovers max_per_episode max_masters three_masters_ms epoch_reuse final_masters one_master_ms settled_ms demote_median_ms demote_max_ms undemoted_heals failover_ms acked_during_cut acked_after_heal demoted_after_heal_ms; do
	o=$(sed -n "s/.*\\b$f \\([-0-9.]*\\).*/\\1/p" "$tmp/out.ours" 2>/dev/null | sort -n | tail -1)
	x=$(sed -n "s/.*\\b$f \\([-0-9.]*\\).*/\\1/p" "$tmp/out.redis" 2>/dev/null | sort -n | tail -1)
	printf '%-24s %10s %15s\n' "$f (max)" "${o:--}" "${x:--}"
done
echo "(targets: max_per_episode 1, max_masters <= 2, three_masters_ms 0, epoch_reuse 0, final_masters 1,
 demote_max_ms <= 200, undemoted_heals 0, demoted_after_heal_ms <= 200)"
