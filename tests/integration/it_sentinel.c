/*
 * it_sentinel.c - our sentinel against live servers of each kind: three
 * sentinels discover the replicas and each other, SDOWN and ODOWN come and
 * go with a frozen master, CKQUORUM, a restart keeps the identity and the
 * learned state, a new identity replaces the old one at the peers,
 * auth-pass, rename-command, replica-announced, the notification script
 * and its descriptors, a rogue master speaking garbage and a subscriber
 * that never reads.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#define POLL_US		20000	/* between looks at a changing state */

/* One of our sentinels. */
struct sent {
	char		*dir;
	char		*conf;
	char		*log;
	int		 port;
	pid_t		 pid;
	struct h_conn	*c;
};

/* Everything a case starts, so that one cleanup stops it all. */
struct scn {
	const struct h_target	*t;
	char			*dir;
	struct h_server		 m;
	bool			 mup;
	bool			 mstopped;	/* SIGSTOPped: needs SIGCONT */
	struct h_server		 r[NREPS];
	int			 nr;
	struct sent		 s[NSENT];
	struct h_conn		*sub;		/* PSUBSCRIBE * on s[0] */
	struct buf		 seen;		/* events read from sub */
	int			 mport;		/* the monitored port */
};

/* Per-kind ODOWN latency (+sdown to +odown) measured by the odown case. */
static int64_t	odown_lat[2];

static const char *sentinel_bin;

/* --- small helpers ------------------------------------------------------ */

static void
cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl != -1)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/*
 * Our connections must not leak into the processes we start: the script
 * case checks what the sentinel hands its scripts.
 */
static struct h_conn *
conn(int port)
{
	struct h_conn *c = h_connect(port);

	if (c != NULL)
		cloexec(c->fd);
	return c;
}

/* Everything this process inherited beyond 0, 1 and 2 is closed on exec. */
static void
cloexec_all(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != dirfd(d))
			cloexec(fd);
	}
	closedir(d);
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

/* A line of text, exactly. */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p != NULL && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\r' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* --- servers and sentinels ------------------------------------------------ */

static bool
srv_start(struct scn *sc, struct h_server *s, const char *tag, const char *conf,
    const char *const *args)
{
	struct h_srvcfg cfg = { 0 };
	char *dir = xasprintf("%s/%s", sc->dir, tag);
	int rc;

	mkdir(dir, 0755);
	cfg.bin = sc->t->bin;
	cfg.dir = dir;
	cfg.conf = conf;
	cfg.args = args;
	rc = h_server_start(s, &cfg);
	free(dir);
	if (rc < 0)
		h_diag("%s %s did not start", sc->t->name, tag);
	return rc == 0;
}

static bool
master_start(struct scn *sc, const char *conf, const char *const *args)
{
	if (!srv_start(sc, &sc->m, "master", conf, args))
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
	if (!srv_start(sc, &sc->r[sc->nr], tag, NULL, args))
		return false;
	sc->nr++;
	return true;
}

static void
master_freeze(struct scn *sc)
{
	if (sc->mup && !sc->mstopped && kill(sc->m.pid, SIGSTOP) == 0)
		sc->mstopped = true;
}

static void
master_thaw(struct scn *sc)
{
	if (sc->mstopped) {
		kill(sc->m.pid, SIGCONT);
		sc->mstopped = false;
	}
}

/* Short periods, so that each case takes seconds. */
static bool
sent_tune(struct sent *s)
{
	char *r = h_cmd(s->c, "SENTINEL", "DEBUG", "INFO-PERIOD", "200", "PING-PERIOD", "100",
	    "ASK-PERIOD", "100", "PUBLISH-PERIOD", "200", NULL);
	bool ok = expect(r, "+OK", "SENTINEL DEBUG");

	free(r);
	/* A sentinel in TILT decides nothing: it must not start in it. */
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
		if (s->log != NULL) {
			char *t = h_read_file(s->log);

			if (t != NULL)
				h_diag_lines("log| ", t);
			free(t);
		}
		return false;
	}
	if ((s->c = conn(s->port)) == NULL)
		return false;
	return true;
}

/* Writes the config of sentinel i, quorum q, extra lines, and starts it. */
static bool
sent_start(struct scn *sc, int i, int quorum, const char *extra)
{
	struct sent *s = &sc->s[i];
	char *text;

	s->dir = xasprintf("%s/s%d", sc->dir, i);
	mkdir(s->dir, 0755);
	s->conf = xasprintf("%s/sentinel.conf", s->dir);
	s->log = xasprintf("%s/sentinel.log", s->dir);
	s->port = h_free_port();
	text = xasprintf("port %d\n"
	    "bind 127.0.0.1\n"
	    "sentinel monitor mymaster 127.0.0.1 %d %d\n"
	    "sentinel down-after-milliseconds mymaster %d\n"
	    "%s",
	    s->port, sc->mport, quorum, DOWN_AFTER, extra != NULL ? extra : "");
	if (h_write_file(s->conf, text) == -1) {
		free(text);
		return false;
	}
	free(text);
	return sent_spawn(s) && sent_tune(s);
}

/* SIGTERM and wait; the connection goes too. */
static void
sent_stop(struct sent *s)
{
	h_close(s->c);
	s->c = NULL;
	if (s->pid > 0)
		h_stop(s->pid, H_DEADLINE_MS);
	s->pid = 0;
}

static void
sent_diag_log(const struct sent *s)
{
	struct h_server tmp = { 0 };

	tmp.log = s->log;
	h_server_diag_log(&tmp);
}

/* Three sentinels, quorum q each, the same extra config lines. */
static bool
sents_start(struct scn *sc, int quorum, const char *extra)
{
	for (int i = 0; i < NSENT; i++)
		if (!sent_start(sc, i, quorum, extra))
			return false;
	return true;
}

static void
scn_init(struct scn *sc, const struct h_target *t, const char *tag)
{
	memset(sc, 0, sizeof *sc);
	sc->t = t;
	sc->dir = h_tmpdir(tag);
	buf_init(&sc->seen);
}

static void
scn_free(struct scn *sc)
{
	master_thaw(sc);
	h_close(sc->sub);
	for (int i = 0; i < NSENT; i++) {
		sent_stop(&sc->s[i]);
		free(sc->s[i].dir);
		free(sc->s[i].conf);
		free(sc->s[i].log);
	}
	for (int i = 0; i < sc->nr; i++)
		h_server_free(&sc->r[i]);
	if (sc->mup)
		h_server_free(&sc->m);
	buf_free(&sc->seen);
	h_tmpdir_remove(sc->dir);
	free(sc->dir);
}

/* The failure report: what the sentinels logged. */
static void
scn_diag(struct scn *sc)
{
	if (sc->seen.len > 0) {
		buf_appendc(&sc->seen, '\0');
		h_diag_lines("event| ", sc->seen.data);
	}
	for (int i = 0; i < NSENT; i++) {
		if (sc->s[i].log != NULL) {
			h_diag("sentinel %d (port %d):", i, sc->s[i].port);
			sent_diag_log(&sc->s[i]);
		}
	}
}

/* --- events ----------------------------------------------------------------- */

static bool
subscribe(struct scn *sc)
{
	char *r;
	bool ok;

	if ((sc->sub = conn(sc->s[0].port)) == NULL)
		return false;
	r = h_cmd(sc->sub, "PSUBSCRIBE", "*", NULL);
	ok = expect(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n", "PSUBSCRIBE *");
	free(r);
	return ok;
}

/*
 * Reads pushed messages until one of type with exactly the text msg
 * arrives (any text when msg is NULL); false after ms. *got receives the
 * text of the match when asked for.
 */
static bool
ev_wait(struct scn *sc, const char *type, const char *msg, int ms, char **got)
{
	int64_t end = util_mono_ms() + ms, left;
	struct h_node *n;
	bool hit;
	int r;

	if (got != NULL)
		*got = NULL;
	for (;;) {
		left = end - util_mono_ms();
		if (left <= 0)
			return false;
		sc->sub->timeout_ms = (int)left;
		r = h_read(sc->sub, &n);
		sc->sub->timeout_ms = 5000;
		if (r != H_RD_OK)
			return false;
		if (n->nkids != 4 || n->kids[2]->str == NULL || n->kids[3]->str == NULL) {
			h_node_free(n);
			continue;
		}
		buf_appendf(&sc->seen, "%s %s\n", n->kids[2]->str, n->kids[3]->str);
		hit = strcmp(n->kids[2]->str, type) == 0 &&
		    (msg == NULL || strcmp(n->kids[3]->str, msg) == 0);
		if (hit && got != NULL)
			*got = xstrdup(n->kids[3]->str);
		h_node_free(n);
		if (hit)
			return true;
	}
}

/* "master mymaster 127.0.0.1 <port>" */
static char *
mdesc(const struct scn *sc)
{
	return xasprintf("master mymaster 127.0.0.1 %d", sc->mport);
}

/* --- waiting for a state -------------------------------------------------------- */

/*
 * Every sentinel sees the master up with nslaves replicas (as counted by
 * SENTINEL MASTER) and the other sentinels.
 */
static bool
converged(struct scn *sc, int nslaves, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char want_s[16], want_r[16];
	char *f, *ns, *nr;
	bool ok;
	int i;

	snprintf(want_s, sizeof want_s, "%d", NSENT - 1);
	snprintf(want_r, sizeof want_r, "%d", nslaves);
	for (;;) {
		ok = true;
		for (i = 0; i < NSENT && ok; i++) {
			f = mfield(sc->s[i].c, "flags");
			ns = mfield(sc->s[i].c, "num-other-sentinels");
			nr = mfield(sc->s[i].c, "num-slaves");
			ok = f != NULL && strcmp(f, "master") == 0 &&
			    ns != NULL && strcmp(ns, want_s) == 0 &&
			    nr != NULL && strcmp(nr, want_r) == 0;
			if (!ok && util_mono_ms() >= end)
				h_diag("sentinel %d: flags %s, num-other-sentinels %s, num-slaves %s",
				    i, f ? f : "-", ns ? ns : "-", nr ? nr : "-");
			free(f);
			free(ns);
			free(nr);
		}
		if (ok)
			return true;
		if (util_mono_ms() >= end) {
			h_diag("the sentinels did not converge");
			return false;
		}
		usleep(POLL_US);
	}
}

/* Flags of the master at sentinel s include (or exclude) flag. */
static bool
wait_flag(struct sent *s, const char *flag, bool want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *f;
	bool has;

	for (;;) {
		f = mfield(s->c, "flags");
		has = f != NULL && has_flag(f, flag);
		if (has == want) {
			free(f);
			return true;
		}
		if (util_mono_ms() >= end) {
			h_diag("master flags at port %d: %s (waited for %s%s)", s->port,
			    f ? f : "-", want ? "" : "no ", flag);
			free(f);
			return false;
		}
		free(f);
		usleep(POLL_US);
	}
}

/* Every replica listed with flags exactly "slave". */
static bool
replicas_ok(struct h_conn *c, int n)
{
	struct h_node *l = node(c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	const char *f;
	bool ok = l != NULL && l->line[0] == '*' && l->nkids == (size_t)n;

	for (size_t i = 0; ok && i < l->nkids; i++)
		ok = (f = fget(l->kids[i], "flags")) != NULL && strcmp(f, "slave") == 0;
	h_node_free(l);
	return ok;
}

static bool
wait_replicas(struct sent *s, int n, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;

	while (!replicas_ok(s->c, n)) {
		if (util_mono_ms() >= end) {
			h_diag("SENTINEL REPLICAS at port %d, expected %d with flags slave:",
			    s->port, n);
			l = node(s->c, "SENTINEL", "REPLICAS", "mymaster", NULL);
			diag_node("  ", l);
			h_node_free(l);
			return false;
		}
		usleep(POLL_US);
	}
	return true;
}

/* --- 1. discovery ---------------------------------------------------------------- */

/* s0 lists the others, with their ids and flags exactly "sentinel". */
static bool
peers_ok(struct scn *sc, char *const *ids, bool last)
{
	struct h_node *l = node(sc->s[0].c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	bool ok = l != NULL && l->nkids == NSENT - 1;

	for (int i = 1; ok && i < NSENT; i++) {
		const struct h_node *e = entry_by_port(l, sc->s[i].port);
		const char *rid = e ? fget(e, "runid") : NULL;
		const char *fl = e ? fget(e, "flags") : NULL;

		ok = rid != NULL && ids[i] != NULL && strcmp(rid, ids[i]) == 0 &&
		    fl != NULL && strcmp(fl, "sentinel") == 0;
	}
	if (!ok && last) {
		h_diag("SENTINEL SENTINELS should list the 2 others with flags sentinel:");
		diag_node("  ", l);
	}
	h_node_free(l);
	return ok;
}

static char	*myid(struct h_conn *);

static bool
discovery(const struct h_target *t, void *arg)
{
	struct scn sc;
	struct h_node *l = NULL;
	char *info = NULL, *want = NULL, *v, *ids[NSENT] = { NULL };
	int64_t end;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "sdisc");
	if (!master_start(&sc, NULL, NULL) || !replica_start(&sc, NULL) ||
	    !replica_start(&sc, NULL) || !sents_start(&sc, 2, NULL))
		goto out;
	if (!converged(&sc, 2, H_DEADLINE_MS) || !wait_replicas(&sc.s[0], 2, H_DEADLINE_MS))
		goto out;
	ok = true;
	l = node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	for (int i = 0; i < 2; i++) {
		const struct h_node *e = entry_by_port(l, sc.r[i].port);

		const char *ip = e ? fget(e, "ip") : NULL;
		const char *mp = e ? fget(e, "master-port") : NULL;

		if (ip == NULL || strcmp(ip, "127.0.0.1") != 0 || mp == NULL ||
		    atoi(mp) != sc.mport) {
			h_diag("replica %d (port %d) not listed right", i, sc.r[i].port);
			diag_node("  ", l);
			ok = false;
		}
	}
	h_node_free(l);
	l = NULL;
	for (int i = 0; i < NSENT; i++)
		ids[i] = myid(sc.s[i].c);
	end = util_mono_ms() + H_DEADLINE_MS;
	while (!peers_ok(&sc, ids, util_mono_ms() >= end)) {
		if (util_mono_ms() >= end) {
			ok = false;
			break;
		}
		usleep(POLL_US);
	}
	info = h_info_get(sc.s[0].c, "sentinel", "master0");
	want = xasprintf("name=mymaster,status=ok,address=127.0.0.1:%d,slaves=2,sentinels=3",
	    sc.mport);
	ok = expect(info ? info : "(none)", want, "INFO sentinel master0") && ok;
	v = mfield(sc.s[0].c, "num-other-sentinels");
	ok = expect(v ? v : "(none)", "2", "num-other-sentinels") && ok;
	free(v);
	v = mfield(sc.s[0].c, "quorum");
	ok = expect(v ? v : "(none)", "2", "quorum") && ok;
	free(v);
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	for (int i = 0; i < NSENT; i++)
		free(ids[i]);
	free(info);
	free(want);
	scn_free(&sc);
	return ok;
}

/* --- 2. SDOWN and ODOWN -------------------------------------------------------------- */

static bool
odown(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *desc = NULL, *got = NULL, *w1 = NULL, *w2 = NULL;
	int64_t tsdown;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "sodown");
	if (!master_start(&sc, NULL, NULL) || !sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc))
		goto out;
	desc = mdesc(&sc);
	master_freeze(&sc);
	if (!ev_wait(&sc, "+sdown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no +sdown");
		goto out;
	}
	tsdown = util_mono_ms();
	if (!ev_wait(&sc, "+odown", NULL, H_DEADLINE_MS, &got)) {
		h_diag("no +odown");
		goto out;
	}
	odown_lat[t->kind == H_KV ? 0 : 1] = util_mono_ms() - tsdown;
	w1 = xasprintf("%s #quorum 2/2", desc);
	w2 = xasprintf("%s #quorum 3/2", desc);
	if (strcmp(got, w1) != 0 && strcmp(got, w2) != 0) {
		h_diag("+odown %s, expected %s or %s", got, w1, w2);
		goto out;
	}
	if (!wait_flag(&sc.s[0], "o_down", true, H_DEADLINE_MS))
		goto out;
	master_thaw(&sc);
	if (!ev_wait(&sc, "-sdown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no -sdown");
		goto out;
	}
	if (!ev_wait(&sc, "-odown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no -odown");
		goto out;
	}
	ok = wait_flag(&sc.s[0], "o_down", false, H_DEADLINE_MS) &&
	    wait_flag(&sc.s[0], "s_down", false, H_DEADLINE_MS);
out:
	if (!ok)
		scn_diag(&sc);
	free(desc);
	free(got);
	free(w1);
	free(w2);
	scn_free(&sc);
	return ok;
}

/* --- 3. no quorum, CKQUORUM ----------------------------------------------------------- */

static bool
noquorum(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *desc = NULL, *r;
	int64_t wait;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "squorum");
	if (!master_start(&sc, NULL, NULL) || !sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc))
		goto out;
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "mymaster", NULL);
	ok = expect(r, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached",
	    "CKQUORUM with quorum 2");
	free(r);
	for (int i = 0; i < NSENT; i++) {
		r = h_cmd(sc.s[i].c, "SENTINEL", "SET", "mymaster", "quorum", "4", NULL);
		ok = expect(r, "+OK", "SENTINEL SET quorum 4") && ok;
		free(r);
	}
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "mymaster", NULL);
	ok = expect(r, "-NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach "
	    "the specified quorum for this master", "CKQUORUM with quorum 4") && ok;
	free(r);
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "nosuch", NULL);
	ok = expect(r, "-ERR No such master with that name", "CKQUORUM nosuch") && ok;
	free(r);
	desc = mdesc(&sc);
	master_freeze(&sc);
	if (!ev_wait(&sc, "+sdown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no +sdown");
		ok = false;
		goto out;
	}
	wait = 3 * odown_lat[t->kind == H_KV ? 0 : 1];
	if (wait < 2000)
		wait = 2000;
	if (ev_wait(&sc, "+odown", NULL, (int)wait, NULL)) {
		h_diag("+odown with quorum 4 and 3 sentinels");
		ok = false;
	}
	ok = wait_flag(&sc.s[0], "o_down", false, 0) && ok;
	ok = wait_flag(&sc.s[0], "s_down", true, 0) && ok;
	master_thaw(&sc);
	if (!ev_wait(&sc, "-sdown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no -sdown");
		ok = false;
	}
out:
	if (!ok)
		scn_diag(&sc);
	free(desc);
	scn_free(&sc);
	return ok;
}

/* --- 4. a restart keeps the identity -------------------------------------------------- */

/* No line other than blanks and comments appears twice. */
static bool
no_dup_lines(const char *text)
{
	const char *p = text, *e, *q;
	size_t n;
	bool ok = true;

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		n = (size_t)(e - p);
		if (n == 0 || *p == '#')
			continue;
		for (q = e; *q != '\0'; ) {
			const char *qe;

			q++;
			qe = q + strcspn(q, "\n");
			if ((size_t)(qe - q) == n && memcmp(p, q, n) == 0) {
				h_diag("duplicate config line: %.*s", (int)n, p);
				ok = false;
				break;
			}
			q = qe;
			if (*q == '\0')
				break;
		}
	}
	return ok;
}

/* Polls a file until it has the line. */
static bool
wait_file_line(const char *path, const char *line, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *t;
	bool has;

	for (;;) {
		t = h_read_file(path);
		has = t != NULL && has_line(t, line);
		if (has || util_mono_ms() >= end) {
			if (!has) {
				h_diag("%s never had the line %s:", path, line);
				if (t != NULL)
					h_diag_lines("  ", t);
			}
			free(t);
			return has;
		}
		free(t);
		usleep(POLL_US);
	}
}

static char *
myid(struct h_conn *c)
{
	struct h_node *n = node(c, "SENTINEL", "MYID", NULL);
	char *id = n != NULL && n->str != NULL && n->line[0] == '"' ? xstrdup(n->str) : NULL;

	h_node_free(n);
	return id;
}

static bool
restart(const struct h_target *t, void *arg)
{
	struct scn sc;
	struct h_node *l = NULL;
	char *ids[NSENT] = { NULL }, *id = NULL, *text = NULL;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "srestart");
	/* The peers know a later epoch; s0 learns it from their hellos. */
	if (!master_start(&sc, NULL, NULL) || !replica_start(&sc, NULL) ||
	    !sent_start(&sc, 0, 2, NULL) ||
	    !sent_start(&sc, 1, 2, "sentinel current-epoch 7\n") ||
	    !sent_start(&sc, 2, 2, "sentinel current-epoch 7\n") ||
	    !converged(&sc, 1, H_DEADLINE_MS))
		goto out;
	for (int i = 0; i < NSENT; i++)
		ids[i] = myid(sc.s[i].c);
	if (!wait_file_line(sc.s[0].conf, "sentinel current-epoch 7", H_DEADLINE_MS))
		goto out;
	sent_stop(&sc.s[0]);
	if (!sent_spawn(&sc.s[0]))
		goto out;
	/* At once, before any hello could have arrived. */
	id = myid(sc.s[0].c);
	ok = expect(id ? id : "(none)", ids[0] ? ids[0] : "(none)", "SENTINEL MYID after restart");
	l = node(sc.s[0].c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	for (int i = 1; i < NSENT; i++) {
		const struct h_node *e = entry_by_port(l, sc.s[i].port);
		const char *rid = e ? fget(e, "runid") : NULL;

		if (rid == NULL || ids[i] == NULL || strcmp(rid, ids[i]) != 0) {
			h_diag("peer %d (port %d) not known at once after the restart", i,
			    sc.s[i].port);
			diag_node("  ", l);
			ok = false;
		}
	}
	if (l == NULL || l->nkids != 2) {
		h_diag("SENTINEL SENTINELS after the restart should list 2");
		ok = false;
	}
	h_node_free(l);
	l = node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	if (entry_by_port(l, sc.r[0].port) == NULL || l->nkids != 1) {
		h_diag("the replica is not known at once after the restart:");
		diag_node("  ", l);
		ok = false;
	}
	h_node_free(l);
	l = NULL;
	/* The peers still count it, and the file stays clean. */
	ok = converged(&sc, 1, H_DEADLINE_MS) && ok;
	text = h_read_file(sc.s[0].conf);
	if (text == NULL || !has_line(text, "sentinel current-epoch 7")) {
		h_diag("current-epoch lost:");
		h_diag_lines("  ", text ? text : "(unreadable)");
		ok = false;
	}
	if (text != NULL && !no_dup_lines(text)) {
		h_diag_lines("  ", text);
		ok = false;
	}
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	for (int i = 0; i < NSENT; i++)
		free(ids[i]);
	free(id);
	free(text);
	scn_free(&sc);
	return ok;
}

/* --- 5. a new identity replaces the old one ------------------------------------------ */

/* Removes the lines starting with prefix from a file. */
static bool
drop_lines(const char *path, const char *prefix)
{
	char *t = h_read_file(path), *p, *e;
	struct buf b = BUF_INIT;
	size_t n = strlen(prefix);
	bool ok, found = false;

	if (t == NULL)
		return false;
	for (p = t; *p != '\0'; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (strncmp(p, prefix, n) == 0) {
			found = true;
			continue;
		}
		buf_append(&b, p, (size_t)(e - p));
		buf_appendc(&b, '\n');
	}
	buf_appendc(&b, '\0');
	ok = found && h_write_file(path, b.data) == 0;
	buf_free(&b);
	free(t);
	return ok;
}

/* Peer s lists exactly NSENT-1 sentinels, one on port with runid. */
static bool
peer_has_new(struct sent *s, int port, const char *runid, bool last)
{
	struct h_node *l = node(s->c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	const struct h_node *e = entry_by_port(l, port);
	const char *rid = e ? fget(e, "runid") : NULL;
	bool ok = l != NULL && l->nkids == NSENT - 1 && rid != NULL && strcmp(rid, runid) == 0;

	if (!ok && last) {
		h_diag("SENTINEL SENTINELS at port %d, expected 2 with %s on port %d:",
		    s->port, runid, port);
		diag_node("  ", l);
	}
	h_node_free(l);
	return ok;
}

static bool
newid(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *old = NULL, *nid = NULL;
	int64_t end;
	bool ok = false, last;

	(void)arg;
	scn_init(&sc, t, "snewid");
	if (!master_start(&sc, NULL, NULL) || !sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS))
		goto out;
	old = myid(sc.s[0].c);
	sent_stop(&sc.s[0]);
	if (!drop_lines(sc.s[0].conf, "sentinel myid ")) {
		h_diag("no sentinel myid line in %s", sc.s[0].conf);
		goto out;
	}
	if (!sent_spawn(&sc.s[0]) || !sent_tune(&sc.s[0]))
		goto out;
	nid = myid(sc.s[0].c);
	if (nid == NULL || old == NULL || strlen(nid) != 40 || strcmp(nid, old) == 0) {
		h_diag("ids before and after: %s %s", old ? old : "-", nid ? nid : "-");
		goto out;
	}
	end = util_mono_ms() + H_DEADLINE_MS;
	for (;;) {
		last = util_mono_ms() >= end;
		ok = peer_has_new(&sc.s[1], sc.s[0].port, nid, last) &&
		    peer_has_new(&sc.s[2], sc.s[0].port, nid, last);
		if (ok || last)
			break;
		usleep(POLL_US);
	}
out:
	if (!ok)
		scn_diag(&sc);
	free(old);
	free(nid);
	scn_free(&sc);
	return ok;
}

/* --- 6. auth-pass ----------------------------------------------------------------------- */

static bool
authpass(const struct h_target *t, void *arg)
{
	static const char *const margs[] = { "--requirepass", "secret", NULL };
	static const char *const rargs[] = { "--requirepass", "secret", "--masterauth", "secret",
	    NULL };
	struct scn sc;
	struct h_node *l = NULL;
	char *f = NULL;
	int64_t end;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "sauth");
	if (!master_start(&sc, NULL, margs) || !replica_start(&sc, rargs) ||
	    !sent_start(&sc, 0, 2, "sentinel auth-pass mymaster secret\n") ||
	    !sent_start(&sc, 1, 2, "sentinel auth-pass mymaster secret\n") ||
	    !sent_start(&sc, 2, 2, "sentinel auth-pass mymaster wrong\n"))
		goto out;
	if (!wait_replicas(&sc.s[0], 1, H_DEADLINE_MS) || !wait_replicas(&sc.s[1], 1, H_DEADLINE_MS))
		goto out;
	f = mfield(sc.s[0].c, "flags");
	ok = expect(f ? f : "(none)", "master", "master flags with the right auth-pass");
	free(f);
	f = NULL;
	/* The wrong password: no valid PING reply, so SDOWN, and nothing learned. */
	ok = wait_flag(&sc.s[2], "s_down", true, H_DEADLINE_MS) && ok;
	/* Long enough for the good ones to have talked to each other. */
	end = util_mono_ms() + H_DEADLINE_MS;
	for (;;) {
		f = mfield(sc.s[0].c, "num-other-sentinels");
		if ((f != NULL && strcmp(f, "1") == 0) || util_mono_ms() >= end)
			break;
		free(f);
		usleep(POLL_US);
	}
	ok = expect(f ? f : "(none)", "1", "num-other-sentinels with the right auth-pass") && ok;
	free(f);
	f = mfield(sc.s[2].c, "num-slaves");
	ok = expect(f ? f : "(none)", "0", "num-slaves with a wrong auth-pass") && ok;
	free(f);
	f = mfield(sc.s[2].c, "num-other-sentinels");
	ok = expect(f ? f : "(none)", "0", "num-other-sentinels with a wrong auth-pass") && ok;
	free(f);
	f = NULL;
	l = node(sc.s[2].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	if (l == NULL || strcmp(l->line, "*0") != 0) {
		h_diag("replicas discovered with a wrong auth-pass:");
		diag_node("  ", l);
		ok = false;
	}
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	scn_free(&sc);
	return ok;
}

/* --- 7. rename-command ---------------------------------------------------------------- */

static bool
rename_cmd(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *conf, *desc = NULL, *r, *f;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "srename");
	conf = xasprintf("%s/master.conf", sc.dir);
	if (h_write_file(conf, "rename-command PING PONG2\n") == -1)
		goto out;
	if (!master_start(&sc, conf, NULL))
		goto out;
	/* The rename is in effect. */
	{
		struct h_conn *c = conn(sc.m.port);

		r = h_cmd(c, "PING", NULL);
		f = h_cmd(c, "PONG2", NULL);
		h_close(c);
		ok = strncmp(r, "-ERR unknown command", 20) == 0 && strcmp(f, "+PONG") == 0;
		if (!ok)
			h_diag("PING: %s, PONG2: %s", r, f);
		free(r);
		free(f);
		if (!ok)
			goto out;
	}
	if (!sents_start(&sc, 2, "sentinel rename-command mymaster PING PONG2\n") ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc)) {
		ok = false;
		goto out;
	}
	desc = mdesc(&sc);
	if (ev_wait(&sc, "+sdown", desc, 3 * DOWN_AFTER, NULL)) {
		h_diag("+sdown although PONG2 answers");
		ok = false;
	}
	f = mfield(sc.s[0].c, "flags");
	ok = expect(f ? f : "(none)", "master", "master flags with rename-command") && ok;
	free(f);
out:
	if (!ok)
		scn_diag(&sc);
	free(conf);
	free(desc);
	scn_free(&sc);
	return ok;
}

/* --- 8. replica-announced no ---------------------------------------------------------- */

static bool
unannounced(const struct h_target *t, void *arg)
{
	static const char *const hidden[] = { "--replica-announced", "no", NULL };
	struct scn sc;
	struct h_node *l = NULL;
	char *v = NULL, *want = NULL;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "sannounce");
	if (!master_start(&sc, NULL, NULL) || !replica_start(&sc, NULL) ||
	    !replica_start(&sc, hidden) || !sents_start(&sc, 2, NULL))
		goto out;
	/* Redis counts it (num-slaves, INFO) but does not list it. */
	if (!converged(&sc, 2, H_DEADLINE_MS) || !wait_replicas(&sc.s[0], 1, H_DEADLINE_MS))
		goto out;
	l = node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	ok = entry_by_port(l, sc.r[0].port) != NULL && entry_by_port(l, sc.r[1].port) == NULL;
	if (!ok) {
		h_diag("SENTINEL REPLICAS should list only port %d:", sc.r[0].port);
		diag_node("  ", l);
	}
	v = h_info_get(sc.s[0].c, "sentinel", "master0");
	want = xasprintf("name=mymaster,status=ok,address=127.0.0.1:%d,slaves=2,sentinels=3",
	    sc.mport);
	ok = expect(v ? v : "(none)", want, "INFO sentinel master0") && ok;
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	free(v);
	free(want);
	scn_free(&sc);
	return ok;
}

/* --- 9. notification-script --------------------------------------------------------- */

/* The text of the first fds.* file the script left, allocated or NULL. */
static char *
read_fds(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *path, *t = NULL;

	if (d == NULL)
		return NULL;
	while (t == NULL && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "fds.", 4) != 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		t = h_read_file(path);
		free(path);
	}
	closedir(d);
	return t;
}

static bool
notify(const struct h_target *t, void *arg)
{
	struct scn sc;
	char *sdir, *script, *out, *text, *extra = NULL, *line = NULL, *fds = NULL;
	char *got = NULL;
	int64_t end;
	bool ok = false;

	(void)arg;
	scn_init(&sc, t, "snotify");
	sdir = xasprintf("%s/script", sc.dir);
	mkdir(sdir, 0755);
	script = xasprintf("%s/notify.sh", sdir);
	out = xasprintf("%s/events", sdir);
	/*
	 * exec: the shell's own descriptor on the script (close-on-exec) is
	 * gone, and ls lists what the script got, plus the descriptor ls
	 * reads the directory with: the lowest free one.
	 */
	text = xasprintf("#!/bin/sh\n"
	    "echo \"$1 $2\" >> '%s'\n"
	    "exec ls /proc/self/fd > '%s/fds.'$$\n", out, sdir);
	if (h_write_file(script, text) == -1 || chmod(script, 0755) == -1)
		goto out;
	if (!master_start(&sc, NULL, NULL))
		goto out;
	extra = xasprintf("sentinel notification-script mymaster %s\n", script);
	/* Nothing of ours leaks into the sentinel, so what the script has is its doing. */
	cloexec_all();
	if (!sent_start(&sc, 0, 2, extra) || !sent_start(&sc, 1, 2, NULL) ||
	    !sent_start(&sc, 2, 2, NULL) || !converged(&sc, 0, H_DEADLINE_MS))
		goto out;
	master_freeze(&sc);
	line = xasprintf("+sdown master mymaster 127.0.0.1 %d", sc.mport);
	if (!wait_file_line(out, line, H_DEADLINE_MS))
		goto out;
	master_thaw(&sc);
	/* The listing is written after the event line: poll for it too. */
	end = util_mono_ms() + H_DEADLINE_MS;
	while ((fds = read_fds(sdir)) == NULL || strchr(fds, '\n') == NULL ||
	    fds[strlen(fds) - 1] != '\n') {
		free(fds);
		fds = NULL;
		if (util_mono_ms() >= end)
			break;
		usleep(POLL_US);
	}
	if (fds == NULL) {
		h_diag("the script left no list of descriptors");
		goto out;
	}
	ok = expect(fds, "0\n1\n2\n3\n", "descriptors of the script (3 is ls's own)");
	if (!ok) {
		got = h_read_file(out);
		h_diag_lines("script| ", got ? got : "");
	}
out:
	if (!ok)
		scn_diag(&sc);
	free(sdir);
	free(script);
	free(out);
	free(text);
	free(extra);
	free(line);
	free(fds);
	free(got);
	scn_free(&sc);
	return ok;
}

/* --- 10. a rogue master ------------------------------------------------------------- */

static uint32_t
rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

/* Garbage of one of a few kinds, some random bytes after it. */
static size_t
garbage(char *b, size_t cap, unsigned kind, uint32_t *st)
{
	static const char *const heads[] = {
		"+OK\r\n+OK\r\n*-5\r\n$99999999999\r\n",
		"+OK\r\n:1\r\n$-1\r\n*2\r\n+a\r\n*1\r\n:2\r\n-ERR no\r\n"
		    "*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:0\r\n",
		"$-7\r\n:zz\r\n",
		"",
	};
	const char *h = heads[kind % ARRAY_SIZE(heads)];
	size_t n = strlen(h), extra = rnd(st) % 2048;

	memcpy(b, h, n);
	for (; extra > 0 && n < cap; extra--)
		b[n++] = (char)rnd(st);
	return n;
}

/* The child: every connection gets garbage at once and for every read. */
static void __attribute__((noreturn))
rogue_serve(int lfd)
{
	struct pollfd pf[64];
	unsigned kinds[64];
	char buf[8192];
	uint32_t st = (uint32_t)getpid() * 2654435761u + 1;
	unsigned seq = 0;
	int n = 1, fd;
	ssize_t r;

	pf[0].fd = lfd;
	pf[0].events = POLLIN;
	for (;;) {
		if (poll(pf, (nfds_t)n, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if ((pf[0].revents & POLLIN) && (fd = accept(lfd, NULL, NULL)) != -1) {
			if (n == 64) {
				close(fd);
			} else {
				fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
				kinds[n] = seq++;
				pf[n].fd = fd;
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				(void)send(fd, buf, garbage(buf, sizeof buf, kinds[n], &st),
				    MSG_NOSIGNAL);
				n++;
			}
		}
		for (int i = 1; i < n; i++) {
			if (pf[i].revents == 0)
				continue;
			r = recv(pf[i].fd, buf, sizeof buf, 0);
			if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR)) {
				close(pf[i].fd);
				pf[i] = pf[n - 1];
				kinds[i] = kinds[n - 1];
				n--;
				i--;
				continue;
			}
			(void)send(pf[i].fd, buf, garbage(buf, sizeof buf, kinds[i], &st),
			    MSG_NOSIGNAL);
		}
	}
}

/* Listens on a free loopback port and forks the rogue; its pid or -1. */
static pid_t
rogue_start(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	if (lfd == -1)
		return -1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 || listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1) {
		close(lfd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	fflush(stdout);
	if ((pid = fork()) == -1) {
		close(lfd);
		return -1;
	}
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		rogue_serve(lfd);
	}
	close(lfd);
	return pid;
}

static bool
rogue(const struct h_target *t, void *arg)
{
	struct scn sc;
	pid_t rp;
	int64_t start, end;
	char *r, *f = NULL;
	bool ok = true, down = false;
	int st, rounds = 0;

	(void)arg;
	scn_init(&sc, t, "srogue");
	if ((rp = rogue_start(&sc.mport)) == -1) {
		h_diag("cannot start the rogue server");
		scn_free(&sc);
		return false;
	}
	if (!sents_start(&sc, 2, NULL)) {
		ok = false;
		goto out;
	}
	/* A few seconds of abuse, the sentinels answering all along. */
	start = util_mono_ms();
	end = start + H_DEADLINE_MS;
	while (ok) {
		for (int i = 0; i < NSENT && ok; i++) {
			r = h_cmd(sc.s[i].c, "PING", NULL);
			ok = expect(r, "+PONG", "PING to a sentinel");
			free(r);
			r = h_cmd(sc.s[i].c, "SENTINEL", "MASTERS", NULL);
			if (strncmp(r, "*1\n  *", 6) != 0) {
				h_diag("SENTINEL MASTERS: %s", r);
				ok = false;
			}
			free(r);
		}
		if (!ok)
			break;
		rounds++;
		free(f);
		f = mfield(sc.s[0].c, "flags");
		down = f != NULL && (has_flag(f, "s_down") || has_flag(f, "disconnected"));
		if (down && util_mono_ms() - start >= 3000)
			break;
		if (util_mono_ms() >= end)
			break;
		usleep(POLL_US);
	}
	if (ok && !down) {
		h_diag("the rogue master is not reported down: flags %s", f ? f : "-");
		ok = false;
	}
	if (ok && !has_flag(f, "s_down")) {
		ok = wait_flag(&sc.s[0], "s_down", true, H_DEADLINE_MS);
	}
	for (int i = 0; i < NSENT; i++) {
		if (h_exited(sc.s[i].pid, &st, 0)) {
			h_diag("sentinel %d died, status %#x", i, st);
			sc.s[i].pid = 0;
			ok = false;
		}
	}
out:
	if (!ok)
		scn_diag(&sc);
	free(f);
	kill(rp, SIGKILL);
	waitpid(rp, NULL, 0);
	scn_free(&sc);
	return ok;
}

/* --- 11. a subscriber that never reads ---------------------------------------------- */

#define OBUF_PAIRS	1000	/* option pairs per SENTINEL SET: one +set each */
#define OBUF_BATCH	20	/* commands per pipeline */
#define OBUF_MAXCMDS	1200	/* about 110 MB of events, far past 32 MB */

static bool
sub_listed(struct h_conn *c)
{
	char *r = h_cmd(c, "CLIENT", "LIST", "TYPE", "pubsub", NULL);
	bool listed = strstr(r, "name=deaf ") != NULL;

	free(r);
	return listed;
}

static bool
obuf(const struct h_target *t, void *arg)
{
	struct scn sc;
	struct h_conn *deaf = NULL, *pub = NULL, *other = NULL;
	const char **argv = NULL;
	struct buf req = BUF_INIT;
	char *r;
	int argc = 0, sent = 0;
	bool ok = false, gone = false;
	int64_t start;

	(void)arg;
	scn_init(&sc, t, "sobuf");
	if (!master_start(&sc, NULL, NULL) || !sents_start(&sc, 2, NULL))
		goto out;
	deaf = conn(sc.s[0].port);
	pub = conn(sc.s[0].port);
	if (deaf == NULL || pub == NULL)
		goto out;
	r = h_cmd(deaf, "CLIENT", "SETNAME", "deaf", NULL);
	free(r);
	r = h_cmd(deaf, "PSUBSCRIBE", "*", NULL);
	ok = expect(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n", "PSUBSCRIBE *");
	free(r);
	if (!ok)
		goto out;
	ok = false;
	argv = xcalloc(3 + 2 * OBUF_PAIRS, sizeof *argv);
	argv[argc++] = "SENTINEL";
	argv[argc++] = "SET";
	argv[argc++] = "mymaster";
	for (int i = 0; i < OBUF_PAIRS; i++) {
		argv[argc++] = "quorum";
		argv[argc++] = i % 2 ? "2" : "3";
	}
	/* One request text, sent OBUF_BATCH times per round. */
	buf_appendf(&req, "*%d\r\n", argc);
	for (int i = 0; i < argc; i++)
		buf_appendf(&req, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
	start = util_mono_ms();
	while (sent < OBUF_MAXCMDS && !gone) {
		for (int i = 0; i < OBUF_BATCH; i++)
			if (h_send_raw(pub, req.data, req.len) == -1)
				goto out;
		for (int i = 0; i < OBUF_BATCH; i++) {
			r = h_reply(pub);
			if (strcmp(r, "+OK") != 0) {
				h_diag("SENTINEL SET %d: %s", sent + i, r);
				free(r);
				goto out;
			}
			free(r);
		}
		sent += OBUF_BATCH;
		gone = !sub_listed(pub);
	}
	h_diag("%d events in %lld ms", sent * OBUF_PAIRS, (long long)(util_mono_ms() - start));
	if (!gone) {
		h_diag("the subscriber is still there after %d events", sent * OBUF_PAIRS);
		goto out;
	}
	/* It was closed, not just forgotten, and the others go on. */
	ok = h_wait_closed(deaf, H_DEADLINE_MS);
	if (!ok)
		h_diag("the subscriber's connection was not closed");
	r = h_cmd(pub, "PING", NULL);
	ok = expect(r, "+PONG", "PING from the publisher") && ok;
	free(r);
	other = conn(sc.s[0].port);
	r = other ? h_cmd(other, "SENTINEL", "CKQUORUM", "mymaster", NULL) : xstrdup("(no conn)");
	ok = expect(r, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached",
	    "CKQUORUM from a new client") && ok;
	free(r);
out:
	if (!ok)
		scn_diag(&sc);
	free(argv);
	buf_free(&req);
	h_close(deaf);
	h_close(pub);
	h_close(other);
	scn_free(&sc);
	return ok;
}

/* --- main ----------------------------------------------------------------------- */

/* SCN_SERVERS as the harness reads it. */
static bool
selected(const char *name)
{
	const char *sel = getenv("SCN_SERVERS"), *p;
	size_t n = strlen(name);

	if (sel == NULL || *sel == '\0')
		sel = "kv,redis";
	for (p = sel; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* h_run, or a skip for every kind when there is no sentinel, or for kv when kv_skip says why. */
static void
run(const char *desc, h_body body, const char *kv_skip)
{
	static const enum h_kind kinds[] = { H_KV, H_REDIS };
	const char *only = getenv("IT_ONLY");
	struct h_target t;

	/* IT_ONLY=word runs only the cases whose description has it. */
	if (only != NULL && *only != '\0' && strstr(desc, only) == NULL)
		kv_skip = NULL, body = NULL;
	if (sentinel_bin != NULL && kv_skip == NULL && body != NULL) {
		h_run(desc, body, NULL);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		bool avail = h_target_get(kinds[i], &t);

		if (!selected(t.name))
			continue;
		if (body == NULL)
			h_skip("not in IT_ONLY", "%s [%s]", desc, t.name);
		else if (sentinel_bin == NULL)
			h_skip("SENTINEL_BIN not set and no built sentinel", "%s [%s]", desc, t.name);
		else if (kinds[i] == H_KV)
			h_skip(kv_skip, "%s [%s]", desc, t.name);
		else if (t.bin == NULL)
			h_skip("redis-server not installed", "%s [%s]", desc, t.name);
		else if (!avail) {
			h_ok(false, "%s [%s]", desc, t.name);
			h_diag("%s: not an executable file", t.bin);
		} else
			h_ok(body(&t, NULL), "%s [%s]", desc, t.name);
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
	h_plan(11 * h_nkinds());
	run("discovery of replicas and peer sentinels", discovery, NULL);
	run("+sdown, +odown with the quorum, then -sdown, -odown", odown, NULL);
	run("quorum 4 of 3 sentinels: no +odown, CKQUORUM says why", noquorum, NULL);
	run("a restart keeps the id, the epoch and what was learned", restart, NULL);
	run("a new id replaces the old entry at the peers", newid, NULL);
	run("auth-pass: right one works, wrong one learns nothing", authpass, NULL);
	run("rename-command PING PONG2 keeps the master up", rename_cmd, NULL);
	run("replica-announced no: counted but not listed", unannounced, NULL);
	run("notification-script gets the event and only 0, 1, 2", notify, NULL);
	run("a master speaking garbage: the sentinel goes on", rogue, NULL);
	run("a subscriber that never reads is dropped at 32 MB", obuf, NULL);
	return h_done();
}
