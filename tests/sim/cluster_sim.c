/*
 * cluster_sim.c - whole failovers under faults, on the real decision core.
 *
 * N sentinels watch one master and its replicas (S servers in all). Each
 * sentinel has its own struct sentinel_state and its own instance model of
 * the master, the replicas and its peers, and runs the shell's logic of
 * monitor.c and failover.c minus the I/O: PING, INFO and hello on their
 * periods, SDOWN, ODOWN through is-master-down-by-addr, the ranked election,
 * replica selection, promotion, reconfiguration, +switch-master, following a
 * newer configuration from hellos, and the corrections after a failover.
 * Every decision is decide.c's.
 *
 * The world is hostile, driven by one seed: messages have random latency
 * with a slow tail and may be lost; the network is cut into random groups
 * (partitions) and healed; the master is killed and brought back; sentinels
 * crash and restart from what they had persisted (epoch, vote, config
 * epoch, master), at any moment; a sentinel's clock jumps (TILT). After a
 * stormy phase everything is healed and restarted, and the run goes on
 * until the sentinels agree.
 *
 * Invariants, checked as the run goes:
 *   - at most one leader is elected per epoch;
 *   - no sentinel grants two votes in one epoch, even across a restart;
 *   - no two servers are promoted in one epoch;
 *   - a config epoch names one master, whoever announces it;
 * and at the end: all sentinels name the same master, which is up and a
 * master, and every other server replicates it.
 *
 *	cluster_sim --check [-n runs] [-s seed]	TAP, for make check
 *	cluster_sim [-n runs] [-s seed]		the figures (bench/sim.sh)
 *	cluster_sim --replay SEED [--trace]	one run, every event
 *
 * A failing run prints the seed and the command that replays it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "instance.h"
#include "simrng.h"
#include "util.h"

#define MAXN		5		/* sentinels */
#define MAXS		4		/* servers */
#define NODES		(MAXN + MAXS)	/* network endpoints: sentinels, then servers */
#define TICK_MS		20		/* monitor.c */
#define STORM_MS	40000		/* faults happen in [0, STORM_MS) */
#define CALM_MS		60000		/* then this long to converge */
#define DOWN_AFTER	1000
#define FO_TIMEOUT	3000
#define MAXEPOCH	4096
#define BASE_PORT	7000

enum msg_type {
	M_TICK,		/* a sentinel's timer */
	M_FAULT,	/* the fault schedule */
	M_CALM,		/* the end of the faults */
	M_RESTART,	/* a crashed sentinel comes back */
	M_PING, M_PONG,
	M_INFO, M_INFO_REPLY,
	M_HELLO,
	M_ASK, M_ASK_REPLY,
	M_SLAVEOF,	/* to a server: target -1 = NO ONE */
};

struct msg {
	int64_t		 t;		/* us */
	uint64_t	 seq;
	enum msg_type	 type;
	int		 from, to;	/* node ids */
	int		 gen;		/* the sender's incarnation (sentinels) */
	/* payloads */
	uint64_t	 epoch, epoch2;
	int		 sid, sid2;	/* servers */
	bool		 flag;
	char		 leader[RUNID_LEN + 1];
	long long	 offset;
};

struct server {
	bool		 up;
	bool		 master;
	int		 master_of;	/* replicas: whom they follow */
	long long	 offset;
	char		 ip[24];
};

/* What a sentinel keeps on disk (sconf.c writes it before acting). */
struct disk {
	uint64_t	 current_epoch, config_epoch, leader_epoch;
	char		 leader[RUNID_LEN + 1];
	int		 master_sid;
};

struct snode {
	bool			 up;
	int			 gen;
	int64_t			 clock_off;	/* ms added to the true time */
	struct sentinel_state	 st;
	struct instance		*masters[1];
	struct instance		 m;
	struct instance		 rep[MAXS];
	struct instance		*repp[MAXS];
	int			 rep_sid[MAXS];
	struct instance		 peer[MAXN];
	struct instance		*peerp[MAXN];
	int			 peer_id[MAXN];
	int			 master_sid;
	int64_t			 last_info_sent[MAXS + 1];	/* by sid */
	int64_t			 last_ask_sent[MAXN];
	int64_t			 last_hello;
	struct disk		 disk;
};

struct cfg {
	int		 runs;
	uint64_t	 seed;
	bool		 check;
	bool		 trace;
};

struct sim {
	const struct cfg *cfg;
	uint64_t	 seed, rng;
	int64_t		 now;		/* us, true time */
	uint64_t	 seq;
	struct msg	*heap;
	size_t		 nheap, cap;
	int		 n, s;		/* sentinels, servers */
	unsigned	 quorum;
	double		 loss;
	int		 group[NODES];	/* partitions: different groups do not talk */
	int64_t		 fifo[NODES][NODES];
	struct server	 srv[MAXS];
	struct snode	 nd[MAXN];
	/* Invariant bookkeeping, by epoch. */
	int		 elected[MAXEPOCH];	/* sentinel + 1 */
	bool		 started[MAXEPOCH];	/* some sentinel tried a failover */
	int		 promoted[MAXEPOCH];	/* sid + 1 */
	int		 config[MAXEPOCH];	/* sid + 1 */
	char		 vote[MAXN][MAXEPOCH];	/* candidate sentinel + 1 */
	char		 why[256];
	bool		 failed;
	/* Figures. */
	int64_t		 killed_at;	/* ms, the first kill of the master */
	int64_t		 agreed_at;	/* ms, all up sentinels name a new master */
	int		 first_master;
	int		 epochs_started, elections_won, splits;
};

/* --- PRNG and events ------------------------------------------------------ */

static int64_t
rnd(struct sim *s, int64_t n)
{
	return simrng_below(&s->rng, n);
}

static bool
chance(struct sim *s, double p)
{
	return simrng_unit(&s->rng) < p;
}

static bool
earlier(const struct msg *a, const struct msg *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
push(struct sim *s, struct msg *e)
{
	size_t i;

	if (s->nheap == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->heap = xreallocarray(s->heap, s->cap, sizeof *s->heap);
	}
	e->seq = s->seq++;
	for (i = s->nheap++; i > 0 && earlier(e, &s->heap[(i - 1) / 2]); i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = *e;
}

static struct msg
pop(struct sim *s)
{
	struct msg top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && earlier(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!earlier(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	s->heap[i] = last;
	return top;
}

static int64_t
true_ms(const struct sim *s)
{
	return s->now / 1000;
}

/* A sentinel's own clock (it may have jumped). */
static int64_t
local_ms(const struct sim *s, int i)
{
	return true_ms(s) + s->nd[i].clock_off;
}

static void tr(const struct sim *, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
tr(const struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->cfg->trace)
		return;
	printf("%10.3f ", (double)s->now / 1000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void fail(struct sim *, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failed)
		return;
	s->failed = true;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	tr(s, "INVARIANT BROKEN: %s", s->why);
}

/* A message over the network: latency with a slow tail, loss, partitions, FIFO per direction. */
static void
send(struct sim *s, struct msg *e)
{
	int64_t lat;

	if (s->group[e->from] != s->group[e->to] || chance(s, s->loss))
		return;
	lat = chance(s, 0.01) ? 20000 + rnd(s, 200000) : 100 + rnd(s, 2000);
	e->t = s->now + lat;
	if (e->t < s->fifo[e->from][e->to])
		e->t = s->fifo[e->from][e->to];
	s->fifo[e->from][e->to] = e->t;
	push(s, e);
}

static struct msg
msg(enum msg_type type, int from, int to)
{
	struct msg e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.from = from;
	e.to = to;
	return e;
}

/* --- a sentinel's model ---------------------------------------------------- */

static int
server_node(int sid)
{
	return MAXN + sid;
}

static int
port_of(int sid)
{
	return BASE_PORT + sid;
}

/* The instance for server sid in sentinel i's view (the master or a replica). */
static struct instance *
inst_of(struct snode *nd, int sid)
{
	if (sid == nd->master_sid)
		return &nd->m;
	for (size_t k = 0; k < nd->m.nreplicas; k++)
		if (nd->rep_sid[k] == sid)
			return nd->repp[k];
	return NULL;
}

static int
sid_of(const struct snode *nd, const struct instance *ri)
{
	if (ri == &nd->m)
		return nd->master_sid;
	for (size_t k = 0; k < nd->m.nreplicas; k++)
		if (nd->repp[k] == ri)
			return nd->rep_sid[k];
	return -1;
}

/* instance_current_addr(): the promoted replica once reconfiguration began. */
static int
current_sid(const struct snode *nd)
{
	if (nd->m.promoted_slave != NULL && nd->m.failover_state >= FO_RECONF_SLAVES)
		return sid_of(nd, nd->m.promoted_slave);
	return nd->master_sid;
}

static void
clear_inst(struct instance *ri)
{
	free(ri->leader);
	free(ri->slave_master_host);
	ri->leader = NULL;
	ri->slave_master_host = NULL;
}

/* Replicas: every server but the master, fresh (monitor_switch_master). */
static void
set_master(struct sim *s, int i, int sid, int64_t now)
{
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;
	size_t k = 0;

	nd->master_sid = sid;
	m->ip = s->srv[sid].ip;
	m->port = port_of(sid);
	m->flags &= ~(INST_S_DOWN | INST_O_DOWN | INST_MASTER_REBOOT);
	m->s_down_since = m->o_down_since = 0;
	m->failover_start_time = 0;
	m->failover_delay_logged = 0;
	m->act_ping_time = 0;
	m->last_avail_time = now;
	m->last_ping_time = m->last_pong_time = 0;
	m->role_reported = ROLE_UNKNOWN;
	m->info_refresh = 0;
	for (int j = 0; j < s->n - 1; j++) {
		nd->peerp[j]->flags &= ~INST_MASTER_DOWN;
		nd->peerp[j]->last_master_down_reply_time = 0;
	}
	for (int r = 0; r < s->s; r++) {
		struct instance *ri;

		if (r == sid)
			continue;
		ri = &nd->rep[k];
		clear_inst(ri);
		memset(ri, 0, sizeof *ri);
		ri->type = INST_REPLICA;
		ri->master = m;
		ri->ip = s->srv[r].ip;
		ri->port = port_of(r);
		ri->last_avail_time = now;
		ri->link_connected_since = now;
		ri->slave_priority = 100;
		nd->repp[k] = ri;
		nd->rep_sid[k] = r;
		nd->last_info_sent[r] = 0;
		k++;
	}
	m->replicas = nd->repp;
	m->nreplicas = k;
	nd->last_info_sent[sid] = 0;
}

static void
persist(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];

	nd->disk.current_epoch = nd->st.current_epoch;
	nd->disk.config_epoch = nd->m.config_epoch;
	nd->disk.leader_epoch = nd->m.leader_epoch;
	snprintf(nd->disk.leader, sizeof nd->disk.leader, "%s", nd->m.leader ? nd->m.leader : "");
	/* sconf.c writes instance_current_addr(): the promoted replica once reconfiguration began. */
	nd->disk.master_sid = current_sid(nd);
}

/* The vote in force must never change within an epoch. */
static void
check_vote(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];
	uint64_t e = nd->m.leader_epoch;
	int cand = -1;

	if (nd->m.leader == NULL || e == 0)
		return;
	if (e >= MAXEPOCH) {
		fail(s, "epoch %" PRIu64 " beyond the simulation's table", e);
		return;
	}
	for (int j = 0; j < s->n; j++)
		if (strcmp(s->nd[j].st.myid, nd->m.leader) == 0)
			cand = j;
	if (cand < 0)
		return;
	if (s->vote[i][e] == 0)
		s->vote[i][e] = (char)(cand + 1);
	else if (s->vote[i][e] != cand + 1)
		fail(s, "S%d voted for S%d and S%d in epoch %" PRIu64, i, s->vote[i][e] - 1, cand, e);
}

static void
node_boot(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;
	int64_t now;
	char myid[RUNID_LEN + 1];

	memcpy(myid, nd->st.myid, sizeof myid);
	clear_inst(m);
	for (int k = 0; k < MAXS; k++)
		clear_inst(&nd->rep[k]);
	for (int k = 0; k < MAXN; k++)
		clear_inst(&nd->peer[k]);
	memset(&nd->st, 0, sizeof nd->st);
	memset(m, 0, sizeof *m);
	memset(nd->rep, 0, sizeof nd->rep);
	memset(nd->peer, 0, sizeof nd->peer);
	memcpy(nd->st.myid, myid, sizeof myid);
	nd->gen++;
	nd->up = true;
	now = local_ms(s, i);
	nd->st.info_period = 1000;
	nd->st.ping_period = DEFAULT_PING_PERIOD;
	nd->st.ask_period = 100;
	nd->st.publish_period = 500;
	nd->st.default_down_after = DOWN_AFTER;
	nd->st.default_failover_timeout = FO_TIMEOUT;
	nd->st.tilt_trigger = DEFAULT_TILT_TRIGGER;
	nd->st.tilt_period = 5000;
	nd->st.election_timeout = DEFAULT_ELECTION_TIMEOUT;
	nd->st.previous_time = now;
	nd->masters[0] = m;
	nd->st.masters = nd->masters;
	nd->st.nmasters = 1;
	m->type = INST_MASTER;
	m->name = (char *)"m";
	m->quorum = s->quorum;
	m->down_after_ms = DOWN_AFTER;
	m->failover_timeout = FO_TIMEOUT;
	m->parallel_syncs = 1;
	/* What was on disk. */
	nd->st.current_epoch = nd->disk.current_epoch;
	m->config_epoch = nd->disk.config_epoch;
	m->leader_epoch = nd->disk.leader_epoch;
	if (nd->disk.leader[0] != '\0')
		m->leader = xstrdup(nd->disk.leader);
	m->sentinels = nd->peerp;
	m->nsentinels = (size_t)(s->n - 1);
	for (int j = 0, k = 0; j < s->n; j++) {
		if (j == i)
			continue;
		nd->peer[k].type = INST_SENTINEL;
		nd->peer[k].master = m;
		memcpy(nd->peer[k].runid, s->nd[j].st.myid, sizeof nd->peer[k].runid);
		nd->peer[k].name = s->nd[j].st.myid;
		nd->peer[k].last_avail_time = now;
		nd->peer[k].link_connected_since = now;
		nd->peerp[k] = &nd->peer[k];
		nd->peer_id[k] = j;
		nd->last_ask_sent[k] = 0;
		k++;
	}
	set_master(s, i, nd->disk.master_sid, now);
	nd->last_hello = 0;
}

static void
switch_master(struct sim *s, int i, int sid, uint64_t config_epoch, const char *how)
{
	struct snode *nd = &s->nd[i];

	if (config_epoch >= MAXEPOCH) {
		fail(s, "config epoch %" PRIu64 " beyond the table", config_epoch);
		return;
	}
	if (s->config[config_epoch] == 0)
		s->config[config_epoch] = sid + 1;
	else if (s->config[config_epoch] != sid + 1)
		fail(s, "config epoch %" PRIu64 " names server %d and server %d (S%d, %s)",
		    config_epoch, s->config[config_epoch] - 1, sid, i, how);
	tr(s, "S%d +switch-master %d -> %d (config epoch %" PRIu64 ", %s)", i, nd->master_sid,
	    sid, config_epoch, how);
	nd->m.config_epoch = config_epoch;
	set_master(s, i, sid, local_ms(s, i));
	persist(s, i);
}

static void
hello_all(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];

	for (int k = 0; k < s->n - 1; k++) {
		struct msg e = msg(M_HELLO, i, nd->peer_id[k]);

		e.epoch = nd->st.current_epoch;
		e.epoch2 = nd->m.config_epoch;
		e.sid = current_sid(nd);
		send(s, &e);
	}
	nd->last_hello = local_ms(s, i);
}

static void
ask(struct sim *s, int i, int k)
{
	struct snode *nd = &s->nd[i];
	struct msg e = msg(M_ASK, i, nd->peer_id[k]);

	e.flag = nd->m.failover_state > FO_NONE;
	/* monitor.c ask_peer(): a vote request names the failover's epoch. */
	e.epoch = e.flag && nd->m.failover_votes_asked != 0 ? nd->m.failover_epoch :
	    nd->st.current_epoch;
	e.sid = nd->master_sid;
	e.gen = nd->gen;
	nd->last_ask_sent[k] = local_ms(s, i);
	send(s, &e);
}

static void
info_to(struct sim *s, int i, int sid)
{
	if (sid < 0 || sid >= s->s) {
		fail(s, "model error: INFO to server %d", sid);
		return;
	}
	struct msg e = msg(M_INFO, i, server_node(sid));

	e.gen = s->nd[i].gen;
	s->nd[i].last_info_sent[sid] = local_ms(s, i);
	send(s, &e);
}

static void
slaveof(struct sim *s, int i, int sid, int target, uint64_t epoch)
{
	if (sid < 0 || sid >= s->s || target >= s->s) {
		fail(s, "model error: SLAVEOF to server %d (target %d)", sid, target);
		return;
	}
	struct msg e = msg(M_SLAVEOF, i, server_node(sid));

	e.sid = target;
	e.epoch = epoch;
	e.gen = s->nd[i].gen;
	send(s, &e);
}

/*
 * During the storm, a sentinel sometimes dies right after a step that must
 * survive a restart (a vote given, an election won, a promotion seen), as
 * SENTINEL SIMULATE-FAILURE does, and comes back from its disk soon after.
 */
static bool
crash_soon(struct sim *s, int i, const char *when)
{
	struct msg e;

	if (s->now >= (int64_t)STORM_MS * 1000 || !chance(s, 0.05))
		return false;
	s->nd[i].up = false;
	tr(s, "S%d crashes %s", i, when);
	e = msg(M_RESTART, i, i);
	e.t = s->now + (200 + rnd(s, 1500)) * 1000;
	push(s, &e);
	return true;
}

static void
abort_fo(struct sim *s, int i, const char *why)
{
	tr(s, "S%d %s", i, why);
	decide_failover_abort(&s->nd[i].m);
}

static void	step(struct sim *, int);

static void
check_election(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;
	int64_t now = local_ms(s, i);
	const char *leader;
	int ch = 0;

	if (decide_failover_master_back(m)) {
		abort_fo(s, i, "-failover-abort-master-back");
		m->failover_start_time = 0;
		return;
	}
	if (m->failover_state != FO_WAIT_START || now < m->failover_start_time)
		return;
	if (m->failover_votes_asked == 0) {
		m->failover_votes_asked = now;
		for (int k = 0; k < s->n - 1; k++)
			ask(s, i, k);
	}
	leader = decide_leader(&nd->st, m, m->failover_epoch, now, &ch);
	if (ch)
		persist(s, i);
	check_vote(s, i);
	if (leader == NULL || strcmp(leader, nd->st.myid) != 0) {
		if (decide_election_timed_out(&nd->st, m, now))
			abort_fo(s, i, "-failover-abort-not-elected");
		return;
	}
	if (m->failover_epoch >= MAXEPOCH) {
		fail(s, "epoch beyond the table");
		return;
	}
	if (s->elected[m->failover_epoch] != 0 && s->elected[m->failover_epoch] != i + 1)
		fail(s, "two leaders in epoch %" PRIu64 ": S%d and S%d", m->failover_epoch,
		    s->elected[m->failover_epoch] - 1, i);
	s->elected[m->failover_epoch] = i + 1;
	tr(s, "S%d +elected-leader epoch %" PRIu64, i, m->failover_epoch);
	if (crash_soon(s, i, "after the election"))
		return;
	decide_failover_state(m, FO_SELECT_SLAVE, now);
	step(s, i);
}

static bool
connected_all(const struct instance *ri)
{
	(void)ri;
	return true;
}

static void
step(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m, *rep;
	int64_t now = local_ms(s, i);
	struct instance *next[MAXS];
	size_t n;

	switch (m->failover_state) {
	case FO_WAIT_START:
		check_election(s, i);
		break;
	case FO_SELECT_SLAVE:
		rep = decide_select_replica(&nd->st, m, now, connected_all);
		if (rep == NULL) {
			if (now - m->failover_state_change_time < nd->st.ping_period) {
				for (size_t k = 0; k < m->nreplicas; k++)
					if (now - nd->last_info_sent[nd->rep_sid[k]] >= 50)
						info_to(s, i, nd->rep_sid[k]);
				break;
			}
			abort_fo(s, i, "-failover-abort-no-good-slave");
			break;
		}
		rep->flags |= INST_PROMOTED;
		m->promoted_slave = rep;
		tr(s, "S%d +selected-slave %d, epoch %" PRIu64, i, sid_of(nd, rep), m->failover_epoch);
		slaveof(s, i, sid_of(nd, rep), -1, m->failover_epoch);
		decide_failover_state(m, FO_WAIT_PROMOTION, now);
		break;
	case FO_WAIT_PROMOTION:
		if (now - m->failover_state_change_time > m->failover_timeout)
			abort_fo(s, i, "-failover-abort-slave-timeout");
		break;
	case FO_RECONF_SLAVES:
		n = decide_reconf_next(&nd->st, m, now, next, MAXS, connected_all);
		for (size_t k = 0; k < n; k++) {
			if (next[k]->flags & INST_RECONF_DONE)
				continue;
			slaveof(s, i, sid_of(nd, next[k]), sid_of(nd, m->promoted_slave), 0);
			next[k]->flags |= INST_RECONF_SENT;
			next[k]->slave_reconf_sent_time = now;
		}
		if (decide_reconf_all_done(m) || decide_reconf_timed_out(&nd->st, m, now)) {
			int sid = sid_of(nd, m->promoted_slave);

			m->failover_state = FO_NONE;
			m->flags &= ~(INST_FAILOVER_IN_PROGRESS | INST_FORCE_FAILOVER);
			m->promoted_slave = NULL;
			switch_master(s, i, sid, m->config_epoch, "failover-end");
			hello_all(s, i);
		}
		break;
	default:
		break;
	}
}

/* monitor.c monitor_process_hello(). */
static void
on_hello(struct sim *s, const struct msg *e)
{
	int i = e->to;
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;

	for (int k = 0; k < s->n - 1; k++)
		if (nd->peer_id[k] == e->from)
			nd->peerp[k]->last_hello_time = local_ms(s, i);
	if (e->epoch > nd->st.current_epoch) {
		nd->st.current_epoch = e->epoch;
		persist(s, i);
		if ((m->flags & INST_S_DOWN) && m->failover_state == FO_NONE)
			m->failover_start_time = local_ms(s, i);
	}
	if ((m->failover_state == FO_NONE || m->failover_state == FO_WAIT_START) &&
	    e->epoch2 > m->config_epoch) {
		if (m->failover_state == FO_WAIT_START)
			decide_failover_abort(m);
		if (e->sid != nd->master_sid)
			switch_master(s, i, e->sid, e->epoch2, "hello");
		else {
			m->config_epoch = e->epoch2;
			persist(s, i);
		}
	}
}

/* failover.c failover_vote() and the reply. */
static void
on_ask(struct sim *s, const struct msg *q)
{
	int i = q->to;
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;
	struct msg r = msg(M_ASK_REPLY, i, q->from);
	int64_t now = local_ms(s, i);

	r.gen = q->gen;
	snprintf(r.leader, sizeof r.leader, "*");
	/* About another address: this sentinel follows a different master; no answer counts. */
	if (q->sid != nd->master_sid) {
		send(s, &r);
		return;
	}
	if (q->flag && !nd->st.tilt) {
		const char *runid = s->nd[q->from].st.myid;

		if (m->failover_state > FO_WAIT_START) {
			/* Carrying out our own failover: the vote given stands. */
		} else {
			int ch = decide_vote(&nd->st, m, runid, q->epoch, now, 1000 + rnd(s, 1000));

			if (ch)
				persist(s, i);
			check_vote(s, i);
			if ((ch & DECIDE_VOTE_GRANTED) && strcmp(runid, nd->st.myid) != 0 &&
			    m->failover_state == FO_WAIT_START && m->failover_epoch <= q->epoch &&
			    !(m->flags & INST_FORCE_FAILOVER))
				abort_fo(s, i, "-failover-abort-not-elected (voted away)");
		}
		if (m->leader != NULL)
			snprintf(r.leader, sizeof r.leader, "%s", m->leader);
		r.epoch = m->leader_epoch;
	}
	r.flag = !nd->st.tilt && decide_is_master_down_reply(&nd->st, m, now);
	send(s, &r);
	if (q->flag)
		crash_soon(s, i, "after answering a vote request");
}

static void
on_ask_reply(struct sim *s, const struct msg *r)
{
	int i = r->to;
	struct snode *nd = &s->nd[i];
	struct instance *si = NULL;

	if (r->gen != nd->gen)
		return;
	for (int k = 0; k < s->n - 1; k++)
		if (nd->peer_id[k] == r->from)
			si = nd->peerp[k];
	if (r->flag)
		decide_peer_down_report(&nd->st, si, local_ms(s, i));
	si->last_master_down_reply_time = local_ms(s, i);
	if (r->flag)
		si->flags |= INST_MASTER_DOWN;
	else
		si->flags &= ~INST_MASTER_DOWN;
	if (strcmp(r->leader, "*") != 0) {
		free(si->leader);
		si->leader = xstrdup(r->leader);
		si->leader_epoch = r->epoch;
		check_election(s, i);
	}
}

/* INFO reply: the server's view of itself; failover.c failover_on_info() and the corrections. */
static void
on_info(struct sim *s, const struct msg *e)
{
	int i = e->to, sid = e->from - MAXN;
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m, *ri = inst_of(nd, sid);
	int64_t now = local_ms(s, i);
	enum role_reported role = e->flag ? ROLE_MASTER : ROLE_SLAVE;

	if (e->gen != nd->gen || ri == NULL)
		return;
	ri->info_refresh = now;
	if (ri->role_reported != role) {
		ri->role_reported = role;
		ri->role_reported_time = now;
	}
	if (role == ROLE_SLAVE) {
		char host[24];
		int port = port_of(e->sid);

		snprintf(host, sizeof host, "%s", s->srv[e->sid].ip);
		if (ri->slave_master_host == NULL || strcmp(ri->slave_master_host, host) != 0 ||
		    ri->slave_master_port != port) {
			free(ri->slave_master_host);
			ri->slave_master_host = xstrdup(host);
			ri->slave_master_port = port;
			ri->slave_conf_change_time = now;
		}
		ri->slave_master_link_ok = e->sid2;
		ri->master_link_down_since_ms = e->sid2 ? 0 : 1;
		ri->slave_repl_offset = e->offset;
	}
	if (nd->st.tilt)
		return;
	/* The corrections. */
	switch (decide_correction(&nd->st, ri, now)) {
	case CORRECT_CONVERT:
	case CORRECT_FIX:
		tr(s, "S%d corrects server %d: replica of %d", i, sid, nd->master_sid);
		slaveof(s, i, sid, nd->master_sid, 0);
		ri->slave_reconf_sent_time = now;
		break;
	default:
		break;
	}
	if (ri->type != INST_REPLICA)
		return;
	if (m->failover_state == FO_SELECT_SLAVE) {
		step(s, i);
	} else if (m->failover_state == FO_WAIT_PROMOTION && m->promoted_slave == ri &&
	    role == ROLE_MASTER) {
		m->config_epoch = m->failover_epoch;
		decide_failover_state(m, FO_RECONF_SLAVES, now);
		persist(s, i);
		tr(s, "S%d +promoted-slave %d", i, sid);
		if (crash_soon(s, i, "after the promotion"))
			return;
		hello_all(s, i);
		step(s, i);
	} else if (m->failover_state == FO_RECONF_SLAVES && m->promoted_slave != NULL &&
	    (ri->flags & (INST_RECONF_SENT | INST_RECONF_INPROG)) && role == ROLE_SLAVE &&
	    e->sid == sid_of(nd, m->promoted_slave)) {
		ri->flags &= ~INST_RECONF_SENT;
		ri->flags |= INST_RECONF_INPROG;
		if (ri->slave_master_link_ok) {
			ri->flags &= ~INST_RECONF_INPROG;
			ri->flags |= INST_RECONF_DONE;
		}
		step(s, i);
	}
}

/* A server's answer to INFO. */
static void
server_info(struct sim *s, const struct msg *q)
{
	int sid = q->to - MAXN;
	struct server *sv = &s->srv[sid];
	struct msg r = msg(M_INFO_REPLY, q->to, q->from);

	r.gen = q->gen;
	r.flag = sv->master;
	if (!sv->master) {
		struct server *up = &s->srv[sv->master_of];
		bool link = up->up && s->group[server_node(sv->master_of)] == s->group[q->to];

		r.sid = sv->master_of;
		r.sid2 = link;
		if (link)
			sv->offset = up->offset;
		r.offset = sv->offset;
	}
	send(s, &r);
}

static void
server_slaveof(struct sim *s, const struct msg *q)
{
	int sid = q->to - MAXN;
	struct server *sv = &s->srv[sid];

	if (q->sid < 0) {
		if (q->epoch >= MAXEPOCH) {
			fail(s, "promotion epoch beyond the table");
			return;
		}
		if (s->promoted[q->epoch] != 0 && s->promoted[q->epoch] != sid + 1)
			fail(s, "servers %d and %d promoted in epoch %" PRIu64,
			    s->promoted[q->epoch] - 1, sid, q->epoch);
		s->promoted[q->epoch] = sid + 1;
		tr(s, "server %d promoted (epoch %" PRIu64 ", by S%d)", sid, q->epoch, q->from);
		sv->master = true;
	} else if (q->sid != sid) {
		sv->master = false;
		sv->master_of = q->sid;
	}
	/* The transaction's reply makes the sender look at once (promote_reply). */
	if (q->from < s->n && s->nd[q->from].up && s->nd[q->from].gen == q->gen)
		info_to(s, q->from, sid);
}

/* monitor.c tick() for the one master. */
static void
on_tick(struct sim *s, int i)
{
	struct snode *nd = &s->nd[i];
	struct instance *m = &nd->m;
	int64_t now = local_ms(s, i);
	struct msg e;

	decide_tilt(&nd->st, now);
	/* PING the servers and the peers. */
	for (int sid = 0; sid < s->s; sid++) {
		struct instance *ri = inst_of(nd, sid);

		if (ri != NULL && decide_ping_due(&nd->st, ri, now)) {
			decide_ping_sent(ri, now);
			e = msg(M_PING, i, server_node(sid));
			e.gen = nd->gen;
			send(s, &e);
		}
		if (ri != NULL && decide_info_due(&nd->st, ri, now, nd->last_info_sent[sid]))
			info_to(s, i, sid);
	}
	for (int k = 0; k < s->n - 1; k++) {
		if (decide_ping_due(&nd->st, nd->peerp[k], now)) {
			decide_ping_sent(nd->peerp[k], now);
			e = msg(M_PING, i, nd->peer_id[k]);
			e.gen = nd->gen;
			send(s, &e);
		}
	}
	if (decide_hello_due(&nd->st, m, now, nd->last_hello))
		hello_all(s, i);
	if (!nd->st.tilt) {
		decide_sdown(&nd->st, m, now, true);
		for (size_t k = 0; k < m->nreplicas; k++)
			decide_sdown(&nd->st, m->replicas[k], now, true);
		for (int k = 0; k < s->n - 1; k++)
			decide_sdown(&nd->st, nd->peerp[k], now, true);
		decide_expire_master_down(&nd->st, m, now);
		decide_odown(&nd->st, m, now, NULL);
		if (m->flags & INST_S_DOWN)
			for (int k = 0; k < s->n - 1; k++)
				if (decide_ask_due(&nd->st, m, nd->peerp[k], now, nd->last_ask_sent[k]))
					ask(s, i, k);
		if (m->failover_state == FO_NONE) {
			if (!((m->flags & INST_O_DOWN) && now < decide_election_start(&nd->st, m, now)) &&
			    decide_failover_start(&nd->st, m, now, 0, NULL)) {
				m->failover_votes_asked = 0;
				persist(s, i);
				if (m->failover_epoch < MAXEPOCH)
					s->started[m->failover_epoch] = true;
				tr(s, "S%d +try-failover epoch %" PRIu64, i, m->failover_epoch);
				check_election(s, i);
			}
		} else {
			if (m->failover_state == FO_WAIT_PROMOTION && m->promoted_slave != NULL) {
				int p = sid_of(nd, m->promoted_slave);

				if (p < 0)
					fail(s, "model error: S%d promotes a replica it no longer lists", i);
				else if (now - nd->last_info_sent[p] >= 50)
					info_to(s, i, p);
			}
			if (m->failover_state == FO_RECONF_SLAVES)
				for (size_t k = 0; k < m->nreplicas; k++)
					if ((m->replicas[k]->flags & (INST_RECONF_SENT | INST_RECONF_INPROG)) &&
					    now - nd->last_info_sent[nd->rep_sid[k]] >= 50)
						info_to(s, i, nd->rep_sid[k]);
			step(s, i);
		}
	}
	e = msg(M_TICK, i, i);
	e.gen = nd->gen;
	e.t = s->now + TICK_MS * 1000;
	push(s, &e);
}

static void
deliver(struct sim *s, const struct msg *e)
{
	if (s->group[e->from] != s->group[e->to])
		return;		/* cut while in flight */
	if (e->to >= MAXN) {
		struct server *sv = &s->srv[e->to - MAXN];
		struct msg r;

		if (!sv->up)
			return;
		switch (e->type) {
		case M_PING:
			r = msg(M_PONG, e->to, e->from);
			r.gen = e->gen;
			send(s, &r);
			break;
		case M_INFO:
			server_info(s, e);
			break;
		case M_SLAVEOF:
			server_slaveof(s, e);
			break;
		default:
			break;
		}
		return;
	}
	if (!s->nd[e->to].up)
		return;
	switch (e->type) {
	case M_PING: {
		struct msg r = msg(M_PONG, e->to, e->from);

		r.gen = e->gen;
		send(s, &r);
		break;
	}
	case M_PONG: {
		struct snode *nd = &s->nd[e->to];
		struct instance *ri = NULL;

		if (e->gen != nd->gen)
			break;
		if (e->from >= MAXN)
			ri = inst_of(nd, e->from - MAXN);
		else
			for (int k = 0; k < s->n - 1; k++)
				if (nd->peer_id[k] == e->from)
					ri = nd->peerp[k];
		if (ri != NULL)
			decide_ping_reply(ri, "+PONG", local_ms(s, e->to));
		break;
	}
	case M_INFO_REPLY:
		on_info(s, e);
		break;
	case M_HELLO:
		on_hello(s, e);
		break;
	case M_ASK:
		on_ask(s, e);
		break;
	case M_ASK_REPLY:
		on_ask_reply(s, e);
		break;
	default:
		break;
	}
}

/* --- faults ------------------------------------------------------------------ */

static int
current_master(const struct sim *s)
{
	int votes[MAXS] = { 0 }, best = 0;

	for (int i = 0; i < s->n; i++)
		votes[s->nd[i].master_sid]++;
	for (int sid = 1; sid < s->s; sid++)
		if (votes[sid] > votes[best])
			best = sid;
	return best;
}

static void
fault(struct sim *s)
{
	int what = (int)rnd(s, 100), i;
	struct msg e;

	if (what < 25) {
		/* Kill the master most sentinels name, or bring a server back. */
		int sid = current_master(s);

		if (s->srv[sid].up) {
			s->srv[sid].up = false;
			if (s->killed_at == 0) {
				s->killed_at = true_ms(s);
				s->first_master = sid;
			}
			tr(s, "server %d killed", sid);
		} else {
			s->srv[sid].up = true;
			tr(s, "server %d back", sid);
		}
		for (sid = 0; sid < s->s; sid++)
			if (!s->srv[sid].up && chance(s, 0.3)) {
				s->srv[sid].up = true;
				tr(s, "server %d back", sid);
			}
	} else if (what < 50) {
		/* A partition: a random group of nodes cut off from the rest. */
		int g = 1 + (int)rnd(s, 3);

		for (i = 0; i < NODES; i++)
			s->group[i] = chance(s, 0.35) ? g : 0;
		tr(s, "partition");
	} else if (what < 65) {
		memset(s->group, 0, sizeof s->group);
		tr(s, "heal");
	} else if (what < 85) {
		/* A sentinel crashes, or one comes back from its disk. */
		i = (int)rnd(s, s->n);
		if (s->nd[i].up) {
			s->nd[i].up = false;
			tr(s, "S%d crashes", i);
		} else {
			node_boot(s, i);
			tr(s, "S%d restarts (epoch %" PRIu64 ", master %d)", i,
			    s->nd[i].st.current_epoch, s->nd[i].master_sid);
			e = msg(M_TICK, i, i);
			e.gen = s->nd[i].gen;
			e.t = s->now + 1000;
			push(s, &e);
		}
	} else {
		/* A stall: the monotonic clock jumps ahead between two ticks (TILT). */
		i = (int)rnd(s, s->n);
		s->nd[i].clock_off += 2500 + rnd(s, 10000);
		tr(s, "S%d clock jumps", i);
	}
	e = msg(M_FAULT, 0, 0);
	e.t = s->now + (500 + rnd(s, 4000)) * 1000;
	if (e.t < (int64_t)STORM_MS * 1000)
		push(s, &e);
}

/* Everything healed and up: faults are over. */
static void
calm(struct sim *s)
{
	memset(s->group, 0, sizeof s->group);
	for (int sid = 0; sid < s->s; sid++)
		s->srv[sid].up = true;
	for (int i = 0; i < s->n; i++) {
		if (!s->nd[i].up) {
			struct msg e;

			node_boot(s, i);
			tr(s, "S%d restarts (epoch %" PRIu64 ", master %d, config epoch %" PRIu64 ")", i,
			    s->nd[i].st.current_epoch, s->nd[i].master_sid, s->nd[i].m.config_epoch);
			e = msg(M_TICK, i, i);
			e.gen = s->nd[i].gen;
			e.t = s->now + 1000;
			push(s, &e);
		}
	}
	tr(s, "calm: all healed and up");
}

/* One master everyone names, up and a master, followed by the other servers. */
static bool
converged(const struct sim *s)
{
	int sid = s->nd[0].master_sid;

	for (int i = 1; i < s->n; i++)
		if (s->nd[i].master_sid != sid)
			return false;
	if (!s->srv[sid].master)
		return false;
	for (int r = 0; r < s->s; r++)
		if (r != sid && (s->srv[r].master || s->srv[r].master_of != sid))
			return false;
	return true;
}

/* --- a run ------------------------------------------------------------------- */

/* What the sentinels' models allocated (votes, replicas' masters). */
static void
free_models(struct sim *s)
{
	for (int i = 0; i < MAXN; i++) {
		clear_inst(&s->nd[i].m);
		for (int k = 0; k < MAXS; k++)
			clear_inst(&s->nd[i].rep[k]);
		for (int k = 0; k < MAXN; k++)
			clear_inst(&s->nd[i].peer[k]);
	}
}

static void
run(struct sim *s, uint64_t seed)
{
	struct msg e;
	bool calmed = false;
	int64_t end = (int64_t)(STORM_MS + CALM_MS) * 1000, agree_check = 0;

	free_models(s);
	memset(s->nd, 0, sizeof s->nd);
	memset(s->srv, 0, sizeof s->srv);
	memset(s->group, 0, sizeof s->group);
	memset(s->fifo, 0, sizeof s->fifo);
	memset(s->elected, 0, sizeof s->elected);
	memset(s->started, 0, sizeof s->started);
	memset(s->promoted, 0, sizeof s->promoted);
	memset(s->config, 0, sizeof s->config);
	memset(s->vote, 0, sizeof s->vote);
	s->failed = false;
	s->why[0] = '\0';
	s->nheap = 0;
	s->now = 0;
	s->seed = seed;
	s->rng = seed;
	s->killed_at = s->agreed_at = 0;
	s->epochs_started = s->elections_won = 0;
	s->n = chance(s, 0.5) ? 3 : 5;
	s->s = 2 + (int)rnd(s, MAXS - 1);
	s->quorum = (unsigned)(s->n / 2 + 1 - (int)rnd(s, 2));
	s->loss = chance(s, 0.5) ? 0 : 0.001 * (double)rnd(s, 30);
	for (int sid = 0; sid < s->s; sid++) {
		s->srv[sid].up = true;
		s->srv[sid].master = sid == 0;
		s->srv[sid].master_of = 0;
		snprintf(s->srv[sid].ip, sizeof s->srv[sid].ip, "127.0.0.%d", sid + 1);
	}
	for (int i = 0; i < s->n; i++) {
		static const char hex[] = "0123456789abcdef";

		for (int k = 0; k < RUNID_LEN; k++)
			s->nd[i].st.myid[k] = hex[rnd(s, 16)];
		s->nd[i].disk.master_sid = 0;
	}
	for (int i = 0; i < s->n; i++) {
		node_boot(s, i);
		e = msg(M_TICK, i, i);
		e.gen = s->nd[i].gen;
		e.t = (int64_t)rnd(s, TICK_MS) * 1000;
		push(s, &e);
	}
	e = msg(M_FAULT, 0, 0);
	e.t = (1000 + rnd(s, 3000)) * 1000;
	push(s, &e);
	e = msg(M_CALM, 0, 0);
	e.t = (int64_t)STORM_MS * 1000;
	push(s, &e);
	while (s->nheap > 0 && !s->failed) {
		e = pop(s);
		if (e.t > end)
			break;
		s->now = e.t;
		/* Master ticks: the server's offset grows while it is a master. */
		for (int sid = 0; sid < s->s; sid++)
			if (s->srv[sid].up && s->srv[sid].master)
				s->srv[sid].offset = true_ms(s);
		if (e.type == M_TICK) {
			if (s->nd[e.from].up && s->nd[e.from].gen == e.gen)
				on_tick(s, e.from);
		} else if (e.type == M_FAULT) {
			fault(s);
		} else if (e.type == M_RESTART) {
			if (!s->nd[e.to].up) {
				node_boot(s, e.to);
				tr(s, "S%d restarts (epoch %" PRIu64 ", master %d)", e.to,
				    s->nd[e.to].st.current_epoch, s->nd[e.to].master_sid);
				e = msg(M_TICK, e.to, e.to);
				e.gen = s->nd[e.to].gen;
				e.t = s->now + TICK_MS * 1000;
				push(s, &e);
			}
		} else if (e.type == M_CALM) {
			calm(s);
			calmed = true;
		} else {
			deliver(s, &e);
		}
		if (s->killed_at != 0 && s->agreed_at == 0 && s->now > agree_check) {
			bool all = true;

			agree_check = s->now + 1000 * TICK_MS;
			for (int i = 0; i < s->n; i++)
				if (s->nd[i].master_sid == s->first_master)
					all = false;
			if (all)
				s->agreed_at = true_ms(s);
		}
		if (calmed && converged(s) && s->now > (int64_t)(STORM_MS + 15000) * 1000)
			break;
	}
	if (!s->failed && !converged(s)) {
		char names[64] = "";

		for (int i = 0; i < s->n; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), " %d",
			    s->nd[i].master_sid);
		fail(s, "no agreement %d s after the faults ended (the sentinels name%s)",
		    CALM_MS / 1000, names);
	}
	for (int e2 = 1; e2 < MAXEPOCH; e2++) {
		if (s->started[e2])
			s->epochs_started++;
		if (s->started[e2] && s->elected[e2])
			s->elections_won++;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
replay_hint(uint64_t seed)
{
	fprintf(stderr, "replay: tests/sim/cluster_sim --replay %" PRIu64 " --trace\n", seed);
}

int
main(int argc, char **argv)
{
	struct cfg c = { .runs = 2000, .seed = 1, .check = false, .trace = false };
	struct sim s;
	bool replay = false;
	int failed = 0, converged_n = 0;
	double *times;
	int ntimes = 0;
	long long epochs = 0, won = 0;

#ifndef CLUSTER_SIM_BENCH
	c.check = true;
#endif
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--check") == 0)
			c.check = true;
		else if (strcmp(argv[a], "--trace") == 0)
			c.trace = true;
		else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
			c.runs = atoi(argv[++a]);
		else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc)
			c.seed = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--replay") == 0 && a + 1 < argc) {
			c.seed = strtoull(argv[++a], NULL, 10);
			c.runs = 1;
			replay = true;
		} else {
			fprintf(stderr, "usage: cluster_sim [--check] [-n runs] [-s seed] "
			    "[--replay seed] [--trace]\n");
			return 2;
		}
	}
	memset(&s, 0, sizeof s);
	s.cfg = &c;
	times = xcalloc((size_t)c.runs, sizeof *times);
	if (c.check)
		printf("1..%d\n", c.runs);
	for (int r = 0; r < c.runs; r++) {
		uint64_t seed = replay ? c.seed : c.seed * 1000003ULL + (uint64_t)r;

		run(&s, seed);
		epochs += s.epochs_started;
		won += s.elections_won;
		if (!s.failed)
			converged_n++;
		if (s.killed_at != 0 && s.agreed_at != 0)
			times[ntimes++] = (double)(s.agreed_at - s.killed_at);
		if (s.failed) {
			failed++;
			fprintf(stderr, "cluster_sim: seed %" PRIu64 " (%d sentinels, %d servers, "
			    "quorum %u): %s\n", seed, s.n, s.s, s.quorum, s.why);
			replay_hint(seed);
		}
		if (c.check)
			printf("%s %d - seed %" PRIu64 "%s%s\n", s.failed ? "not ok" : "ok", r + 1, seed,
			    s.failed ? ": " : "", s.failed ? s.why : "");
	}
	if (!c.check || replay) {
		printf("%d runs (seeds from %" PRIu64 "): %d broke an invariant or did not converge\n",
		    c.runs, c.seed, failed);
		printf("epochs in which a failover started: %lld; with no leader elected: %lld "
		    "(%.2f %%: split votes, and elections cut by the faults)\n", epochs, epochs - won,
		    epochs ? 100.0 * (double)(epochs - won) / (double)epochs : 0.0);
		if (ntimes > 0) {
			qsort(times, (size_t)ntimes, sizeof *times, cmp_double);
			printf("first kill of the master to every sentinel naming another one, "
			    "under the run's faults (ms), %d runs:\n", ntimes);
			printf("  min %.0f  p10 %.0f  median %.0f  p90 %.0f  p99 %.0f  max %.0f\n",
			    times[0], times[ntimes / 10], times[ntimes / 2], times[ntimes * 9 / 10],
			    times[ntimes * 99 / 100], times[ntimes - 1]);
		}
	}
	free(times);
	free_models(&s);
	free(s.heap);
	return failed == 0 ? 0 : 1;
}
