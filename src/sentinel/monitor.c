/*
 * monitor.c - the sentinel's I/O shell: links to masters, replicas and peer
 * sentinels; PING, INFO and hello on their periods; discovery; SDOWN and
 * ODOWN decided by decide.c and announced through emit.c.
 *
 * A master or replica has a command link and a pub/sub link of its own.
 * Peer sentinels are reached through one command link per runid, shared by
 * every master they monitor with us (struct peer). Callbacks never hold an
 * instance pointer that could go away: a master's or replica's link is
 * closed (its callbacks flushed) before the instance is freed, and replies
 * on a shared peer link carry names that are looked up again.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "acl.h"
#include "buf.h"
#include "decide.h"
#include "emit.h"
#include "failover.h"
#include "hello.h"
#include "history.h"
#include "info.h"
#include "instance.h"
#include "link.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "proc.h"
#include "resolve.h"
#include "sconf.h"
#include "script.h"
#include "sock.h"
#include "stats.h"
#include "util.h"

#define TICK_MS			20
#define IDLE_TICK_MS		100	/* the longest pause between ticks */
#define CONNECT_TIMEOUT_MS	1000
/*
 * A link that is down is tried again this often (or every PING period if
 * shorter), so that a server back from a partition is seen, and an old
 * master demoted, within a fraction of a second rather than a second or
 * more. The pub/sub link waits for the command link, or the PING period,
 * so a dead server costs one refused connection per try.
 */
#define RECONNECT_FAST_MS	100
/*
 * Once an instance has been connected to, a connection attempt that takes
 * many times the last one's time has had its SYN lost (a partition): it is
 * given up after CONNECT_RTT_FACTOR times that, at least RECONNECT_FAST_MS,
 * and a fresh one is tried.
 */
#define CONNECT_RTT_FACTOR	8
/*
 * A connection refused at once means the host answers and nothing listens
 * (a dead server, not a partition): retried every PING period, as Redis
 * does, so that dead servers cost little.
 */
#define CONNECT_REFUSED_MS	20
/* Commands waiting for replies on a peer sentinel's link (see peer_new). */
#define PEER_MAX_PENDING	(50 * LINK_MAX_PENDING)

/* One command link per peer sentinel runid. */
struct peer {
	char		 runid[RUNID_LEN + 1];
	char		*ip;
	int		 port;
	struct link	*cmd;
	int		 refcount;
	int64_t		 last_reconnect;
	int64_t		 connect_ms;	/* how long the last connection took; -1: never */
	bool		 up;		/* connected */
	bool		 refused;	/* the last attempt failed at once */
	int64_t		 last_ping_sent;
	int64_t		 last_pub_time;
	struct peer	*next;
};

struct shell {
	struct instance	*ri;
	struct link	*cmd;		/* masters and replicas */
	struct link	*pubsub;
	struct peer	*peer;		/* sentinels */
	int64_t		 last_info_sent;
	int64_t		 last_pub_time;
	int64_t		 last_ask_sent;
	int64_t		 last_reconnect;
	int64_t		 last_pubsub_reconnect;
	int64_t		 connect_ms;	/* how long the last connection took; -1: never */
	bool		 refused;	/* the last attempt failed at once */
	int64_t		 pubsub_last_msg;
	int64_t		 next_due;	/* periodic work: nothing to do before */
	struct resolve_req *lookup;	/* a host name being looked up */
};

/* What a reply on a shared peer link is about: looked up again on arrival. */
struct peer_req {
	char	 runid[RUNID_LEN + 1];
	char	*master;
};

static struct peer	*peers;
static bool		 config_dirty;
static int64_t		 last_flush;		/* when the config was last written */
static bool		 rescan;		/* every instance on the next tick */
static struct event	*tick_ev;
static int64_t		 tick_at;		/* when tick_ev fires */
static int64_t		 tick_due_us;		/* the same, to the microsecond (loop lag) */
static int64_t		 tick_min_due;		/* earliest next_due seen by this tick */
static bool		 flush_timer_armed;

static void	wake(void);
static void	cmd_connected(struct link *);
static void	cmd_disconnected(struct link *, const char *);
static void	pubsub_connected(struct link *);
static void	pubsub_message(struct link *, const char *, size_t, const char *, size_t);
static void	peer_connected(struct link *);
static void	peer_disconnected(struct link *, const char *);

static const struct link_hooks cmd_hooks = { cmd_connected, cmd_disconnected, NULL };
static const struct link_hooks pubsub_hooks = { pubsub_connected, cmd_disconnected, pubsub_message };
static const struct link_hooks peer_hooks = { peer_connected, peer_disconnected, NULL };

/* --- config flushing ------------------------------------------------------ */

void
monitor_config_dirty(void)
{
	config_dirty = true;
}

/*
 * Epochs and votes must be on disk before anyone hears of them, and before
 * we act on them. They are written once per loop pass, by a hook that runs
 * before the replies to clients and the commands to servers and peers leave
 * (group commit): a hundred votes in one pass cost one rewrite and fsync,
 * not a hundred, and nothing they caused is sent before it. Nothing leaves
 * the process in between, so a crash before the write loses only decisions
 * nobody saw.
 */
static bool sync_needed;

void
monitor_config_sync(void)
{
	sync_needed = true;
}

static void
sync_if_needed(void *unused)
{
	UNUSED(unused);
	if (sync_needed)
		monitor_flush_config();
}

int
monitor_flush_config(void)
{
	char *err = NULL;
	int64_t t0;
	int rc;

	config_dirty = false;
	sync_needed = false;
	last_flush = loop_now_ms();
	t0 = util_mono_us();
	rc = sconf_rewrite(&err);
	stats_config_flush(util_mono_us() - t0);
	if (rc < 0) {
		log_warning("WARNING: Sentinel was not able to save the new configuration on disk!!!: %s",
		    err ? err : "unknown error");
		free(err);
		return -1;
	}
	return 0;
}

/*
 * Discovery can dirty the config many times in a pass, and again in the
 * next ones: what it learns is written at most once a second (it is learned
 * again after a crash). Votes and epochs never wait: monitor_config_sync()
 * has them written before this pass's output leaves.
 */
#define DISCOVERY_FLUSH_MS	1000

static void
flush_later(void *unused)
{
	UNUSED(unused);
	flush_timer_armed = false;
	if (config_dirty || sconf_dirty())
		monitor_flush_config();
}

static void
flush_if_dirty(void *unused)
{
	int64_t now = loop_now_ms();

	UNUSED(unused);
	if (!config_dirty && !sconf_dirty())
		return;
	if (now - last_flush >= DISCOVERY_FLUSH_MS) {
		monitor_flush_config();
	} else if (!flush_timer_armed) {
		flush_timer_armed = true;
		loop_once(last_flush + DISCOVERY_FLUSH_MS - now, flush_later, NULL);
	}
}

/* --- shells and peers -------------------------------------------------------- */

static struct shell *
shell_of(struct instance *ri)
{
	if (ri->shell == NULL) {
		ri->shell = xcalloc(1, sizeof *ri->shell);
		ri->shell->ri = ri;
		ri->shell->connect_ms = -1;
	}
	return ri->shell;
}

static struct peer *
peer_get(const char *runid, const char *ip, int port)
{
	struct peer *p;

	for (p = peers; p; p = p->next)
		if (strcmp(p->runid, runid) == 0)
			break;
	if (p == NULL) {
		p = xcalloc(1, sizeof *p);
		p->connect_ms = -1;
		snprintf(p->runid, sizeof p->runid, "%s", runid);
		p->cmd = link_new(LINK_CMD, &peer_hooks, p);
		/*
		 * Shared by every master the two sentinels watch: with many
		 * masters down at once it carries a question or a vote request
		 * for each, and one refused would wait for the next ask period.
		 */
		link_set_max_pending(p->cmd, PEER_MAX_PENDING);
		p->next = peers;
		peers = p;
	}
	if (p->ip == NULL || strcmp(p->ip, ip) != 0 || p->port != port) {
		free(p->ip);
		p->ip = xstrdup(ip);
		p->port = port;
		link_close(p->cmd, "address changed");
	}
	return p;
}

static void
peer_release(struct peer *p)
{
	struct peer **pp;

	if (--p->refcount > 0)
		return;
	for (pp = &peers; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	link_free(p->cmd);
	free(p->ip);
	free(p);
}

bool
monitor_link_connected(const struct instance *i)
{
	const struct shell *s = i->shell;

	if (s == NULL)
		return false;
	if (i->type == INST_SENTINEL)
		return s->peer && link_is_connected(s->peer->cmd);
	/* Both links, as Redis's link->disconnected: a refused SUBSCRIBE shows. */
	return s->cmd && link_is_connected(s->cmd) &&
	    s->pubsub && link_is_connected(s->pubsub);
}

size_t
monitor_reachable(struct instance *const *list, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!(list[i]->flags & INST_S_DOWN) && monitor_link_connected(list[i]))
			k++;
	return k;
}

int
monitor_link_pending(const struct instance *i)
{
	const struct shell *s = i->shell;

	if (s == NULL)
		return 0;
	if (i->type == INST_SENTINEL)
		return s->peer ? link_pending(s->peer->cmd) : 0;
	return s->cmd ? link_pending(s->cmd) : 0;
}

int
monitor_link_refcount(const struct instance *i)
{
	const struct shell *s = i->shell;

	if (s != NULL && i->type == INST_SENTINEL && s->peer)
		return s->peer->refcount;
	return 1;
}

/* A lookup (resolve-hostnames) answered: connect there from now on. */
static void
looked_up(void *arg, const char *ip)
{
	struct shell *sh = arg;
	struct instance *ri = sh->ri;

	sh->lookup = NULL;
	if (ip == NULL) {
		log_warning("Can't resolve instance hostname %s", ri->host);
		return;
	}
	if (ri->ip == NULL || strcmp(ri->ip, ip) != 0) {
		free(ri->ip);
		ri->ip = xstrdup(ip);
	}
}

/*
 * An instance known by a name (config file, a replica-announce-ip in INFO)
 * is looked up without blocking the loop; again before each reconnection
 * with resolve-hostnames, as Redis does (the name stays what it announces).
 */
static void
lookup(struct instance *ri)
{
	struct shell *sh = ri->shell;

	if (sh == NULL || sh->lookup != NULL || ri->host == NULL || sock_is_numeric(ri->host))
		return;
	if (ri->ip != NULL && !sentinel.resolve_hostnames)
		return;
	sh->lookup = resolve_start(ri->host, looked_up, sh);
}

static void
attach(struct instance *ri)
{
	struct shell *s = shell_of(ri);
	int64_t now = loop_now_ms();

	lookup(ri);
	s->next_due = 0;
	wake();
	/* An instance that never answers goes SDOWN after down-after. */
	if (ri->act_ping_time == 0)
		ri->act_ping_time = now;
	if (ri->last_avail_time == 0)
		ri->last_avail_time = now;
	if (ri->type == INST_SENTINEL) {
		if (s->peer == NULL && ri->ip != NULL) {
			s->peer = peer_get(ri->runid, ri->ip, ri->port);
			s->peer->refcount++;
		}
		return;
	}
	if (s->cmd == NULL)
		s->cmd = link_new(LINK_CMD, &cmd_hooks, s);
	if (s->pubsub == NULL)
		s->pubsub = link_new(LINK_PUBSUB, &pubsub_hooks, s);
	/* The first hello goes out as soon as the link is up: peers find us at once. */
	s->last_pub_time = 0;
}

/* Detach one instance's I/O: links closed, callbacks flushed. */
static void
detach(struct instance *ri)
{
	struct shell *s = ri->shell;

	if (s == NULL)
		return;
	resolve_cancel(s->lookup);
	if (s->cmd)
		link_free(s->cmd);
	if (s->pubsub)
		link_free(s->pubsub);
	if (s->peer)
		peer_release(s->peer);
	free(s);
	ri->shell = NULL;
}

void
monitor_forget(struct instance *i)
{
	if (i->type == INST_MASTER) {
		for (size_t k = 0; k < i->nreplicas; k++)
			detach(i->replicas[k]);
		for (size_t k = 0; k < i->nsentinels; k++)
			detach(i->sentinels[k]);
	}
	detach(i);
}

void
monitor_master_added(struct instance *m)
{
	attach(m);
	for (size_t k = 0; k < m->nreplicas; k++)
		attach(m->replicas[k]);
	for (size_t k = 0; k < m->nsentinels; k++)
		attach(m->sentinels[k]);
}

/* --- sending ------------------------------------------------------------------- */

/* The command named as rename-command says for this instance's master. */
static const char *
cmdname(const struct instance *ri, const char *cmd)
{
	const struct instance *m = ri->type == INST_MASTER ? ri : ri->master;

	if (m == NULL || ri->type == INST_SENTINEL)
		return cmd;
	return instance_cmd_name(m, cmd);
}

static void
send_auth(struct link *l, const struct instance *ri)
{
	const struct instance *m = ri->type == INST_MASTER ? ri : ri->master;
	const char *user = NULL, *pass = NULL;

	if (ri->type == INST_SENTINEL) {
		user = sentinel.sentinel_user;
		pass = sentinel.sentinel_pass;
		if (pass == NULL) {
			pass = acl_get_requirepass();
			if (pass != NULL && *pass == '\0')
				pass = NULL;
		}
	} else if (m != NULL) {
		user = m->auth_user;
		pass = m->auth_pass;
	}
	if (pass == NULL)
		return;
	if (user != NULL)
		link_commandv(l, NULL, NULL, cmdname(ri, "AUTH"), user, pass, NULL);
	else
		link_commandv(l, NULL, NULL, cmdname(ri, "AUTH"), pass, NULL);
}

static void
send_setname(struct link *l, const struct instance *ri, const char *kind)
{
	char name[64];

	snprintf(name, sizeof name, "sentinel-%.8s-%s", sentinel.myid, kind);
	link_commandv(l, NULL, NULL, cmdname(ri, "CLIENT"), "SETNAME", name, NULL);
}

static void	ping_reply(struct link *, redisReply *, void *);
static void	*ping_stamp(void);
static void	correct_roles(struct instance *, int64_t);
static void	info_reply(struct link *, redisReply *, void *);

static void
send_ping(struct instance *ri, struct link *l)
{
	if (link_commandv(l, ping_reply, ping_stamp(), cmdname(ri, "PING"), NULL) == 0)
		decide_ping_sent(ri, loop_now_ms());
}

static void
send_info(struct instance *ri)
{
	struct shell *s = ri->shell;

	if (link_commandv(s->cmd, info_reply, NULL, cmdname(ri, "INFO"), NULL) == 0)
		s->last_info_sent = loop_now_ms();
}

/* Our hello about master m. */
static void
format_hello(struct buf *out, const struct instance *m, struct link *via)
{
	struct hello h;
	const char *ip;
	int port;

	memset(&h, 0, sizeof h);
	if (sentinel.announce_ip && *sentinel.announce_ip)
		snprintf(h.ip, sizeof h.ip, "%s", sentinel.announce_ip);
	else
		snprintf(h.ip, sizeof h.ip, "%s", link_local_ip(via));
	h.port = sentinel.announce_port ? sentinel.announce_port : sconf.port;
	snprintf(h.runid, sizeof h.runid, "%s", sentinel.myid);
	h.current_epoch = sentinel.current_epoch;
	snprintf(h.master_name, sizeof h.master_name, "%s", m->name);
	instance_current_addr(m, &ip, &port);
	snprintf(h.master_ip, sizeof h.master_ip, "%s", ip ? ip : "");
	h.master_port = port;
	h.master_config_epoch = m->config_epoch;
	hello_format(out, &h);
}

static int
publish_hello(struct link *l, const struct instance *ri, const struct instance *m)
{
	struct buf b = BUF_INIT;
	int r;

	format_hello(&b, m, l);
	r = link_commandv(l, NULL, NULL, cmdname(ri, "PUBLISH"), SENTINEL_HELLO_CHANNEL,
	    b.data, NULL);
	buf_free(&b);
	return r;
}

void
monitor_send_hellos(struct instance *m)
{
	int64_t now = loop_now_ms();

	/* No PUBLISH to a master whose writes we paused: it would be held too. */
	if (m->shell && m->shell->cmd && link_is_connected(m->shell->cmd) && m->coord_state != 1 &&
	    publish_hello(m->shell->cmd, m, m) == 0)
		m->shell->last_pub_time = now;
	for (size_t k = 0; k < m->nreplicas; k++) {
		struct instance *r = m->replicas[k];

		if (r->shell && r->shell->cmd && link_is_connected(r->shell->cmd) &&
		    publish_hello(r->shell->cmd, r, m) == 0)
			r->shell->last_pub_time = now;
	}
	for (size_t k = 0; k < m->nsentinels; k++) {
		struct instance *si = m->sentinels[k];

		if (si->shell && si->shell->peer && link_is_connected(si->shell->peer->cmd) &&
		    publish_hello(si->shell->peer->cmd, si, m) == 0)
			si->shell->last_pub_time = now;
	}
}

/* --- replies ------------------------------------------------------------------- */

static struct instance *
owner_instance(struct link *l)
{
	struct shell *s = link_owner(l);

	return s ? s->ri : NULL;
}

/*
 * A PING carries its send time (monotonic us) as its callback's privdata:
 * no allocation, and the modular difference stays right for round trips
 * under 2^32 us even where a pointer is 32 bits.
 */
static void *
ping_stamp(void)
{
	return (void *)(uintptr_t)util_mono_us();
}

static void
ping_rtt(struct instance *ri, void *stamp)
{
	uintptr_t us = (uintptr_t)util_mono_us() - (uintptr_t)stamp;

	if (ri->ping_rtt == NULL) {
		ri->ping_rtt = xmalloc(sizeof *ri->ping_rtt);
		hist_init(ri->ping_rtt, stats_le_rtt, STATS_N_RTT);
	}
	hist_add(ri->ping_rtt, (double)us / 1e6);
}

static void
handle_ping_reply(struct instance *ri, redisReply *r, void *stamp)
{
	char line[64];
	int got;

	ping_rtt(ri, stamp);

	if (r->type == REDIS_REPLY_STATUS)
		snprintf(line, sizeof line, "+%s", r->str);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(line, sizeof line, "-%s", r->str);
	else
		snprintf(line, sizeof line, "?");
	got = decide_ping_reply(ri, line, loop_now_ms());
	if ((got & DECIDE_REPLY_SCRIPT_KILL) && ri->shell && ri->shell->cmd)
		link_commandv(ri->shell->cmd, NULL, NULL, cmdname(ri, "SCRIPT"), "KILL", NULL);
}

static void
ping_reply(struct link *l, redisReply *r, void *privdata)
{
	struct instance *ri = owner_instance(l);

	if (r == NULL || ri == NULL)
		return;
	handle_ping_reply(ri, r, privdata);
}

/* A PING answered on a shared peer link counts for every instance of that runid. */
static void
peer_ping_reply(struct link *l, redisReply *r, void *privdata)
{
	struct peer *p = link_owner(l);

	if (r == NULL || p == NULL)
		return;
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		struct instance *m = sentinel.masters[i];

		for (size_t k = 0; k < m->nsentinels; k++)
			if (m->sentinels[k]->shell && m->sentinels[k]->shell->peer == p)
				handle_ping_reply(m->sentinels[k], r, privdata);
	}
}

static const char *
role_name(enum role_reported role)
{
	return role == ROLE_MASTER ? "master" : role == ROLE_SLAVE ? "slave" : "unknown";
}

/* What INFO tells about a master or replica. */
static void
refresh_from_info(struct instance *ri, const char *text, size_t len)
{
	struct info_report rep;
	int64_t now = loop_now_ms();
	enum role_reported role;

	if (info_parse(text, len, &rep) < 0)
		return;
	free(ri->info);
	ri->info = xmemdup(text, len);
	ri->info_refresh = now;
	if (rep.run_id[0] != '\0' && strcmp(rep.run_id, ri->runid) != 0) {
		if (ri->runid[0] != '\0') {
			emit_event(LOG_NOTICE, "+reboot", ri, "%s", "");
			if (ri->type == INST_MASTER && ri->master_reboot_down_after_period != 0) {
				ri->flags |= INST_MASTER_REBOOT;
				ri->master_reboot_since = now;
			}
		}
		snprintf(ri->runid, sizeof ri->runid, "%s", rep.run_id);
	}
	snprintf(ri->replid, sizeof ri->replid, "%s", rep.replid);
	snprintf(ri->replid2, sizeof ri->replid2, "%s", rep.replid2);
	role = rep.role == INFO_ROLE_MASTER ? ROLE_MASTER :
	    rep.role == INFO_ROLE_SLAVE ? ROLE_SLAVE : ROLE_UNKNOWN;
	if (role != ri->role_reported && role != ROLE_UNKNOWN) {
		bool as_configured = (role == ROLE_MASTER) == (ri->type == INST_MASTER);

		ri->role_reported = role;
		ri->role_reported_time = now;
		if (!sentinel.tilt)
			emit_event(LOG_VERBOSE, as_configured ? "+role-change" : "-role-change", ri,
			    "new reported role is %s", role_name(role));
	}
	ri->master_link_down_since_ms = rep.master_link_down_since_seconds > 0 ?
	    rep.master_link_down_since_seconds * 1000 : 0;
	if (ri->type == INST_MASTER && role == ROLE_MASTER) {
		for (size_t k = 0; k < rep.nreplicas; k++) {
			const struct info_replica *ir = &rep.replicas[k];
			struct instance *r;

			if (instance_replica_find(ri, ir->ip, ir->port) != NULL)
				continue;
			r = instance_replica_add(ri, ir->ip, ir->port);
			if (r == NULL)
				continue;
			attach(r);
			emit_event(LOG_NOTICE, "+slave", r, "%s", "");
			monitor_config_dirty();
		}
	}
	if (ri->type == INST_REPLICA && role == ROLE_SLAVE) {
		if (ri->slave_master_host == NULL || strcmp(ri->slave_master_host, rep.master_host) != 0 ||
		    ri->slave_master_port != rep.master_port) {
			free(ri->slave_master_host);
			ri->slave_master_host = xstrdup(rep.master_host);
			ri->slave_master_port = rep.master_port;
			ri->slave_conf_change_time = now;
		}
		ri->slave_master_link_ok = rep.master_link_up;
		ri->slave_priority = rep.slave_priority;
		ri->slave_repl_offset = rep.slave_repl_offset;
		ri->replica_announced = rep.replica_announced;
	}
	info_report_free(&rep);
	if (!sentinel.tilt) {
		correct_roles(ri, now);
		/*
		 * The master's INFO may be what a correction of its replicas
		 * waited for (its first INFO after a switch, its replication
		 * ids): an old master back from a partition is demoted now,
		 * not at its own next INFO.
		 */
		if (ri->type == INST_MASTER)
			for (size_t k = 0; k < ri->nreplicas; k++)
				if (ri->replicas[k]->role_reported == ROLE_MASTER)
					correct_roles(ri->replicas[k], now);
		/* Last: the failover may end here and free ri (monitor_switch_master). */
		failover_on_info(ri);
	}
}

/*
 * After a failover: an old master that came back as a master, or a replica
 * that follows the wrong master, is pointed at the right one (decide.c says
 * when).
 */
static void
correct_roles(struct instance *ri, int64_t now)
{
	enum correction	 c = decide_correction(&sentinel, ri, now);
	char		 port[16];

	if (c == CORRECT_NONE)
		return;
	snprintf(port, sizeof port, "%d", ri->master->port);
	if (monitor_command(ri, NULL, NULL, "SLAVEOF", ri->master->ip, port, NULL) == 0) {
		ri->slave_reconf_sent_time = now;
		emit_event(LOG_NOTICE, c == CORRECT_CONVERT ? "+convert-to-slave" :
		    "+fix-slave-config", ri, "%s", "");
	}
}

static void
info_reply(struct link *l, redisReply *r, void *privdata)
{
	struct instance *ri = owner_instance(l);

	UNUSED(privdata);
	if (r == NULL || ri == NULL || r->type != REDIS_REPLY_STRING)
		return;
	refresh_from_info(ri, r->str, r->len);
}

/* The answer to SENTINEL is-master-down-by-addr: [down, leader, epoch]. */
static void
ask_reply(struct link *l, redisReply *r, void *privdata)
{
	struct peer_req *req = privdata;
	struct instance *m, *si;

	UNUSED(l);
	if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[1]->type == REDIS_REPLY_STRING &&
	    r->element[2]->type == REDIS_REPLY_INTEGER &&
	    (m = instance_master_find(req->master)) != NULL &&
	    (si = instance_sentinel_find_runid(m, req->runid)) != NULL) {
		if (r->element[0]->integer == 1)
			decide_peer_down_report(&sentinel, si, loop_now_ms());
		si->last_master_down_reply_time = loop_now_ms();
		if (r->element[0]->integer == 1)
			si->flags |= INST_MASTER_DOWN;
		else if (si->shell == NULL || si->master_down_asked_time <= si->shell->last_ask_sent)
			/* Unless it asked us since our question: then it sees it down now. */
			si->flags &= ~INST_MASTER_DOWN;
		if (strcmp(r->element[1]->str, "*") != 0) {
			free(si->leader);
			si->leader = xstrdup(r->element[1]->str);
			si->leader_epoch = (uint64_t)r->element[2]->integer;
			/* A vote counts the moment it arrives. */
			failover_on_vote(m);
		}
	}
	free(req->master);
	free(req);
}

static void
ask_peer(struct instance *m, struct instance *si)
{
	struct peer_req *req;
	char port[16], epoch[32];
	struct link *l = si->shell->peer->cmd;

	snprintf(port, sizeof port, "%d", m->port);
	/*
	 * A vote request names the epoch of our failover of this master, not
	 * the current epoch: with many masters failing at once the current
	 * epoch moves on with every other election, and each must be able to
	 * finish in its own (decide_vote).
	 */
	snprintf(epoch, sizeof epoch, "%llu", (unsigned long long)
	    (m->failover_state > FO_NONE && m->failover_votes_asked != 0 ? m->failover_epoch :
	    sentinel.current_epoch));
	req = xcalloc(1, sizeof *req);
	snprintf(req->runid, sizeof req->runid, "%s", si->runid);
	req->master = xstrdup(m->name);
	/* While a failover of ours is starting, the question is a vote request. */
	if (link_commandv(l, ask_reply, req, "SENTINEL", "is-master-down-by-addr",
	    m->ip, port, epoch, m->failover_state > FO_NONE && m->failover_votes_asked != 0 ?
	    sentinel.myid : "*", NULL) < 0) {
		free(req->master);
		free(req);
		return;
	}
	si->shell->last_ask_sent = loop_now_ms();
}

/* --- link events ------------------------------------------------------------------ */

static void
cmd_connected(struct link *l)
{
	struct instance *ri = owner_instance(l);

	if (ri == NULL)
		return;
	if (l == ri->shell->cmd) {
		if (ri->shell->last_reconnect != 0)
			ri->shell->connect_ms = loop_now_ms() - ri->shell->last_reconnect;
		ri->shell->refused = false;
	}
	ri->link_down_since = 0;
	ri->link_connected_since = loop_now_ms();
	send_auth(l, ri);
	send_setname(l, ri, "cmd");
	send_ping(ri, l);
	ri->shell->last_info_sent = 0;
	send_info(ri);
}

static void
cmd_disconnected(struct link *l, const char *why)
{
	struct instance *ri = owner_instance(l);

	if (ri == NULL)
		return;
	ri->shell->next_due = 0;
	wake();
	if (l == ri->shell->cmd) {
		/* Never connected, and failed at once: refused. */
		ri->shell->refused = ri->link_connected_since == 0 &&
		    loop_now_ms() - ri->shell->last_reconnect < CONNECT_REFUSED_MS;
		if (ri->link_down_since == 0)
			ri->link_down_since = loop_now_ms();
		ri->link_connected_since = 0;
		emit_event(LOG_DEBUG, "-cmd-link-reconnection", ri, "%s", why);
	} else {
		emit_event(LOG_DEBUG, "-pubsub-link-reconnection", ri, "%s", why);
	}
}

/*
 * A refused SUBSCRIBE (NOAUTH, NOPERM) drops the pub/sub link, as hiredis
 * does for Redis: the instance shows "disconnected" until it is accepted.
 */
static void
subscribe_reply(struct link *l, redisReply *r, void *privdata)
{
	UNUSED(privdata);
	if (r != NULL && r->type == REDIS_REPLY_ERROR)
		link_close(l, r->str);
}

static void
pubsub_connected(struct link *l)
{
	struct instance *ri = owner_instance(l);

	if (ri == NULL)
		return;
	send_auth(l, ri);
	send_setname(l, ri, "pubsub");
	link_commandv(l, subscribe_reply, NULL, cmdname(ri, "SUBSCRIBE"), SENTINEL_HELLO_CHANNEL, NULL);
	ri->shell->pubsub_last_msg = loop_now_ms();
}

static void
pubsub_message(struct link *l, const char *ch, size_t chlen, const char *msg, size_t mlen)
{
	struct instance *ri = owner_instance(l);

	if (ri != NULL)
		ri->shell->pubsub_last_msg = loop_now_ms();
	if (chlen == strlen(SENTINEL_HELLO_CHANNEL) && memcmp(ch, SENTINEL_HELLO_CHANNEL, chlen) == 0)
		monitor_process_hello(msg, mlen);
}

/* The peer link serves every sentinel instance with this runid. */
static void
for_each_peer_instance(struct peer *p, void (*fn)(struct instance *, void *), void *arg)
{
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		struct instance *m = sentinel.masters[i];

		for (size_t k = 0; k < m->nsentinels; k++)
			if (m->sentinels[k]->shell && m->sentinels[k]->shell->peer == p)
				fn(m->sentinels[k], arg);
	}
}

static void
mark_up(struct instance *si, void *arg)
{
	UNUSED(arg);
	si->link_down_since = 0;
	si->link_connected_since = loop_now_ms();
}

static void
mark_down(struct instance *si, void *arg)
{
	UNUSED(arg);
	if (si->link_down_since == 0)
		si->link_down_since = loop_now_ms();
	si->link_connected_since = 0;
}

static void
peer_connected(struct link *l)
{
	struct peer *p = link_owner(l);
	struct instance *any = NULL;

	if (p->last_reconnect != 0)
		p->connect_ms = loop_now_ms() - p->last_reconnect;
	p->up = true;
	p->refused = false;

	for (size_t i = 0; i < sentinel.nmasters && any == NULL; i++)
		for (size_t k = 0; k < sentinel.masters[i]->nsentinels; k++)
			if (sentinel.masters[i]->sentinels[k]->shell &&
			    sentinel.masters[i]->sentinels[k]->shell->peer == p) {
				any = sentinel.masters[i]->sentinels[k];
				break;
			}
	for_each_peer_instance(p, mark_up, NULL);
	if (any != NULL) {
		send_auth(l, any);
		send_setname(l, any, "cmd");
	}
	if (link_commandv(l, peer_ping_reply, ping_stamp(), "PING", NULL) == 0) {
		p->last_ping_sent = loop_now_ms();
		for (size_t i = 0; i < sentinel.nmasters; i++)
			for (size_t k = 0; k < sentinel.masters[i]->nsentinels; k++) {
				struct instance *si = sentinel.masters[i]->sentinels[k];

				if (si->shell && si->shell->peer == p)
					decide_ping_sent(si, loop_now_ms());
			}
	}
}

static void
peer_disconnected(struct link *l, const char *why)
{
	struct peer *p = link_owner(l);

	UNUSED(why);
	p->refused = !p->up && loop_now_ms() - p->last_reconnect < CONNECT_REFUSED_MS;
	p->up = false;
	for_each_peer_instance(p, mark_down, NULL);
	monitor_rescan();
}

/* --- hellos ---------------------------------------------------------------------- */

/* Forget sentinel si of master m (its address was taken by another runid, or it moved). */
static void
drop_sentinel(struct instance *si)
{
	detach(si);
	instance_remove_child(si);
}

void
monitor_process_hello(const char *msg, size_t len)
{
	struct hello h;
	struct instance *m, *si;
	int64_t now = loop_now_ms();

	if (hello_parse(msg, len, &h) < 0)
		return;
	if (strcmp(h.runid, sentinel.myid) == 0)
		return;
	m = instance_master_find(h.master_name);
	if (m == NULL)
		return;
	si = instance_sentinel_find_runid(m, h.runid);
	if (si == NULL) {
		struct instance *other = instance_sentinel_find_addr(m, h.ip, h.port);

		/* A new runid at a known address: the old one is gone (restarted with a new id). */
		if (other != NULL) {
			emit_event(LOG_NOTICE, "+sentinel-invalid-addr", other, "%s", "");
			drop_sentinel(other);
		}
		si = instance_sentinel_add(m, h.ip, h.port, h.runid);
		if (si == NULL)
			return;
		attach(si);
		emit_event(LOG_NOTICE, "+sentinel", si, "%s", "");
		monitor_config_dirty();
	} else if (strcmp(si->ip, h.ip) != 0 || si->port != h.port) {
		/* A known runid at a new address, in every master that lists it. */
		for (size_t i = 0; i < sentinel.nmasters; i++) {
			struct instance *mm = sentinel.masters[i];
			struct instance *s2 = instance_sentinel_find_runid(mm, h.runid);

			if (s2 == NULL)
				continue;
			emit_event(LOG_NOTICE, "+sentinel-address-switch", mm, "ip %s port %d for %s",
			    h.ip, h.port, h.runid);
			detach(s2);
			free(s2->ip);
			s2->ip = xstrdup(h.ip);
			free(s2->host);
			s2->host = xstrdup(h.ip);
			s2->port = h.port;
			attach(s2);
		}
		si = instance_sentinel_find_runid(m, h.runid);
		monitor_config_dirty();
	}
	if (si == NULL)
		return;
	si->last_hello_time = now;
	if (h.current_epoch > sentinel.current_epoch) {
		sentinel.current_epoch = h.current_epoch;
		monitor_config_sync();
		emit_event(LOG_WARNING, "+new-epoch", NULL, "%llu",
		    (unsigned long long)sentinel.current_epoch);
		/*
		 * Someone started a failover of this master while we think it is
		 * down: leave it to them rather than starting another epoch.
		 */
		if ((m->flags & INST_S_DOWN) && m->failover_state == FO_NONE)
			m->failover_start_time = now;
	}
	/* A newer configuration of this master: follow it (the failover happened elsewhere). */
	if ((m->failover_state == FO_NONE || m->failover_state == FO_WAIT_START) &&
	    h.master_config_epoch > m->config_epoch) {
		const char *ip;
		int port;

		/* Our attempt, not elected yet, is moot: someone else promoted a replica. */
		if (m->failover_state == FO_WAIT_START) {
			history_superseded(m, util_wall_ms());
			decide_failover_abort(m);
		}
		m->config_epoch = h.master_config_epoch;
		instance_current_addr(m, &ip, &port);
		if (ip == NULL || strcmp(ip, h.master_ip) != 0 || port != h.master_port) {
			char *oldip = xstrdup(ip ? ip : "?");
			int oldport = port;

			emit_event(LOG_WARNING, "+config-update-from", si, "%s", "");
			emit_event(LOG_WARNING, "+switch-master", NULL, "%s %s %d %s %d",
			    m->name, oldip, oldport, h.master_ip, h.master_port);
			history_switch(m, oldip, oldport, h.master_ip, h.master_port, util_wall_ms(),
			    (m->flags & INST_S_DOWN) ||
			    now - m->last_avail_time > decide_down_after(&sentinel, m) / 2);
			/* As Redis: the sentinels that follow a failover run the script too. */
			if (m->client_reconfig_script != NULL) {
				char from_port[16], to_port[16];

				snprintf(from_port, sizeof from_port, "%d", oldport);
				snprintf(to_port, sizeof to_port, "%d", h.master_port);
				script_queue(m->client_reconfig_script, m->name, "observer", "start",
				    oldip, from_port, h.master_ip, to_port, NULL);
			}
			monitor_switch_master(m, h.master_ip, h.master_port);
			free(oldip);
		}
		monitor_config_sync();
	}
}

/* --- the periodic work ------------------------------------------------------------ */

static int64_t
reconnect_every(bool refused)
{
	if (refused)
		return sentinel.ping_period;
	return sentinel.ping_period < RECONNECT_FAST_MS ? sentinel.ping_period : RECONNECT_FAST_MS;
}

/* The connect timeout for an instance whose last connection took connect_ms. */
static int64_t
connect_timeout(int64_t connect_ms)
{
	int64_t t;

	if (connect_ms < 0)
		return CONNECT_TIMEOUT_MS;
	t = CONNECT_RTT_FACTOR * connect_ms;
	if (t < RECONNECT_FAST_MS)
		t = RECONNECT_FAST_MS;
	return t < CONNECT_TIMEOUT_MS ? t : CONNECT_TIMEOUT_MS;
}

static void
reconnect(struct instance *ri, int64_t now)
{
	struct shell *s = ri->shell;

	if (ri->type != INST_SENTINEL && s->cmd != NULL && !link_is_connected(s->cmd) &&
	    !link_is_connecting(s->cmd) && now - s->last_reconnect >= sentinel.ping_period)
		lookup(ri);
	if (ri->ip == NULL)
		return;
	if (ri->type == INST_SENTINEL) {
		struct peer *p = s->peer;

		if (p != NULL && !link_is_connected(p->cmd) && !link_is_connecting(p->cmd) &&
		    now - p->last_reconnect >= reconnect_every(p->refused)) {
			p->last_reconnect = now;
			if (link_connect(p->cmd, p->ip, p->port, sconf.bind_source_addr,
			    connect_timeout(p->connect_ms)) < 0)
				mark_down(ri, NULL);
		}
		return;
	}
	if (!link_is_connected(s->cmd) && !link_is_connecting(s->cmd) &&
	    now - s->last_reconnect >= reconnect_every(s->refused)) {
		s->last_reconnect = now;
		if (link_connect(s->cmd, ri->ip, ri->port, sconf.bind_source_addr,
		    connect_timeout(s->connect_ms)) < 0 && ri->link_down_since == 0)
			ri->link_down_since = now;
	}
	if (!link_is_connected(s->pubsub) && !link_is_connecting(s->pubsub) &&
	    (link_is_connected(s->cmd) ? now - s->last_pubsub_reconnect >= reconnect_every(false) :
	    now - s->last_pubsub_reconnect >= sentinel.ping_period)) {
		s->last_pubsub_reconnect = now;
		link_connect(s->pubsub, ri->ip, ri->port, sconf.bind_source_addr,
		    connect_timeout(s->connect_ms));
	}
}

/*
 * Is link l to ri old enough to be given up? As Redis: once it has been up
 * for min-reconnect-period. Beyond Redis: also once ri is SDOWN and the
 * link has been up for down-after: a link cut by a partition stays
 * "connected" while TCP backs off its retransmissions (seconds), and only
 * a new connection shows at once that the instance is reachable again.
 */
static bool
link_old(const struct instance *ri, const struct link *l, int64_t now)
{
	int64_t age = now - link_connected_since(l);

	return age > sentinel.min_link_reconnect_period ||
	    ((ri->flags & INST_S_DOWN) && age > decide_down_after(&sentinel, ri));
}

/* Links that are up but dead (a frozen server, a partition) are closed, as Redis does. */
static void
kill_idle_links(struct instance *ri, int64_t now)
{
	struct shell *s = ri->shell;
	long long half = decide_down_after(&sentinel, ri) / 2;
	bool unanswered = ri->act_ping_time != 0 && now - ri->act_ping_time > half &&
	    now - ri->last_pong_time > half;

	if (ri->type == INST_SENTINEL) {
		if (s->peer != NULL && link_is_connected(s->peer->cmd) && unanswered &&
		    (ri->flags & INST_S_DOWN) && link_old(ri, s->peer->cmd, now))
			link_close(s->peer->cmd, "no reply to PING for down-after");
		return;
	}
	if (s->cmd == NULL)
		return;
	if (link_is_connected(s->cmd) && unanswered && link_old(ri, s->cmd, now))
		link_close(s->cmd, "no reply to PING for down-after/2");
	if (link_is_connected(s->pubsub) && link_old(ri, s->pubsub, now) &&
	    now - s->pubsub_last_msg > 3 * sentinel.publish_period)
		link_close(s->pubsub, "no hello for 3 publish periods");
}

static void
periodic(struct instance *ri, int64_t now)
{
	struct shell *s = shell_of(ri);
	struct link *cmd;

	reconnect(ri, now);
	kill_idle_links(ri, now);
	cmd = ri->type == INST_SENTINEL ? (s->peer ? s->peer->cmd : NULL) : s->cmd;
	if (cmd == NULL || !link_is_connected(cmd) || link_pending(cmd) >= link_max_pending(cmd))
		return;
	if (ri->type == INST_SENTINEL) {
		/* One PING per peer link for every instance sharing it. */
		struct peer *p = s->peer;

		if (decide_ping_due(&sentinel, ri, now) && now - p->last_ping_sent > 0 &&
		    link_commandv(cmd, peer_ping_reply, ping_stamp(), "PING", NULL) == 0) {
			p->last_ping_sent = now;
			for (size_t i = 0; i < sentinel.nmasters; i++)
				for (size_t k = 0; k < sentinel.masters[i]->nsentinels; k++) {
					struct instance *si = sentinel.masters[i]->sentinels[k];

					if (si->shell && si->shell->peer == p)
						decide_ping_sent(si, now);
				}
		}
	} else {
		if (decide_ping_due(&sentinel, ri, now))
			send_ping(ri, cmd);
		if (decide_info_due(&sentinel, ri, now, s->last_info_sent))
			send_info(ri);
	}
	if (decide_hello_due(&sentinel, ri, now, s->last_pub_time) &&
	    !(ri->type == INST_MASTER && ri->coord_state == 1)) {
		struct instance *m = ri->type == INST_MASTER ? ri : ri->master;

		if (publish_hello(cmd, ri, m) == 0)
			s->last_pub_time = now;
	}
}

static void
check_sdown(struct instance *ri, int64_t now)
{
	enum decide_change ch = decide_sdown(&sentinel, ri, now, monitor_link_connected(ri));

	if (ch & DECIDE_SDOWN_ENTER) {
		emit_event(LOG_WARNING, "+sdown", ri, "%s", "");
		/* A failover may follow: have the replicas' INFO fresh by then. */
		if (ri->type == INST_MASTER)
			for (size_t k = 0; k < ri->nreplicas; k++)
				monitor_info_now(ri->replicas[k]);
	}
	if (ch & DECIDE_SDOWN_LEAVE)
		emit_event(LOG_WARNING, "-sdown", ri, "%s", "");
}

static void
check_master(struct instance *m, int64_t now)
{
	unsigned votes = 0;
	enum decide_change ch;

	decide_expire_master_down(&sentinel, m, now);
	ch = decide_odown(&sentinel, m, now, &votes);
	if (ch & DECIDE_ODOWN_ENTER)
		emit_event(LOG_WARNING, "+odown", m, "#quorum %u/%u", votes, m->quorum);
	if (ch & DECIDE_ODOWN_LEAVE)
		emit_event(LOG_WARNING, "-odown", m, "%s", "");
	/* While it is down here, ask the others what they see. */
	if (m->flags & INST_S_DOWN) {
		for (size_t k = 0; k < m->nsentinels; k++) {
			struct instance *si = m->sentinels[k];

			if (si->shell && si->shell->peer && link_is_connected(si->shell->peer->cmd) &&
			    decide_ask_due(&sentinel, m, si, now, si->shell->last_ask_sent))
				ask_peer(m, si);
		}
	}
}

/*
 * Periodic work and SDOWN for one instance, when something can be due:
 * decide_next_due() says when, so most instances are skipped on most
 * ticks (500 masters cost a scan of flags, not 500 evaluations, 50 times
 * a second).
 */
static bool
visit(struct instance *ri, int64_t now, bool all)
{
	struct shell *s = shell_of(ri);
	int64_t due, grid, sd;

	if (!all && now < s->next_due) {
		if (s->next_due < tick_min_due)
			tick_min_due = s->next_due;
		return false;
	}
	periodic(ri, now);
	if (ri->shell == NULL)
		return true;
	if (!sentinel.tilt)
		check_sdown(ri, now);
	due = decide_next_due(&sentinel, ri, now, s->last_info_sent, s->last_pub_time,
	    monitor_link_connected(ri) && (ri->type == INST_SENTINEL ||
	    link_pending(s->cmd) < link_max_pending(s->cmd)));
	/* kill_idle_links(): a PING unanswered for down-after/2, a silent pub/sub link. */
	if (ri->type != INST_SENTINEL && ri->act_ping_time != 0 &&
	    ri->act_ping_time + decide_down_after(&sentinel, ri) / 2 + 1 < due)
		due = ri->act_ping_time + decide_down_after(&sentinel, ri) / 2 + 1;
	if (ri->type != INST_SENTINEL && s->pubsub != NULL && link_is_connected(s->pubsub) &&
	    s->pubsub_last_msg + 3 * sentinel.publish_period + 1 < due)
		due = s->pubsub_last_msg + 3 * sentinel.publish_period + 1;
	/*
	 * On a grid of a tenth of the PING period (20 to 100 ms): with the
	 * default periods every instance's work falls on the same 10 ticks a
	 * second, and replies come back in bursts that one wake-up reads.
	 * An SDOWN deadline is kept to the ms.
	 */
	grid = decide_ping_period(&sentinel, ri) / 10;
	grid = grid < TICK_MS ? TICK_MS : grid > 100 ? 100 : grid;
	due = (due + grid - 1) / grid * grid;
	if (due < now + TICK_MS)
		due = now + TICK_MS;
	sd = sentinel.tilt ? 0 : decide_sdown_deadline(&sentinel, ri, now, monitor_link_connected(ri));
	if (sd > now && sd < due)
		due = sd;
	s->next_due = due;
	if (s->next_due < tick_min_due)
		tick_min_due = s->next_due;
	return true;
}

/* A master whose state machine must run on every tick. */
static bool
hot(const struct instance *m)
{
	return (m->flags & (INST_S_DOWN | INST_O_DOWN | INST_FORCE_FAILOVER |
	    INST_FAILOVER_IN_PROGRESS)) || m->failover_state != FO_NONE || m->coord_state != 0;
}

/* Have the tick run within TICK_MS (something may be due sooner than it planned). */
static void
wake(void)
{
	struct timeval tv = { 0, TICK_MS * 1000 };

	if (tick_ev == NULL || tick_at <= loop_now_ms() + TICK_MS)
		return;
	tick_at = loop_now_ms() + TICK_MS;
	tick_due_us = util_mono_us() + TICK_MS * 1000;
	evtimer_add(tick_ev, &tv);
}

void
monitor_rescan(void)
{
	rescan = true;
	wake();
}

/*
 * The one-line summary the service manager shows (systemctl status):
 * masters monitored, how many are down (SDOWN or ODOWN), failovers under
 * way, TILT; counted by tick() as it goes over the masters, and sent only
 * when it changes.
 */
static void
notify_status(unsigned down, unsigned fo)
{
	static size_t	last_n = (size_t)-1;
	static unsigned	last_down, last_fo;
	static bool	last_tilt;
	char		text[160];

	if (sentinel.nmasters == last_n && down == last_down && fo == last_fo &&
	    sentinel.tilt == last_tilt)
		return;
	last_n = sentinel.nmasters;
	last_down = down;
	last_fo = fo;
	last_tilt = sentinel.tilt;
	snprintf(text, sizeof text, "%zu master%s monitored, %u down, %u failover%s in progress%s",
	    sentinel.nmasters, sentinel.nmasters == 1 ? "" : "s", down, fo, fo == 1 ? "" : "s",
	    sentinel.tilt ? ", TILT" : "");
	proc_notify_status(text);
}

/*
 * The periodic pass. It runs again when the earliest instance work is due,
 * every TICK_MS while a master is in trouble or in TILT, and at least every
 * DECIDE_IDLE_TICK_MS (TILT is detected from its regularity, as Redis does).
 */
static void
tick(void *unused)
{
	int64_t now = loop_now_ms(), delay;
	enum decide_change t;
	bool all;
	struct timeval tv;
	static unsigned trouble;	/* counted in the previous pass */
	unsigned down = 0, fo = 0;	/* for notify_status() */

	UNUSED(unused);
	t = decide_tilt(&sentinel, now);
	if ((t & DECIDE_TILT_ENTER) && !(t & DECIDE_TILT_RETRIGGER))
		stats_tilt_enter(now);
	if (t & DECIDE_TILT_ENTER)
		emit_event(LOG_WARNING, "+tilt", NULL, "#tilt mode entered");
	if (t & DECIDE_TILT_LEAVE) {
		stats_tilt_leave(now);
		emit_event(LOG_WARNING, "-tilt", NULL, "#tilt mode exited");
	}
	/* Everything after a change of settings, and in TILT (as before it). */
	all = rescan || sentinel.tilt;
	rescan = false;
	tick_min_due = now + IDLE_TICK_MS;
	sentinel.masters_in_trouble = trouble;
	trouble = 0;
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		struct instance *m = sentinel.masters[i];
		/* A master in trouble: its replicas and peers are looked at every tick. */
		bool h = all || hot(m), v;

		if (hot(m))
			trouble++;
		if (m->flags & (INST_S_DOWN | INST_O_DOWN))
			down++;
		if (m->flags & INST_FAILOVER_IN_PROGRESS)
			fo++;

		v = visit(m, now, h);
		for (size_t k = 0; k < m->nreplicas; k++)
			visit(m->replicas[k], now, h);
		for (size_t k = 0; k < m->nsentinels; k++)
			visit(m->sentinels[k], now, h);
		if (sentinel.tilt || !(v || h || hot(m)))
			continue;
		check_master(m, now);
		failover_tick(m, now);
		if (hot(m) && tick_min_due > now + TICK_MS)
			tick_min_due = now + TICK_MS;
	}
	script_tick();
	notify_status(down, fo);
	if (sentinel.tilt && tick_min_due > now + TICK_MS)
		tick_min_due = now + TICK_MS;
	delay = tick_min_due - now;
	delay = delay < 1 ? 1 : delay > IDLE_TICK_MS ? IDLE_TICK_MS : delay;
	tick_at = now + delay;
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)delay * 1000;
	tick_due_us = util_mono_us() + delay * 1000;
	evtimer_add(tick_ev, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	UNUSED(fd);
	UNUSED(what);
	loop_update_time();
	/* How late the loop got to it: callbacks that ran long, or a stalled process. */
	stats_loop_lag(util_mono_us() - tick_due_us);
	tick(arg);
}

void
monitor_start(void)
{
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		emit_event(LOG_WARNING, "+monitor", sentinel.masters[i], "quorum %u",
		    sentinel.masters[i]->quorum);
		monitor_master_added(sentinel.masters[i]);
	}
	/* Before everything that writes to a socket: see monitor_config_sync(). */
	loop_before_sleep_first(sync_if_needed, NULL);
	loop_before_sleep(flush_if_dirty, NULL);
	loop_before_sleep(link_flush_all, NULL);
	tick_ev = evtimer_new(loop_base(), tick_cb, NULL);
	/*
	 * loop_now_ms() still holds the time of loop_init, older than the
	 * previous_time set while the config was loaded: a negative delta
	 * would enter TILT at start-up.
	 */
	loop_update_time();
	tick(NULL);
}

void
monitor_reset_master(struct instance *m)
{
	/*
	 * A planned failover stopped by the reset lets the old master's clients
	 * go on at once (the link delivers it before it goes: link_free).
	 */
	if (m->coord_state == 1)
		monitor_command(m, NULL, NULL, "CLIENT", "UNPAUSE", NULL);
	m->coord_state = 0;
	/* Replicas and sentinels are learned again from INFO and hellos. */
	while (m->nreplicas > 0) {
		struct instance *r = m->replicas[m->nreplicas - 1];

		detach(r);
		instance_remove_child(r);
	}
	while (m->nsentinels > 0) {
		struct instance *si = m->sentinels[m->nsentinels - 1];

		detach(si);
		instance_remove_child(si);
	}
	detach(m);
	m->flags &= ~(INST_S_DOWN | INST_O_DOWN | INST_FAILOVER_IN_PROGRESS | INST_FORCE_FAILOVER |
	    INST_SCRIPT_KILL_SENT | INST_MASTER_REBOOT);
	m->failover_state = FO_NONE;
	m->promoted_slave = NULL;
	m->role_reported = ROLE_UNKNOWN;
	m->act_ping_time = m->last_avail_time = 0;
	m->runid[0] = '\0';
	attach(m);
	/* +reset-master is SENTINEL RESET's to send (cmd_sentinel.c), once. */
	monitor_config_dirty();
}

void
monitor_switch_master(struct instance *m, const char *ip, int port)
{
	char **keep_ip;
	int *keep_port;
	size_t nkeep = 0, cap = m->nreplicas + 1;

	/* Round trips of the old address say nothing about the new one. */
	free(m->ping_rtt);
	m->ping_rtt = NULL;
	/* The replicas stay replicas of the new master; the old master becomes one. */
	keep_ip = xcalloc(cap, sizeof *keep_ip);
	keep_port = xcalloc(cap, sizeof *keep_port);
	for (size_t k = 0; k < m->nreplicas; k++) {
		struct instance *r = m->replicas[k];

		if (strcmp(r->ip, ip) == 0 && r->port == port)
			continue;
		keep_ip[nkeep] = xstrdup(r->ip);
		keep_port[nkeep++] = r->port;
	}
	if (m->ip != NULL && !(strcmp(m->ip, ip) == 0 && m->port == port)) {
		keep_ip[nkeep] = xstrdup(m->ip);
		keep_port[nkeep++] = m->port;
	}
	while (m->nreplicas > 0) {
		struct instance *r = m->replicas[m->nreplicas - 1];

		detach(r);
		instance_remove_child(r);
	}
	detach(m);
	free(m->ip);
	m->ip = xstrdup(ip);
	free(m->host);
	m->host = xstrdup(ip);
	m->port = port;
	m->flags &= ~(INST_S_DOWN | INST_O_DOWN | INST_MASTER_REBOOT | INST_SCRIPT_KILL_SENT);
	m->s_down_since = m->o_down_since = 0;
	/*
	 * A new master: the wait between two failovers of the old one (and a
	 * vote given for it) says nothing about this one.
	 */
	m->failover_start_time = 0;
	m->failover_delay_logged = 0;
	/* Peers' "master down" answers were about the old address. */
	for (size_t k = 0; k < m->nsentinels; k++) {
		m->sentinels[k]->flags &= ~INST_MASTER_DOWN;
		m->sentinels[k]->last_master_down_reply_time = 0;
		m->sentinels[k]->master_down_asked_time = 0;
		m->sentinels[k]->down_report_since = 0;
	}
	m->act_ping_time = m->last_avail_time = 0;
	m->runid[0] = '\0';
	m->role_reported = ROLE_UNKNOWN;
	m->info_refresh = 0;
	attach(m);
	for (size_t k = 0; k < nkeep; k++) {
		struct instance *r = instance_replica_add(m, keep_ip[k], keep_port[k]);

		if (r != NULL) {
			attach(r);
			emit_event(LOG_NOTICE, "+slave", r, "%s", "");
		}
		free(keep_ip[k]);
	}
	free(keep_ip);
	free(keep_port);
	monitor_config_dirty();
}

static void
drop(struct instance *ri)
{
	if (ri->shell == NULL)
		return;
	if (ri->shell->cmd)
		link_close(ri->shell->cmd, "credentials changed");
	if (ri->shell->pubsub)
		link_close(ri->shell->pubsub, "credentials changed");
	ri->shell->last_reconnect = 0;
}

void
monitor_drop_links(struct instance *m)
{
	drop(m);
	for (size_t k = 0; k < m->nreplicas; k++)
		drop(m->replicas[k]);
}

void
monitor_drop_sentinel_links(void)
{
	for (struct peer *p = peers; p; p = p->next) {
		link_close(p->cmd, "credentials changed");
		p->last_reconnect = 0;
	}
}

int
monitor_command(struct instance *ri, void (*fn)(struct link *, struct redisReply *, void *),
    void *privdata, ...)
{
	const char *argv[16];
	size_t lens[16];
	int argc = 0;
	va_list ap;
	const char *w;

	if (ri->shell == NULL || ri->shell->cmd == NULL || !link_is_connected(ri->shell->cmd))
		return -1;
	va_start(ap, privdata);
	while ((w = va_arg(ap, const char *)) != NULL && argc < 16) {
		argv[argc] = argc == 0 ? cmdname(ri, w) : w;
		lens[argc] = strlen(argv[argc]);
		argc++;
	}
	va_end(ap);
	return link_command(ri->shell->cmd, fn, privdata, argc, argv, lens);
}

void
monitor_info_now(struct instance *ri)
{
	if (ri->shell != NULL && ri->shell->cmd != NULL && link_is_connected(ri->shell->cmd))
		send_info(ri);
}

void
monitor_info_every(struct instance *ri, int64_t ms)
{
	int64_t now = loop_now_ms();

	if (ri->shell != NULL && now - ri->shell->last_info_sent >= ms && now - ri->info_refresh >= ms)
		monitor_info_now(ri);
}

void
monitor_ask_now(struct instance *m)
{
	for (size_t k = 0; k < m->nsentinels; k++) {
		struct instance *si = m->sentinels[k];

		if (si->shell && si->shell->peer && link_is_connected(si->shell->peer->cmd))
			ask_peer(m, si);
	}
}

void
monitor_flush_pending(void)
{
	if (config_dirty || sync_needed || sconf_dirty())
		monitor_flush_config();
}
