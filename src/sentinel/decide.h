/*
 * decide.h - the pure decision core: SDOWN, ODOWN, TILT and the cadence of
 * the periodic commands, as plain functions of the instance state and a
 * monotonic "now" in milliseconds.
 *
 * Nothing here reads a clock, touches a socket, logs or uses the global
 * sentinel state: the caller passes everything in and turns the returned
 * changes into events (+sdown, -sdown, +odown, -odown, +tilt, -tilt).
 *
 * The caller is expected to follow Redis' tick order: decide_tilt() first;
 * while st->tilt is set, keep sending PING/INFO/hello but skip the SDOWN,
 * ODOWN and failover decisions.
 */
#ifndef SENTINEL_DECIDE_H
#define SENTINEL_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "instance.h"

/* What a decision changed; bits, so that they can be combined. */
enum decide_change {
	DECIDE_NONE		= 0,
	DECIDE_SDOWN_ENTER	= 0x01,	/* +sdown */
	DECIDE_SDOWN_LEAVE	= 0x02,	/* -sdown */
	DECIDE_ODOWN_ENTER	= 0x04,	/* +odown #quorum votes/quorum */
	DECIDE_ODOWN_LEAVE	= 0x08,	/* -odown */
	DECIDE_TILT_ENTER	= 0x10,	/* +tilt #tilt mode entered */
	DECIDE_TILT_RETRIGGER	= 0x20,	/* with TILT_ENTER: was already in TILT */
	DECIDE_TILT_LEAVE	= 0x40,	/* -tilt #tilt mode exited */
};

/* What decide_ping_reply() found in a PING reply. */
#define DECIDE_REPLY_VALID		0x01	/* +PONG, -LOADING, -MASTERDOWN */
#define DECIDE_REPLY_REBOOT_CLEARED	0x02	/* +PONG cleared INST_MASTER_REBOOT */
#define DECIDE_REPLY_SCRIPT_KILL	0x04	/* -BUSY while SDOWN: one SCRIPT KILL */

/* INFO cadence for replicas of a master in trouble (Redis: 1000 ms). */
#define DECIDE_FAST_INFO_PERIOD		1000
/* is-master-down-by-addr answers older than this many ask periods are stale. */
#define DECIDE_MASTER_DOWN_VALIDITY	5
/* PING at least this many times per down-after period. */
#define DECIDE_PINGS_PER_DOWN_AFTER	10

/* The down-after that applies to ri: its own, its master's, the default. */
long long	decide_down_after(const struct sentinel_state *st,
		    const struct instance *ri);

/*
 * SDOWN: updates INST_S_DOWN, s_down_since (and clears INST_SCRIPT_KILL_SENT
 * on leaving). Returns DECIDE_SDOWN_ENTER, DECIDE_SDOWN_LEAVE or DECIDE_NONE.
 */
enum decide_change decide_sdown(const struct sentinel_state *st,
		    struct instance *ri, int64_t now, bool link_connected);
/*
 * The first ms at which decide_sdown() would enter SDOWN if no reply
 * arrives and nothing else changes; 0 when already SDOWN or when no rule
 * can fire. May be <= now (then it is due at once).
 */
int64_t		decide_sdown_deadline(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now, bool link_connected);

/*
 * ODOWN of a master: SDOWN here and 1 + (fresh) INST_MASTER_DOWN peers
 * >= quorum. Updates INST_O_DOWN, o_down_since; *votes (may be NULL) gets
 * the count, for "#quorum votes/quorum".
 */
enum decide_change decide_odown(const struct sentinel_state *st,
		    struct instance *master, int64_t now, unsigned *votes);
/*
 * Clears INST_MASTER_DOWN and frees the recorded vote (leader) of peers
 * whose answer is stale; returns how many peers changed.
 */
unsigned	decide_expire_master_down(const struct sentinel_state *st,
		    struct instance *master, int64_t now);
/* Is a peer's is-master-down-by-addr answer still fresh? */
bool		decide_master_down_fresh(const struct sentinel_state *st,
		    const struct instance *peer, int64_t now);

/* TILT, once per timer tick: updates tilt, tilt_start_time, previous_time. */
enum decide_change decide_tilt(struct sentinel_state *st, int64_t now);
/* When TILT will be left without a new trigger; 0 if not in TILT. */
int64_t		decide_tilt_until(const struct sentinel_state *st);

/* Cadence. None of them looks at the link: skip them all while it is down. */
long long	decide_ping_period(const struct sentinel_state *st,
		    const struct instance *ri);
bool		decide_ping_due(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now);
long long	decide_info_period(const struct sentinel_state *st,
		    const struct instance *ri);
bool		decide_info_due(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now, int64_t last_info_sent);
/* After a failover: +convert-to-slave, +fix-slave-config or nothing. */
enum correction { CORRECT_NONE, CORRECT_CONVERT, CORRECT_FIX };
enum correction	decide_correction(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now);
long long	decide_convert_wait(const struct sentinel_state *st,
		    const struct instance *m);
/* The periodic work of an instance idles at most this long. */
#define DECIDE_IDLE_SCAN_MS	1000
int64_t		decide_next_due(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now, int64_t last_info_sent,
		    int64_t last_pub_time, bool links_up);
bool		decide_hello_due(const struct sentinel_state *st,
		    const struct instance *ri, int64_t now, int64_t last_pub_time);
bool		decide_ask_due(const struct sentinel_state *st,
		    const struct instance *master, const struct instance *peer,
		    int64_t now, int64_t last_ask_sent);

/* PING facts, so that the liveness fields always move the same way. */
void		decide_ping_sent(struct instance *ri, int64_t now);
bool		decide_valid_ping_reply(const char *reply_first_line);
int		decide_ping_reply(struct instance *ri, const char *reply_first_line,
		    int64_t now);

/* The "down" answer to is-master-down-by-addr (without the vote): 0 or 1. */
int		decide_is_master_down_reply(const struct sentinel_state *st,
		    const struct instance *master, int64_t now);

/* --- failover: votes, leader, start, replica choice, reconfiguration ---- */

#define DECIDE_VOTE_GRANTED	0x01	/* +vote-for-leader <runid> <epoch>; persist before replying */
#define DECIDE_EPOCH_ADOPTED	0x02	/* +new-epoch <epoch>; persist */

/*
 * A vote request for master m from req_runid in req_epoch (or our own vote
 * when req_runid is st->myid). Adopts a larger epoch; grants the vote iff
 * m->leader_epoch < req_epoch (one vote per master and epoch, first come
 * first served; unlike Redis, an epoch below the current one can still be
 * voted in, so that failovers of many masters run in parallel). When we
 * vote for someone else, our own failover start is pushed to now +
 * jitter_ms (so we do not start a competing one for 2 x failover-timeout).
 * Returns DECIDE_* bits; m->leader and m->leader_epoch hold the vote in
 * force (the reply to send).
 */
int	decide_vote(struct sentinel_state *st, struct instance *m, const char *req_runid,
	    uint64_t req_epoch, int64_t now, int64_t jitter_ms);

/*
 * The leader of master m for epoch, or NULL: voters are the known sentinels
 * plus us; peers' votes count when their leader_epoch == epoch (the epoch
 * our vote requests carry: the failover's, not the current one); we vote
 * (through decide_vote with no jitter, so *changes (may be NULL) gets its
 * bits) for the candidate with the most peer votes (ties: first in
 * m->sentinels), or for ourselves when nobody has any; our vote counts if
 * it is for epoch. A winner needs at least voters/2 + 1 votes and at least
 * the quorum. The string returned points into m->leader or a peer's leader
 * (valid until they change).
 */
const char *decide_leader(struct sentinel_state *st, struct instance *m, uint64_t epoch,
	    int64_t now, int *changes);

/*
 * Should a failover of m start now? ODOWN, none in progress, and at least
 * 2 x failover-timeout since the last start (failover_start_time, 0 = never).
 * INST_FORCE_FAILOVER (SENTINEL FAILOVER: set it before calling, after the
 * -INPROG and -NOGOODSLAVE checks) skips ODOWN and the wait, as in Redis.
 * When it starts: current_epoch + 1 becomes the failover epoch (+new-epoch),
 * state FO_WAIT_START, INST_FAILOVER_IN_PROGRESS set, failover_start_time =
 * now + delay_ms (the election desync), failover_state_change_time = now.
 * Returns true when it started. *delay_until (may be NULL) is 0, except when
 * the wait is what blocks and it was not yet reported for this
 * failover_start_time (tracked in failover_delay_logged): then it is when
 * the wait ends, to log "Next failover delay: I will not start a failover
 * before <that time>" once.
 */
bool	decide_failover_start(struct sentinel_state *st, struct instance *m, int64_t now,
	    int64_t delay_ms, int64_t *delay_until);

/*
 * Our place among m's sentinels that are not SDOWN, ordered by a hash of
 * runid and master name (0 first): how many election slots we wait after
 * ODOWN before asking for votes, so that sentinels seeing ODOWN together do
 * not split the vote; each leads its share of many failing masters.
 */
int	decide_election_rank(const struct sentinel_state *st, const struct instance *m);
/*
 * A peer said master m is down (it asked us, or answered "down"): the first
 * report of an episode (none fresh before) is kept in down_report_since.
 */
void	decide_peer_down_report(const struct sentinel_state *st, struct instance *peer,
	    int64_t now);
/*
 * When our election slot comes for ODOWN master m: rank x slot after our
 * ODOWN, and never before each sentinel ahead of us had its own slots,
 * counted from when it reported the master down (or, while it has not,
 * one PING period more): a sentinel that sees the failure later than we do
 * is still the one to lead, and the vote is not split.
 */
int64_t	decide_election_start(const struct sentinel_state *st, const struct instance *m,
	    int64_t now);
/* One election slot, ms: longer than the shell's 20 ms tick (see tests/sim/election_sim.c). */
#define DECIDE_RANK_SLOT_MS	25
/*
 * A slot grows by this much per master in trouble (SDOWN, ODOWN or failing
 * over; st->masters_in_trouble, counted by the shell): with a hundred
 * elections at once, vote requests take longer to arrive than one slot.
 */
#define DECIDE_RANK_SLOT_PER_MASTER_MS	2
long long	decide_election_slot(const struct sentinel_state *st);

/* Has the election of a failover in FO_WAIT_START run out (min(election timeout, failover-timeout))? */
bool	decide_election_timed_out(const struct sentinel_state *st, const struct instance *m,
	    int64_t now);

/*
 * Beyond Redis: a failover that has promoted nobody (still electing) stops
 * when the master answers again (no SDOWN any more); a forced one goes on.
 */
bool	decide_failover_master_back(const struct instance *m);

/*
 * Redis's replica choice: not SDOWN/ODOWN, link connected (the caller
 * passes a predicate), last valid PING reply within 5 x ping period,
 * priority != 0, INFO younger than 5 x ping period (master SDOWN) else
 * 3 x info period, master link down for no longer than (now - master's
 * s_down_since) + 10 x down-after; then lowest priority, highest offset,
 * smallest runid (an unknown runid sorts last). NULL when none qualifies.
 * A NULL predicate means "not INST_DISCONNECTED".
 */
struct instance *decide_select_replica(const struct sentinel_state *st, const struct instance *m,
	    int64_t now, bool (*connected)(const struct instance *));

/*
 * Abort back to no failover (before promotion is acknowledged): clears
 * INST_FAILOVER_IN_PROGRESS, INST_FORCE_FAILOVER, the promoted replica (and
 * its INST_PROMOTED) and every replica's RECONF flags; state FO_NONE.
 */
void	decide_failover_abort(struct instance *m);
/* Move to state, stamping the change time. */
void	decide_failover_state(struct instance *m, enum failover_state state, int64_t now);

/*
 * Reconfiguration of the other replicas in FO_RECONF_SLAVES, as Redis: the
 * replicas are walked in order while in-flight (RECONF_SENT or
 * RECONF_INPROG, counted once at the start) + chosen < parallel_syncs.
 * On the way, a replica whose INST_RECONF_SENT is older than
 * slave_reconf_timeout is given up on: RECONF_SENT becomes RECONF_DONE and
 * it goes in out[] (emit -slave-reconf-sent-timeout; its slot frees on the
 * next call). The others chosen (not promoted, not done, not in flight,
 * link connected; SDOWN does not matter) go in out[] without RECONF_DONE:
 * the caller sends SLAVEOF, sets INST_RECONF_SENT and slave_reconf_sent_time
 * (+slave-reconf-sent). At most n entries, in replica order; returns how
 * many. A NULL predicate means "not INST_DISCONNECTED".
 */
size_t	decide_reconf_next(const struct sentinel_state *st, struct instance *m, int64_t now,
	    struct instance **out, size_t n, bool (*connected)(const struct instance *));
/*
 * Every replica (not SDOWN, not the promoted one) is RECONF_DONE; never
 * while promoted_slave is NULL or SDOWN.
 */
bool	decide_reconf_all_done(const struct instance *m);
/*
 * RECONF_SLAVES has run longer than failover-timeout (+failover-end-for-timeout);
 * never while promoted_slave is NULL or SDOWN (as Redis).
 */
bool	decide_reconf_timed_out(const struct sentinel_state *st, const struct instance *m,
	    int64_t now);

#endif
