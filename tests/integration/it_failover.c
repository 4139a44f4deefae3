/*
 * it_failover.c - failovers run by three of our sentinels against live
 * servers of each kind: the automatic one after a kill -9 of the master
 * (with the old master turned into a replica when it returns), SENTINEL
 * FAILOVER forced on a healthy master, SENTINEL FAILOVER with a chosen
 * replica, a sentinel that slept through a failover and learns it from the
 * hellos, and replica-priority 0.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"

#define NSENT		3
#define NREPS		2
#define DOWN_AFTER	500	/* ms, sentinel down-after-milliseconds */
#define FO_TIMEOUT	5000	/* ms, sentinel failover-timeout */
#define FO_DEADLINE_MS	15000	/* for a whole failover to be seen */
/*
 * Once one sentinel has the new master the others follow within a few
 * hello periods; well under the election timeout (min(10 s, failover-
 * timeout)), so a sentinel waiting on its own lost election is caught.
 */
#define SPREAD_MS	(FO_TIMEOUT / 2)
#define POLL_US		20000	/* between looks at a changing state */
#define LOG_TAIL	60	/* lines of a sentinel log shown on failure */

/* One of our sentinels and what its PSUBSCRIBE * connection saw. */
struct sent {
	char		*dir;
	char		*conf;
	char		*log;
	int		 port;
	pid_t		 pid;
	struct h_conn	*c;
	struct h_conn	*sub;
	struct buf	 ev;	/* "type text\n" per event */
};

/* Everything a case starts, so that one cleanup stops it all. */
struct scn {
	const struct h_target	*t;
	char			*dir;
	struct h_server		 m;
	bool			 mup;
	int			 mport;		/* the first monitored port */
	struct h_server		 r[NREPS];
	int			 nr;
	struct h_server		 x;		/* an extra lone master */
	bool			 xup;
	struct sent		 s[NSENT];
};

/* Every server gets this: Redis 7 waits 5 s before a diskless full sync. */
static const char *const fast_sync[] = { "--repl-diskless-sync-delay", "0", NULL };

static const char *sentinel_bin;

/* --- small helpers ------------------------------------------------------ */

static struct h_conn *
conn(int port)
{
	struct h_conn *c = h_connect(port);

	if (c != NULL)
		fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	return c;
}

static bool
expect(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		return true;
	h_diag("%s:", what);
	h_diag_lines("  expected: ", want);
	h_diag_lines("  got:      ", got);
	return false;
}

/* One command whose reply is wanted as a tree; NULL on failure. */
static struct h_node * __attribute__((sentinel))
node(struct h_conn *c, ...)
{
	const char *argv[64], *s;
	struct h_node *n;
	va_list ap;
	int argc = 0;

	if (c == NULL)
		return NULL;
	va_start(ap, c);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 64)
		argv[argc++] = s;
	va_end(ap);
	if (h_send_argv(c, argc, argv, NULL) == -1 || h_read(c, &n) != H_RD_OK)
		return NULL;
	return n;
}

/* The value of a field in a flat field/value array (SENTINEL MASTER). */
static const char *
fget(const struct h_node *n, const char *field)
{
	if (n == NULL || n->line[0] != '*')
		return NULL;
	for (size_t i = 0; i + 1 < n->nkids; i += 2)
		if (n->kids[i]->str != NULL && strcmp(n->kids[i]->str, field) == 0)
			return n->kids[i + 1]->str;
	return NULL;
}

/* A field of SENTINEL MASTER mymaster, allocated, NULL if not there. */
static char *
mfield(struct h_conn *c, const char *field)
{
	struct h_node *n = node(c, "SENTINEL", "MASTER", "mymaster", NULL);
	const char *v = fget(n, field);
	char *r = v != NULL ? xstrdup(v) : NULL;

	h_node_free(n);
	return r;
}

/* The entry of a list (SENTINEL REPLICAS/SENTINELS) with that port. */
static const struct h_node *
entry_by_port(const struct h_node *list, int port)
{
	char p[16];
	const char *v;

	snprintf(p, sizeof p, "%d", port);
	for (size_t i = 0; list != NULL && i < list->nkids; i++)
		if ((v = fget(list->kids[i], "port")) != NULL && strcmp(v, p) == 0)
			return list->kids[i];
	return NULL;
}

/* A field of the replica on port in SENTINEL REPLICAS mymaster, allocated. */
static char *
rfield(struct h_conn *c, int port, const char *field)
{
	struct h_node *l = node(c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	const char *v = fget(entry_by_port(l, port), field);
	char *r = v != NULL ? xstrdup(v) : NULL;

	h_node_free(l);
	return r;
}

static void
diag_node(const char *prefix, const struct h_node *n)
{
	struct buf b = BUF_INIT;

	if (n == NULL) {
		h_diag("%s(no reply)", prefix);
		return;
	}
	h_render(n, &b);
	h_diag_lines(prefix, b.data);
	buf_free(&b);
}

/* The port of GET-MASTER-ADDR-BY-NAME mymaster, -1 if none. */
static int
addr_port(struct h_conn *c)
{
	struct h_node *n = node(c, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster", NULL);
	int port = -1;

	if (n != NULL && n->nkids == 2 && n->kids[0]->str != NULL && n->kids[1]->str != NULL &&
	    strcmp(n->kids[0]->str, "127.0.0.1") == 0)
		port = atoi(n->kids[1]->str);
	h_node_free(n);
	return port;
}

/* --- servers ------------------------------------------------------------------ */

/* Starts a server of the kind in sc->dir/tag, on port (0: any). */
static bool
srv_start(struct scn *sc, struct h_server *s, const char *tag, int port,
    const char *const *extra)
{
	struct h_srvcfg cfg = { 0 };
	const char *args[24];
	char *dir = xasprintf("%s/%s", sc->dir, tag);
	int rc, n = 0;

	for (int i = 0; fast_sync[i] != NULL; i++)
		args[n++] = fast_sync[i];
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 23; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	mkdir(dir, 0755);
	cfg.bin = sc->t->bin;
	cfg.dir = dir;
	cfg.args = args;
	cfg.port = port;
	rc = h_server_start(s, &cfg);
	free(dir);
	if (rc < 0)
		h_diag("%s %s did not start", sc->t->name, tag);
	return rc == 0;
}

static bool
master_start(struct scn *sc)
{
	if (!srv_start(sc, &sc->m, "master", 0, NULL))
		return false;
	sc->mup = true;
	sc->mport = sc->m.port;
	return true;
}

/* A replica of the master; extra arguments after --replicaof. */
static bool
replica_start(struct scn *sc, const char *const *extra)
{
	const char *args[16];
	char tag[16], mport[16];
	int n = 0;

	snprintf(mport, sizeof mport, "%d", sc->m.port);
	snprintf(tag, sizeof tag, "replica%d", sc->nr);
	args[n++] = "--replicaof";
	args[n++] = "127.0.0.1";
	args[n++] = mport;
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (!srv_start(sc, &sc->r[sc->nr], tag, 0, args))
		return false;
	sc->nr++;
	return true;
}

/* One command on a fresh connection (servers kill clients at promotion). */
static char * __attribute__((sentinel))
srv_cmd(int port, ...)
{
	const char *argv[16], *s;
	struct h_conn *c = conn(port);
	va_list ap;
	char *r;
	int argc = 0;

	if (c == NULL)
		return xstrdup("(no connection)");
	va_start(ap, port);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 16)
		argv[argc++] = s;
	va_end(ap);
	r = h_cmdv(c, argc, argv);
	h_close(c);
	return r;
}

/* Polls GET key on the server on port until it is want. */
static bool
wait_key(int port, const char *key, const char *want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *r;

	for (;;) {
		r = srv_cmd(port, "GET", key, NULL);
		if (strcmp(r, want) == 0) {
			free(r);
			return true;
		}
		if (util_mono_ms() >= end) {
			h_diag("GET %s on port %d: %s, expected %s", key, port, r, want);
			free(r);
			return false;
		}
		free(r);
		usleep(POLL_US);
	}
}

/* The server on port is a replica of mport with the link up. */
static bool
follows(int port, int mport, bool last)
{
	struct h_conn *c = conn(port);
	char *role = NULL, *mp = NULL, *link = NULL;
	bool ok;

	if (c != NULL) {
		role = h_info_get(c, "replication", "role");
		mp = h_info_get(c, "replication", "master_port");
		link = h_info_get(c, "replication", "master_link_status");
		h_close(c);
	}
	ok = role != NULL && strcmp(role, "slave") == 0 && mp != NULL && atoi(mp) == mport &&
	    link != NULL && strcmp(link, "up") == 0;
	if (!ok && last)
		h_diag("port %d: role %s, master_port %s, master_link_status %s (want a replica "
		    "of %d, link up)", port, role ? role : "-", mp ? mp : "-", link ? link : "-",
		    mport);
	free(role);
	free(mp);
	free(link);
	return ok;
}

static bool
wait_follows(int port, int mport, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	bool last;

	for (;;) {
		last = util_mono_ms() >= end;
		if (follows(port, mport, last))
			return true;
		if (last)
			return false;
		usleep(POLL_US);
	}
}

/*
 * Both replicas have finished their first sync: a planned failover (master
 * up) refuses a replica that cannot catch up, and a redis-server replica
 * may still be loading its first image.
 */
static long long
info_ll(int port, const char *field)
{
	struct h_conn *c = conn(port);
	char *v = NULL;
	long long n = -1;

	if (c != NULL) {
		v = h_info_get(c, "replication", field);
		h_close(c);
	}
	if (v != NULL)
		n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/*
 * ... and has the master's stream: a redis-server master holds the stream
 * of a replica fresh from a diskless sync until its first REPLCONF ACK (up
 * to a second later).
 */
static bool
wait_caught_up(int port, int mport)
{
	long long want = info_ll(mport, "master_repl_offset");
	int64_t end = util_mono_ms() + H_DEADLINE_MS;
	long long have = -1;

	while (util_mono_ms() < end) {
		have = info_ll(port, "slave_repl_offset");
		if (want >= 0 && have >= want)
			return true;
		usleep(POLL_US);
	}
	h_diag("port %d: slave_repl_offset %lld, want %lld (master %d)", port, have, want, mport);
	return false;
}

static bool
synced(const struct scn *sc)
{
	for (int i = 0; i < 2; i++)
		if (!wait_follows(sc->r[i].port, sc->mport, H_DEADLINE_MS) ||
		    !wait_caught_up(sc->r[i].port, sc->mport))
			return false;
	return true;
}

/* ROLE says master and a write goes through. */
static bool
writable_master(int port, const char *key, const char *val)
{
	char *r = srv_cmd(port, "ROLE", NULL);
	bool ok = strncmp(r, "*3\n  \"master\"\n", 14) == 0;

	if (!ok)
		h_diag("ROLE on the new master (port %d): %s", port, r);
	free(r);
	r = srv_cmd(port, "SET", key, val, NULL);
	ok = expect(r, "+OK", "SET on the new master") && ok;
	free(r);
	return ok;
}

/* --- sentinels ---------------------------------------------------------------- */

/* Short periods, so that each case takes seconds. */
static bool
sent_tune(struct sent *s)
{
	char *r = h_cmd(s->c, "SENTINEL", "DEBUG", "INFO-PERIOD", "200", "PING-PERIOD", "100",
	    "ASK-PERIOD", "100", "PUBLISH-PERIOD", "200", NULL);
	bool ok = expect(r, "+OK", "SENTINEL DEBUG");

	free(r);
	r = h_info_get(s->c, "sentinel", "sentinel_tilt");
	ok = expect(r ? r : "(none)", "0", "sentinel_tilt after the start") && ok;
	free(r);
	return ok;
}

/* Starts s from its config file (written before the first start). */
static bool
sent_spawn(struct sent *s)
{
	char *argv[3];

	argv[0] = (char *)sentinel_bin;
	argv[1] = s->conf;
	argv[2] = NULL;
	s->pid = h_spawn(argv, s->log);
	if (s->pid == -1 || !h_wait_port(s->port, s->pid, H_DEADLINE_MS)) {
		h_diag("sentinel on port %d did not start", s->port);
		return false;
	}
	return (s->c = conn(s->port)) != NULL;
}

/* Writes the config of sentinel i, quorum 2, and starts it. */
static bool
sent_start(struct scn *sc, int i)
{
	struct sent *s = &sc->s[i];
	char *text;
	int rc;

	s->dir = xasprintf("%s/s%d", sc->dir, i);
	mkdir(s->dir, 0755);
	s->conf = xasprintf("%s/sentinel.conf", s->dir);
	s->log = xasprintf("%s/sentinel.log", s->dir);
	s->port = h_free_port();
	text = xasprintf("port %d\n"
	    "bind 127.0.0.1\n"
	    "sentinel monitor mymaster 127.0.0.1 %d 2\n"
	    "sentinel down-after-milliseconds mymaster %d\n"
	    "sentinel failover-timeout mymaster %d\n",
	    s->port, sc->mport, DOWN_AFTER, FO_TIMEOUT);
	rc = h_write_file(s->conf, text);
	free(text);
	return rc == 0 && sent_spawn(s) && sent_tune(s);
}

/* SIGTERM and wait; the connections go too, the events stay. */
static void
sent_stop(struct sent *s)
{
	h_close(s->c);
	h_close(s->sub);
	s->c = s->sub = NULL;
	if (s->pid > 0)
		h_stop(s->pid, H_DEADLINE_MS);
	s->pid = 0;
}

static bool
sents_start(struct scn *sc)
{
	for (int i = 0; i < NSENT; i++)
		if (!sent_start(sc, i))
			return false;
	return true;
}

static void
scn_init(struct scn *sc, const struct h_target *t, const char *tag)
{
	memset(sc, 0, sizeof *sc);
	sc->t = t;
	sc->dir = h_tmpdir(tag);
	for (int i = 0; i < NSENT; i++)
		buf_init(&sc->s[i].ev);
}

static void
scn_free(struct scn *sc)
{
	for (int i = 0; i < NSENT; i++) {
		sent_stop(&sc->s[i]);
		free(sc->s[i].dir);
		free(sc->s[i].conf);
		free(sc->s[i].log);
		buf_free(&sc->s[i].ev);
	}
	for (int i = 0; i < sc->nr; i++)
		h_server_free(&sc->r[i]);
	if (sc->mup)
		h_server_free(&sc->m);
	if (sc->xup)
		h_server_free(&sc->x);
	h_tmpdir_remove(sc->dir);
	free(sc->dir);
}

/* The last lines of a text as diagnostics. */
static void
diag_tail(const char *prefix, const char *text, int lines)
{
	const char *p = text + strlen(text);
	int n = 0;

	while (p > text) {
		p--;
		if (*p == '\n' && p[1] != '\0' && ++n > lines) {
			p++;
			break;
		}
	}
	h_diag_lines(prefix, p);
}

/* The failure report: what the sentinels saw and logged. */
static void
scn_diag(struct scn *sc)
{
	char *t;

	for (int i = 0; i < NSENT; i++) {
		struct sent *s = &sc->s[i];

		if (s->log == NULL)
			continue;
		h_diag("sentinel %d (port %d):", i, s->port);
		if (s->ev.len > 0)
			h_diag_lines("  event| ", s->ev.data);
		if ((t = h_read_file(s->log)) != NULL)
			diag_tail("  log| ", t, LOG_TAIL);
		free(t);
	}
}

/* On failure, or always with IT_VERBOSE set. */
static void
scn_report(struct scn *sc, bool ok)
{
	const char *v = getenv("IT_VERBOSE");

	if (!ok || (v != NULL && *v != '\0'))
		scn_diag(sc);
}

/*
 * Every sentinel sees the master up with nslaves replicas listed with
 * flags "slave" and the two other sentinels.
 */
static bool
converged(struct scn *sc, int nslaves, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;
	char *f, *ns;
	bool ok, last;
	size_t k;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < NSENT && ok; i++) {
			f = mfield(sc->s[i].c, "flags");
			ns = mfield(sc->s[i].c, "num-other-sentinels");
			l = node(sc->s[i].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
			ok = f != NULL && strcmp(f, "master") == 0 && ns != NULL &&
			    atoi(ns) == NSENT - 1 && l != NULL && l->line[0] == '*' &&
			    l->nkids == (size_t)nslaves;
			for (k = 0; ok && k < l->nkids; k++)
				ok = fget(l->kids[k], "flags") != NULL &&
				    strcmp(fget(l->kids[k], "flags"), "slave") == 0;
			if (!ok && last) {
				h_diag("sentinel %d: flags %s, num-other-sentinels %s, replicas:", i,
				    f ? f : "-", ns ? ns : "-");
				diag_node("  ", l);
			}
			free(f);
			free(ns);
			h_node_free(l);
		}
		if (ok)
			return true;
		if (last) {
			h_diag("the sentinels did not converge");
			return false;
		}
		usleep(POLL_US);
	}
}

/* Every running sentinel gives port for mymaster. */
static bool
wait_addr_all(struct scn *sc, int port, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	int got[NSENT];
	bool ok, last;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < NSENT; i++) {
			if (sc->s[i].c == NULL)
				continue;
			got[i] = addr_port(sc->s[i].c);
			if (got[i] != port)
				ok = false;
		}
		if (ok)
			return true;
		if (last) {
			for (int i = 0; i < NSENT; i++)
				if (sc->s[i].c != NULL)
					h_diag("sentinel %d: master at port %d, expected %d", i,
					    got[i], port);
			return false;
		}
		usleep(POLL_US);
	}
}

/* A field of the master is want at every running sentinel. */
static bool
wait_mfield_all(struct scn *sc, const char *field, const char *want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *v;
	bool ok, last;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < NSENT; i++) {
			if (sc->s[i].c == NULL)
				continue;
			v = mfield(sc->s[i].c, field);
			if (v == NULL || strcmp(v, want) != 0) {
				if (last)
					h_diag("sentinel %d: %s %s, expected %s", i, field,
					    v ? v : "-", want);
				ok = false;
			}
			free(v);
		}
		if (ok || last)
			return ok;
		usleep(POLL_US);
	}
}

/* A replica's field is want at sentinel s. */
static bool
wait_rfield(struct sent *s, int port, const char *field, const char *want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *v;

	for (;;) {
		v = rfield(s->c, port, field);
		if (v != NULL && strcmp(v, want) == 0) {
			free(v);
			return true;
		}
		if (util_mono_ms() >= end) {
			h_diag("replica %d at sentinel port %d: %s %s, expected %s", port, s->port,
			    field, v ? v : "-", want);
			free(v);
			return false;
		}
		free(v);
		usleep(POLL_US);
	}
}

/* Polls a file until it has the text. */
static bool
wait_file_has(const char *path, const char *what, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *t;
	bool has;

	for (;;) {
		t = h_read_file(path);
		has = t != NULL && strstr(t, what) != NULL;
		free(t);
		if (has)
			return true;
		if (util_mono_ms() >= end) {
			h_diag("%s never had %s", path, what);
			return false;
		}
		usleep(POLL_US);
	}
}

static bool
has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p = flags;

	while (p != NULL && (p = strstr(p, flag)) != NULL) {
		if ((p == flags || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* Sentinel s sees the peer on port subjectively down. */
static bool
wait_peer_sdown(struct sent *s, int port, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;
	const char *f;
	bool down;

	for (;;) {
		l = node(s->c, "SENTINEL", "SENTINELS", "mymaster", NULL);
		f = fget(entry_by_port(l, port), "flags");
		down = f != NULL && has_flag(f, "s_down");
		if (!down && util_mono_ms() >= end) {
			h_diag("the sentinel on port %d does not see port %d down:", s->port,
			    port);
			diag_node("  ", l);
		}
		h_node_free(l);
		if (down)
			return true;
		if (util_mono_ms() >= end)
			return false;
		usleep(POLL_US);
	}
}

/* --- events ----------------------------------------------------------------- */

static bool
subscribe(struct sent *s)
{
	char *r;
	bool ok;

	if ((s->sub = conn(s->port)) == NULL)
		return false;
	r = h_cmd(s->sub, "PSUBSCRIBE", "*", NULL);
	ok = expect(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n", "PSUBSCRIBE *");
	free(r);
	return ok;
}

static bool
subscribe_all(struct scn *sc)
{
	for (int i = 0; i < NSENT; i++)
		if (!subscribe(&sc->s[i]))
			return false;
	return true;
}

/* Moves whatever the subscriptions have for us into the event texts. */
static void
ev_pump(struct scn *sc)
{
	struct h_node *n;
	int r;

	for (int i = 0; i < NSENT; i++) {
		struct sent *s = &sc->s[i];

		while (s->sub != NULL) {
			s->sub->timeout_ms = 1;
			r = h_read(s->sub, &n);
			if (r == H_RD_TIMEOUT)
				break;
			if (r != H_RD_OK) {
				h_close(s->sub);
				s->sub = NULL;
				break;
			}
			if (n->nkids == 4 && n->kids[2]->str != NULL && n->kids[3]->str != NULL)
				buf_appendf(&s->ev, "%s %s\n", n->kids[2]->str, n->kids[3]->str);
			h_node_free(n);
		}
	}
}

/*
 * Offset of the first event line at or after from with that type and,
 * unless msg is NULL, exactly that text (prefix: starting with it); -1.
 */
static long
ev_find(const struct buf *ev, size_t from, const char *type, const char *msg, bool prefix)
{
	const char *text = ev->data != NULL ? ev->data : "", *p, *e, *m;
	size_t tl = strlen(type), ml;

	for (p = text + (from < ev->len ? from : ev->len); *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if ((size_t)(e - p) <= tl || strncmp(p, type, tl) != 0 || p[tl] != ' ')
			continue;
		m = p + tl + 1;
		if (msg != NULL) {
			ml = strlen(msg);
			if ((size_t)(e - m) < ml || strncmp(m, msg, ml) != 0 ||
			    (!prefix && (size_t)(e - m) != ml))
				continue;
		}
		return (long)(p - text);
	}
	return -1;
}

static int
ev_count(const struct buf *ev, const char *type)
{
	long at = 0;
	int n = 0;

	while ((at = ev_find(ev, (size_t)at, type, NULL, false)) != -1) {
		n++;
		at += (long)strcspn(ev->data + at, "\n");
	}
	return n;
}

/* Polls until sentinel i (-1: any) saw the event; false after the deadline. */
static bool
ev_wait(struct scn *sc, int i, const char *type, const char *msg, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;

	for (;;) {
		ev_pump(sc);
		for (int k = 0; k < NSENT; k++)
			if ((i == -1 || i == k) && ev_find(&sc->s[k].ev, 0, type, msg, false) != -1)
				return true;
		if (util_mono_ms() >= end) {
			h_diag("no %s %s at %s", type, msg ? msg : "(any)",
			    i == -1 ? "any sentinel" : "the sentinel");
			return false;
		}
		usleep(POLL_US);
	}
}

/* The +elected-leader events of all the sentinels. */
static int
elected_count(struct scn *sc)
{
	int n = 0;

	ev_pump(sc);
	for (int i = 0; i < NSENT; i++)
		n += ev_count(&sc->s[i].ev, "+elected-leader");
	return n;
}

/* --- 1. automatic failover --------------------------------------------------- */

/*
 * +sdown, +odown, +try-failover or +vote-for-leader, +switch-master, in
 * that order, in one event stream.
 */
static bool
auto_sequence(const struct buf *ev, const char *desc, const char *sw)
{
	long a, b, c1, c2, d;

	if ((a = ev_find(ev, 0, "+sdown", desc, false)) == -1)
		return false;
	if ((b = ev_find(ev, (size_t)a, "+odown", desc, true)) == -1)
		return false;
	c1 = ev_find(ev, (size_t)b, "+try-failover", desc, false);
	c2 = ev_find(ev, (size_t)b, "+vote-for-leader", NULL, false);
	if (c1 == -1 || (c2 != -1 && c2 < c1))
		c1 = c2;
	if (c1 == -1)
		return false;
	d = ev_find(ev, (size_t)c1, "+switch-master", sw, false);
	return d != -1;
}

static bool
automatic(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *desc = NULL, *sw = NULL, *conv = NULL;
	int64_t t0;
	int np = -1, other = -1, oldport, n;
	bool ok = false, seq = false;

	(void)arg;
	scn_init(&sc, t, "fauto");
	if (!master_start(&sc) || !replica_start(&sc, NULL) || !replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe_all(&sc))
		goto out;
	{
		char *r = srv_cmd(sc.mport, "SET", "fkey", "before", NULL);

		ok = expect(r, "+OK", "SET on the master");
		free(r);
		if (!ok || !wait_key(sc.r[0].port, "fkey", "\"before\"", H_DEADLINE_MS) ||
		    !wait_key(sc.r[1].port, "fkey", "\"before\"", H_DEADLINE_MS)) {
			ok = false;
			goto out;
		}
		ok = false;
	}
	oldport = sc.mport;
	desc = xasprintf("master mymaster 127.0.0.1 %d", oldport);
	h_kill9(sc.m.pid);
	sc.m.pid = 0;
	t0 = util_mono_ms();

	/* The new master, the same at every sentinel, one of the replicas. */
	for (;;) {
		np = addr_port(sc.s[0].c);
		if (np != oldport && np != -1)
			break;
		if (util_mono_ms() - t0 >= FO_DEADLINE_MS) {
			h_diag("no failover: the master is still at port %d", np);
			goto out;
		}
		usleep(POLL_US);
	}
	h_diag("%s: s0 reports the new master %lld ms after the kill", t->name,
	    (long long)(util_mono_ms() - t0));
	for (int i = 0; i < NREPS; i++)
		if (sc.r[i].port == np)
			other = 1 - i;
	if (other == -1) {
		h_diag("the new master at port %d is not one of the replicas", np);
		goto out;
	}
	if (!wait_addr_all(&sc, np, SPREAD_MS))
		goto out;
	ok = true;

	/* Every sentinel announced it; one of them from the very beginning. */
	sw = xasprintf("mymaster 127.0.0.1 %d 127.0.0.1 %d", oldport, np);
	for (int i = 0; i < NSENT; i++)
		if (!ev_wait(&sc, i, "+switch-master", sw, H_DEADLINE_MS))
			ok = false;
	for (int i = 0; i < NSENT && !seq; i++)
		seq = auto_sequence(&sc.s[i].ev, desc, sw);
	if (!seq) {
		h_diag("no sentinel saw +sdown, +odown, +try-failover or +vote-for-leader, "
		    "+switch-master in order");
		ok = false;
	}
	if ((n = elected_count(&sc)) != 1) {
		h_diag("%d +elected-leader events, expected 1", n);
		ok = false;
	}
	ok = wait_mfield_all(&sc, "config-epoch", "1", H_DEADLINE_MS) && ok;

	/* The servers: a writable master, the other replica following it. */
	ok = writable_master(np, "fkey2", "after") && ok;
	ok = wait_follows(sc.r[other].port, np, H_DEADLINE_MS) && ok;
	ok = wait_key(sc.r[other].port, "fkey", "\"before\"", H_DEADLINE_MS) && ok;
	ok = wait_key(sc.r[other].port, "fkey2", "\"after\"", H_DEADLINE_MS) && ok;
	if (!ok)
		goto out;

	/* The old master returns, empty and a master: it is made a replica. */
	h_server_free(&sc.m);
	sc.mup = false;
	if (!srv_start(&sc, &sc.m, "master-again", oldport, NULL)) {
		ok = false;
		goto out;
	}
	sc.mup = true;
	conv = xasprintf("slave 127.0.0.1:%d 127.0.0.1 %d @ mymaster 127.0.0.1 %d", oldport,
	    oldport, np);
	ok = ev_wait(&sc, -1, "+convert-to-slave", conv, H_DEADLINE_MS);
	ok = wait_follows(oldport, np, H_DEADLINE_MS) && ok;
	ok = wait_key(oldport, "fkey2", "\"after\"", H_DEADLINE_MS) && ok;
	ok = wait_addr_all(&sc, np, 0) && ok;
	ok = wait_mfield_all(&sc, "config-epoch", "1", 0) && ok;
	if ((n = elected_count(&sc)) != 1) {
		h_diag("%d +elected-leader events at the end, expected 1", n);
		ok = false;
	}
out:
	scn_report(&sc, ok);
	free(desc);
	free(sw);
	free(conv);
	scn_free(&sc);
	return ok;
}

/* --- 2. SENTINEL FAILOVER on a healthy master ------------------------------------ */

/* The port the master switched to in sentinel i's +switch-master, or -1. */
static int
switched_to(struct scn *sc, int i, int oldport)
{
	char *pfx = xasprintf("mymaster 127.0.0.1 %d 127.0.0.1 ", oldport);
	long at;
	int port = -1;

	ev_pump(sc);
	at = ev_find(&sc->s[i].ev, 0, "+switch-master", pfx, true);
	if (at != -1)
		port = atoi(sc->s[i].ev.data + at + strlen("+switch-master ") + strlen(pfx));
	free(pfx);
	return port;
}

/* Waits for sentinel i's +switch-master away from oldport; the new port or -1. */
static int
wait_switch(struct scn *sc, int i, int oldport, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	int port;

	while ((port = switched_to(sc, i, oldport)) == -1) {
		if (util_mono_ms() >= end) {
			h_diag("no +switch-master from port %d at sentinel %d", oldport, i);
			return -1;
		}
		usleep(POLL_US);
	}
	return port;
}

static bool
forced(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *r1 = NULL, *r2 = NULL, *r = NULL, *xport = NULL;
	int np;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "fforced");
	if (!master_start(&sc) || !replica_start(&sc, NULL) || !replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	/* Both in one read: the second finds the first one running. */
	if (h_send(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL) == -1 ||
	    h_send(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL) == -1)
		goto out;
	r1 = h_reply(sc.s[0].c);
	r2 = h_reply(sc.s[0].c);
	ok = expect(r1, "+OK", "SENTINEL FAILOVER mymaster");
	ok = expect(r2, "-INPROG Failover already in progress", "SENTINEL FAILOVER again") && ok;
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) == -1 ||
	    (np != sc.r[0].port && np != sc.r[1].port)) {
		h_diag("switched to port %d, not a replica", np);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = wait_mfield_all(&sc, "config-epoch", "1", H_DEADLINE_MS) && ok;
	ok = writable_master(np, "fkey", "forced") && ok;
	/* The old master, still up, ends up following the new one. */
	ok = wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
	ok = wait_key(sc.mport, "fkey", "\"forced\"", H_DEADLINE_MS) && ok;

	/* A master without replicas has nobody to promote. */
	if (!srv_start(&sc, &sc.x, "lone", 0, NULL)) {
		ok = false;
		goto out;
	}
	sc.xup = true;
	xport = xasprintf("%d", sc.x.port);
	r = h_cmd(sc.s[0].c, "SENTINEL", "MONITOR", "lone", "127.0.0.1", xport, "2", NULL);
	ok = expect(r, "+OK", "SENTINEL MONITOR lone") && ok;
	free(r);
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "lone", NULL);
	ok = expect(r, "-NOGOODSLAVE No suitable replica to promote",
	    "SENTINEL FAILOVER on a master without replicas") && ok;
out:
	scn_report(&sc, ok);
	free(r1);
	free(r2);
	free(r);
	free(xport);
	scn_free(&sc);
	return ok;
}

/* --- 2b. a planned failover loses no acknowledged write ------------------------------ */

/*
 * A client increments a counter on the master, one INCR at a time, while
 * SENTINEL FAILOVER runs: every increment the old master acknowledged must
 * be on the new master (writes are paused on the old master, the replica
 * catches up, then the old master is demoted). Held increments end with an
 * error or a closed connection, never with an acknowledgement that is lost.
 */
static bool
planned(const struct h_target *t, void *arg)
{
	struct scn sc;
	struct h_conn *w = NULL;
	char *r = NULL, *v = NULL, want[32];
	long long acked = 0;
	int np, i;
	bool ok = false, sent = false;

	(void)arg;
	scn_init(&sc, t, "fplanned");
	/* The replicas are in sync first: a planned failover refuses one that lags. */
	if (!master_start(&sc) || !replica_start(&sc, NULL) || !replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	/*
	 * The pause lasts at most half of down-after: give it room on a busy
	 * machine (500 ms leaves a 125 ms catch-up window).
	 */
	for (i = 0; i < NSENT; i++) {
		r = h_cmd(sc.s[i].c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "3000", NULL);
		if (!expect(r, "+OK", "SENTINEL SET down-after-milliseconds 3000"))
			goto out;
		free(r);
		r = NULL;
	}
	w = conn(sc.mport);
	for (i = 0; i < 20000; i++) {
		r = h_cmd(w, "INCR", "counter", NULL);
		if (r[0] != ':')
			break;	/* -READONLY once demoted, or the connection was closed */
		acked = strtoll(r + 1, NULL, 10);
		free(r);
		r = NULL;
		if (i == 300) {
			char *fr = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);

			sent = expect(fr, "+OK", "SENTINEL FAILOVER mymaster");
			free(fr);
			if (!sent)
				goto out;
		}
		if (sent && switched_to(&sc, 0, sc.mport) != -1 && i > 600)
			break;
	}
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) == -1)
		goto out;
	snprintf(want, sizeof want, "\"%lld\"", acked);
	v = srv_cmd(np, "GET", "counter", NULL);
	ok = expect(v, want, "the counter on the new master is the last acknowledged value");
	ok = wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	h_close(w);
	free(r);
	free(v);
	scn_free(&sc);
	return ok;
}

/* --- 3. SENTINEL FAILOVER with a chosen replica ------------------------------------ */

static bool
chosen(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *r = NULL, *p0 = NULL, *pm = NULL;
	int np;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "fchosen");
	if (!master_start(&sc) || !replica_start(&sc, NULL) || !replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	/* r1 is the one priority would choose. */
	r = srv_cmd(sc.r[1].port, "CONFIG", "SET", "replica-priority", "1", NULL);
	ok = expect(r, "+OK", "CONFIG SET replica-priority 1");
	free(r);
	r = NULL;
	if (!ok || !wait_rfield(&sc.s[0], sc.r[1].port, "slave-priority", "1", H_DEADLINE_MS) ||
	    !wait_rfield(&sc.s[0], sc.r[0].port, "slave-priority", "100", H_DEADLINE_MS)) {
		ok = false;
		goto out;
	}
	/* Only a replica of this master can be chosen. */
	pm = xasprintf("%d", sc.mport);
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", "127.0.0.1", pm, NULL);
	ok = expect(r, "-ERR No such replica of this master", "SENTINEL FAILOVER to the master");
	free(r);
	p0 = xasprintf("%d", sc.r[0].port);
	/* With Valkey's COORDINATED word, which ours accepts. */
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", "127.0.0.1", p0, "COORDINATED",
	    NULL);
	ok = expect(r, "+OK", "SENTINEL FAILOVER mymaster 127.0.0.1 <replica0> COORDINATED") && ok;
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) != sc.r[0].port) {
		h_diag("switched to port %d, expected the chosen %d (priority 1 one: %d)", np,
		    sc.r[0].port, sc.r[1].port);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = writable_master(np, "fkey", "chosen") && ok;
	ok = wait_follows(sc.r[1].port, np, H_DEADLINE_MS) && ok;
	ok = wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	free(r);
	free(p0);
	free(pm);
	scn_free(&sc);
	return ok;
}

/* --- 4. a sentinel that slept through a failover ---------------------------------- */

static bool
slept(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *want = NULL, *text = NULL;
	int64_t t0;
	int np, oldport, n;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "fslept");
	if (!master_start(&sc) || !replica_start(&sc, NULL) || !replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe_all(&sc))
		goto out;
	/* Its config file now knows the replicas and the peers. */
	sent_stop(&sc.s[2]);
	want = xasprintf("sentinel monitor mymaster 127.0.0.1 %d 2", sc.mport);
	text = h_read_file(sc.s[2].conf);
	if (text == NULL || strstr(text, want) == NULL) {
		h_diag("the stopped sentinel's config lacks \"%s\":", want);
		h_diag_lines("  ", text ? text : "(unreadable)");
		goto out;
	}
	/*
	 * Both others see it down before the master dies: the failover is run
	 * by two sentinels that agree on who is there.
	 */
	if (!wait_peer_sdown(&sc.s[0], sc.s[2].port, H_DEADLINE_MS) ||
	    !wait_peer_sdown(&sc.s[1], sc.s[2].port, H_DEADLINE_MS))
		goto out;
	oldport = sc.mport;
	h_kill9(sc.m.pid);
	sc.m.pid = 0;
	t0 = util_mono_ms();
	if ((np = wait_switch(&sc, 0, oldport, FO_DEADLINE_MS)) == -1)
		goto out;
	if (np != sc.r[0].port && np != sc.r[1].port) {
		h_diag("switched to port %d, not a replica", np);
		goto out;
	}
	h_diag("%s: failover by two sentinels in %lld ms", t->name,
	    (long long)(util_mono_ms() - t0));
	if (!wait_addr_all(&sc, np, SPREAD_MS))
		goto out;
	/* Still so: it comes back believing in the old master. */
	free(text);
	text = h_read_file(sc.s[2].conf);
	if (text == NULL || strstr(text, want) == NULL) {
		h_diag("the stopped sentinel's config changed");
		goto out;
	}
	/* It learns from the hellos. */
	if (!sent_spawn(&sc.s[2]) || !sent_tune(&sc.s[2]))
		goto out;
	t0 = util_mono_ms();
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS);
	if (ok)
		h_diag("%s: the returning sentinel learned it in %lld ms", t->name,
		    (long long)(util_mono_ms() - t0));
	ok = wait_mfield_all(&sc, "config-epoch", "1", H_DEADLINE_MS) && ok;
	/* From a peer's hello, not by a failover of its own. */
	free(want);
	want = xasprintf("+switch-master mymaster 127.0.0.1 %d 127.0.0.1 %d", oldport, np);
	ok = wait_file_has(sc.s[2].log, "+config-update-from sentinel ", H_DEADLINE_MS) && ok;
	ok = wait_file_has(sc.s[2].log, want, H_DEADLINE_MS) && ok;
	free(text);
	text = h_read_file(sc.s[2].log);
	if (text == NULL || strstr(text, "+try-failover") != NULL ||
	    strstr(text, "+elected-leader") != NULL) {
		h_diag("the returning sentinel tried a failover of its own");
		ok = false;
	}
	if ((n = elected_count(&sc)) != 1) {
		h_diag("%d +elected-leader events at s0 and s1, expected 1", n);
		ok = false;
	}
out:
	scn_report(&sc, ok);
	free(want);
	free(text);
	scn_free(&sc);
	return ok;
}

/* --- 5. replica-priority 0 ---------------------------------------------------------- */

static bool
prio0(const struct h_target *t, void *arg)
{
	static const char *const zero[] = { "--replica-priority", "0", NULL };
	struct scn sc;
	char *r = NULL;
	int np;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "fprio");
	if (!master_start(&sc) || !replica_start(&sc, zero) || !replica_start(&sc, zero) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	if (!wait_rfield(&sc.s[0], sc.r[0].port, "slave-priority", "0", H_DEADLINE_MS) ||
	    !wait_rfield(&sc.s[0], sc.r[1].port, "slave-priority", "0", H_DEADLINE_MS))
		goto out;
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = expect(r, "-NOGOODSLAVE No suitable replica to promote",
	    "SENTINEL FAILOVER with both replicas at priority 0");
	free(r);
	/* 0 would sort first if it were not excluded. */
	r = srv_cmd(sc.r[1].port, "CONFIG", "SET", "replica-priority", "100", NULL);
	ok = expect(r, "+OK", "CONFIG SET replica-priority 100") && ok;
	free(r);
	r = NULL;
	if (!ok || !wait_rfield(&sc.s[0], sc.r[1].port, "slave-priority", "100", H_DEADLINE_MS)) {
		ok = false;
		goto out;
	}
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = expect(r, "+OK", "SENTINEL FAILOVER with priorities 0 and 100");
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) != sc.r[1].port) {
		h_diag("switched to port %d, expected %d (priority 100), not %d (priority 0)", np,
		    sc.r[1].port, sc.r[0].port);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = wait_follows(sc.r[0].port, np, H_DEADLINE_MS) && ok;
	ok = wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	free(r);
	scn_free(&sc);
	return ok;
}

/* --- main ----------------------------------------------------------------------- */

/* h_run, or a skip for every kind when there is no sentinel, or when IT_ONLY excludes it. */
static void
run(const char *desc, h_body body)
{
	static const enum h_kind kinds[] = { H_KV, H_REDIS };
	const char *only = getenv("IT_ONLY");
	const char *sel = getenv("SCN_SERVERS");
	struct h_target t;
	bool skip_all = only != NULL && *only != '\0' && strstr(desc, only) == NULL;

	if (sentinel_bin != NULL && !skip_all) {
		h_run(desc, body, NULL);
		return;
	}
	if (sel == NULL || *sel == '\0')
		sel = "kv,redis";
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		h_target_get(kinds[i], &t);
		if (strstr(sel, t.name) == NULL)
			continue;
		h_skip(skip_all ? "not in IT_ONLY" : "SENTINEL_BIN not set and no built sentinel",
		    "%s [%s]", desc, t.name);
	}
}

/* $SENTINEL_BIN, else the one built next to the tests. */
static const char *
find_sentinel(void)
{
	const char *bin = getenv("SENTINEL_BIN"), *bd;
	static char *path;

	if (bin != NULL && *bin != '\0')
		return bin;
	bd = getenv("TEST_BUILDDIR");
	path = xasprintf("%s/../src/sentinel/sentinel", bd != NULL && *bd != '\0' ? bd : "tests");
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	path = NULL;
	return NULL;
}

int
main(void)
{
	h_exclusive();
	sentinel_bin = find_sentinel();
	if (sentinel_bin != NULL && access(sentinel_bin, X_OK) != 0) {
		h_plan(1);
		h_ok(false, "%s is executable", sentinel_bin);
		return h_done();
	}
	h_plan(6 * h_nkinds());
	run("kill -9 of the master: automatic failover, the old master returns as a replica",
	    automatic);
	run("SENTINEL FAILOVER on a healthy master; -INPROG; -NOGOODSLAVE without replicas",
	    forced);
	run("planned SENTINEL FAILOVER under writes loses no acknowledged write", planned);
	run("SENTINEL FAILOVER mymaster <ip> <port> promotes that replica", chosen);
	run("a sentinel down during the failover learns it when it returns", slept);
	run("replica-priority 0 is never promoted", prio0);
	return h_done();
}
