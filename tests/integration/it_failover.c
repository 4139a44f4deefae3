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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"
#include "sentinels.h"

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

/* Every server gets this: Redis 7 waits 5 s before a diskless full sync. */
static const char *const fast_sync[] = { "--repl-diskless-sync-delay", "0", NULL };

/* --- small helpers ------------------------------------------------------ */

/* A field of the replica on port in SENTINEL REPLICAS mymaster, allocated. */
static char *
rfield(struct h_conn *c, int port, const char *field)
{
	struct h_node *l = it_node(c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	const char *v = it_fget(it_entry_by_port(l, port), field);
	char *r = v != NULL ? xstrdup(v) : NULL;

	h_node_free(l);
	return r;
}

/* --- servers ------------------------------------------------------------------ */

/* One command on a fresh connection (servers kill clients at promotion). */
static char * __attribute__((sentinel))
srv_cmd(int port, ...)
{
	const char *argv[16], *s;
	struct h_conn *c = it_conn(port);
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

/*
 * Both replicas have finished their first sync and have the master's
 * stream: a planned failover (master up) refuses a replica that cannot
 * catch up, and a redis-server replica may still be loading its first
 * image.
 */
static bool
synced(const struct it_scn *sc)
{
	for (int i = 0; i < 2; i++)
		if (!it_wait_follows(sc->r[i].port, sc->mport, H_DEADLINE_MS) ||
		    !it_wait_caught_up(sc->r[i].port, sc->mport))
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
	ok = it_expect(r, "+OK", "SET on the new master") && ok;
	free(r);
	return ok;
}

/* --- sentinels ---------------------------------------------------------------- */

/* Three sentinels at quorum 2 with the failover timeout of these cases. */
static bool
sents_start(struct it_scn *sc)
{
	char *extra = xasprintf("sentinel failover-timeout mymaster %d\n", FO_TIMEOUT);
	bool ok = it_sents_start(sc, 2, extra);

	free(extra);
	return ok;
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
scn_diag(struct it_scn *sc)
{
	char *t;

	for (int i = 0; i < IT_NSENT; i++) {
		struct it_sent *s = &sc->s[i];

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
scn_report(struct it_scn *sc, bool ok)
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
converged(struct it_scn *sc, int nslaves, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;
	char *f, *ns;
	bool ok, last;
	size_t k;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < IT_NSENT && ok; i++) {
			f = it_mfield(sc->s[i].c, "flags");
			ns = it_mfield(sc->s[i].c, "num-other-sentinels");
			l = it_node(sc->s[i].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
			ok = f != NULL && strcmp(f, "master") == 0 && ns != NULL &&
			    atoi(ns) == IT_NSENT - 1 && l != NULL && l->line[0] == '*' &&
			    l->nkids == (size_t)nslaves;
			for (k = 0; ok && k < l->nkids; k++)
				ok = it_fget(l->kids[k], "flags") != NULL &&
				    strcmp(it_fget(l->kids[k], "flags"), "slave") == 0;
			if (!ok && last) {
				h_diag("sentinel %d: flags %s, num-other-sentinels %s, replicas:", i,
				    f ? f : "-", ns ? ns : "-");
				it_diag_node("  ", l);
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
wait_addr_all(struct it_scn *sc, int port, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	int got[IT_NSENT];
	bool ok, last;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < IT_NSENT; i++) {
			if (sc->s[i].c == NULL)
				continue;
			got[i] = it_addr_port(sc->s[i].c);
			if (got[i] != port)
				ok = false;
		}
		if (ok)
			return true;
		if (last) {
			for (int i = 0; i < IT_NSENT; i++)
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
wait_mfield_all(struct it_scn *sc, const char *field, const char *want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *v;
	bool ok, last;

	for (;;) {
		last = util_mono_ms() >= end;
		ok = true;
		for (int i = 0; i < IT_NSENT; i++) {
			if (sc->s[i].c == NULL)
				continue;
			v = it_mfield(sc->s[i].c, field);
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
wait_rfield(struct it_sent *s, int port, const char *field, const char *want, int deadline_ms)
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

/* Sentinel s sees the peer on port subjectively down. */
static bool
wait_peer_sdown(struct it_sent *s, int port, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;
	const char *f;
	bool down;

	for (;;) {
		l = it_node(s->c, "SENTINEL", "SENTINELS", "mymaster", NULL);
		f = it_fget(it_entry_by_port(l, port), "flags");
		down = f != NULL && it_has_flag(f, "s_down");
		if (!down && util_mono_ms() >= end) {
			h_diag("the sentinel on port %d does not see port %d down:", s->port,
			    port);
			it_diag_node("  ", l);
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
subscribe(struct it_sent *s)
{
	return it_psubscribe(&s->sub, s->port);
}

static bool
subscribe_all(struct it_scn *sc)
{
	for (int i = 0; i < IT_NSENT; i++)
		if (!subscribe(&sc->s[i]))
			return false;
	return true;
}

/* Moves whatever the subscriptions have for us into the event texts. */
static void
ev_pump(struct it_scn *sc)
{
	for (int i = 0; i < IT_NSENT; i++) {
		struct it_sent *s = &sc->s[i];

		if (s->sub != NULL && it_ev_drain(s->sub, &s->ev) != H_RD_TIMEOUT) {
			h_close(s->sub);
			s->sub = NULL;
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
ev_wait(struct it_scn *sc, int i, const char *type, const char *msg, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;

	for (;;) {
		ev_pump(sc);
		for (int k = 0; k < IT_NSENT; k++)
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
elected_count(struct it_scn *sc)
{
	int n = 0;

	ev_pump(sc);
	for (int i = 0; i < IT_NSENT; i++)
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
	struct it_scn sc;
	char *desc = NULL, *sw = NULL, *conv = NULL;
	int64_t t0;
	int np = -1, other = -1, oldport, n;
	bool ok = false, seq = false;

	(void)arg;
	it_scn_init(&sc, t, "fauto", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) || !it_replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe_all(&sc))
		goto out;
	{
		char *r = srv_cmd(sc.mport, "SET", "fkey", "before", NULL);

		ok = it_expect(r, "+OK", "SET on the master");
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
		np = it_addr_port(sc.s[0].c);
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
	for (int i = 0; i < IT_NREPS; i++)
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
	for (int i = 0; i < IT_NSENT; i++)
		if (!ev_wait(&sc, i, "+switch-master", sw, H_DEADLINE_MS))
			ok = false;
	for (int i = 0; i < IT_NSENT && !seq; i++)
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
	ok = it_wait_follows(sc.r[other].port, np, H_DEADLINE_MS) && ok;
	ok = wait_key(sc.r[other].port, "fkey", "\"before\"", H_DEADLINE_MS) && ok;
	ok = wait_key(sc.r[other].port, "fkey2", "\"after\"", H_DEADLINE_MS) && ok;
	if (!ok)
		goto out;

	/* The old master returns, empty and a master: it is made a replica. */
	h_server_free(&sc.m);
	sc.mup = false;
	if (!it_scn_srv_start(&sc, &sc.m, "master-again", oldport, NULL, NULL)) {
		ok = false;
		goto out;
	}
	sc.mup = true;
	conv = xasprintf("slave 127.0.0.1:%d 127.0.0.1 %d @ mymaster 127.0.0.1 %d", oldport,
	    oldport, np);
	ok = ev_wait(&sc, -1, "+convert-to-slave", conv, H_DEADLINE_MS);
	ok = it_wait_follows(oldport, np, H_DEADLINE_MS) && ok;
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
	it_scn_free(&sc);
	return ok;
}

/* --- 2. SENTINEL FAILOVER on a healthy master ------------------------------------ */

/* The port the master switched to in sentinel i's +switch-master, or -1. */
static int
switched_to(struct it_scn *sc, int i, int oldport)
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
wait_switch(struct it_scn *sc, int i, int oldport, int deadline_ms)
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

/* How many lines of text are exactly line (which ends with a newline). */
static int
count_lines(const char *text, const char *line)
{
	size_t n = strlen(line);
	int c = 0;

	for (const char *p = text; (p = strstr(p, line)) != NULL; p += n)
		if (p == text || p[-1] == '\n')
			c++;
	return c;
}

static bool
forced(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *r1 = NULL, *r2 = NULL, *r = NULL, *xport = NULL;
	char *script = NULL, *calls = NULL, *text = NULL, *extra = NULL, *want = NULL, *wobs = NULL;
	int np;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fforced", fast_sync);
	/* client-reconfig-script on all three: the leader and the two observers run it. */
	script = xasprintf("%s/reconf.sh", sc.dir);
	calls = xasprintf("%s/reconf.calls", sc.dir);
	text = xasprintf("#!/bin/sh\necho \"$*\" >> %s\n", calls);
	extra = xasprintf("sentinel failover-timeout mymaster %d\n"
	    "sentinel client-reconfig-script mymaster %s\n", FO_TIMEOUT, script);
	if (h_write_file(script, text) == -1 || chmod(script, 0755) == -1 ||
	    !it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !it_sents_start(&sc, 2, extra) ||
	    !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) || !synced(&sc))
		goto out;
	/* Both in one read: the second finds the first one running. */
	if (h_send(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL) == -1 ||
	    h_send(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL) == -1)
		goto out;
	r1 = h_reply(sc.s[0].c);
	r2 = h_reply(sc.s[0].c);
	ok = it_expect(r1, "+OK", "SENTINEL FAILOVER mymaster");
	ok = it_expect(r2, "-INPROG Failover already in progress", "SENTINEL FAILOVER again") && ok;
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) == -1 ||
	    (np != sc.r[0].port && np != sc.r[1].port)) {
		h_diag("switched to port %d, not a replica", np);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = wait_mfield_all(&sc, "config-epoch", "1", H_DEADLINE_MS) && ok;
	/* <master> <role> start <from-ip> <from-port> <to-ip> <to-port>: once as leader, twice as observer. */
	free(want);
	want = xasprintf("mymaster leader start 127.0.0.1 %d 127.0.0.1 %d\n", sc.mport, np);
	free(wobs);
	wobs = xasprintf("mymaster observer start 127.0.0.1 %d 127.0.0.1 %d\n", sc.mport, np);
	{
		int64_t t0 = util_mono_ms();
		bool got = false;

		while (!got && util_mono_ms() - t0 < H_DEADLINE_MS) {
			free(text);
			text = h_read_file(calls);
			got = text != NULL && count_lines(text, want) == 1 && count_lines(text, wobs) == 2;
			if (!got)
				usleep(20000);
		}
		if (!got) {
			h_diag("client-reconfig-script calls: expected one \"%.*s\" and two \"%.*s\", got:",
			    (int)strlen(want) - 1, want, (int)strlen(wobs) - 1, wobs);
			h_diag_lines("  ", text ? text : "(none)");
			ok = false;
		}
	}
	ok = writable_master(np, "fkey", "forced") && ok;
	/* The old master, still up, ends up following the new one. */
	ok = it_wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
	ok = wait_key(sc.mport, "fkey", "\"forced\"", H_DEADLINE_MS) && ok;

	/* A master without replicas has nobody to promote. */
	if (!it_scn_srv_start(&sc, &sc.x, "lone", 0, NULL, NULL)) {
		ok = false;
		goto out;
	}
	sc.xup = true;
	xport = xasprintf("%d", sc.x.port);
	r = h_cmd(sc.s[0].c, "SENTINEL", "MONITOR", "lone", "127.0.0.1", xport, "2", NULL);
	ok = it_expect(r, "+OK", "SENTINEL MONITOR lone") && ok;
	free(r);
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "lone", NULL);
	ok = it_expect(r, "-NOGOODSLAVE No suitable replica to promote",
	    "SENTINEL FAILOVER on a master without replicas") && ok;
out:
	scn_report(&sc, ok);
	free(r1);
	free(r2);
	free(r);
	free(xport);
	free(script);
	free(calls);
	free(text);
	free(extra);
	free(want);
	free(wobs);
	it_scn_free(&sc);
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
	struct it_scn sc;
	struct h_conn *w = NULL;
	char *r = NULL, *v = NULL, want[32];
	long long acked = 0;
	int np, i;
	bool ok = false, sent = false;

	(void)arg;
	it_scn_init(&sc, t, "fplanned", fast_sync);
	/* The replicas are in sync first: a planned failover refuses one that lags. */
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) || !it_replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	/*
	 * The pause lasts at most half of down-after: give it room on a busy
	 * machine (500 ms leaves a 125 ms catch-up window).
	 */
	for (i = 0; i < IT_NSENT; i++) {
		r = h_cmd(sc.s[i].c, "SENTINEL", "SET", "mymaster", "down-after-milliseconds", "3000", NULL);
		if (!it_expect(r, "+OK", "SENTINEL SET down-after-milliseconds 3000"))
			goto out;
		free(r);
		r = NULL;
	}
	w = it_conn(sc.mport);
	for (i = 0; i < 20000; i++) {
		r = h_cmd(w, "INCR", "counter", NULL);
		if (r[0] != ':')
			break;	/* -READONLY once demoted, or the connection was closed */
		acked = strtoll(r + 1, NULL, 10);
		free(r);
		r = NULL;
		if (i == 300) {
			char *fr = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);

			sent = it_expect(fr, "+OK", "SENTINEL FAILOVER mymaster");
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
	ok = it_expect(v, want, "the counter on the new master is the last acknowledged value");
	ok = it_wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	h_close(w);
	free(r);
	free(v);
	it_scn_free(&sc);
	return ok;
}

/* --- 3. SENTINEL FAILOVER with a chosen replica ------------------------------------ */

static bool
chosen(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *r = NULL, *p0 = NULL, *pm = NULL;
	int np;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fchosen", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) || !it_replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	/* r1 is the one priority would choose. */
	r = srv_cmd(sc.r[1].port, "CONFIG", "SET", "replica-priority", "1", NULL);
	ok = it_expect(r, "+OK", "CONFIG SET replica-priority 1");
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
	ok = it_expect(r, "-ERR No such replica of this master", "SENTINEL FAILOVER to the master");
	free(r);
	p0 = xasprintf("%d", sc.r[0].port);
	/* With Valkey's COORDINATED word, which ours accepts. */
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", "127.0.0.1", p0, "COORDINATED",
	    NULL);
	ok = it_expect(r, "+OK", "SENTINEL FAILOVER mymaster 127.0.0.1 <replica0> COORDINATED") && ok;
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) != sc.r[0].port) {
		h_diag("switched to port %d, expected the chosen %d (priority 1 one: %d)", np,
		    sc.r[0].port, sc.r[1].port);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = writable_master(np, "fkey", "chosen") && ok;
	ok = it_wait_follows(sc.r[1].port, np, H_DEADLINE_MS) && ok;
	ok = it_wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	free(r);
	free(p0);
	free(pm);
	it_scn_free(&sc);
	return ok;
}

/* --- 4. a sentinel that slept through a failover ---------------------------------- */

static bool
slept(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *want = NULL, *text = NULL;
	int64_t t0;
	int np, oldport, n;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fslept", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) || !it_replica_start(&sc, NULL) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe_all(&sc))
		goto out;
	/* Its config file now knows the replicas and the peers. */
	it_sent_stop(&sc.s[2]);
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
	if (!it_sent_spawn(&sc.s[2]) || !it_sent_tune(&sc.s[2]))
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
	it_scn_free(&sc);
	return ok;
}

/* --- 4b. the leader crashes right after the promotion ------------------------------ */

/*
 * SENTINEL SIMULATE-FAILURE crash-after-promotion, then SENTINEL FAILOVER:
 * the leader exits (status 99) the moment the replica is promoted. Its
 * config file must already name the promoted replica with the new config
 * epoch (saved with the old address, the restarted leader would name the
 * old master with the newest epoch and no hello could correct it). Started
 * again, it brings everyone to the new master, and the old one follows it.
 */
static bool
crashed(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *r = NULL, *text = NULL, *want = NULL;
	int st = 0, np = 0;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fcrash", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) ||
	    !synced(&sc))
		goto out;
	r = h_cmd(sc.s[0].c, "SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion", NULL);
	ok = it_expect(r, "+OK", "SENTINEL SIMULATE-FAILURE crash-after-promotion");
	free(r);
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = it_expect(r, "+OK", "SENTINEL FAILOVER mymaster") && ok;
	if (!ok)
		goto out;
	if (!h_exited(sc.s[0].pid, &st, FO_DEADLINE_MS) || !WIFEXITED(st) || WEXITSTATUS(st) != 99) {
		h_diag("the leader did not exit with status 99 after the promotion (status %d)", st);
		ok = false;
		goto out;
	}
	sc.s[0].pid = 0;
	h_close(sc.s[0].c);
	sc.s[0].c = NULL;
	/* Which replica it promoted: the one that is a master now. */
	for (int i = 0; i < 2 && np == 0; i++) {
		struct h_conn *c = it_conn(sc.r[i].port);
		char *role = c != NULL ? h_info_get(c, "replication", "role") : NULL;

		if (role != NULL && strcmp(role, "master") == 0)
			np = sc.r[i].port;
		free(role);
		h_close(c);
	}
	text = h_read_file(sc.s[0].conf);
	want = xasprintf("sentinel monitor mymaster 127.0.0.1 %d 2", np);
	if (np == 0 || text == NULL || strstr(text, want) == NULL ||
	    strstr(text, "sentinel config-epoch mymaster 1") == NULL) {
		h_diag("the crashed leader's config does not name the promoted replica (%d) with "
		    "config epoch 1:", np);
		h_diag_lines("  ", text ? text : "(unreadable)");
		ok = false;
		goto out;
	}
	if (!it_sent_spawn(&sc.s[0]) || !it_sent_tune(&sc.s[0])) {
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS);
	ok = wait_mfield_all(&sc, "config-epoch", "1", H_DEADLINE_MS) && ok;
	ok = it_wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
	ok = writable_master(np, "ckey", "crashed") && ok;
out:
	scn_report(&sc, ok);
	free(r);
	free(text);
	free(want);
	it_scn_free(&sc);
	return ok;
}

/* --- 5. replica-priority 0 ---------------------------------------------------------- */

static bool
prio0(const struct h_target *t, void *arg)
{
	static const char *const zero[] = { "--replica-priority", "0", NULL };
	struct it_scn sc;
	char *r = NULL;
	int np;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fprio", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, zero) || !it_replica_start(&sc, zero) ||
	    !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) ||
	    !synced(&sc))
		goto out;
	if (!wait_rfield(&sc.s[0], sc.r[0].port, "slave-priority", "0", H_DEADLINE_MS) ||
	    !wait_rfield(&sc.s[0], sc.r[1].port, "slave-priority", "0", H_DEADLINE_MS))
		goto out;
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = it_expect(r, "-NOGOODSLAVE No suitable replica to promote",
	    "SENTINEL FAILOVER with both replicas at priority 0");
	free(r);
	/* 0 would sort first if it were not excluded. */
	r = srv_cmd(sc.r[1].port, "CONFIG", "SET", "replica-priority", "100", NULL);
	ok = it_expect(r, "+OK", "CONFIG SET replica-priority 100") && ok;
	free(r);
	r = NULL;
	if (!ok || !wait_rfield(&sc.s[0], sc.r[1].port, "slave-priority", "100", H_DEADLINE_MS)) {
		ok = false;
		goto out;
	}
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = it_expect(r, "+OK", "SENTINEL FAILOVER with priorities 0 and 100");
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) != sc.r[1].port) {
		h_diag("switched to port %d, expected %d (priority 100), not %d (priority 0)", np,
		    sc.r[1].port, sc.r[0].port);
		ok = false;
		goto out;
	}
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ok = it_wait_follows(sc.r[0].port, np, H_DEADLINE_MS) && ok;
	ok = it_wait_follows(sc.mport, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	free(r);
	it_scn_free(&sc);
	return ok;
}

/*
 * SENTINEL RESET while a failover is under way: with both replicas holding
 * every command (CLIENT PAUSE ALL), a planned failover cannot finish; the
 * reset ends it (no failover flags, no failover-state), the sentinel comes
 * back with both replicas and its peers, and once the replicas answer
 * again every sentinel names one master that the other two servers follow.
 */
static bool
reset_during(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *r = NULL, *f = NULL;
	int64_t end;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "freset", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !sents_start(&sc) || !converged(&sc, 2, H_DEADLINE_MS) ||
	    !subscribe(&sc.s[0]) || !synced(&sc))
		goto out;
	ok = true;
	for (int i = 0; i < 2; i++) {
		r = srv_cmd(sc.r[i].port, "CLIENT", "PAUSE", "3000", "ALL", NULL);
		ok = it_expect(r, "+OK", "CLIENT PAUSE 3000 ALL on a replica") && ok;
		free(r);
	}
	r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);
	ok = it_expect(r, "+OK", "SENTINEL FAILOVER") && ok;
	free(r);
	f = it_mfield(sc.s[0].c, "flags");
	if (f == NULL || strstr(f, "failover_in_progress") == NULL) {
		h_diag("flags right after SENTINEL FAILOVER: %s", f ? f : "-");
		ok = false;
	}
	free(f);
	r = h_cmd(sc.s[0].c, "SENTINEL", "RESET", "mymaster", NULL);
	ok = it_expect(r, ":1", "SENTINEL RESET mymaster during the failover") && ok;
	free(r);
	/* "master", and "disconnected" while its links come back. */
	f = it_mfield(sc.s[0].c, "flags");
	if (f == NULL || strncmp(f, "master", 6) != 0 || strstr(f, "failover") != NULL) {
		h_diag("flags after the reset: %s", f ? f : "-");
		ok = false;
	}
	free(f);
	f = it_mfield(sc.s[0].c, "failover-state");
	if (f != NULL) {
		h_diag("failover-state after the reset: %s", f);
		ok = false;
	}
	free(f);
	f = NULL;
	for (int i = 0; i < 2; i++) {
		r = srv_cmd(sc.r[i].port, "CLIENT", "UNPAUSE", NULL);
		ok = it_expect(r, "+OK", "CLIENT UNPAUSE on a replica") && ok;
		free(r);
	}
	r = NULL;
	/* One master, named by all, followed by the two other servers. */
	end = util_mono_ms() + FO_DEADLINE_MS;
	for (;;) {
		int a = it_addr_port(sc.s[0].c), ports[3] = { sc.mport, sc.r[0].port, sc.r[1].port };
		bool agreed = a > 0 && it_addr_port(sc.s[1].c) == a && it_addr_port(sc.s[2].c) == a;
		bool last = util_mono_ms() >= end;

		for (int i = 0; agreed && i < 3; i++)
			if (ports[i] != a && !it_follows(ports[i], a, last))
				agreed = false;
		if (agreed)
			break;
		if (last) {
			h_diag("after the reset, no master that all name and the others follow");
			ok = false;
			break;
		}
		usleep(POLL_US);
	}
	ok = converged(&sc, 2, H_DEADLINE_MS) && ok;
	ev_pump(&sc);
	if (ev_count(&sc.s[0].ev, "+reset-master") != 1) {
		h_diag("+reset-master sent %d times", ev_count(&sc.s[0].ev, "+reset-master"));
		ok = false;
	}
out:
	scn_report(&sc, ok);
	it_scn_free(&sc);
	return ok;
}

/*
 * Quorum 3 of 3: with one sentinel stopped, a dead master is SDOWN for the
 * two others but never ODOWN, and nothing fails over (six down-after
 * periods are watched); started again, the third agrees and the failover
 * happens.
 */
static bool
quorum3(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *extra = xasprintf("sentinel failover-timeout mymaster %d\n", FO_TIMEOUT);
	int64_t end;
	int np;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fquorum3", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !it_sents_start(&sc, 3, extra) ||
	    !converged(&sc, 2, H_DEADLINE_MS) || !subscribe(&sc.s[0]) || !subscribe(&sc.s[1]) ||
	    !synced(&sc))
		goto out;
	it_sent_stop(&sc.s[2]);
	h_kill9(sc.m.pid);
	sc.m.pid = 0;
	ok = ev_wait(&sc, 0, "+sdown", NULL, H_DEADLINE_MS) &&
	    ev_wait(&sc, 1, "+sdown", NULL, H_DEADLINE_MS);
	end = util_mono_ms() + 6 * IT_DOWN_AFTER;
	while (ok && util_mono_ms() < end) {
		ev_pump(&sc);
		for (int i = 0; i < 2; i++)
			if (ev_count(&sc.s[i].ev, "+odown") != 0 ||
			    ev_count(&sc.s[i].ev, "+try-failover") != 0) {
				h_diag("sentinel %d: +odown or +try-failover with 2 of quorum 3", i);
				ok = false;
			}
		usleep(POLL_US);
	}
	if (!ok)
		goto out;
	if (it_addr_port(sc.s[0].c) != sc.mport || it_addr_port(sc.s[1].c) != sc.mport) {
		h_diag("the master changed without the quorum");
		ok = false;
		goto out;
	}
	/* All three: ODOWN at 3/3 and a failover. */
	if (!it_sent_spawn(&sc.s[2]) || !it_sent_tune(&sc.s[2])) {
		ok = false;
		goto out;
	}
	if ((np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) == -1 ||
	    (np != sc.r[0].port && np != sc.r[1].port)) {
		h_diag("no failover once the third sentinel is back (port %d)", np);
		ok = false;
		goto out;
	}
	/* Some sentinel saw ODOWN (the one back may have led before the others asked again). */
	ev_pump(&sc);
	ok = ev_find(&sc.s[0].ev, 0, "+odown", "master mymaster", true) != -1 ||
	    ev_find(&sc.s[1].ev, 0, "+odown", "master mymaster", true) != -1 ||
	    wait_file_has(sc.s[2].log, "+odown master mymaster", 1000);
	if (!ok)
		h_diag("no +odown before the failover");
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
out:
	scn_report(&sc, ok);
	it_scn_free(&sc);
	free(extra);
	return ok;
}

/*
 * parallel-syncs 1 with three replicas: after the promotion the two others
 * are pointed at the new master one at a time (the second SLAVEOF is sent
 * only once the first replica's reconfiguration is done), and all end up
 * following it.
 */
static bool
psyncs1(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *extra = xasprintf("sentinel failover-timeout mymaster %d\n"
	    "sentinel parallel-syncs mymaster 1\n", FO_TIMEOUT);
	long sent[2] = { -1, -1 }, done = -1;
	int np, k = 0;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "fpsyncs", fast_sync);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_sents_start(&sc, 2, extra) || !converged(&sc, 3, H_DEADLINE_MS) ||
	    !subscribe_all(&sc))
		goto out;
	for (int i = 0; i < 3; i++)
		if (!it_wait_follows(sc.r[i].port, sc.mport, H_DEADLINE_MS) ||
		    !it_wait_caught_up(sc.r[i].port, sc.mport))
			goto out;
	{
		char *r = h_cmd(sc.s[0].c, "SENTINEL", "FAILOVER", "mymaster", NULL);

		ok = it_expect(r, "+OK", "SENTINEL FAILOVER");
		free(r);
	}
	if (!ok || (np = wait_switch(&sc, 0, sc.mport, FO_DEADLINE_MS)) == -1) {
		ok = false;
		goto out;
	}
	for (int i = 0; i < 3; i++)
		if (sc.r[i].port != np)
			ok = it_wait_follows(sc.r[i].port, np, H_DEADLINE_MS) && ok;
	ok = wait_addr_all(&sc, np, H_DEADLINE_MS) && ok;
	ev_pump(&sc);
	/* The order of the leader's events: sent, done, then the next sent. */
	for (long at = 0; k < 2 && (at = ev_find(&sc.s[0].ev, (size_t)at, "+slave-reconf-sent", NULL,
	    false)) != -1; at += (long)strcspn(sc.s[0].ev.data + at, "\n"))
		sent[k++] = at;
	done = ev_find(&sc.s[0].ev, 0, "+slave-reconf-done", NULL, false);
	if (k != 2 || done == -1 || !(sent[0] < done && done < sent[1])) {
		h_diag("with parallel-syncs 1, +slave-reconf-sent %ld and %ld, the first "
		    "+slave-reconf-done %ld: not one at a time", sent[0], sent[1], done);
		ok = false;
	}
out:
	scn_report(&sc, ok);
	it_scn_free(&sc);
	free(extra);
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

	if (it_sentinel_bin != NULL && !skip_all) {
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

int
main(void)
{
	h_exclusive();
	it_sentinel_bin = it_find_sentinel();
	if (it_sentinel_bin != NULL && access(it_sentinel_bin, X_OK) != 0) {
		h_plan(1);
		h_ok(false, "%s is executable", it_sentinel_bin);
		return h_done();
	}
	h_plan(10 * h_nkinds());
	run("kill -9 of the master: automatic failover, the old master returns as a replica",
	    automatic);
	run("SENTINEL FAILOVER on a healthy master; -INPROG; -NOGOODSLAVE; client-reconfig-script",
	    forced);
	run("planned SENTINEL FAILOVER under writes loses no acknowledged write", planned);
	run("SENTINEL FAILOVER mymaster <ip> <port> promotes that replica", chosen);
	run("a sentinel down during the failover learns it when it returns", slept);
	run("replica-priority 0 is never promoted", prio0);
	run("the leader crashes after the promotion: restarted, it names the new master", crashed);
	run("SENTINEL RESET during a failover ends it; the sentinels agree again", reset_during);
	run("quorum 3 with a sentinel down: no failover; all three up: failover", quorum3);
	run("parallel-syncs 1 with three replicas: reconfigured one at a time", psyncs1);
	return h_done();
}
