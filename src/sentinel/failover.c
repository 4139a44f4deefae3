/*
 * failover.c - the failover, step by step, driven by replies.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hiredis/hiredis.h>

#include "decide.h"
#include "emit.h"
#include "failover.h"
#include "history.h"
#include "info.h"
#include "instance.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "script.h"
#include "util.h"

/* INFO is polled this often from instances we wait on (promotion, reconfiguration). */
#define FAST_INFO_MS	50
/*
 * Election desync: sentinels that see ODOWN together wait rank x
 * decide_election_slot() before asking for votes, the rank being their
 * place among the master's sentinels (decide_election_rank()). The first
 * asks at once and wins; the others have voted for it before their turn
 * comes.
 */
/* A planned failover pauses writes on the old master at most this long (and never past failover-timeout). */
#define COORD_PAUSE_MS	5000

/* What a transaction reply is about, looked up again when it arrives. */
struct fo_req {
	char	*master;
	char	*ip;
	int	 port;
};

static uint64_t jitter_seed;

/* A little randomness for the election desync and vote back-off. */
static int64_t
jitter(int64_t max)
{
	if (jitter_seed == 0)
		util_random_bytes(&jitter_seed, sizeof jitter_seed);
	jitter_seed ^= jitter_seed << 13;
	jitter_seed ^= jitter_seed >> 7;
	jitter_seed ^= jitter_seed << 17;
	return max > 0 ? (int64_t)(jitter_seed % (uint64_t)max) : 0;
}

static struct fo_req *
req_new(const struct instance *m, const struct instance *r)
{
	struct fo_req *q = xcalloc(1, sizeof *q);

	q->master = xstrdup(m->name);
	q->ip = xstrdup(r->ip);
	q->port = r->port;
	return q;
}

static void
req_free(struct fo_req *q)
{
	free(q->master);
	free(q->ip);
	free(q);
}

/* The master and replica a reply is about, if both still exist. */
static struct instance *
req_lookup(const struct fo_req *q, struct instance **mp)
{
	struct instance *m = instance_master_find(q->master);

	*mp = m;
	return m ? instance_replica_find(m, q->ip, q->port) : NULL;
}

static void
abort_failover(struct instance *m, const char *event)
{
	emit_event(LOG_WARNING, event, m, "%s", "");
	/* A planned failover that stops lets the old master's clients go on. */
	if (m->coord_state == 1)
		monitor_command(m, NULL, NULL, "CLIENT", "UNPAUSE", NULL);
	m->coord_state = 0;
	decide_failover_abort(m);
}

/* --- election ------------------------------------------------------------------ */

void
failover_vote(struct instance *m, const char *runid, uint64_t epoch, const char **leader,
    uint64_t *leader_epoch)
{
	int ch;
	bool gave_away;

	/*
	 * Past our own election we are carrying a failover out: a vote for a
	 * later epoch could only start a second, competing one. Answer with
	 * the vote we gave.
	 */
	if (m->failover_state > FO_WAIT_START) {
		*leader = m->leader ? m->leader : "*";
		*leader_epoch = m->leader_epoch;
		return;
	}
	ch = decide_vote(&sentinel, m, runid, epoch, loop_now_ms(), 1000 + jitter(1000));
	gave_away = (ch & DECIDE_VOTE_GRANTED) && strcmp(runid, sentinel.myid) != 0;

	/* Epochs and votes reach the disk before anyone hears of them. */
	if (ch & (DECIDE_EPOCH_ADOPTED | DECIDE_VOTE_GRANTED))
		monitor_config_sync();
	if (ch & DECIDE_EPOCH_ADOPTED)
		emit_event(LOG_WARNING, "+new-epoch", NULL, "%llu",
		    (unsigned long long)sentinel.current_epoch);
	if (ch & DECIDE_VOTE_GRANTED)
		emit_event(LOG_WARNING, "+vote-for-leader", NULL, "%s %llu", m->leader,
		    (unsigned long long)m->leader_epoch);
	*leader = m->leader ? m->leader : "*";
	*leader_epoch = m->leader_epoch;
	/*
	 * We gave our vote in the epoch of our own attempt to someone else: we
	 * cannot be elected, so step aside now and follow the winner's hellos.
	 */
	if (gave_away && m->failover_state == FO_WAIT_START && m->failover_epoch <= epoch &&
	    !(m->flags & INST_FORCE_FAILOVER))
		abort_failover(m, "-failover-abort-not-elected");
}

static void	step(struct instance *m, int64_t now);

/* Are we the leader of this failover yet? */
static void
check_election(struct instance *m, int64_t now)
{
	const char *leader;
	int ch = 0;

	if (decide_failover_master_back(m)) {
		abort_failover(m, "-failover-abort-master-back");
		/* Not a failed attempt: should it go down again, no 2 x failover-timeout wait. */
		m->failover_start_time = 0;
		return;
	}
	if (m->failover_state != FO_WAIT_START || now < m->failover_start_time)
		return;
	if (m->failover_votes_asked == 0) {
		/* Our turn: ask everyone at once; the replies drive the rest. */
		m->failover_votes_asked = now;
		monitor_ask_now(m);
	}
	leader = decide_leader(&sentinel, m, m->failover_epoch, now, &ch);
	if (ch & (DECIDE_EPOCH_ADOPTED | DECIDE_VOTE_GRANTED))
		monitor_config_sync();
	if (ch & DECIDE_VOTE_GRANTED)
		emit_event(LOG_WARNING, "+vote-for-leader", NULL, "%s %llu", m->leader,
		    (unsigned long long)m->leader_epoch);
	if ((leader == NULL || strcmp(leader, sentinel.myid) != 0) &&
	    !(m->flags & INST_FORCE_FAILOVER)) {
		if (decide_election_timed_out(&sentinel, m, now))
			abort_failover(m, "-failover-abort-not-elected");
		return;
	}
	emit_event(LOG_WARNING, "+elected-leader", m, "%s", "");
	if (sentinel.simfailure_flags & 1) {
		/*
		 * After the election, as its step saved it (monitor_config_sync()),
		 * and with the history of the failover so far (SENTINEL HISTORY
		 * then shows it interrupted after its restart).
		 */
		monitor_flush_pending();
		history_flush();
		log_warning("Simulated failure after election: exiting");
		exit(99);
	}
	decide_failover_state(m, FO_SELECT_SLAVE, now);
	emit_event(LOG_WARNING, "+failover-state-select-slave", m, "%s", "");
	step(m, now);
}

void
failover_on_vote(struct instance *m)
{
	check_election(m, loop_now_ms());
}

/* --- promotion -------------------------------------------------------------------- */

static void
promote_reply(struct link *l, redisReply *r, void *privdata)
{
	struct fo_req *q = privdata;
	struct instance *m, *rep = req_lookup(q, &m);

	UNUSED(l);
	/* The transaction ran (or the link went): look at its role at once. */
	if (r != NULL && rep != NULL && m->promoted_slave == rep)
		monitor_info_now(rep);
	req_free(q);
}

/* MULTI, SLAVEOF, CONFIG REWRITE, CLIENT KILL..., EXEC: one step for the server. */
static int
send_slaveof(struct instance *m, struct instance *rep, const char *host, int port, bool kill_pubsub,
    link_reply_fn done)
{
	char portstr[16];
	int rc = 0;

	snprintf(portstr, sizeof portstr, "%d", port);
	rc |= monitor_command(rep, NULL, NULL, "MULTI", NULL);
	if (host == NULL)
		rc |= monitor_command(rep, NULL, NULL, "SLAVEOF", "NO", "ONE", NULL);
	else
		rc |= monitor_command(rep, NULL, NULL, "SLAVEOF", host, portstr, NULL);
	rc |= monitor_command(rep, NULL, NULL, "CONFIG", "REWRITE", NULL);
	rc |= monitor_command(rep, NULL, NULL, "CLIENT", "KILL", "TYPE", "normal", NULL);
	if (kill_pubsub)
		rc |= monitor_command(rep, NULL, NULL, "CLIENT", "KILL", "TYPE", "pubsub", NULL);
	rc |= monitor_command(rep, done, done ? req_new(m, rep) : NULL, "EXEC", NULL);
	return rc;
}

static void	step(struct instance *m, int64_t now);

/* The paused master's offset arrived. */
static void
coord_offset_reply(struct link *l, redisReply *r, void *privdata)
{
	char *name = privdata, off[32];
	struct instance *m = instance_master_find(name);

	UNUSED(l);
	if (r != NULL && m != NULL && m->coord_state == 1 && r->type == REDIS_REPLY_STRING &&
	    info_field(r->str, r->len, "master_repl_offset", off, sizeof off)) {
		m->coord_offset = strtoll(off, NULL, 10);
		step(m, loop_now_ms());
	}
	free(name);
}

/*
 * How long the old master's writes are held during a planned failover: at
 * most COORD_PAUSE_MS and failover-timeout, and half of down-after. The
 * other sentinels do not know about the pause: their hellos (PUBLISH) to the
 * master are held too, and the PINGs behind them on the same link; a pause
 * as long as down-after would have them see the master down.
 */
static long long
coord_pause_ms(const struct instance *m)
{
	long long ms = COORD_PAUSE_MS;

	if (m->failover_timeout < ms)
		ms = m->failover_timeout;
	if (decide_down_after(&sentinel, m) / 2 < ms)
		ms = decide_down_after(&sentinel, m) / 2;
	return ms > 0 ? ms : 1;
}

/*
 * A planned failover (SENTINEL FAILOVER with the master up) loses no write:
 * writes on the old master are held (CLIENT PAUSE WRITE), the chosen replica
 * catches up with the master's offset, then it is promoted and the old master
 * demoted at once. Returns true while we still wait.
 */
static bool
coordinate(struct instance *m, struct instance *rep, int64_t now)
{
	char ms[32];

	if (m->coord_state == 2)
		return false;
	if (m->coord_state == 0) {
		if (!(m->flags & INST_FORCE_FAILOVER) || (m->flags & INST_S_DOWN) ||
		    !monitor_link_connected(m))
			return false;
		snprintf(ms, sizeof ms, "%lld", coord_pause_ms(m));
		if (monitor_command(m, NULL, NULL, "CLIENT", "PAUSE", ms, "WRITE", NULL) != 0)
			return false;
		m->coord_state = 1;
		m->coord_offset = -1;
		m->coord_start = now;
		/*
		 * The offset to reach: asked on the same link right after the
		 * pause, so the answer counts every write the master took.
		 */
		monitor_command(m, coord_offset_reply, xstrdup(m->name), "INFO", "replication", NULL);
		log_notice("Planned failover of %s: writes paused on the old master", m->name);
		return true;
	}
	if (m->coord_offset >= 0 && rep->slave_repl_offset >= m->coord_offset) {
		log_notice("Planned failover of %s: replica %s caught up at offset %lld",
		    m->name, rep->name, m->coord_offset);
		m->coord_state = 2;
		return false;
	}
	/*
	 * A replica that lags is not promoted in a planned failover: what it
	 * lacks would be lost. Give up before the pause ends: the old master
	 * stays, its writes go on, nothing is lost.
	 */
	if (now - m->coord_start > coord_pause_ms(m) * 3 / 4) {
		log_warning("Planned failover of %s: replica %s did not catch up in time (offset %lld "
		    "of %lld); the old master stays", m->name, rep->name, rep->slave_repl_offset,
		    m->coord_offset);
		abort_failover(m, "-failover-abort-slave-timeout");
		return true;
	}
	monitor_info_every(rep, 10);
	return true;
}

/* After a planned promotion: the old master follows the new one at once, then its clients go on. */
static void
demote_old_master(struct instance *m, struct instance *rep)
{
	char port[16];

	int rc = 0;

	snprintf(port, sizeof port, "%d", rep->port);
	rc |= monitor_command(m, NULL, NULL, "MULTI", NULL);
	rc |= monitor_command(m, NULL, NULL, "SLAVEOF", rep->ip, port, NULL);
	rc |= monitor_command(m, NULL, NULL, "CONFIG", "REWRITE", NULL);
	rc |= monitor_command(m, NULL, NULL, "CLIENT", "KILL", "TYPE", "normal", NULL);
	rc |= monitor_command(m, NULL, NULL, "EXEC", NULL);
	/* Held writes now get -READONLY instead of landing on a master nobody follows. */
	rc |= monitor_command(m, NULL, NULL, "CLIENT", "UNPAUSE", NULL);
	if (rc != 0)
		log_warning("Planned failover of %s: could not send the demotion to the old master "
		    "(link %s, %d pending)", m->name, monitor_link_connected(m) ? "up" : "down",
		    monitor_link_pending(m));
	emit_event(LOG_NOTICE, "+convert-to-slave", m, "%s", "");
}

static void
promote(struct instance *m, int64_t now)
{
	struct instance *rep = m->promoted_slave;

	if (coordinate(m, rep, now))
		return;

	if (!monitor_link_connected(rep)) {
		if (now - m->failover_state_change_time > m->failover_timeout)
			abort_failover(m, "-failover-abort-slave-timeout");
		return;
	}
	if (send_slaveof(m, rep, NULL, 0, true, promote_reply) != 0)
		return;
	decide_failover_state(m, FO_WAIT_PROMOTION, now);
	emit_event(LOG_NOTICE, "+failover-state-wait-promotion", rep, "%s", "");
}

/* The promoted replica says role:master: the new configuration exists. */
static void
promoted(struct instance *m, int64_t now)
{
	struct instance *rep = m->promoted_slave;
	const char *oldip = m->ip;

	/*
	 * The new config epoch goes to disk with the promoted replica's address
	 * (the state says which address is current): saved with the old one, a
	 * restart would pair the old master with the new epoch, and the peers'
	 * hellos, no newer, would never correct it (found by tests/sim/cluster_sim).
	 */
	m->config_epoch = m->failover_epoch;
	decide_failover_state(m, FO_RECONF_SLAVES, now);
	monitor_config_sync();
	emit_event(LOG_WARNING, "+promoted-slave", rep, "%s", "");
	if (sentinel.simfailure_flags & 2) {
		monitor_flush_pending();
		history_flush();
		log_warning("Simulated failure after promotion: exiting");
		exit(99);
	}
	if (m->coord_state != 0)
		demote_old_master(m, rep);
	m->coord_state = 0;
	emit_event(LOG_WARNING, "+failover-state-reconf-slaves", m, "%s", "");
	if (m->client_reconfig_script) {
		char from_port[16], to_port[16];

		snprintf(from_port, sizeof from_port, "%d", m->port);
		snprintf(to_port, sizeof to_port, "%d", rep->port);
		script_queue(m->client_reconfig_script, m->name, "leader", "start",
		    oldip, from_port, rep->ip, to_port, NULL);
	}
	/* Peers learn the new configuration now, not at the next hello period. */
	monitor_send_hellos(m);
	step(m, now);
}

/* --- reconfiguration of the other replicas ---------------------------------------- */

static void
reconf_reply(struct link *l, redisReply *r, void *privdata)
{
	struct fo_req *q = privdata;
	struct instance *m, *rep = req_lookup(q, &m);

	UNUSED(l);
	if (r != NULL && rep != NULL)
		monitor_info_now(rep);
	req_free(q);
}

static void
reconf_slaves(struct instance *m, int64_t now)
{
	struct instance *next[16];
	struct instance *p = m->promoted_slave;
	size_t n;

	n = decide_reconf_next(&sentinel, m, now, next, ARRAY_SIZE(next), monitor_link_connected);
	for (size_t i = 0; i < n; i++) {
		/* decide_reconf_next counts a replica that never confirmed in time as done. */
		if (next[i]->flags & INST_RECONF_DONE) {
			emit_event(LOG_NOTICE, "-slave-reconf-sent-timeout", next[i], "%s", "");
			continue;
		}
		if (send_slaveof(m, next[i], p->ip, p->port, false, reconf_reply) != 0)
			continue;
		next[i]->flags |= INST_RECONF_SENT;
		next[i]->slave_reconf_sent_time = now;
		emit_event(LOG_NOTICE, "+slave-reconf-sent", next[i], "%s", "");
	}
	if (decide_reconf_all_done(m) || decide_reconf_timed_out(&sentinel, m, now)) {
		if (!decide_reconf_all_done(m)) {
			emit_event(LOG_WARNING, "+failover-end-for-timeout", m, "%s", "");
			/* Best effort for the rest: they will follow sooner or later. */
			for (size_t k = 0; k < m->nreplicas; k++) {
				struct instance *r = m->replicas[k];

				if (r == p || (r->flags & (INST_RECONF_DONE | INST_RECONF_SENT)))
					continue;
				if (send_slaveof(m, r, p->ip, p->port, false, NULL) == 0)
					emit_event(LOG_NOTICE, "+slave-reconf-sent-be", r, "%s", "");
			}
		}
		emit_event(LOG_WARNING, "+failover-end", m, "%s", "");
		decide_failover_state(m, FO_UPDATE_CONFIG, now);
		step(m, now);
	}
}

/* The end: everyone follows the promoted replica, and so does our configuration. */
static void
update_config(struct instance *m)
{
	struct instance *p = m->promoted_slave;
	char *oldip = xstrdup(m->ip ? m->ip : "?"), *newip = xstrdup(p->ip);
	int oldport = m->port, newport = p->port;

	emit_event(LOG_WARNING, "+switch-master", NULL, "%s %s %d %s %d", m->name, oldip, oldport,
	    newip, newport);
	history_switch(m, oldip, oldport, newip, newport, util_wall_ms(), true);
	m->failover_state = FO_NONE;
	m->flags &= ~(INST_FAILOVER_IN_PROGRESS | INST_FORCE_FAILOVER);
	m->promoted_slave = NULL;
	monitor_switch_master(m, newip, newport);
	monitor_config_sync();
	monitor_send_hellos(m);
	free(oldip);
	free(newip);
}

/* Run every step that can run now. */
static void
step(struct instance *m, int64_t now)
{
	switch (m->failover_state) {
	case FO_WAIT_START:
		check_election(m, now);
		break;
	case FO_SELECT_SLAVE: {
		struct instance *rep;
		bool waiting = false;

		if (m->failover_target_ip != NULL) {
			/* The operator chose it: it only has to be reachable. */
			rep = instance_replica_find(m, m->failover_target_ip, m->failover_target_port);
			if (rep != NULL && !monitor_link_connected(rep))
				rep = NULL;
			free(m->failover_target_ip);
			m->failover_target_ip = NULL;
		} else {
			rep = decide_select_replica(&sentinel, m, now, monitor_link_connected);
			/*
			 * The replicas' INFO may be older than the selection accepts
			 * (it comes every 10 s while the master is fine): ask them now
			 * and choose when the answers arrive, within a ping period.
			 */
			if (rep == NULL && now - m->failover_state_change_time < sentinel.ping_period) {
				for (size_t k = 0; k < m->nreplicas; k++)
					monitor_info_every(m->replicas[k], FAST_INFO_MS);
				waiting = m->nreplicas > 0;
			}
		}
		if (rep == NULL && waiting)
			break;

		if (rep == NULL) {
			abort_failover(m, "-failover-abort-no-good-slave");
			break;
		}
		emit_event(LOG_WARNING, "+selected-slave", rep, "%s", "");
		rep->flags |= INST_PROMOTED;
		m->promoted_slave = rep;
		decide_failover_state(m, FO_SEND_SLAVEOF_NOONE, now);
		emit_event(LOG_NOTICE, "+failover-state-send-slaveof-noone", rep, "%s", "");
		promote(m, now);
		break;
	}
	case FO_SEND_SLAVEOF_NOONE:
		promote(m, now);
		break;
	case FO_WAIT_PROMOTION:
		if (now - m->failover_state_change_time > m->failover_timeout)
			abort_failover(m, "-failover-abort-slave-timeout");
		break;
	case FO_RECONF_SLAVES:
		reconf_slaves(m, now);
		break;
	case FO_UPDATE_CONFIG:
		update_config(m);
		break;
	default:
		break;
	}
}

void
failover_tick(struct instance *m, int64_t now)
{
	int64_t delay_until = 0;

	if (m->failover_state == FO_NONE) {
		/*
		 * Sentinels that see ODOWN together wait for their slot (rank x
		 * decide_election_slot() after ODOWN) before they start: the epoch is
		 * raised only then, together with the vote request. A new epoch
		 * seen in our hellos before we ask would let a peer (a real
		 * redis-sentinel) start one epoch above ours.
		 */
		if ((m->flags & INST_O_DOWN) && !(m->flags & INST_FORCE_FAILOVER) &&
		    now < decide_election_start(&sentinel, m, now))
			return;
		if (decide_failover_start(&sentinel, m, now, 0, &delay_until)) {
			m->failover_votes_asked = 0;
			emit_event(LOG_WARNING, "+new-epoch", NULL, "%llu",
			    (unsigned long long)sentinel.current_epoch);
			monitor_config_sync();
			emit_event(LOG_WARNING, "+try-failover", m, "%s", "");
			check_election(m, now);
		} else if (delay_until != 0) {
			/* decide_failover_start reports it once per attempt. */
			log_warning("Next failover delay: I will not start a failover before %lld ms "
			    "from now", (long long)(delay_until - now));
		}
		return;
	}
	/* Waiting on a server: ask it how it is doing, often. */
	if (m->failover_state == FO_WAIT_PROMOTION && m->promoted_slave)
		monitor_info_every(m->promoted_slave, FAST_INFO_MS);
	if (m->failover_state == FO_RECONF_SLAVES)
		for (size_t k = 0; k < m->nreplicas; k++)
			if (m->replicas[k]->flags & (INST_RECONF_SENT | INST_RECONF_INPROG))
				monitor_info_every(m->replicas[k], FAST_INFO_MS);
	step(m, now);
}

void
failover_on_info(struct instance *ri)
{
	struct instance *m = ri->master;
	int64_t now = loop_now_ms();


	if (ri->type != INST_REPLICA || m == NULL)
		return;
	if (m->failover_state == FO_SEND_SLAVEOF_NOONE && m->promoted_slave == ri) {
		step(m, now);
		return;
	}
	if (m->failover_state == FO_SELECT_SLAVE) {
		step(m, now);
		return;
	}
	if (m->failover_state == FO_WAIT_PROMOTION && m->promoted_slave == ri &&
	    ri->role_reported == ROLE_MASTER) {
		promoted(m, now);
		return;
	}
	if (m->failover_state == FO_RECONF_SLAVES && m->promoted_slave != NULL &&
	    (ri->flags & (INST_RECONF_SENT | INST_RECONF_INPROG)) &&
	    ri->slave_master_host != NULL &&
	    strcmp(ri->slave_master_host, m->promoted_slave->ip) == 0 &&
	    ri->slave_master_port == m->promoted_slave->port) {
		if (ri->flags & INST_RECONF_SENT) {
			ri->flags &= ~INST_RECONF_SENT;
			ri->flags |= INST_RECONF_INPROG;
			emit_event(LOG_NOTICE, "+slave-reconf-inprog", ri, "%s", "");
		}
		if ((ri->flags & INST_RECONF_INPROG) && ri->slave_master_link_ok) {
			ri->flags &= ~INST_RECONF_INPROG;
			ri->flags |= INST_RECONF_DONE;
			emit_event(LOG_NOTICE, "+slave-reconf-done", ri, "%s", "");
		}
		reconf_slaves(m, now);
	}
}

int
failover_force(struct instance *m, const char *ip, int port, const char **err)
{
	int64_t now = loop_now_ms();

	if (m->failover_state != FO_NONE) {
		*err = "-INPROG Failover already in progress";
		return -1;
	}
	if (ip != NULL) {
		struct instance *rep = instance_replica_find(m, ip, port);

		if (rep == NULL) {
			*err = "-ERR No such replica of this master";
			return -1;
		}
	}
	if (decide_select_replica(&sentinel, m, now, monitor_link_connected) == NULL) {
		*err = "-NOGOODSLAVE No suitable replica to promote";
		return -1;
	}
	m->flags |= INST_FORCE_FAILOVER;
	if (!decide_failover_start(&sentinel, m, now, 0, NULL)) {
		m->flags &= ~INST_FORCE_FAILOVER;
		*err = "-INPROG Failover already in progress";
		return -1;
	}
	m->failover_votes_asked = 0;
	emit_event(LOG_WARNING, "+new-epoch", NULL, "%llu", (unsigned long long)sentinel.current_epoch);
	monitor_config_sync();
	emit_event(LOG_WARNING, "+try-failover", m, "%s", "");
	free(m->failover_target_ip);
	m->failover_target_ip = ip ? xstrdup(ip) : NULL;
	m->failover_target_port = port;
	step(m, now);
	return 0;
}
