/*
 * election_sim.c - a deterministic discrete-event simulation of the leader
 * election that follows ODOWN, run on the real decision core (decide.c).
 *
 * N sentinels each have their own struct sentinel_state and their own model
 * of the master and of the other sentinels, as instance.h describes. The
 * master dies; every sentinel sees it SDOWN at its own time (the first
 * unanswered PING is uniform over a ping period after the death), asks its
 * peers (SENTINEL is-master-down-by-addr) as monitor.c does, enters ODOWN,
 * starts a failover and asks for votes as failover.c does. Messages have
 * random one-way latencies (FIFO per connection, with an optional slow
 * tail) and may be lost. There are no sockets and no clock: time is a
 * number, the PRNG is seeded, and a run is reproducible.
 *
 * Three schemes are compared:
 *   rank	this sentinel: delay = rank x RANK_SLOT_MS + 0..4 ms, vote
 *		requests at the start time, replies counted on arrival, a
 *		sentinel that gives its vote away in its own epoch aborts;
 *   desync	the same shell with delay = 0..999 ms (the brief's reading of
 *		Redis);
 *   redis	Redis 7 as written: vote requests go out the moment the
 *		failover starts (SENTINEL_ASK_FORCED), the random 0..999 ms only
 *		moves failover_start_time (the election timeout), the tally runs
 *		on the timer only (hz 10..19, re-drawn each tick), and nobody
 *		aborts early.
 *
 * A trial in which nobody is elected in the first epoch is a split vote.
 * Two leaders in one epoch must never happen; it is counted and reported.
 *
 *	election_sim --check		TAP, for make check (the default
 *					unless built with -DELECTION_SIM_BENCH)
 *	election_sim [-t trials] [-s seed] [-r rank-slot-ms] [-l loss]
 *					the table (bench/election-sim)
 *	election_sim --trace		every event of a few trials
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decide.h"
#include "instance.h"
#include "simrng.h"
#include "util.h"

/* failover.c: RANK_SLOT_MS (static there; follow decide.h if it moves there). */
#ifdef DECIDE_RANK_SLOT_MS
#define RANK_SLOT_MS	DECIDE_RANK_SLOT_MS
#else
#define RANK_SLOT_MS	25
#endif

#define MAXN		7
#define DEATH_MS	1000000		/* the master dies here (0 means "never") */
#define US		1000		/* microseconds per ms */

enum scheme {
	SCHEME_RANK,
	SCHEME_DESYNC,
	SCHEME_REDIS,
};

static const char *scheme_names[] = { "rank", "desync", "redis" };

struct cfg {
	int		 n;
	unsigned	 quorum;
	enum scheme	 scheme;
	long long	 down_after;	/* ms; the ping period follows from it */
	int		 spread_ms;	/* SDOWN spread; -1: the ping period */
	int		 dead;		/* sentinels down (known SDOWN) from the start */
	int		 rank_slot;	/* ms (failover.c: RANK_SLOT_MS) */
	int		 tick_ms;	/* monitor.c: TICK_MS */
	int		 lat_min_us, lat_max_us;
	double		 tail_p;	/* share of slow messages */
	int		 tail_min_us, tail_max_us;
	double		 loss;		/* share of messages dropped */
	bool		 trace;		/* print the events of every trial */
	int		 trials;
	uint64_t	 seed;
};

enum ev_type {
	EV_TICK,
	EV_ASK,		/* from asks to */
	EV_REPLY,	/* from answers to */
};

struct ev {
	int64_t		 t;		/* us */
	uint64_t	 seq;
	enum ev_type	 type;
	int		 from, to;
	uint64_t	 epoch;
	bool		 vote;		/* the ask carries from's runid */
	int		 down;
	char		 leader[RUNID_LEN + 1];
	uint64_t	 leader_epoch;
};

struct node {
	struct sentinel_state	 st;
	struct instance		 m;
	struct instance		*masters[1];
	struct instance		 peer[MAXN - 1];
	struct instance		*peerp[MAXN - 1];
	int64_t			 last_ask_sent[MAXN - 1];	/* ms */
	int64_t			 sdown_deadline;		/* ms */
	int64_t			 odown_at;			/* us, 0 not yet */
	int64_t			 elected_at;			/* us, 0 not */
	uint64_t		 elected_epoch;
	bool			 candidate;			/* asked for votes */
};

struct sim {
	const struct cfg *cfg;
	uint64_t	 rng;
	int64_t		 now;		/* us */
	uint64_t	 seq;
	struct ev	*heap;
	size_t		 nheap, heapsz;
	size_t		 inflight;	/* messages not yet delivered */
	int64_t		 fifo[2][MAXN][MAXN];	/* last delivery per connection direction */
	struct node	 node[MAXN];
	/* Per trial. */
	unsigned	 two_leaders;
	unsigned	 aborts;
};

struct result {
	int		 trials;
	int		 split;
	int		 contested;	/* more than one sentinel asked for votes */
	unsigned	 aborts;
	unsigned	 two_leaders;
	double		*elect_ms;	/* first ODOWN to +elected-leader */
	int		 nelect;
};

/* --- PRNG: a seed names a run (simrng.h) --------------------------------- */

static int64_t
rnd(struct sim *s, int64_t n)
{
	return simrng_below(&s->rng, n);
}

static double
rnd01(struct sim *s)
{
	return simrng_unit(&s->rng);
}

/* --- events ------------------------------------------------------------ */

static bool
ev_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
ev_push(struct sim *s, struct ev *e)
{
	size_t	 i, p;
	struct ev tmp;

	if (s->nheap == s->heapsz) {
		s->heapsz = s->heapsz ? s->heapsz * 2 : 64;
		s->heap = xreallocarray(s->heap, s->heapsz, sizeof *s->heap);
	}
	e->seq = s->seq++;
	i = s->nheap++;
	s->heap[i] = *e;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!ev_before(&s->heap[i], &s->heap[p]))
			break;
		tmp = s->heap[p];
		s->heap[p] = s->heap[i];
		s->heap[i] = tmp;
		i = p;
	}
}

static void
ev_pop(struct sim *s, struct ev *out)
{
	size_t	 i = 0, l, r, b;
	struct ev tmp;

	*out = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		b = i;
		if (l < s->nheap && ev_before(&s->heap[l], &s->heap[b]))
			b = l;
		if (r < s->nheap && ev_before(&s->heap[r], &s->heap[b]))
			b = r;
		if (b == i)
			break;
		tmp = s->heap[b];
		s->heap[b] = s->heap[i];
		s->heap[i] = tmp;
		i = b;
	}
}

static int64_t
now_ms(const struct sim *s)
{
	return s->now / US;
}

static void trace(const struct sim *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
trace(const struct sim *s, int i, const char *fmt, ...)
{
	va_list	ap;

	if (!s->cfg->trace)
		return;
	printf("  %9.3f S%d ", (double)s->now / US - DEATH_MS, i);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Peer slot of node j in node i's list (the others, in index order). */
static int
slot(int i, int j)
{
	return j < i ? j : j - 1;
}

static int
slot_node(int i, int k)
{
	return k < i ? k : k + 1;
}

/* The last cfg->dead sentinels are down from the start. */
static bool
is_dead(const struct sim *s, int i)
{
	return i >= s->cfg->n - s->cfg->dead;
}

/*
 * A message on a connection: random latency, an optional slow tail, FIFO
 * per connection and direction (TCP), optional loss. The link is the
 * asker's: dir 0 carries questions, dir 1 answers.
 */
static void
send_msg(struct sim *s, struct ev *e, int owner, int other, int dir)
{
	const struct cfg *c = s->cfg;
	int64_t		 lat, *last = &s->fifo[dir][owner][other];

	if (c->loss > 0 && rnd01(s) < c->loss)
		return;
	if (e->type == EV_ASK && is_dead(s, e->to))
		return;
	if (c->tail_p > 0 && rnd01(s) < c->tail_p)
		lat = c->tail_min_us + rnd(s, c->tail_max_us - c->tail_min_us + 1);
	else
		lat = c->lat_min_us + rnd(s, c->lat_max_us - c->lat_min_us + 1);
	e->t = s->now + lat;
	if (e->t < *last)
		e->t = *last;
	*last = e->t;
	s->inflight++;
	ev_push(s, e);
}

/* --- the shell: monitor.c and failover.c, minus the I/O ------------------ */

static void	check_election(struct sim *, int);

/* monitor.c ask_peer(): a vote request while a failover of ours runs. */
static void
ask_peer(struct sim *s, int i, int k)
{
	struct node	*nd = &s->node[i];
	struct ev	 e;

	memset(&e, 0, sizeof e);
	e.type = EV_ASK;
	e.from = i;
	e.to = slot_node(i, k);
	e.epoch = nd->st.current_epoch;
	e.vote = nd->m.failover_state > FO_NONE;
	nd->last_ask_sent[k] = now_ms(s);
	send_msg(s, &e, i, e.to, 0);
}

static void
ask_all(struct sim *s, int i)
{
	int	k;

	for (k = 0; k < s->cfg->n - 1; k++)
		ask_peer(s, i, k);
}

static void
abort_failover(struct sim *s, int i)
{
	decide_failover_abort(&s->node[i].m);
	s->aborts++;
	trace(s, i, "-failover-abort-not-elected");
}

/* failover.c failover_vote() and cmd_sentinel.c's reply. */
static void
on_ask(struct sim *s, const struct ev *q)
{
	struct node	*nd = &s->node[q->to];
	struct instance	*m = &nd->m;
	const char	*runid = s->node[q->from].st.myid;
	struct ev	 r;
	int		 ch;
	bool		 gave_away;

	memset(&r, 0, sizeof r);
	r.type = EV_REPLY;
	r.from = q->to;
	r.to = q->from;
	snprintf(r.leader, sizeof r.leader, "*");
	if (q->vote) {
		ch = decide_vote(&nd->st, m, runid, q->epoch, now_ms(s),
		    1000 + rnd(s, 1000));
		trace(s, q->to, "vote request from S%d epoch %llu: %s", q->from,
		    (unsigned long long)q->epoch,
		    (ch & DECIDE_VOTE_GRANTED) ? "granted" : "refused");
		gave_away = (ch & DECIDE_VOTE_GRANTED) &&
		    strcmp(runid, nd->st.myid) != 0;
		if (m->leader != NULL)
			snprintf(r.leader, sizeof r.leader, "%s", m->leader);
		r.leader_epoch = m->leader_epoch;
		if (s->cfg->scheme != SCHEME_REDIS && gave_away &&
		    m->failover_state == FO_WAIT_START &&
		    m->failover_epoch <= q->epoch)
			abort_failover(s, q->to);
	}
	r.down = decide_is_master_down_reply(&nd->st, m, now_ms(s));
	send_msg(s, &r, q->from, q->to, 1);
}

/* monitor.c ask_reply(). */
static void
on_reply(struct sim *s, const struct ev *r)
{
	struct node	*nd = &s->node[r->to];
	struct instance	*si = nd->peerp[slot(r->to, r->from)];

	si->last_master_down_reply_time = now_ms(s);
	if (r->down)
		si->flags |= INST_MASTER_DOWN;
	else
		si->flags &= ~INST_MASTER_DOWN;
	if (strcmp(r->leader, "*") != 0) {
		trace(s, r->to, "reply from S%d: down %d, leader %.8s epoch %llu",
		    r->from, r->down, r->leader,
		    (unsigned long long)r->leader_epoch);
		free(si->leader);
		si->leader = xstrdup(r->leader);
		si->leader_epoch = r->leader_epoch;
		/* Redis only tallies on its timer. */
		if (s->cfg->scheme != SCHEME_REDIS)
			check_election(s, r->to);
	}
}

static void
elected(struct sim *s, int i)
{
	struct node	*nd = &s->node[i];
	int		 j;

	nd->elected_at = s->now;
	nd->elected_epoch = nd->m.failover_epoch;
	trace(s, i, "+elected-leader epoch %llu",
	    (unsigned long long)nd->elected_epoch);
	for (j = 0; j < s->cfg->n; j++) {
		if (j == i || s->node[j].elected_at == 0 ||
		    s->node[j].elected_epoch != nd->elected_epoch)
			continue;
		fprintf(stderr, "election_sim: two leaders in epoch %llu: "
		    "%s and %s\n", (unsigned long long)nd->elected_epoch,
		    nd->st.myid, s->node[j].st.myid);
		s->two_leaders++;
	}
	decide_failover_state(&nd->m, FO_SELECT_SLAVE, now_ms(s));
}

/* failover.c check_election() (Redis: sentinelFailoverWaitStart()). */
static void
check_election(struct sim *s, int i)
{
	struct node	*nd = &s->node[i];
	struct instance	*m = &nd->m;
	const char	*leader;
	int64_t		 t = now_ms(s);

	if (m->failover_state != FO_WAIT_START)
		return;
	if (s->cfg->scheme != SCHEME_REDIS) {
		if (t < m->failover_start_time)
			return;
		if (m->failover_votes_asked == 0) {
			m->failover_votes_asked = t;
			nd->candidate = true;
			trace(s, i, "asks for votes");
			ask_all(s, i);
		}
	}
	leader = decide_leader(&nd->st, m, m->failover_epoch, t, NULL);
	if (leader == NULL || strcmp(leader, nd->st.myid) != 0) {
		if (decide_election_timed_out(&nd->st, m, t))
			abort_failover(s, i);
		return;
	}
	elected(s, i);
}

/* The failover part of a timer tick: failover.c failover_tick(). */
static void
failover_tick(struct sim *s, int i)
{
	struct node	*nd = &s->node[i];
	struct instance	*m = &nd->m;
	int64_t		 delay;

	if (m->failover_state == FO_NONE) {
		if (s->cfg->scheme == SCHEME_RANK) {
			/* failover.c: wait for our slot after ODOWN, then start (epoch) and ask at once. */
			if (now_ms(s) < m->o_down_since +
			    (int64_t)decide_election_rank(&nd->st, m) * s->cfg->rank_slot)
				return;
			delay = 0;
		} else
			delay = rnd(s, 1000);
		if (!decide_failover_start(&nd->st, m, now_ms(s), delay, NULL))
			return;
		trace(s, i, "+try-failover epoch %llu, delay %lld ms (rank %d)",
		    (unsigned long long)m->failover_epoch, (long long)delay,
		    decide_election_rank(&nd->st, m));
		m->failover_votes_asked = 0;
		if (s->cfg->scheme == SCHEME_REDIS) {
			/* sentinelAskMasterStateToOtherSentinels(ri, SENTINEL_ASK_FORCED) */
			m->failover_votes_asked = now_ms(s);
			nd->candidate = true;
			ask_all(s, i);
		}
	}
	if (m->failover_state == FO_WAIT_START)
		check_election(s, i);
}

/* monitor.c tick() for one master, without TILT and the PING/INFO cadence. */
static void
on_tick(struct sim *s, int i)
{
	const struct cfg *c = s->cfg;
	struct node	*nd = &s->node[i];
	struct instance	*m = &nd->m;
	struct ev	 e;
	int64_t		 t = now_ms(s);
	int		 k;

	if (decide_sdown(&nd->st, m, t, true) & DECIDE_SDOWN_ENTER)
		trace(s, i, "+sdown");
	decide_expire_master_down(&nd->st, m, t);
	if ((decide_odown(&nd->st, m, t, NULL) & DECIDE_ODOWN_ENTER) &&
	    nd->odown_at == 0) {
		nd->odown_at = s->now;
		trace(s, i, "+odown");
	}
	if (m->flags & INST_S_DOWN)
		for (k = 0; k < c->n - 1; k++)
			if (decide_ask_due(&nd->st, m, nd->peerp[k], t,
			    nd->last_ask_sent[k]))
				ask_peer(s, i, k);
	failover_tick(s, i);

	memset(&e, 0, sizeof e);
	e.type = EV_TICK;
	e.from = i;
	if (c->scheme == SCHEME_REDIS)	/* server.hz = 10 + rand() % 10, each time */
		e.t = s->now + (int64_t)(1000 / (10 + rnd(s, 10))) * US;
	else
		e.t = s->now + (int64_t)c->tick_ms * US;
	ev_push(s, &e);
}

/* --- a trial ------------------------------------------------------------- */

static void
node_init(struct sim *s, int i)
{
	const struct cfg *c = s->cfg;
	struct node	*nd = &s->node[i];
	struct instance	*m = &nd->m;
	int		 k;

	memset(nd, 0, sizeof *nd);
	nd->st.info_period = DEFAULT_INFO_PERIOD;
	nd->st.ping_period = DEFAULT_PING_PERIOD;
	nd->st.ask_period = DEFAULT_ASK_PERIOD;
	nd->st.publish_period = DEFAULT_PUBLISH_PERIOD;
	nd->st.default_down_after = DEFAULT_DOWN_AFTER;
	nd->st.default_failover_timeout = DEFAULT_FAILOVER_TIMEOUT;
	nd->st.tilt_trigger = DEFAULT_TILT_TRIGGER;
	nd->st.tilt_period = DEFAULT_TILT_PERIOD;
	nd->st.election_timeout = DEFAULT_ELECTION_TIMEOUT;
	nd->masters[0] = m;
	nd->st.masters = nd->masters;
	nd->st.nmasters = 1;

	m->type = INST_MASTER;
	m->quorum = c->quorum;
	m->down_after_ms = c->down_after;
	m->failover_timeout = DEFAULT_FAILOVER_TIMEOUT;
	m->parallel_syncs = 1;
	m->last_avail_time = DEATH_MS - 1;
	m->sentinels = nd->peerp;
	m->nsentinels = (size_t)(c->n - 1);
	for (k = 0; k < c->n - 1; k++) {
		nd->peer[k].type = INST_SENTINEL;
		nd->peer[k].master = m;
		nd->peerp[k] = &nd->peer[k];
	}
}

static void
node_free(struct node *nd, int n)
{
	int	k;

	free(nd->m.leader);
	for (k = 0; k < n - 1; k++)
		free(nd->peer[k].leader);
}

static void
runid(struct sim *s, char *dst)
{
	static const char hex[] = "0123456789abcdef";
	int	i;

	for (i = 0; i < RUNID_LEN; i++)
		dst[i] = hex[rnd(s, 16)];
	dst[RUNID_LEN] = '\0';
}

/*
 * Nothing can change the outcome of the first epoch any more: a leader is
 * known, everyone has voted, and every vote has been delivered.
 */
static bool
settled(const struct sim *s)
{
	int	i;
	bool	leader = false;

	if (s->inflight != 0)
		return false;
	for (i = 0; i < s->cfg->n; i++) {
		const struct node *nd = &s->node[i];

		if (is_dead(s, i))
			continue;
		if (nd->elected_at != 0)
			leader = true;
		if (nd->m.leader_epoch == 0)
			return false;
		/* A candidate yet to ask. */
		if (nd->m.failover_state == FO_WAIT_START &&
		    nd->m.failover_votes_asked == 0)
			return false;
	}
	return leader;
}

static void
trial(struct sim *s, struct result *res)
{
	const struct cfg *c = s->cfg;
	struct ev	 e;
	int64_t		 ping, first_odown = 0, first_elected = 0, end;
	int64_t		 settle_end = 0;
	int		 i, k, ncand = 0;

	s->now = 0;
	s->nheap = 0;
	s->inflight = 0;
	s->two_leaders = 0;
	s->aborts = 0;
	memset(s->fifo, 0, sizeof s->fifo);
	if (c->trace)
		printf(" trial %d\n", res->trials + 1);
	for (i = 0; i < c->n; i++) {
		node_init(s, i);
		runid(s, s->node[i].st.myid);
	}
	for (i = 0; i < c->n; i++)
		for (k = 0; k < c->n - 1; k++) {
			memcpy(s->node[i].peer[k].runid,
			    s->node[slot_node(i, k)].st.myid, RUNID_LEN + 1);
			if (is_dead(s, slot_node(i, k)))
				s->node[i].peer[k].flags |= INST_S_DOWN;
		}

	/*
	 * The first unanswered PING leaves uniformly within a ping period of
	 * the death; SDOWN follows down-after later, on the next tick.
	 */
	for (i = 0; i < c->n - c->dead; i++) {
		struct node *nd = &s->node[i];

		ping = c->spread_ms >= 0 ? c->spread_ms + 1 :
		    decide_ping_period(&nd->st, &nd->m);
		nd->m.act_ping_time = DEATH_MS + rnd(s, ping);
		nd->m.last_ping_time = nd->m.act_ping_time;
		nd->sdown_deadline = decide_sdown_deadline(&nd->st, &nd->m,
		    DEATH_MS, true);
		memset(&e, 0, sizeof e);
		e.type = EV_TICK;
		e.from = i;
		e.t = nd->sdown_deadline * US + rnd(s, (int64_t)c->tick_ms * US);
		if (c->scheme == SCHEME_REDIS)
			e.t = nd->sdown_deadline * US + rnd(s, 100 * US);
		ev_push(s, &e);
	}
	end = ((int64_t)DEATH_MS + c->down_after + 2 * DEFAULT_PING_PERIOD +
	    DEFAULT_ELECTION_TIMEOUT + 2000) * US;

	while (s->nheap > 0) {
		ev_pop(s, &e);
		if (e.t > end)
			break;
		s->now = e.t;
		switch (e.type) {
		case EV_TICK:
			on_tick(s, e.from);
			break;
		case EV_ASK:
			s->inflight--;
			on_ask(s, &e);
			break;
		case EV_REPLY:
			s->inflight--;
			on_reply(s, &e);
			break;
		}
		/* Settled: a little longer, so that late tallies would show. */
		if (settle_end == 0 && settled(s))
			settle_end = s->now + 200 * US;
		if (settle_end != 0 && s->now >= settle_end)
			break;
	}

	for (i = 0; i < c->n; i++) {
		struct node *nd = &s->node[i];

		if (nd->odown_at != 0 && (first_odown == 0 || nd->odown_at < first_odown))
			first_odown = nd->odown_at;
		if (nd->elected_at != 0 && nd->elected_epoch == 1 &&
		    (first_elected == 0 || nd->elected_at < first_elected))
			first_elected = nd->elected_at;
		if (nd->candidate)
			ncand++;
		node_free(nd, c->n);
	}
	res->trials++;
	res->aborts += s->aborts;
	res->two_leaders += s->two_leaders;
	if (ncand > 1)
		res->contested++;
	if (first_elected == 0)
		res->split++;
	else
		res->elect_ms[res->nelect++] =
		    (double)(first_elected - first_odown) / US;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
quantile(const double *v, int n, double q)
{
	int	i;

	if (n == 0)
		return 0;
	i = (int)(q * (n - 1) + 0.5);
	return v[i];
}

static void
run(const struct cfg *c, struct result *res)
{
	struct sim	*s = xcalloc(1, sizeof *s);

	memset(res, 0, sizeof *res);
	res->elect_ms = xcalloc((size_t)c->trials, sizeof *res->elect_ms);
	s->cfg = c;
	s->rng = c->seed;
	while (res->trials < c->trials)
		trial(s, res);
	qsort(res->elect_ms, (size_t)res->nelect, sizeof *res->elect_ms,
	    cmp_double);
	free(s->heap);
	free(s);
}

static double
pct(int a, int b)
{
	return b > 0 ? 100.0 * a / b : 0;
}

/* --- the two front ends ------------------------------------------------ */

static void
cfg_default(struct cfg *c, int n)
{
	memset(c, 0, sizeof *c);
	c->n = n;
	c->quorum = (unsigned)(n / 2 + 1);
	c->scheme = SCHEME_RANK;
	c->down_after = DEFAULT_DOWN_AFTER;
	c->spread_ms = -1;
	c->rank_slot = RANK_SLOT_MS;
	c->tick_ms = 20;
	c->lat_min_us = 50;
	c->lat_max_us = 2000;
	c->tail_p = 0.01;
	c->tail_min_us = 10000;
	c->tail_max_us = 50000;
	c->loss = 0;
	c->trials = 10000;
	c->seed = 1;
}

/* One TAP line: split votes of the rank scheme within 1 %. */
static int
check_split(int t, int n, int dead, int spread_ms, unsigned *two)
{
	struct cfg	c;
	struct result	r;
	double		split;

	cfg_default(&c, n);
	c.trials = 2000;
	c.seed = 20240601;
	c.dead = dead;
	c.spread_ms = spread_ms;
	run(&c, &r);
	*two += r.two_leaders;
	split = pct(r.split, r.trials);
	printf("%s %d - split votes with %d sentinels%s: %.2f %% <= 1 %%\n",
	    split <= 1.0 ? "ok" : "not ok", t, n, dead ? ", one down, "
	    "SDOWN within 10 ms" : "", split);
	printf("# median %.1f ms, p99 %.1f ms from the first ODOWN to the "
	    "election; %.2f %% contested\n", quantile(r.elect_ms, r.nelect, 0.5),
	    quantile(r.elect_ms, r.nelect, 0.99), pct(r.contested, r.trials));
	free(r.elect_ms);
	return split <= 1.0 ? 0 : 1;
}

static int
check(void)
{
	struct cfg	 c;
	struct result	 r;
	unsigned	 two = 0, sc;
	int		 fail = 0, n;

	printf("1..5\n");
	fail |= check_split(1, 3, 0, -1, &two);
	fail |= check_split(2, 5, 0, -1, &two);
	fail |= check_split(3, 3, 1, 10, &two);
	fail |= check_split(4, 5, 1, 10, &two);

	/* Safety under contention: every scheme, SDOWN together, 5 % loss. */
	for (n = 3; n <= 5; n += 2)
		for (sc = SCHEME_RANK; sc <= SCHEME_REDIS; sc++) {
			cfg_default(&c, n);
			c.scheme = (enum scheme)sc;
			c.trials = 2000;
			c.seed = 7;
			c.spread_ms = 0;
			c.loss = 0.05;
			run(&c, &r);
			two += r.two_leaders;
			free(r.elect_ms);
		}
	if (two != 0)
		fail = 1;
	printf("%s 5 - never two leaders in one epoch\n", two == 0 ? "ok" :
	    "not ok");
	return fail;
}

static void
usage(void)
{
	fprintf(stderr, "usage: election_sim [--check | --trace | [-t trials] "
	    "[-s seed] [-r rank-slot-ms] [-l loss]]\n");
	exit(2);
}

static void
row(const struct cfg *c, const char *label)
{
	struct result	r;

	run(c, &r);
	printf("%-26s %-6s %2d %8.2f %% %8.2f %% %9.1f %9.1f %7.2f %6u\n",
	    label, scheme_names[c->scheme], c->n, pct(r.split, r.trials),
	    pct(r.contested, r.trials), quantile(r.elect_ms, r.nelect, 0.5),
	    quantile(r.elect_ms, r.nelect, 0.99),
	    r.trials > 0 ? (double)r.aborts / r.trials : 0, r.two_leaders);
	fflush(stdout);
	if (r.two_leaders != 0) {
		fprintf(stderr, "election_sim: two leaders in one epoch\n");
		abort();
	}
	free(r.elect_ms);
}

int
main(int argc, char **argv)
{
	struct cfg	 c;
	const char	*label;
	int		 i, n, trials = 10000, slot_ms = RANK_SLOT_MS;
	unsigned	 sc;
	double		 loss = 0;
	uint64_t	 seed = 1;
	static const struct {
		const char	*label;
		long long	 down_after;
		int		 spread_ms, dead;
		double		 tail_p, loss;
	} scen[] = {
		{ "down-after 30 s",		30000, -1, 0, 0.01, 0 },
		{ "down-after 5 s",		5000,  -1, 0, 0.01, 0 },
		{ "down-after 1 s",		1000,  -1, 0, 0.01, 0 },
		{ "down-after 30 s, 10% tail",	30000, -1, 0, 0.10, 0 },
		{ "down-after 30 s, 1% loss",	30000, -1, 0, 0.01, 0.01 },
		{ "down-after 1 s, 1% loss",	1000,  -1, 0, 0.01, 0.01 },
		{ "SDOWN spread 10 ms",		30000, 10, 0, 0.01, 0 },
		{ "SDOWN spread 0 ms",		30000, 0,  0, 0.01, 0 },
		{ "one sentinel down",		30000, -1, 1, 0.01, 0 },
		{ "one down, spread 10 ms",	30000, 10, 1, 0.01, 0 },
	};

#ifndef ELECTION_SIM_BENCH
	/* make check runs it without arguments. */
	if (argc == 1)
		return check();
#endif
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			return check();
		if (strcmp(argv[i], "--trace") == 0) {
			cfg_default(&c, 5);
			c.trace = true;
			c.trials = 3;
			for (n = 3; n <= 5; n += 2)
				for (sc = SCHEME_RANK; sc <= SCHEME_REDIS; sc++) {
					c.n = n;
					c.quorum = (unsigned)(n / 2 + 1);
					c.scheme = (enum scheme)sc;
					printf("%s, %d sentinels\n", scheme_names[sc], n);
					row(&c, "trace");
				}
			return 0;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "-t") == 0)
			trials = atoi(argv[++i]);
		else if (strcmp(argv[i], "-s") == 0)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-r") == 0)
			slot_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "-l") == 0)
			loss = atof(argv[++i]);
		else
			usage();
	}
	if (trials <= 0)
		usage();

	printf("# %d trials per row, seed %llu, quorum = majority, latency "
	    "0.05-2 ms one way, tail 10-50 ms, rank slot %d ms\n", trials,
	    (unsigned long long)seed, slot_ms);
	printf("# time = first ODOWN (any sentinel) to +elected-leader; "
	    "aborts = -failover-abort-not-elected per trial\n");
	printf("%-26s %-6s %2s %10s %10s %9s %9s %7s %6s\n", "scenario",
	    "scheme", "N", "split", "contested", "med ms", "p99 ms", "aborts",
	    "2lead");
	for (i = 0; i < (int)ARRAY_SIZE(scen); i++)
		for (n = 3; n <= 5; n += 2)
			for (sc = SCHEME_RANK; sc <= SCHEME_REDIS; sc++) {
				cfg_default(&c, n);
				c.scheme = (enum scheme)sc;
				c.trials = trials;
				c.seed = seed;
				c.rank_slot = slot_ms;
				c.down_after = scen[i].down_after;
				c.spread_ms = scen[i].spread_ms;
				c.dead = scen[i].dead;
				c.tail_p = scen[i].tail_p;
				c.loss = loss > 0 ? loss : scen[i].loss;
				label = scen[i].label;
				row(&c, label);
			}
	return 0;
}
