/*
 * instance.c - the sentinel's state: the masters it monitors, their
 * replicas and the other sentinels, and the few lookups every module needs.
 * Links (struct link) belong to link.c and are never touched here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "hmap.h"
#include "instance.h"
#include "util.h"

struct sentinel_state sentinel;


/* Masters by name: a hello names its master, and thousands arrive a second. */
static struct hmap	by_name;

/* Drop a string field. */
static void
instance_strfree(char **p)
{
	free(*p);
	*p = NULL;
}

/* Release what the global options point to. */
static void
instance_state_release(void)
{
	size_t	i;

	for (i = 0; i < sentinel.nmasters; i++)
		instance_free(sentinel.masters[i]);
	free(sentinel.masters);
	sentinel.masters = NULL;
	sentinel.nmasters = 0;
	hmap_clear(&by_name, NULL);
	instance_strfree(&sentinel.announce_ip);
	instance_strfree(&sentinel.sentinel_user);
	instance_strfree(&sentinel.sentinel_pass);
}

/*
 * Reset the sentinel to the state of a fresh start with Redis 7.0's
 * defaults; anything a previous init or load left is freed (the caller
 * detaches links first).
 */
void
sentinel_state_init(void)
{
	instance_state_release();
	memset(&sentinel, 0, sizeof sentinel);
	sentinel.deny_scripts_reconfig = true;
	sentinel.previous_time = util_mono_ms();
	sentinel.info_period = DEFAULT_INFO_PERIOD;
	sentinel.ping_period = DEFAULT_PING_PERIOD;
	sentinel.ask_period = DEFAULT_ASK_PERIOD;
	sentinel.publish_period = DEFAULT_PUBLISH_PERIOD;
	sentinel.default_down_after = DEFAULT_DOWN_AFTER;
	sentinel.default_failover_timeout = DEFAULT_FAILOVER_TIMEOUT;
	sentinel.tilt_trigger = DEFAULT_TILT_TRIGGER;
	sentinel.tilt_period = DEFAULT_TILT_PERIOD;
	sentinel.slave_reconf_timeout = DEFAULT_SLAVE_RECONF_TIMEOUT;
	sentinel.min_link_reconnect_period = DEFAULT_MIN_LINK_RECONNECT;
	sentinel.election_timeout = DEFAULT_ELECTION_TIMEOUT;
	sentinel.script_max_runtime = DEFAULT_SCRIPT_MAX_RUNTIME;
	sentinel.script_retry_delay = DEFAULT_SCRIPT_RETRY_DELAY;
}

/*
 * A new instance of any type with the defaults Redis gives it. Like Redis,
 * the clocks start now: an instance never reached counts as unanswered
 * since its creation, so it can become S_DOWN.
 */
static struct instance *
instance_new(enum inst_type type, const char *name, const char *host,
    const char *ip, int port)
{
	struct instance	*i;
	int64_t		 now = util_mono_ms();

	i = xcalloc(1, sizeof *i);
	i->type = type;
	i->name = xstrdup(name);
	if (host != NULL)
		i->host = xstrdup(host);
	else if (ip != NULL)
		i->host = xstrdup(ip);
	if (ip != NULL)
		i->ip = xstrdup(ip);
	i->port = port;
	i->act_ping_time = now;
	i->last_avail_time = now;
	i->last_pong_time = now;
	i->last_hello_time = now;
	i->last_master_down_reply_time = now;
	i->role_reported = type == INST_MASTER ? ROLE_MASTER :
	    type == INST_REPLICA ? ROLE_SLAVE : ROLE_UNKNOWN;
	i->role_reported_time = now;
	i->slave_conf_change_time = now;
	i->down_after_ms = sentinel.default_down_after;
	i->failover_timeout = sentinel.default_failover_timeout;
	i->parallel_syncs = DEFAULT_PARALLEL_SYNCS;
	i->slave_priority = DEFAULT_SLAVE_PRIORITY;
	i->replica_announced = true;
	return i;
}

/* Append to a growable array of instances. */
static void
instance_push(struct instance ***list, size_t *n, struct instance *i)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = i;
}

/* Take i out of an array of instances, keeping the order; false if absent. */
static bool
instance_unlink(struct instance **list, size_t *n, const struct instance *i)
{
	size_t	k;

	for (k = 0; k < *n; k++) {
		if (list[k] == i) {
			memmove(&list[k], &list[k + 1], (*n - k - 1) * sizeof *list);
			(*n)--;
			return true;
		}
	}
	return false;
}

/*
 * Start monitoring a master. host is what the configuration says (NULL:
 * the same as ip), ip the numeric address (NULL while a hostname is not
 * resolved). Returns NULL when the name is taken.
 */
struct instance *
instance_master_new(const char *name, const char *host, const char *ip,
    int port, unsigned quorum)
{
	struct instance	*m;

	if (instance_master_find(name) != NULL)
		return NULL;
	m = instance_new(INST_MASTER, name, host, ip, port);
	m->quorum = quorum;
	instance_push(&sentinel.masters, &sentinel.nmasters, m);
	hmap_insert(&by_name, m->name, strlen(m->name), NULL)->val = m;
	return m;
}

/* Master names are compared exactly, as Redis does. */
struct instance *
instance_master_find(const char *name)
{
	struct hmap_entry	*e = hmap_find(&by_name, name, strlen(name));

	return e != NULL ? e->val : NULL;
}

/* Stop monitoring a master: it and everything it has are freed. */
void
instance_master_remove(struct instance *m)
{
	instance_unlink(sentinel.masters, &sentinel.nmasters, m);
	hmap_entry_free(hmap_unlink(&by_name, m->name, strlen(m->name)));
	instance_free(m);
}

/* A replica seen in INFO or in the config; NULL when already known. */
struct instance *
instance_replica_add(struct instance *m, const char *ip, int port)
{
	struct instance	*r;
	char		*name;

	if (instance_replica_find(m, ip, port) != NULL)
		return NULL;
	name = instance_addr_name(ip, port);
	r = instance_new(INST_REPLICA, name, NULL, ip, port);
	free(name);
	r->master = m;
	r->down_after_ms = m->down_after_ms;
	r->quorum = m->quorum;
	instance_push(&m->replicas, &m->nreplicas, r);
	return r;
}

/* Replicas are known by address; the name is derived from it. */
struct instance *
instance_replica_find(struct instance *m, const char *ip, int port)
{
	char		*name = instance_addr_name(ip, port);
	struct instance	*found = NULL;
	size_t		 i;

	for (i = 0; i < m->nreplicas && found == NULL; i++) {
		if (strcmp(m->replicas[i]->name, name) == 0)
			found = m->replicas[i];
	}
	free(name);
	return found;
}

/*
 * Another sentinel of m, named by its run id (by its address while the run
 * id is unknown). NULL when one with that name exists already.
 */
struct instance *
instance_sentinel_add(struct instance *m, const char *ip, int port,
    const char *runid)
{
	struct instance	*s;
	char		*name;

	if (runid != NULL && *runid != '\0') {
		if (instance_sentinel_find_runid(m, runid) != NULL)
			return NULL;
		name = xstrdup(runid);
	} else
		name = instance_addr_name(ip, port);
	for (size_t i = 0; i < m->nsentinels; i++) {
		if (strcmp(m->sentinels[i]->name, name) == 0) {
			free(name);
			return NULL;
		}
	}
	s = instance_new(INST_SENTINEL, name, NULL, ip, port);
	free(name);
	if (runid != NULL)
		snprintf(s->runid, sizeof s->runid, "%s", runid);
	s->master = m;
	s->down_after_ms = m->down_after_ms;
	s->quorum = m->quorum;
	instance_push(&m->sentinels, &m->nsentinels, s);
	return s;
}

/* Sentinels announce themselves with their run id. */
struct instance *
instance_sentinel_find_runid(struct instance *m, const char *runid)
{
	size_t	i;

	for (i = 0; i < m->nsentinels; i++) {
		if (strcmp(m->sentinels[i]->runid, runid) == 0 ||
		    strcmp(m->sentinels[i]->name, runid) == 0)
			return m->sentinels[i];
	}
	return NULL;
}

/* A sentinel that changed its run id is still found at its address. */
struct instance *
instance_sentinel_find_addr(struct instance *m, const char *ip, int port)
{
	size_t	i;

	for (i = 0; i < m->nsentinels; i++) {
		struct instance	*s = m->sentinels[i];

		if (s->port == port && s->ip != NULL && strcmp(s->ip, ip) == 0)
			return s;
	}
	return NULL;
}

/* Forget a replica or sentinel of its master, and free it. */
void
instance_remove_child(struct instance *child)
{
	struct instance	*m = child->master;

	if (m != NULL) {
		if (!instance_unlink(m->replicas, &m->nreplicas, child))
			instance_unlink(m->sentinels, &m->nsentinels, child);
		if (m->promoted_slave == child)
			m->promoted_slave = NULL;
	}
	instance_free(child);
}

/*
 * Free an instance; a master takes its replicas and sentinels with it.
 * The link is not ours: the caller has detached it already.
 */
void
instance_free(struct instance *i)
{
	size_t	k;

	if (i == NULL)
		return;
	for (k = 0; k < i->nreplicas; k++)
		instance_free(i->replicas[k]);
	free(i->replicas);
	for (k = 0; k < i->nsentinels; k++)
		instance_free(i->sentinels[k]);
	free(i->sentinels);
	for (k = 0; k < i->nrenamed; k++) {
		free(i->renamed[k].from);
		free(i->renamed[k].to);
	}
	free(i->renamed);
	free(i->name);
	free(i->host);
	free(i->ip);
	free(i->info);
	free(i->slave_master_host);
	free(i->leader);
	free(i->auth_pass);
	free(i->auth_user);
	free(i->notification_script);
	free(i->client_reconfig_script);
	free(i->sc_text);
	free(i->ping_rtt);
	history_free(i->history);
	free(i);
}

/* How Redis names a replica: "ip:port", "[v6]:port". */
char *
instance_addr_name(const char *ip, int port)
{
	if (strchr(ip, ':') != NULL)
		return xasprintf("[%s]:%d", ip, port);
	return xasprintf("%s:%d", ip, port);
}

/*
 * Once a failover has reached reconf_slaves the promoted replica has the
 * new configuration: from then on that is the master's address. *ip is
 * the numeric address, or the host while it is not resolved.
 */
void
instance_current_addr(const struct instance *m, const char **ip, int *port)
{
	const struct instance	*cur = m;

	if (m->promoted_slave != NULL && m->failover_state >= FO_RECONF_SLAVES)
		cur = m->promoted_slave;
	*ip = cur->ip != NULL ? cur->ip : cur->host;
	*port = cur->port;
}

/*
 * rename-command of the master (replicas and sentinels use their
 * master's table): the name to send for cmd, cmd itself when not renamed.
 */
const char *
instance_cmd_name(const struct instance *i, const char *cmd)
{
	const struct instance	*m = i;
	size_t			 k;

	if (m->type != INST_MASTER && m->master != NULL)
		m = m->master;
	for (k = 0; k < m->nrenamed; k++) {
		if (strcasecmp(m->renamed[k].from, cmd) == 0)
			return m->renamed[k].to;
	}
	return cmd;
}
