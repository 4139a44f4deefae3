/*
 * decide.c - the pure decision core of the sentinel: when an instance is
 * subjectively down, when a master is objectively down, when the timer went
 * wrong (TILT), and when PING/INFO/hello/is-master-down-by-addr are due;
 * then the failover: votes, the leader, when to start, which replica to
 * promote and how fast to repoint the others.
 *
 * Every function takes the time as a parameter and works only on what it is
 * given, so that the unit tests can step time by hand and the I/O shell can
 * arm exact timers. Times are monotonic ms, 0 meaning "never".
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "decide.h"
#include "instance.h"
#include "util.h"

/* A knob, or its Redis default when unset (0) or nonsensical. */
static long long
knob(long long v, long long dflt)
{
	return v > 0 ? v : dflt;
}

/* Replicas and sentinels inherit down-after from their master, as in Redis. */
long long
decide_down_after(const struct sentinel_state *st, const struct instance *ri)
{
	if (ri->down_after_ms > 0)
		return ri->down_after_ms;
	if (ri->master != NULL && ri->master->down_after_ms > 0)
		return ri->master->down_after_ms;
	return knob(st->default_down_after, DEFAULT_DOWN_AFTER);
}

/* Keep the earliest of the candidate deadlines, 0 meaning none yet. */
static int64_t
earliest(int64_t cur, int64_t cand)
{
	if (cur == 0 || cand < cur)
		return cand;
	return cur;
}

/*
 * The earliest time any SDOWN rule holds, whatever the current flag says;
 * 0 when no rule can fire. "elapsed > period" is "now >= base + period + 1".
 */
static int64_t
sdown_earliest(const struct sentinel_state *st, const struct instance *ri,
    bool link_connected)
{
	long long	 down_after = decide_down_after(st, ri);
	long long	 info_period = knob(st->info_period, DEFAULT_INFO_PERIOD);
	int64_t		 t = 0, base;

	/* (a) the oldest PING still unanswered. */
	if (ri->act_ping_time != 0)
		t = earliest(t, ri->act_ping_time + down_after + 1);

	/* (a') no link: the last valid reply (or, never any, the link loss). */
	if (!link_connected) {
		base = ri->last_avail_time != 0 ? ri->last_avail_time :
		    ri->link_down_since;
		if (base != 0)
			t = earliest(t, base + down_after + 1);
	}

	/* (b) a configured master that says it is a replica, for long enough. */
	if (ri->type == INST_MASTER && ri->role_reported == ROLE_SLAVE &&
	    ri->role_reported_time != 0)
		t = earliest(t, ri->role_reported_time + down_after +
		    2 * info_period + 1);

	/* (c) a rebooted master still not answering +PONG. */
	if ((ri->flags & INST_MASTER_REBOOT) &&
	    ri->master_reboot_down_after_period > 0 &&
	    ri->master_reboot_since != 0)
		t = earliest(t, ri->master_reboot_since +
		    ri->master_reboot_down_after_period + 1);

	return t;
}

/* Moves the SDOWN flag; the caller emits +sdown / -sdown. */
enum decide_change
decide_sdown(const struct sentinel_state *st, struct instance *ri, int64_t now,
    bool link_connected)
{
	int64_t	t = sdown_earliest(st, ri, link_connected);
	bool	down = t != 0 && now >= t;

	if (down) {
		if (ri->flags & INST_S_DOWN)
			return DECIDE_NONE;
		ri->flags |= INST_S_DOWN;
		ri->s_down_since = now;
		return DECIDE_SDOWN_ENTER;
	}
	if ((ri->flags & INST_S_DOWN) == 0)
		return DECIDE_NONE;
	ri->flags &= ~(INST_S_DOWN | INST_SCRIPT_KILL_SENT);
	return DECIDE_SDOWN_LEAVE;
}

/* Lets the shell arm a timer for the exact ms SDOWN becomes true. */
int64_t
decide_sdown_deadline(const struct sentinel_state *st,
    const struct instance *ri, int64_t now, bool link_connected)
{
	(void)now;
	if (ri->flags & INST_S_DOWN)
		return 0;
	return sdown_earliest(st, ri, link_connected);
}

/* An answer counts for DECIDE_MASTER_DOWN_VALIDITY ask periods. */
bool
decide_master_down_fresh(const struct sentinel_state *st,
    const struct instance *peer, int64_t now)
{
	long long	validity;
	int64_t		last = peer->last_master_down_reply_time;

	/* Its question counts as an answer (cmd_sentinel.c peer_asked()). */
	if (peer->master_down_asked_time > last)
		last = peer->master_down_asked_time;
	if (last == 0)
		return false;
	validity = DECIDE_MASTER_DOWN_VALIDITY *
	    knob(st->ask_period, DEFAULT_ASK_PERIOD);
	return now - last <= validity;
}

/*
 * Weak agreement: we see it down and enough peers said so recently. Stale
 * answers are not counted even if decide_expire_master_down() has not run
 * yet, so the result does not depend on the order of the calls.
 */
enum decide_change
decide_odown(const struct sentinel_state *st, struct instance *master,
    int64_t now, unsigned *votes)
{
	unsigned	n = 0;
	bool		odown = false;
	size_t		i;

	if (master->type == INST_MASTER && (master->flags & INST_S_DOWN)) {
		n = 1;
		for (i = 0; i < master->nsentinels; i++) {
			const struct instance *peer = master->sentinels[i];

			if ((peer->flags & INST_MASTER_DOWN) &&
			    decide_master_down_fresh(st, peer, now))
				n++;
		}
		odown = n >= master->quorum;
	}
	if (votes != NULL)
		*votes = n;

	if (odown) {
		if (master->flags & INST_O_DOWN)
			return DECIDE_NONE;
		master->flags |= INST_O_DOWN;
		master->o_down_since = now;
		return DECIDE_ODOWN_ENTER;
	}
	if ((master->flags & INST_O_DOWN) == 0)
		return DECIDE_NONE;
	master->flags &= ~INST_O_DOWN;
	return DECIDE_ODOWN_LEAVE;
}

/* Forget stale "down" answers and the votes that came with them, like Redis. */
unsigned
decide_expire_master_down(const struct sentinel_state *st,
    struct instance *master, int64_t now)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < master->nsentinels; i++) {
		struct instance *peer = master->sentinels[i];

		if (decide_master_down_fresh(st, peer, now))
			continue;
		if ((peer->flags & INST_MASTER_DOWN) == 0 && peer->leader == NULL)
			continue;
		peer->flags &= ~INST_MASTER_DOWN;
		free(peer->leader);
		peer->leader = NULL;
		n++;
	}
	return n;
}

/*
 * A timer delta that is negative or too large means the process was frozen
 * or the clock jumped: everything would look timed out, so stop acting for
 * tilt_period after the last such event.
 */
enum decide_change
decide_tilt(struct sentinel_state *st, int64_t now)
{
	long long	trigger = knob(st->tilt_trigger, DEFAULT_TILT_TRIGGER);
	long long	period = knob(st->tilt_period, DEFAULT_TILT_PERIOD);
	int64_t		delta;
	bool		was;

	if (st->previous_time != 0) {
		delta = now - st->previous_time;
		st->previous_time = now;
		if (delta < 0 || delta > trigger) {
			was = st->tilt;
			st->tilt = true;
			st->tilt_start_time = now;
			return DECIDE_TILT_ENTER | (was ? DECIDE_TILT_RETRIGGER : 0);
		}
	} else
		st->previous_time = now;

	if (st->tilt && now - st->tilt_start_time >= period) {
		st->tilt = false;
		return DECIDE_TILT_LEAVE;
	}
	return DECIDE_NONE;
}

/* For a timer, and for INFO's sentinel_tilt_since_seconds users. */
int64_t
decide_tilt_until(const struct sentinel_state *st)
{
	if (!st->tilt)
		return 0;
	return st->tilt_start_time + knob(st->tilt_period, DEFAULT_TILT_PERIOD);
}

/*
 * Redis pings every min(down-after, ping period); we also ping at least
 * DECIDE_PINGS_PER_DOWN_AFTER times per down-after so that the first
 * unanswered PING leaves soon after the last reply and SDOWN follows
 * closely after down-after.
 */
long long
decide_ping_period(const struct sentinel_state *st, const struct instance *ri)
{
	long long	p = knob(st->ping_period, DEFAULT_PING_PERIOD);
	long long	q = decide_down_after(st, ri) / DECIDE_PINGS_PER_DOWN_AFTER;

	if (q < p)
		p = q;
	return p < 1 ? 1 : p;
}

/* Nothing heard for a period, and no PING sent in the last half period. */
bool
decide_ping_due(const struct sentinel_state *st, const struct instance *ri,
    int64_t now)
{
	long long	p = decide_ping_period(st, ri);

	if (ri->last_pong_time != 0 && now - ri->last_pong_time <= p)
		return false;
	return ri->last_ping_time == 0 || now - ri->last_ping_time > p / 2;
}

/* Replicas of a master in trouble are watched closely; 0 for sentinels. */
long long
decide_info_period(const struct sentinel_state *st, const struct instance *ri)
{
	long long	p = knob(st->info_period, DEFAULT_INFO_PERIOD);

	if (ri->type == INST_SENTINEL)
		return 0;
	/*
	 * Beyond Redis: also a replica that says it is a master (a correction
	 * is due or on its way) or whose link to its master is not up yet,
	 * so that its new state is known in a second, not in ten.
	 */
	if (ri->type == INST_REPLICA &&
	    ((ri->master != NULL && (ri->master->flags &
	    (INST_O_DOWN | INST_FAILOVER_IN_PROGRESS))) ||
	    ri->master_link_down_since_ms != 0 || ri->role_reported == ROLE_MASTER ||
	    (ri->role_reported == ROLE_SLAVE && !ri->slave_master_link_ok))) {
		if (p > DECIDE_FAST_INFO_PERIOD)
			p = DECIDE_FAST_INFO_PERIOD;
	}
	return p;
}

/*
 * The last INFO reply is older than the period, and so is the last request
 * (so a slow server does not get one per tick; reset last_info_sent to 0
 * on reconnect to ask at once).
 */
bool
decide_info_due(const struct sentinel_state *st, const struct instance *ri,
    int64_t now, int64_t last_info_sent)
{
	long long	p = decide_info_period(st, ri);

	if (p == 0)
		return false;
	if (ri->info_refresh != 0 && now - ri->info_refresh <= p)
		return false;
	return last_info_sent == 0 || now - last_info_sent > p;
}

/* Hello to masters, replicas and sentinels every publish period. */
bool
decide_hello_due(const struct sentinel_state *st, const struct instance *ri,
    int64_t now, int64_t last_pub_time)
{
	long long	p = knob(st->publish_period, DEFAULT_PUBLISH_PERIOD);

	(void)ri;
	return last_pub_time == 0 || now - last_pub_time > p;
}

/*
 * A correction after a failover (Redis's +convert-to-slave and
 * +fix-slave-config), decided for replica ri of a sane master.
 *
 * A replica that reports itself master is made a replica again once it has
 * said so for 4 publish periods, long enough for the hello of a failover led
 * elsewhere to reach us. Our own publish period may be shorter than a peer's
 * (SENTINEL DEBUG), so while an epoch newer than the master's configuration
 * is known (a peer raised it: it may be failing this master over right now),
 * the wait is at least 4 of Redis's default periods, the 8 s a real
 * redis-sentinel leader needs at most to announce its result. No wait when
 * its replication id is our master's master_replid2: see below.
 */
static bool
master_sane(const struct sentinel_state *st, const struct instance *m, int64_t now)
{
	long long	ip = knob(st->info_period, DEFAULT_INFO_PERIOD);

	return m->role_reported == ROLE_MASTER && !(m->flags & (INST_S_DOWN | INST_O_DOWN)) &&
	    m->failover_state == FO_NONE && m->info_refresh != 0 && now - m->info_refresh < 2 * ip;
}

long long
decide_convert_wait(const struct sentinel_state *st, const struct instance *m)
{
	long long	w = 4 * knob(st->publish_period, DEFAULT_PUBLISH_PERIOD);

	if (st->current_epoch > m->config_epoch && w < 4 * DEFAULT_PUBLISH_PERIOD)
		w = 4 * DEFAULT_PUBLISH_PERIOD;
	return w;
}

enum correction
decide_correction(const struct sentinel_state *st, const struct instance *ri, int64_t now)
{
	const struct instance	*m = ri->master;
	long long		 pp = knob(st->publish_period, DEFAULT_PUBLISH_PERIOD);

	if (ri->type != INST_REPLICA || m == NULL || !master_sane(st, m, now) ||
	    (ri->flags & (INST_PROMOTED | INST_RECONF_SENT | INST_RECONF_INPROG)) ||
	    now - ri->slave_reconf_sent_time < 4 * pp)
		return CORRECT_NONE;
	if (ri->role_reported == ROLE_MASTER) {
		/*
		 * It still has the history our master branched from when it
		 * was promoted: an old master that was never demoted (back from
		 * a partition or a restart). Had any sentinel promoted it since,
		 * its promotion would have given it a new replication id. No
		 * hello can be on its way: demote it now, before it takes more
		 * writes that would be lost.
		 */
		if (ri->replid[0] != '\0' && strcmp(ri->replid, m->replid2) == 0)
			return CORRECT_CONVERT;
		return now - ri->role_reported_time > decide_convert_wait(st, m) ?
		    CORRECT_CONVERT : CORRECT_NONE;
	}
	if (ri->role_reported == ROLE_SLAVE && ri->slave_master_host != NULL &&
	    (strcmp(ri->slave_master_host, m->ip) != 0 || ri->slave_master_port != m->port) &&
	    now - ri->slave_conf_change_time > m->failover_timeout)
		return CORRECT_FIX;
	return CORRECT_NONE;
}

/*
 * The earliest time the periodic work for ri can have something to do:
 * a PING, INFO or hello falling due, or an SDOWN deadline; never later
 * than DECIDE_IDLE_SCAN_MS from now (what no rule here foresees, such as
 * link timeouts, is still looked at that often). links_up false means a
 * link is down or connecting: then at once, every pass.
 */
static int64_t
later(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
decide_next_due(const struct sentinel_state *st, const struct instance *ri, int64_t now,
    int64_t last_info_sent, int64_t last_pub_time, bool links_up)
{
	int64_t		t = now + DECIDE_IDLE_SCAN_MS, c;
	long long	p;

	if (!links_up || (ri->flags & INST_S_DOWN))
		return now;
	/* PING: decide_ping_due(), solved for the time. */
	p = decide_ping_period(st, ri);
	c = ri->last_ping_time == 0 ? now : ri->last_ping_time + p / 2 + 1;
	if (ri->last_pong_time != 0)
		c = later(c, ri->last_pong_time + p + 1);
	t = earliest(t, c);
	/* INFO: decide_info_due(). */
	p = decide_info_period(st, ri);
	if (p != 0) {
		c = last_info_sent == 0 ? now : last_info_sent + p + 1;
		if (ri->info_refresh != 0)
			c = later(c, ri->info_refresh + p + 1);
		t = earliest(t, c);
	}
	/* Hello: decide_hello_due(). */
	p = knob(st->publish_period, DEFAULT_PUBLISH_PERIOD);
	t = earliest(t, last_pub_time == 0 ? now : last_pub_time + p + 1);
	c = sdown_earliest(st, ri, true);
	if (c != 0)
		t = earliest(t, c);
	return later(t, now);
}

/*
 * Ask a peer about the master while we see it SDOWN, once per ask period
 * counted from its last answer (and from our last question, so an unanswered
 * peer is not asked on every tick). Forced asks bypass this.
 */
bool
decide_ask_due(const struct sentinel_state *st, const struct instance *master,
    const struct instance *peer, int64_t now, int64_t last_ask_sent)
{
	long long	p = knob(st->ask_period, DEFAULT_ASK_PERIOD);

	if ((master->flags & INST_S_DOWN) == 0 || peer->type != INST_SENTINEL)
		return false;
	if (peer->last_master_down_reply_time != 0 &&
	    now - peer->last_master_down_reply_time < p)
		return false;
	return last_ask_sent == 0 || now - last_ask_sent >= p;
}

/* A PING went out: the oldest unanswered one is what SDOWN measures. */
void
decide_ping_sent(struct instance *ri, int64_t now)
{
	ri->last_ping_time = now;
	if (ri->act_ping_time == 0)
		ri->act_ping_time = now;
}

/* Does the reply after "+" or "-" start with word? */
static bool
reply_is(const char *line, const char *word)
{
	if (line == NULL || (line[0] != '+' && line[0] != '-'))
		return false;
	return strncmp(line + 1, word, strlen(word)) == 0;
}

/* A busy or failing server still answers; only these prove it is alive. */
bool
decide_valid_ping_reply(const char *reply_first_line)
{
	return reply_is(reply_first_line, "PONG") ||
	    reply_is(reply_first_line, "LOADING") ||
	    reply_is(reply_first_line, "MASTERDOWN");
}

/*
 * A PING reply arrived: any reply refreshes last_pong_time, a valid one
 * answers every pending PING; +PONG ends a reboot; -BUSY on an SDOWN
 * instance asks for one SCRIPT KILL. Returns DECIDE_REPLY_* bits.
 */
int
decide_ping_reply(struct instance *ri, const char *reply_first_line,
    int64_t now)
{
	int	r = 0;

	if (decide_valid_ping_reply(reply_first_line)) {
		r |= DECIDE_REPLY_VALID;
		ri->last_avail_time = now;
		ri->act_ping_time = 0;
		if ((ri->flags & INST_MASTER_REBOOT) &&
		    reply_is(reply_first_line, "PONG")) {
			ri->flags &= ~INST_MASTER_REBOOT;
			r |= DECIDE_REPLY_REBOOT_CLEARED;
		}
	} else if (reply_is(reply_first_line, "BUSY") &&
	    (ri->flags & INST_S_DOWN) &&
	    (ri->flags & INST_SCRIPT_KILL_SENT) == 0) {
		ri->flags |= INST_SCRIPT_KILL_SENT;
		r |= DECIDE_REPLY_SCRIPT_KILL;
	}
	ri->last_pong_time = now;
	return r;
}

/* In TILT we never claim a master is down: our own clock is suspect. */
int
decide_is_master_down_reply(const struct sentinel_state *st,
    const struct instance *master, int64_t now)
{
	(void)now;
	if (st->tilt || master == NULL || master->type != INST_MASTER)
		return 0;
	return (master->flags & INST_S_DOWN) ? 1 : 0;
}

/* --- failover ------------------------------------------------------------ */

/* A master's failover-timeout, else the global default, else Redis's. */
static long long
failover_timeout(const struct sentinel_state *st, const struct instance *m)
{
	if (m->failover_timeout > 0)
		return m->failover_timeout;
	return knob(st->default_failover_timeout, DEFAULT_FAILOVER_TIMEOUT);
}

/*
 * One vote per epoch, first come first served, as sentinelVoteLeader():
 * a larger epoch is adopted even when the vote itself is refused.
 */
int
decide_vote(struct sentinel_state *st, struct instance *m,
    const char *req_runid, uint64_t req_epoch, int64_t now, int64_t jitter_ms)
{
	char	*vote;
	int	 r = 0;

	if (req_epoch > st->current_epoch) {
		st->current_epoch = req_epoch;
		r |= DECIDE_EPOCH_ADOPTED;
	}
	/*
	 * One vote per master and epoch, first come first served. Redis also
	 * refuses an epoch below its current one; then with many masters down
	 * at once every election but the newest fails (the current epoch is
	 * global) and they run in waves. The vote is per master, and so is its
	 * safety: a master's leader_epoch only grows.
	 */
	if (m->leader_epoch < req_epoch) {
		vote = xstrdup(req_runid);	/* req_runid may be m->leader */
		free(m->leader);
		m->leader = vote;
		m->leader_epoch = req_epoch;
		r |= DECIDE_VOTE_GRANTED;
		if (strcasecmp(m->leader, st->myid) != 0)
			m->failover_start_time = now + jitter_ms;
	}
	return r;
}

/* How many peers voted for runid in epoch. */
static unsigned
peer_votes(const struct instance *m, const char *runid, uint64_t epoch)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < m->nsentinels; i++) {
		const struct instance *p = m->sentinels[i];

		if (p->leader != NULL && p->leader_epoch == epoch &&
		    strcmp(p->leader, runid) == 0)
			n++;
	}
	return n;
}

/*
 * The tally of sentinelGetLeader(): peers' votes are taken in the current
 * epoch (the one our vote requests carry), our own vote in epoch. Ties
 * between peers' candidates go to the first in m->sentinels order.
 */
const char *
decide_leader(struct sentinel_state *st, struct instance *m, uint64_t epoch,
    int64_t now, int *changes)
{
	const char	*winner = NULL;
	uint64_t	 cur = epoch;	/* peers' votes in this master's election epoch */
	unsigned	 best = 0, v, voters;
	size_t		 i;
	int		 r;

	for (i = 0; i < m->nsentinels; i++) {
		const struct instance *p = m->sentinels[i];

		if (p->leader == NULL || p->leader_epoch != cur)
			continue;
		v = peer_votes(m, p->leader, cur);
		if (v > best) {
			best = v;
			winner = p->leader;
		}
	}

	/* Our vote: the front-runner, or ourselves when nobody has any. */
	r = decide_vote(st, m, winner != NULL ? winner : st->myid, epoch, now, 0);
	if (changes != NULL)
		*changes |= r;
	if (m->leader != NULL && m->leader_epoch == epoch) {
		v = peer_votes(m, m->leader, cur) + 1;
		if (v > best) {
			best = v;
			winner = m->leader;
		}
	}

	voters = (unsigned)m->nsentinels + 1;
	if (winner != NULL && (best < voters / 2 + 1 || best < m->quorum))
		winner = NULL;
	return winner;
}

/*
 * sentinelStartFailoverIfNeeded() and sentinelStartFailover(): a forced
 * failover (SENTINEL FAILOVER) needs neither ODOWN nor the wait since the
 * last attempt, as in Redis where the command starts it directly.
 */
bool
decide_failover_start(struct sentinel_state *st, struct instance *m,
    int64_t now, int64_t delay_ms, int64_t *delay_until)
{
	bool		forced = (m->flags & INST_FORCE_FAILOVER) != 0;
	long long	wait = 2 * failover_timeout(st, m);

	if (delay_until != NULL)
		*delay_until = 0;
	if (!forced && (m->flags & INST_O_DOWN) == 0)
		return false;
	if (m->flags & INST_FAILOVER_IN_PROGRESS)
		return false;
	if (!forced && m->failover_start_time != 0 &&
	    now - m->failover_start_time < wait) {
		/* Report each attempt's end of wait once. */
		if (m->failover_delay_logged != m->failover_start_time) {
			m->failover_delay_logged = m->failover_start_time;
			if (delay_until != NULL)
				*delay_until = m->failover_start_time + wait;
		}
		return false;
	}

	m->failover_state = FO_WAIT_START;
	m->flags |= INST_FAILOVER_IN_PROGRESS;
	m->failover_epoch = ++st->current_epoch;
	m->failover_start_time = now + delay_ms;
	m->failover_state_change_time = now;
	return true;
}

/* Not elected in time: the caller aborts with -failover-abort-not-elected. */
bool
decide_election_timed_out(const struct sentinel_state *st,
    const struct instance *m, int64_t now)
{
	long long	t = knob(st->election_timeout, DEFAULT_ELECTION_TIMEOUT);
	long long	fto = failover_timeout(st, m);

	if (t > fto)
		t = fto;
	return now - m->failover_start_time > t;
}

/*
 * The master answered a PING again while we were still electing: nothing
 * has been promoted, so nothing needs undoing, and a promotion now would
 * only replace a working master and lose its latest writes.
 */
bool
decide_failover_master_back(const struct instance *m)
{
	return m->failover_state == FO_WAIT_START &&
	    (m->flags & (INST_FORCE_FAILOVER | INST_S_DOWN)) == 0;
}

/* Without a predicate, the INST_DISCONNECTED flag tells. */
static bool
is_connected(const struct instance *ri, bool (*connected)(const struct instance *))
{
	if (connected != NULL)
		return connected(ri);
	return (ri->flags & INST_DISCONNECTED) == 0;
}

/* compareSlavesForPromotion(): < 0 when a is the better candidate. */
static int
replica_cmp(const struct instance *a, const struct instance *b)
{
	if (a->slave_priority != b->slave_priority)
		return a->slave_priority < b->slave_priority ? -1 : 1;
	if (a->slave_repl_offset != b->slave_repl_offset)
		return a->slave_repl_offset > b->slave_repl_offset ? -1 : 1;
	if (a->runid[0] == '\0' || b->runid[0] == '\0')
		return (a->runid[0] == '\0') - (b->runid[0] == '\0');
	return strcasecmp(a->runid, b->runid);
}

/* sentinelSelectSlave(): the filters, then the best by replica_cmp(). */
struct instance *
decide_select_replica(const struct sentinel_state *st,
    const struct instance *m, int64_t now,
    bool (*connected)(const struct instance *))
{
	struct instance	*best = NULL;
	long long	 ping = knob(st->ping_period, DEFAULT_PING_PERIOD);
	long long	 info = knob(st->info_period, DEFAULT_INFO_PERIOD);
	long long	 max_link_down, info_validity;
	size_t		 i;

	max_link_down = 10 * decide_down_after(st, m);
	if (m->flags & INST_S_DOWN) {
		max_link_down += now - m->s_down_since;
		info_validity = 5 * ping;
	} else
		info_validity = 3 * info;

	for (i = 0; i < m->nreplicas; i++) {
		struct instance *r = m->replicas[i];

		if (r->flags & (INST_S_DOWN | INST_O_DOWN))
			continue;
		if (!is_connected(r, connected))
			continue;
		if (now - r->last_avail_time > 5 * ping)
			continue;
		if (r->slave_priority == 0)
			continue;
		if (now - r->info_refresh > info_validity)
			continue;
		if (r->master_link_down_since_ms > max_link_down)
			continue;
		if (best == NULL || replica_cmp(r, best) < 0)
			best = r;
	}
	return best;
}

/* sentinelAbortFailover(), plus the reconfiguration marks of the replicas. */
void
decide_failover_abort(struct instance *m)
{
	size_t	i;

	m->flags &= ~(INST_FAILOVER_IN_PROGRESS | INST_FORCE_FAILOVER);
	m->failover_state = FO_NONE;
	if (m->promoted_slave != NULL) {
		m->promoted_slave->flags &= ~INST_PROMOTED;
		m->promoted_slave = NULL;
	}
	for (i = 0; i < m->nreplicas; i++)
		m->replicas[i]->flags &= ~(INST_RECONF_SENT |
		    INST_RECONF_INPROG | INST_RECONF_DONE);
}

/* Every state change restarts the per-state timeouts. */
void
decide_failover_state(struct instance *m, enum failover_state state,
    int64_t now)
{
	m->failover_state = state;
	m->failover_state_change_time = now;
}

/*
 * sentinelFailoverReconfNextSlave(): walk the replicas while there is room
 * for one more in flight; on the way a RECONF_SENT older than the reconf
 * timeout is given up on (marked done, as Redis does: +fix-slave-config
 * repairs it later) but still holds its slot until the next call.
 */
size_t
decide_reconf_next(const struct sentinel_state *st, struct instance *m,
    int64_t now, struct instance **out, size_t n,
    bool (*connected)(const struct instance *))
{
	long long	timeout = knob(st->slave_reconf_timeout,
			    DEFAULT_SLAVE_RECONF_TIMEOUT);
	long long	syncs = m->parallel_syncs > 0 ? m->parallel_syncs :
			    DEFAULT_PARALLEL_SYNCS;
	long long	in_flight = 0;
	size_t		i, k = 0;

	for (i = 0; i < m->nreplicas; i++)
		if (m->replicas[i]->flags & (INST_RECONF_SENT | INST_RECONF_INPROG))
			in_flight++;

	for (i = 0; i < m->nreplicas && in_flight < syncs && k < n; i++) {
		struct instance *r = m->replicas[i];

		if (r->flags & (INST_PROMOTED | INST_RECONF_DONE))
			continue;
		if ((r->flags & INST_RECONF_SENT) &&
		    now - r->slave_reconf_sent_time > timeout) {
			r->flags &= ~INST_RECONF_SENT;
			r->flags |= INST_RECONF_DONE;
			out[k++] = r;
			continue;
		}
		if (r->flags & (INST_RECONF_SENT | INST_RECONF_INPROG))
			continue;
		if (!is_connected(r, connected))
			continue;
		out[k++] = r;
		in_flight++;
	}
	return k;
}

/*
 * The end test of sentinelFailoverDetectEnd(): never while the promoted
 * replica is missing or SDOWN; SDOWN replicas are not waited for.
 */
bool
decide_reconf_all_done(const struct instance *m)
{
	size_t	i;

	if (m->promoted_slave == NULL || (m->promoted_slave->flags & INST_S_DOWN))
		return false;
	for (i = 0; i < m->nreplicas; i++) {
		const struct instance *r = m->replicas[i];

		if (r->flags & (INST_PROMOTED | INST_RECONF_DONE | INST_S_DOWN))
			continue;
		return false;
	}
	return true;
}

/* The forced end of sentinelFailoverDetectEnd(), under the same guard. */
bool
decide_reconf_timed_out(const struct sentinel_state *st,
    const struct instance *m, int64_t now)
{
	if (m->promoted_slave == NULL || (m->promoted_slave->flags & INST_S_DOWN))
		return false;
	return now - m->failover_state_change_time > failover_timeout(st, m);
}

/*
 * The order of the sentinels in a master's election: by a hash of runid and
 * master name (FNV-1a, the same in every process), so that each sentinel
 * leads about its share of the masters when many fail at once, instead of
 * the one with the smallest runid leading them all.
 */
static uint64_t
election_key(const char *runid, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = runid; *p != '\0'; p++)
		h = (h ^ (unsigned char)tolower((unsigned char)*p)) * 0x100000001b3ULL;
	h = (h ^ '/') * 0x100000001b3ULL;
	for (const char *p = name != NULL ? name : ""; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	/* FNV's last bytes barely reach the high bits: mix (murmur3's finalizer). */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* Does (key a, runid ra) come before (b, rb) in the election order? */
static bool
election_before(uint64_t a, const char *ra, uint64_t b, const char *rb)
{
	return a < b || (a == b && strcmp(ra, rb) < 0);
}

/* The place of runid (key) among us and m's sentinels that are not SDOWN. */
static int
election_place(const struct sentinel_state *st, const struct instance *m, uint64_t key,
    const char *runid)
{
	int rank = 0;

	if (strcmp(runid, st->myid) != 0 &&
	    election_before(election_key(st->myid, m->name), st->myid, key, runid))
		rank++;
	for (size_t k = 0; k < m->nsentinels; k++) {
		const struct instance *p = m->sentinels[k];

		if (!(p->flags & INST_S_DOWN) && strcmp(p->runid, runid) != 0 &&
		    election_before(election_key(p->runid, m->name), p->runid, key, runid))
			rank++;
	}
	return rank;
}

int
decide_election_rank(const struct sentinel_state *st, const struct instance *m)
{
	return election_place(st, m, election_key(st->myid, m->name), st->myid);
}

void
decide_peer_down_report(const struct sentinel_state *st, struct instance *peer, int64_t now)
{
	if (peer->down_report_since == 0 || !decide_master_down_fresh(st, peer, now))
		peer->down_report_since = now;
}

int64_t
decide_election_start(const struct sentinel_state *st, const struct instance *m, int64_t now)
{
	uint64_t mine = election_key(st->myid, m->name);
	long long slot = decide_election_slot(st);
	int rank = decide_election_rank(st, m);
	int64_t t = m->o_down_since + rank * slot;

	for (size_t k = 0; k < m->nsentinels; k++) {
		const struct instance *p = m->sentinels[k];
		uint64_t theirs = election_key(p->runid, m->name);
		int64_t when;

		if ((p->flags & INST_S_DOWN) || !election_before(theirs, p->runid, mine, st->myid))
			continue;
		/*
		 * Ahead of us: its slot counts from when it saw the master down.
		 * One that has not said so yet may only be slower to see it (its
		 * PINGs run on their own clock): one PING period more at most.
		 */
		if (p->down_report_since != 0 && decide_master_down_fresh(st, p, now))
			when = p->down_report_since +
			    (rank - election_place(st, m, theirs, p->runid)) * slot;
		else
			when = m->o_down_since + rank * slot + decide_ping_period(st, m);
		if (when > t)
			t = when;
	}
	return t;
}

long long
decide_election_slot(const struct sentinel_state *st)
{
	return DECIDE_RANK_SLOT_MS + (long long)st->masters_in_trouble * DECIDE_RANK_SLOT_PER_MASTER_MS;
}
