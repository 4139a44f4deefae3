/*
 * cmd_sentinel.c - the SENTINEL subcommands, with Redis Sentinel 7.0.15's
 * replies and errors. The command table (commands.c) has already checked
 * the subcommand name and its arity.
 */
#include "config.h"

#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "client.h"
#include "commands.h"
#include "decide.h"
#include "emit.h"
#include "failover.h"
#include "history.h"
#include "resolve.h"
#include "sock.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "match.h"
#include "monitor.h"
#include "resp.h"
#include "sconf.h"
#include "script.h"
#include "util.h"

/* SENTINEL SIMULATE-FAILURE flags, as INFO prints them. */
#define SIMFAILURE_CRASH_AFTER_ELECTION		1
#define SIMFAILURE_CRASH_AFTER_PROMOTION	2

static bool
arg_is(const struct client *c, int i, const char *word)
{
	return i < c->argc && strcasecmp(c->argv[i], word) == 0;
}

static void
reply_not_integer(struct client *c)
{
	client_err(c, "ERR value is not an integer or out of range");
}

/* The master named by argv[i], or NULL after replying Redis's error. */
static struct instance *
master_or_reply(struct client *c, int i)
{
	struct instance *m = instance_master_find(c->argv[i]);

	if (m == NULL)
		client_err(c, "ERR No such master with that name");
	return m;
}

/* Save the state before answering, as sentinelFlushConfigAndReply does. */
static void
flush_and_reply(struct client *c)
{
	if (monitor_flush_config() == -1)
		client_err(c, "ERR Failed to save config file. Check server logs.");
	else
		client_ok(c);
}

/* Clients see the hostname when announce-hostnames is on, else the address. */
const char *
cmd_sentinel_shown_ip(const struct instance *ri)
{
	if (sentinel.announce_hostnames && ri->host != NULL)
		return ri->host;
	return ri->ip != NULL ? ri->ip : (ri->host != NULL ? ri->host : "");
}

static void
pair_str(struct client *c, const char *k, const char *v)
{
	client_bulk_str(c, k);
	client_bulk_str(c, v);
}

static void
pair_ll(struct client *c, const char *k, long long v)
{
	client_bulk_str(c, k);
	resp_bulk_ll(&c->reply, v);
}

static const char *
failover_state_name(enum failover_state st)
{
	switch (st) {
	case FO_NONE:			return "none";
	case FO_WAIT_START:		return "wait_start";
	case FO_SELECT_SLAVE:		return "select_slave";
	case FO_SEND_SLAVEOF_NOONE:	return "send_slaveof_noone";
	case FO_WAIT_PROMOTION:		return "wait_promotion";
	case FO_RECONF_SLAVES:		return "reconf_slaves";
	case FO_UPDATE_CONFIG:		return "update_config";
	}
	return "unknown";
}

/* The flags field: comma list in the fixed order 7.0 prints. */
static void
flags_string(const struct instance *ri, struct buf *b)
{
	static const struct { uint32_t flag; const char *name; } after[] = {
		{ INST_MASTER_DOWN, "master_down" },
		{ INST_FAILOVER_IN_PROGRESS, "failover_in_progress" },
		{ INST_PROMOTED, "promoted" },
		{ INST_RECONF_SENT, "reconf_sent" },
		{ INST_RECONF_INPROG, "reconf_inprog" },
		{ INST_RECONF_DONE, "reconf_done" },
		{ INST_FORCE_FAILOVER, "force_failover" },
		{ INST_SCRIPT_KILL_SENT, "script_kill_sent" },
	};

	if (ri->flags & INST_S_DOWN)
		buf_appends(b, "s_down,");
	if (ri->flags & INST_O_DOWN)
		buf_appends(b, "o_down,");
	if (ri->type == INST_MASTER)
		buf_appends(b, "master,");
	else if (ri->type == INST_REPLICA)
		buf_appends(b, "slave,");
	else
		buf_appends(b, "sentinel,");
	if (!monitor_link_connected(ri))
		buf_appends(b, "disconnected,");
	for (size_t i = 0; i < ARRAY_SIZE(after); i++)
		if (ri->flags & after[i].flag)
			buf_appendf(b, "%s,", after[i].name);
	b->len--;		/* the last comma; there is always one */
	b->data[b->len] = '\0';
}

/*
 * One instance as a map (RESP3) or a flat array (RESP2) of bulk strings,
 * numbers included; times are milliseconds ago.
 */
void
cmd_sentinel_instance_reply(struct client *c, const struct instance *ri, int64_t now)
{
	struct buf flags = BUF_INIT;
	int n = 11;

	if (ri->flags & INST_FAILOVER_IN_PROGRESS)
		n++;
	if (ri->flags & INST_S_DOWN)
		n++;
	if (ri->flags & INST_O_DOWN)
		n++;
	if (ri->type == INST_MASTER) {
		n += 3 + 6;
		n += (ri->notification_script != NULL) + (ri->client_reconfig_script != NULL);
	} else if (ri->type == INST_REPLICA)
		n += 3 + 7;
	else
		n += 3;
	client_map(c, n);

	pair_str(c, "name", ri->name);
	pair_str(c, "ip", cmd_sentinel_shown_ip(ri));
	pair_ll(c, "port", ri->port);
	pair_str(c, "runid", ri->runid);
	flags_string(ri, &flags);
	pair_str(c, "flags", flags.data);
	buf_free(&flags);
	pair_ll(c, "link-pending-commands", monitor_link_pending(ri));
	pair_ll(c, "link-refcount", monitor_link_refcount(ri));
	if (ri->flags & INST_FAILOVER_IN_PROGRESS)
		pair_str(c, "failover-state", failover_state_name(ri->failover_state));
	pair_ll(c, "last-ping-sent", ri->act_ping_time ? now - ri->act_ping_time : 0);
	pair_ll(c, "last-ok-ping-reply", now - ri->last_avail_time);
	pair_ll(c, "last-ping-reply", now - ri->last_pong_time);
	if (ri->flags & INST_S_DOWN)
		pair_ll(c, "s-down-time", now - ri->s_down_since);
	if (ri->flags & INST_O_DOWN)
		pair_ll(c, "o-down-time", now - ri->o_down_since);
	pair_ll(c, "down-after-milliseconds", ri->down_after_ms);

	if (ri->type == INST_MASTER || ri->type == INST_REPLICA) {
		pair_ll(c, "info-refresh", ri->info_refresh ? now - ri->info_refresh : 0);
		pair_str(c, "role-reported",
		    ri->role_reported == ROLE_MASTER ? "master" : "slave");
		pair_ll(c, "role-reported-time", now - ri->role_reported_time);
	}
	if (ri->type == INST_MASTER) {
		pair_ll(c, "config-epoch", (long long)ri->config_epoch);
		pair_ll(c, "num-slaves", (long long)ri->nreplicas);
		pair_ll(c, "num-other-sentinels", (long long)ri->nsentinels);
		pair_ll(c, "quorum", ri->quorum);
		pair_ll(c, "failover-timeout", ri->failover_timeout);
		pair_ll(c, "parallel-syncs", ri->parallel_syncs);
		if (ri->notification_script != NULL)
			pair_str(c, "notification-script", ri->notification_script);
		if (ri->client_reconfig_script != NULL)
			pair_str(c, "client-reconfig-script", ri->client_reconfig_script);
	} else if (ri->type == INST_REPLICA) {
		pair_ll(c, "master-link-down-time", ri->master_link_down_since_ms);
		pair_str(c, "master-link-status", ri->slave_master_link_ok ? "ok" : "err");
		pair_str(c, "master-host", ri->slave_master_host ? ri->slave_master_host : "?");
		pair_ll(c, "master-port", ri->slave_master_port);
		pair_ll(c, "slave-priority", ri->slave_priority);
		pair_ll(c, "slave-repl-offset", ri->slave_repl_offset);
		pair_ll(c, "replica-announced", ri->replica_announced ? 1 : 0);
	} else {
		pair_ll(c, "last-hello-message", now - ri->last_hello_time);
		pair_str(c, "voted-leader", ri->leader ? ri->leader : "?");
		pair_ll(c, "voted-leader-epoch", (long long)ri->leader_epoch);
	}
}

/* An array of instances; replicas that asked not to be announced are left out. */
static void
instances_reply(struct client *c, struct instance *const *list, size_t n)
{
	int64_t now = loop_now_ms();
	size_t shown = 0;

	for (size_t i = 0; i < n; i++)
		if (list[i]->type != INST_REPLICA || list[i]->replica_announced)
			shown++;
	client_array(c, (long long)shown);
	for (size_t i = 0; i < n; i++)
		if (list[i]->type != INST_REPLICA || list[i]->replica_announced)
			cmd_sentinel_instance_reply(c, list[i], now);
}

/*
 * SENTINEL HISTORY <name> (beyond Redis, not listed by COMMAND): the last
 * failovers of a master, newest first; each a map (RESP3) or flat array
 * (RESP2) of bulk strings, like SENTINEL MASTER. Step times are
 * milliseconds after start-time (the first step known), -1 when not reached.
 */
static void
history_reply(struct client *c, struct instance *m)
{
	const struct history *h = m->history;
	unsigned n = h ? h->n : 0;

	client_array(c, n);
	for (unsigned i = n; i-- > 0;) {
		const struct fo_record *r = &h->rec[i];
		int64_t start = 0;

		for (int st = 0; st < STEP_N; st++)
			if (r->t[st] != 0 && (start == 0 || r->t[st] < start))
				start = r->t[st];
		client_map(c, 11 + STEP_N);
		pair_ll(c, "epoch", (long long)r->epoch);
		pair_str(c, "role", history_role_name(r->role));
		pair_str(c, "leader", r->leader);
		pair_str(c, "reason", r->manual ? "manual" : "odown");
		pair_str(c, "outcome", history_outcome_name(r->outcome));
		pair_str(c, "old-master-ip", r->old_ip ? r->old_ip : "");
		pair_ll(c, "old-master-port", r->old_port);
		pair_str(c, "new-master-ip", r->new_ip ? r->new_ip : "");
		pair_ll(c, "new-master-port", r->new_port);
		pair_ll(c, "replicas-reconfigured", r->reconfigured);
		pair_ll(c, "start-time", start);
		for (int st = 0; st < STEP_N; st++)
			pair_ll(c, history_step_name((enum fo_step)st),
			    r->t[st] != 0 ? r->t[st] - start : -1);
	}
}

/* SENTINEL HELP. */
void
cmd_sentinel_help(struct client *c)
{
	static const char *help[] = {
		"SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CKQUORUM <master-name>",
		"    Check if the current Sentinel configuration is able to reach the quorum",
		"    needed to failover a master and the majority needed to authorize the",
		"    failover.",
		"CONFIG SET <param> <value>",
		"    Set a global Sentinel configuration parameter.",
		"CONFIG GET <param>",
		"    Get global Sentinel configuration parameter.",
		"DEBUG [<param> <value> ...]",
		"    Show a list of configurable time parameters and their values (milliseconds).",
		"    Or update current configurable parameters values (one or more).",
		"GET-MASTER-ADDR-BY-NAME <master-name>",
		"    Return the ip and port number of the master with that name.",
		"FAILOVER <master-name>",
		"    Manually failover a master node without asking for agreement from other",
		"    Sentinels",
		"FLUSHCONFIG",
		"    Force Sentinel to rewrite its configuration on disk, including the current",
		"    Sentinel state.",
		"INFO-CACHE <master-name>",
		"    Return last cached INFO output from masters and all its replicas.",
		"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
		"    Check if the master specified by ip:port is down from current Sentinel's",
		"    point of view.",
		"MASTER <master-name>",
		"    Show the state and info of the specified master.",
		"MASTERS",
		"    Show a list of monitored masters and their state.",
		"MONITOR <name> <ip> <port> <quorum>",
		"    Start monitoring a new master with the specified name, ip, port and quorum.",
		"MYID",
		"    Return the ID of the Sentinel instance.",
		"PENDING-SCRIPTS",
		"    Get pending scripts information.",
		"REMOVE <master-name>",
		"    Remove master from Sentinel's monitor list.",
		"REPLICAS <master-name>",
		"    Show a list of replicas for this master and their state.",
		"RESET <pattern>",
		"    Reset masters for specific master name matching this pattern.",
		"SENTINELS <master-name>",
		"    Show a list of Sentinel instances for this master and their state.",
		"SET <master-name> <option> <value> [<option> <value> ...]",
		"    Set configuration parameters for certain masters.",
		"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
		"    Simulate a Sentinel crash.",
		"HELP",
		"    Prints this help.",
	};

	client_array(c, ARRAY_SIZE(help));
	for (size_t i = 0; i < ARRAY_SIZE(help); i++)
		resp_simple(&c->reply, help[i]);
}

/*
 * The peer behind a client, from the name sentinels give their links
 * ("sentinel-<first 8 of runid>-cmd"): it thinks master m is down.
 */
static void
peer_asked(struct instance *m, const char *client_name, int64_t now)
{
	if (client_name == NULL || strncmp(client_name, "sentinel-", 9) != 0 ||
	    strlen(client_name) != 9 + 8 + 4 || strcmp(client_name + 17, "-cmd") != 0)
		return;
	for (size_t k = 0; k < m->nsentinels; k++) {
		struct instance *si = m->sentinels[k];

		if (strncasecmp(si->runid, client_name + 9, 8) == 0) {
			/*
			 * Not as a reply of ours: that would hold back our own
			 * question to it for an ask period, and it might be
			 * waiting for our answer to reach ODOWN.
			 */
			decide_peer_down_report(&sentinel, si, now);
			si->flags |= INST_MASTER_DOWN;
			si->master_down_asked_time = now;
			return;
		}
	}
}

/*
 * IS-MASTER-DOWN-BY-ADDR ip port current-epoch runid: [down, leader,
 * leader-epoch]. Down only when not in TILT and that master is SDOWN.
 */
static void
is_master_down(struct client *c)
{
	long long port, epoch;
	struct instance *m = NULL;

	if (!util_parse_ll(c->argv[3], c->argvlen[3], &port) ||
	    !util_parse_ll(c->argv[4], c->argvlen[4], &epoch)) {
		reply_not_integer(c);
		return;
	}
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		struct instance *cand = sentinel.masters[i];
		const char *ip = cand->ip != NULL ? cand->ip : cand->host;

		if (ip != NULL && strcasecmp(ip, c->argv[2]) == 0 && cand->port == port) {
			m = cand;
			break;
		}
	}
	/*
	 * A sentinel asks "*" only while it sees the master SDOWN (Redis and
	 * ours alike): its question is its answer. Counting it at once lets the
	 * sentinels that went SDOWN first reach ODOWN without waiting an ask
	 * period for their next round of questions.
	 */
	if (m != NULL && strcmp(c->argv[5], "*") == 0)
		peer_asked(m, c->name, loop_now_ms());
	{
		const char *leader = "*";
		uint64_t leader_epoch = 0;

		/* A runid asks for our vote (saved to disk before we answer). */
		if (m != NULL && strcmp(c->argv[5], "*") != 0 && epoch >= 0)
			failover_vote(m, c->argv[5], (uint64_t)epoch, &leader, &leader_epoch);
		client_array(c, 3);
		client_int(c, !sentinel.tilt && m != NULL && (m->flags & INST_S_DOWN) ? 1 : 0);
		client_bulk_str(c, leader);
		client_int(c, (long long)leader_epoch);
	}
}

/* RESET pattern: masters matching the glob (case-sensitive) start afresh. */
static void
reset_masters(struct client *c)
{
	long long n = 0;

	for (size_t i = 0; i < sentinel.nmasters; i++) {
		struct instance *m = sentinel.masters[i];

		if (!match_globs(c->argv[2], m->name, false))
			continue;
		monitor_reset_master(m);
		emit_event(LOG_WARNING, "+reset-master", m, "%s", "");
		n++;
	}
	client_int(c, n);
}

static void
get_master_addr(struct client *c)
{
	struct instance *m = instance_master_find(c->argv[2]);
	const char *ip;
	int port;

	if (m == NULL) {
		client_null_array(c);
		return;
	}
	instance_current_addr(m, &ip, &port);
	if (sentinel.announce_hostnames) {
		const struct instance *cur = m;

		if (m->promoted_slave != NULL && m->failover_state >= FO_RECONF_SLAVES)
			cur = m->promoted_slave;
		ip = cmd_sentinel_shown_ip(cur);
	}
	client_array(c, 2);
	client_bulk_str(c, ip ? ip : "");
	resp_bulk_ll(&c->reply, port);
}

/* A MONITOR waiting for its host name: the client is blocked meanwhile. */
struct pending_monitor {
	uint64_t	 client;
	char		*name;
	char		*host;
	int		 port;
	unsigned	 quorum;
};

/* Add the master once its address is known, and answer. */
static void
monitor_add(struct client *c, const char *name, const char *host, const char *ip, int port,
    unsigned quorum)
{
	struct instance *m = instance_master_new(name, host, ip, port, quorum);

	if (m == NULL) {
		client_err(c, "ERR Duplicate master name.");
		return;
	}
	monitor_master_added(m);
	flush_and_reply(c);
	emit_event(LOG_WARNING, "+monitor", m, "quorum %u", m->quorum);
}

static void
monitor_resolved(void *arg, const char *ip)
{
	struct pending_monitor *pm = arg;
	struct client *c = client_by_id(pm->client);

	if (c != NULL) {
		if (ip == NULL)
			client_err(c, "ERR Invalid IP address or hostname specified");
		else if (instance_master_find(pm->name) != NULL)
			client_err(c, "ERR Duplicate master name.");
		else
			monitor_add(c, pm->name, pm->host, ip, pm->port, pm->quorum);
		client_unblock(c);
	}
	free(pm->name);
	free(pm->host);
	free(pm);
}

/* MONITOR name ip port quorum, the checks in 7.0's order. */
static void
monitor_master(struct client *c)
{
	long long quorum, port;
	const char *host = c->argv[3];
	struct pending_monitor *pm;

	if (!util_parse_ll(c->argv[5], c->argvlen[5], &quorum)) {
		client_err(c, "ERR Invalid quorum");
		return;
	}
	if (!util_parse_ll(c->argv[4], c->argvlen[4], &port)) {
		client_err(c, "ERR Invalid port");
		return;
	}
	if (quorum <= 0) {
		client_err(c, "ERR Quorum must be 1 or greater.");
		return;
	}
	if (!sock_is_numeric(host) && !sentinel.resolve_hostnames) {
		client_err(c, "ERR Invalid IP address or hostname specified");
		return;
	}
	if (port < 0 || port > 65535) {
		client_err(c, "ERR Invalid port number.");
		return;
	}
	if (quorum > (long long)UINT32_MAX || instance_master_find(c->argv[2]) != NULL) {
		client_err(c, "ERR Duplicate master name.");
		return;
	}
	if (sock_is_numeric(host)) {
		monitor_add(c, c->argv[2], host, host, (int)port, (unsigned)quorum);
		return;
	}
	/* A host name: answered when the lookup is done, without blocking the loop. */
	pm = xcalloc(1, sizeof *pm);
	pm->client = c->id;
	pm->name = xstrdup(c->argv[2]);
	pm->host = xstrdup(host);
	pm->port = (int)port;
	pm->quorum = (unsigned)quorum;
	c->flags |= CLIENT_BLOCKED;
	resolve_start(host, monitor_resolved, pm);
}

static void
remove_master(struct client *c)
{
	struct instance *m = master_or_reply(c, 2);

	if (m == NULL)
		return;
	emit_event(LOG_WARNING, "-monitor", m, "%s", "");
	sconf_forget_master(m);
	monitor_forget(m);
	instance_master_remove(m);
	flush_and_reply(c);
}

/* CKQUORUM: can we (plus the peers not down) reach quorum and a majority? */
static void
ckquorum(struct client *c)
{
	struct instance *m = master_or_reply(c, 2);
	size_t usable = 1, voters;
	bool noquorum, noauth;

	if (m == NULL)
		return;
	voters = m->nsentinels + 1;
	for (size_t i = 0; i < m->nsentinels; i++)
		if (!(m->sentinels[i]->flags & (INST_S_DOWN | INST_O_DOWN)))
			usable++;
	noquorum = usable < m->quorum;
	noauth = usable < voters / 2 + 1;
	if (!noquorum && !noauth) {
		buf_appendf(&c->reply, "+OK %zu usable Sentinels. Quorum and failover "
		    "authorization can be reached\r\n", usable);
		return;
	}
	resp_errorf(&c->reply, "NOQUORUM %zu usable Sentinels. %s%s%s", usable,
	    noquorum ? "Not enough available Sentinels to reach the specified quorum "
	    "for this master" : "",
	    noquorum && noauth ? ". " : "",
	    noauth ? "Not enough available Sentinels to reach the majority and "
	    "authorize a failover" : "");
}

/* SET master option value [option value ...]: one +set event per option applied. */
static void
set_master(struct client *c)
{
	struct instance *m = master_or_reply(c, 2);
	int changes = 0;

	if (m == NULL)
		return;
	for (int j = 3; j < c->argc; ) {
		const char *err = NULL;
		int used = 0;
		int rv = sconf_master_set(m, c->argc - j, c->argv + j, &used, &err);

		if (rv == -1) {
			client_err(c, err ? err : "ERR syntax error");
			if (changes)
				(void)monitor_flush_config();
			return;
		}
		changes++;
		/* New credentials: reconnect so that they are used. */
		if (rv & SCONF_SET_DROP_LINKS)
			monitor_drop_links(m);
		if (used >= 3)
			emit_event(LOG_WARNING, "+set", m, "%s %s %s", c->argv[j],
			    c->argv[j + 1], c->argv[j + 2]);
		else if (used == 2)
			emit_event(LOG_WARNING, "+set", m, "%s %s", c->argv[j],
			    strcasecmp(c->argv[j], "auth-pass") == 0 ? "******" : c->argv[j + 1]);
		else
			emit_event(LOG_WARNING, "+set", m, "%s", c->argv[j]);
		j += used > 0 ? used : 1;
	}
	if (changes)
		flush_and_reply(c);
}

/* CONFIG GET pattern / CONFIG SET param value, nothing else. */
static void
config(struct client *c)
{
	if (arg_is(c, 2, "set") && c->argc == 5) {
		const char *err = NULL;
		int rv = sconf_config_set(c->argv[3], c->argv[4], &err);

		if (rv == -1) {
			client_err(c, err ? err : "ERR syntax error");
			return;
		}
		if (rv == 1)
			monitor_drop_sentinel_links();
		flush_and_reply(c);
	} else if (arg_is(c, 2, "get") && c->argc == 4) {
		struct buf tmp = BUF_INIT;
		size_t n = sconf_config_get(c->argv[3], &tmp);

		client_map(c, (long long)n);
		buf_append(&c->reply, tmp.data, tmp.len);
		buf_free(&tmp);
	} else {
		client_err(c, "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> "
		    "are supported.");
	}
}

/* INFO-CACHE [name ...]: the last INFO of each master and of its replicas. */
static void
info_cache(struct client *c)
{
	int64_t now = loop_now_ms();
	struct instance **list = NULL;
	size_t n = 0;

	for (int i = 2; i < c->argc; i++) {
		struct instance *m = instance_master_find(c->argv[i]);
		bool dup = false;

		if (m == NULL)
			continue;
		for (size_t k = 0; k < n; k++)
			dup = dup || list[k] == m;
		if (dup)
			continue;
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = m;
	}
	client_array(c, (long long)n * 2);
	for (size_t k = 0; k < n; k++) {
		const struct instance *m = list[k];

		client_bulk_str(c, m->name);
		client_array(c, (long long)m->nreplicas + 1);
		client_array(c, 2);
		client_int(c, m->info_refresh ? now - m->info_refresh : 0);
		if (m->info != NULL)
			client_bulk_str(c, m->info);
		else
			client_null(c);
		for (size_t r = 0; r < m->nreplicas; r++) {
			const struct instance *s = m->replicas[r];

			client_array(c, 2);
			/* 7.0 tests the master's info_refresh here, not the replica's. */
			client_int(c, m->info_refresh ? now - s->info_refresh : 0);
			if (s->info != NULL)
				client_bulk_str(c, s->info);
			else
				client_null(c);
		}
	}
	free(list);
}

static void
simulate_failure(struct client *c)
{
	sentinel.simfailure_flags = 0;
	for (int j = 2; j < c->argc; j++) {
		if (arg_is(c, j, "crash-after-election")) {
			sentinel.simfailure_flags |= SIMFAILURE_CRASH_AFTER_ELECTION;
			log_warning("Failure simulation: this Sentinel will crash after being "
			    "successfully elected as failover leader");
		} else if (arg_is(c, j, "crash-after-promotion")) {
			sentinel.simfailure_flags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
			log_warning("Failure simulation: this Sentinel will crash after "
			    "promoting the selected replica to master");
		} else if (arg_is(c, j, "help")) {
			client_array(c, 2);
			client_bulk_str(c, "crash-after-election");
			client_bulk_str(c, "crash-after-promotion");
			return;
		} else {
			client_err(c, "ERR Unknown failure simulation specified");
			return;
		}
	}
	client_ok(c);
}

/* The SENTINEL DEBUG knobs, in the order 7.0 lists them. */
static const struct {
	const char	*name;
	size_t		 off;
} knobs[] = {
	{ "INFO-PERIOD", offsetof(struct sentinel_state, info_period) },
	{ "PING-PERIOD", offsetof(struct sentinel_state, ping_period) },
	{ "ASK-PERIOD", offsetof(struct sentinel_state, ask_period) },
	{ "PUBLISH-PERIOD", offsetof(struct sentinel_state, publish_period) },
	{ "DEFAULT-DOWN-AFTER", offsetof(struct sentinel_state, default_down_after) },
	{ "DEFAULT-FAILOVER-TIMEOUT", offsetof(struct sentinel_state, default_failover_timeout) },
	{ "TILT-TRIGGER", offsetof(struct sentinel_state, tilt_trigger) },
	{ "TILT-PERIOD", offsetof(struct sentinel_state, tilt_period) },
	{ "SLAVE-RECONF-TIMEOUT", offsetof(struct sentinel_state, slave_reconf_timeout) },
	{ "MIN-LINK-RECONNECT-PERIOD", offsetof(struct sentinel_state, min_link_reconnect_period) },
	{ "ELECTION-TIMEOUT", offsetof(struct sentinel_state, election_timeout) },
	{ "SCRIPT-MAX-RUNTIME", offsetof(struct sentinel_state, script_max_runtime) },
	{ "SCRIPT-RETRY-DELAY", offsetof(struct sentinel_state, script_retry_delay) },
};

static long long *
knob(size_t i)
{
	return (long long *)(void *)((char *)&sentinel + knobs[i].off);
}

/*
 * DEBUG: without arguments the knobs; with "param ms" pairs, set them one
 * by one (earlier ones stay set when a later one is refused).
 */
static void
debug(struct client *c)
{
	if (c->argc == 2) {
		client_map(c, ARRAY_SIZE(knobs));
		for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
			client_bulk_str(c, knobs[i].name);
			resp_bulk_ll(&c->reply, *knob(i));
		}
		return;
	}
	for (int j = 2; j < c->argc; j++) {
		const char *opt = c->argv[j];
		size_t i;
		long long v;

		for (i = 0; i < ARRAY_SIZE(knobs); i++)
			if (strcasecmp(opt, knobs[i].name) == 0)
				break;
		if (i == ARRAY_SIZE(knobs) || j + 1 >= c->argc) {
			resp_errorf(&c->reply, "ERR Unknown option or number of arguments for "
			    "SENTINEL DEBUG '%s'", opt);
			return;
		}
		j++;
		if (!util_parse_ll(c->argv[j], c->argvlen[j], &v) || v <= 0) {
			resp_errorf(&c->reply, "ERR Invalid argument '%s' for SENTINEL DEBUG '%s'",
			    c->argv[j], opt);
			return;
		}
		*knob(i) = v;
	}
	client_ok(c);
}

/* SENTINEL <subcommand>: name and arity were checked by the table. */
void
cmd_sentinel(struct client *c)
{
	const char *sub = c->argv[1];
	struct instance *m;

	if (!strcasecmp(sub, "masters")) {
		instances_reply(c, sentinel.masters, sentinel.nmasters);
	} else if (!strcasecmp(sub, "master")) {
		if ((m = master_or_reply(c, 2)) != NULL)
			cmd_sentinel_instance_reply(c, m, loop_now_ms());
	} else if (!strcasecmp(sub, "replicas") || !strcasecmp(sub, "slaves")) {
		if ((m = master_or_reply(c, 2)) != NULL)
			instances_reply(c, m->replicas, m->nreplicas);
	} else if (!strcasecmp(sub, "sentinels")) {
		if ((m = master_or_reply(c, 2)) != NULL)
			instances_reply(c, m->sentinels, m->nsentinels);
	} else if (!strcasecmp(sub, "myid")) {
		client_bulk(c, sentinel.myid, RUNID_LEN);
	} else if (!strcasecmp(sub, "is-master-down-by-addr")) {
		is_master_down(c);
	} else if (!strcasecmp(sub, "reset")) {
		reset_masters(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "get-master-addr-by-name")) {
		get_master_addr(c);
	} else if (!strcasecmp(sub, "failover")) {
		const char *err = NULL;
		long long port = 0;
		int argc = c->argc;

		if (argc > 3 && strcasecmp(c->argv[argc - 1], "coordinated") == 0)
			argc--;
		if (argc != 3 && argc != 5) {
			client_err(c, "ERR wrong number of arguments for 'sentinel|failover' command");
			return;
		}
		if ((m = master_or_reply(c, 2)) == NULL)
			return;
		if (argc == 5 && (!util_parse_ll(c->argv[4], c->argvlen[4], &port) ||
		    port < 0 || port > 65535)) {
			client_err(c, "ERR Invalid port number");
			return;
		}
		monitor_rescan();
		if (failover_force(m, argc == 5 ? c->argv[3] : NULL, (int)port, &err) < 0)
			client_err(c, err + 1);
		else
			client_ok(c);
	} else if (!strcasecmp(sub, "pending-scripts")) {
		script_pending_reply(c);
	} else if (!strcasecmp(sub, "monitor")) {
		monitor_master(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "flushconfig")) {
		flush_and_reply(c);
	} else if (!strcasecmp(sub, "remove")) {
		remove_master(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "ckquorum")) {
		ckquorum(c);
	} else if (!strcasecmp(sub, "set")) {
		set_master(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "config")) {
		config(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "info-cache")) {
		info_cache(c);
	} else if (!strcasecmp(sub, "simulate-failure")) {
		simulate_failure(c);
		monitor_rescan();
	} else if (!strcasecmp(sub, "history")) {
		if ((m = master_or_reply(c, 2)) != NULL)
			history_reply(c, m);
	} else if (!strcasecmp(sub, "debug")) {
		debug(c);
		monitor_rescan();
	} else {
		cmd_sentinel_help(c);
	}
}
