/*
 * decide.c - the pure decision core of the sentinel: when an instance is
 * subjectively down, when a master is objectively down, when the timer went
 * wrong (TILT), and when PING/INFO/hello/is-master-down-by-addr are due.
 *
 * Every function takes the time as a parameter and works only on what it is
 * given, so that the unit tests can step time by hand and the I/O shell can
 * arm exact timers. Times are monotonic ms, 0 meaning "never".
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "instance.h"

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

	if (peer->last_master_down_reply_time == 0)
		return false;
	validity = DECIDE_MASTER_DOWN_VALIDITY *
	    knob(st->ask_period, DEFAULT_ASK_PERIOD);
	return now - peer->last_master_down_reply_time <= validity;
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
	if (ri->type == INST_REPLICA &&
	    ((ri->master != NULL && (ri->master->flags &
	    (INST_O_DOWN | INST_FAILOVER_IN_PROGRESS))) ||
	    ri->master_link_down_since_ms != 0)) {
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
