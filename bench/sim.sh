#!/usr/bin/env bash
# sim.sh - the simulators at scale: split votes and failovers under faults.
#
#   bench/sim.sh            (from the top of a built tree: make -j2 check
#                            builds bench/election-sim and bench/cluster-sim,
#                            or: make bench/election-sim bench/cluster-sim)
#
# Not part of "make check" (which runs a couple of thousand seeds of each).
#
# 1. bench/election-sim: the election alone, 3 and 5 sentinels, ours (rank)
#    against Redis 7.0's scheme, TRIALS trials per row: the split-vote rate
#    (no leader in the first epoch) and the time from ODOWN to a leader.
# 2. bench/cluster-sim: RUNS whole runs (default 100000), each a seed: N = 3
#    or 5 sentinels, 2 to 4 servers, message loss, partitions, kills,
#    sentinel crashes and restarts from their disk, clock jumps, then calm.
#    It checks the invariants (one leader per epoch, one vote per sentinel
#    per epoch across restarts, one promotion per epoch, one master per
#    config epoch, agreement once healed) and prints the epochs without a
#    leader and the distribution of the time from the first kill of the
#    master to every sentinel naming another. The runs are split over the
#    machine's cores; a failing seed is printed with the command that
#    replays it.
#
# Environment: RUNS (default 100000), TRIALS (default 20000), SEED (default 1).

set -u
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-100000}
TRIALS=${TRIALS:-20000}
SEED=${SEED:-1}
for b in bench/election-sim bench/cluster-sim; do
	if [ ! -x "$b" ]; then
		echo "sim.sh: $b is not built (make $b)" >&2
		exit 2
	fi
done
jobs=$(nproc 2>/dev/null || echo 1)
[ "$jobs" -gt 8 ] && jobs=8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sim.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

echo "== election alone: $TRIALS trials per row (bench/election-sim -t $TRIALS -s $SEED)"
bench/election-sim -t "$TRIALS" -s "$SEED"
echo

per=$(((RUNS + jobs - 1) / jobs))
echo "== whole failovers under faults: $RUNS runs in $jobs processes (bench/cluster-sim)"
t0=$(date +%s)
pids=()
for ((j = 0; j < jobs; j++)); do
	# Seeds seed*1000003 + r: a different seed per process, no overlap.
	bench/cluster-sim -n "$per" -s $((SEED + j * 7919)) >"$tmp/out.$j" 2>"$tmp/err.$j" &
	pids+=("$!")
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
t1=$(date +%s)
cat "$tmp"/err.* | head -n 40
awk '
/^[0-9]+ runs/            { runs += $1; for (i = 2; i <= NF; i++) if ($i == "broke") bad += $(i - 1) }
/^epochs in which/        { sub(/;/, "", $7); ep += $7; nol += $12 }
/^  min/                  { for (i = 1; i <= NF; i += 2) v[$i] = v[$i] " " $(i + 1) }
END {
	printf "runs %d, broken invariants or no agreement: %d\n", runs, bad
	printf "epochs in which a failover started: %d, without a leader: %d (%.2f %%;" \
	    " split votes and elections cut by crashes, partitions and loss)\n",
	    ep, nol, ep ? 100 * nol / ep : 0
	printf "first kill of the master to every sentinel naming another, under faults (ms),\n"
	printf " per process (min p10 median p90 p99 max):\n"
	n = split(v["min"], a, " ")
	for (i = 1; i <= n; i++) {
		split(v["p10"], b, " "); split(v["median"], c, " "); split(v["p90"], d, " ")
		split(v["p99"], e, " "); split(v["max"], f, " ")
		printf "  %s %s %s %s %s %s\n", a[i], b[i], c[i], d[i], e[i], f[i]
	}
}' "$tmp"/out.*
echo "($((t1 - t0)) s)"
exit "$rc"
