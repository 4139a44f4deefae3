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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"
#include "harness.h"
#include "sentinels.h"

#define POLL_US		20000	/* between looks at a changing state */

/* Per-kind ODOWN latency (+sdown to +odown) measured by the odown case. */
static int64_t	odown_lat[2];

/* --- small helpers ------------------------------------------------------ */

static void
cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl != -1)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
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

static void
sent_diag_log(const struct it_sent *s)
{
	struct h_server tmp = { 0 };

	tmp.log = s->log;
	h_server_diag_log(&tmp);
}

/* The failure report: what the sentinels logged. */
static void
scn_diag(struct it_scn *sc)
{
	if (sc->seen.len > 0) {
		buf_appendc(&sc->seen, '\0');
		h_diag_lines("event| ", sc->seen.data);
	}
	for (int i = 0; i < IT_NSENT; i++) {
		if (sc->s[i].log != NULL) {
			h_diag("sentinel %d (port %d):", i, sc->s[i].port);
			sent_diag_log(&sc->s[i]);
		}
	}
}

/* --- events ----------------------------------------------------------------- */

/* PSUBSCRIBE * on s[0], read by ev_wait. */
static bool
subscribe(struct it_scn *sc)
{
	return it_psubscribe(&sc->sub, sc->s[0].port);
}

/*
 * Reads pushed messages until one of type with exactly the text msg
 * arrives (any text when msg is NULL); false after ms. *got receives the
 * text of the match when asked for.
 */
static bool
ev_wait(struct it_scn *sc, const char *type, const char *msg, int ms, char **got)
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
mdesc(const struct it_scn *sc)
{
	return xasprintf("master mymaster 127.0.0.1 %d", sc->mport);
}

/* --- waiting for a state -------------------------------------------------------- */

/*
 * Every sentinel sees the master up with nslaves replicas (as counted by
 * SENTINEL MASTER) and the other sentinels.
 */
static bool
converged(struct it_scn *sc, int nslaves, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char want_s[16], want_r[16];
	char *f, *ns, *nr;
	bool ok;
	int i;

	snprintf(want_s, sizeof want_s, "%d", IT_NSENT - 1);
	snprintf(want_r, sizeof want_r, "%d", nslaves);
	for (;;) {
		ok = true;
		for (i = 0; i < IT_NSENT && ok; i++) {
			f = it_mfield(sc->s[i].c, "flags");
			ns = it_mfield(sc->s[i].c, "num-other-sentinels");
			nr = it_mfield(sc->s[i].c, "num-slaves");
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
wait_flag(struct it_sent *s, const char *flag, bool want, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	char *f;
	bool has;

	for (;;) {
		f = it_mfield(s->c, "flags");
		has = f != NULL && it_has_flag(f, flag);
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
	struct h_node *l = it_node(c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	const char *f;
	bool ok = l != NULL && l->line[0] == '*' && l->nkids == (size_t)n;

	for (size_t i = 0; ok && i < l->nkids; i++)
		ok = (f = it_fget(l->kids[i], "flags")) != NULL && strcmp(f, "slave") == 0;
	h_node_free(l);
	return ok;
}

static bool
wait_replicas(struct it_sent *s, int n, int deadline_ms)
{
	int64_t end = util_mono_ms() + deadline_ms;
	struct h_node *l;

	while (!replicas_ok(s->c, n)) {
		if (util_mono_ms() >= end) {
			h_diag("SENTINEL REPLICAS at port %d, expected %d with flags slave:",
			    s->port, n);
			l = it_node(s->c, "SENTINEL", "REPLICAS", "mymaster", NULL);
			it_diag_node("  ", l);
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
peers_ok(struct it_scn *sc, char *const *ids, bool last)
{
	struct h_node *l = it_node(sc->s[0].c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	bool ok = l != NULL && l->nkids == IT_NSENT - 1;

	for (int i = 1; ok && i < IT_NSENT; i++) {
		const struct h_node *e = it_entry_by_port(l, sc->s[i].port);
		const char *rid = e ? it_fget(e, "runid") : NULL;
		const char *fl = e ? it_fget(e, "flags") : NULL;

		ok = rid != NULL && ids[i] != NULL && strcmp(rid, ids[i]) == 0 &&
		    fl != NULL && strcmp(fl, "sentinel") == 0;
	}
	if (!ok && last) {
		h_diag("SENTINEL SENTINELS should list the 2 others with flags sentinel:");
		it_diag_node("  ", l);
	}
	h_node_free(l);
	return ok;
}

static char	*myid(struct h_conn *);

static bool
discovery(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	struct h_node *l = NULL;
	char *info = NULL, *want = NULL, *v, *ids[IT_NSENT] = { NULL };
	int64_t end;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "sdisc", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, NULL) || !it_sents_start(&sc, 2, NULL))
		goto out;
	if (!converged(&sc, 2, H_DEADLINE_MS) || !wait_replicas(&sc.s[0], 2, H_DEADLINE_MS))
		goto out;
	ok = true;
	l = it_node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	for (int i = 0; i < 2; i++) {
		const struct h_node *e = it_entry_by_port(l, sc.r[i].port);

		const char *ip = e ? it_fget(e, "ip") : NULL;
		const char *mp = e ? it_fget(e, "master-port") : NULL;

		if (ip == NULL || strcmp(ip, "127.0.0.1") != 0 || mp == NULL ||
		    atoi(mp) != sc.mport) {
			h_diag("replica %d (port %d) not listed right", i, sc.r[i].port);
			it_diag_node("  ", l);
			ok = false;
		}
	}
	h_node_free(l);
	l = NULL;
	for (int i = 0; i < IT_NSENT; i++)
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
	ok = it_expect(info ? info : "(none)", want, "INFO sentinel master0") && ok;
	v = it_mfield(sc.s[0].c, "num-other-sentinels");
	ok = it_expect(v ? v : "(none)", "2", "num-other-sentinels") && ok;
	free(v);
	v = it_mfield(sc.s[0].c, "quorum");
	ok = it_expect(v ? v : "(none)", "2", "quorum") && ok;
	free(v);
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	for (int i = 0; i < IT_NSENT; i++)
		free(ids[i]);
	free(info);
	free(want);
	it_scn_free(&sc);
	return ok;
}

/* --- 2. SDOWN and ODOWN -------------------------------------------------------------- */

static bool
odown(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *desc = NULL, *got = NULL, *w1 = NULL, *w2 = NULL;
	int64_t tsdown;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "sodown", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc))
		goto out;
	desc = mdesc(&sc);
	it_master_freeze(&sc);
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
	it_master_thaw(&sc);
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
	it_scn_free(&sc);
	return ok;
}

/* --- 3. no quorum, CKQUORUM ----------------------------------------------------------- */

static bool
noquorum(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *desc = NULL, *r;
	int64_t wait;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "squorum", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc))
		goto out;
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "mymaster", NULL);
	ok = it_expect(r, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached",
	    "CKQUORUM with quorum 2");
	free(r);
	for (int i = 0; i < IT_NSENT; i++) {
		r = h_cmd(sc.s[i].c, "SENTINEL", "SET", "mymaster", "quorum", "4", NULL);
		ok = it_expect(r, "+OK", "SENTINEL SET quorum 4") && ok;
		free(r);
	}
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "mymaster", NULL);
	ok = it_expect(r, "-NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach "
	    "the specified quorum for this master", "CKQUORUM with quorum 4") && ok;
	free(r);
	r = h_cmd(sc.s[0].c, "SENTINEL", "CKQUORUM", "nosuch", NULL);
	ok = it_expect(r, "-ERR No such master with that name", "CKQUORUM nosuch") && ok;
	free(r);
	desc = mdesc(&sc);
	it_master_freeze(&sc);
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
	it_master_thaw(&sc);
	if (!ev_wait(&sc, "-sdown", desc, H_DEADLINE_MS, NULL)) {
		h_diag("no -sdown");
		ok = false;
	}
out:
	if (!ok)
		scn_diag(&sc);
	free(desc);
	it_scn_free(&sc);
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
	struct h_node *n = it_node(c, "SENTINEL", "MYID", NULL);
	char *id = n != NULL && n->str != NULL && n->line[0] == '"' ? xstrdup(n->str) : NULL;

	h_node_free(n);
	return id;
}

static bool
restart(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	struct h_node *l = NULL;
	char *ids[IT_NSENT] = { NULL }, *id = NULL, *text = NULL;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "srestart", NULL);
	/* The peers know a later epoch; s0 learns it from their hellos. */
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_sent_start(&sc, 0, 2, NULL) ||
	    !it_sent_start(&sc, 1, 2, "sentinel current-epoch 7\n") ||
	    !it_sent_start(&sc, 2, 2, "sentinel current-epoch 7\n") ||
	    !converged(&sc, 1, H_DEADLINE_MS))
		goto out;
	for (int i = 0; i < IT_NSENT; i++)
		ids[i] = myid(sc.s[i].c);
	if (!wait_file_line(sc.s[0].conf, "sentinel current-epoch 7", H_DEADLINE_MS))
		goto out;
	it_sent_stop(&sc.s[0]);
	if (!it_sent_spawn(&sc.s[0]))
		goto out;
	/* At once, before any hello could have arrived. */
	id = myid(sc.s[0].c);
	ok = it_expect(id ? id : "(none)", ids[0] ? ids[0] : "(none)", "SENTINEL MYID after restart");
	l = it_node(sc.s[0].c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	for (int i = 1; i < IT_NSENT; i++) {
		const struct h_node *e = it_entry_by_port(l, sc.s[i].port);
		const char *rid = e ? it_fget(e, "runid") : NULL;

		if (rid == NULL || ids[i] == NULL || strcmp(rid, ids[i]) != 0) {
			h_diag("peer %d (port %d) not known at once after the restart", i,
			    sc.s[i].port);
			it_diag_node("  ", l);
			ok = false;
		}
	}
	if (l == NULL || l->nkids != 2) {
		h_diag("SENTINEL SENTINELS after the restart should list 2");
		ok = false;
	}
	h_node_free(l);
	l = it_node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	if (it_entry_by_port(l, sc.r[0].port) == NULL || l->nkids != 1) {
		h_diag("the replica is not known at once after the restart:");
		it_diag_node("  ", l);
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
	for (int i = 0; i < IT_NSENT; i++)
		free(ids[i]);
	free(id);
	free(text);
	it_scn_free(&sc);
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

/* Peer s lists exactly IT_NSENT-1 sentinels, one on port with runid. */
static bool
peer_has_new(struct it_sent *s, int port, const char *runid, bool last)
{
	struct h_node *l = it_node(s->c, "SENTINEL", "SENTINELS", "mymaster", NULL);
	const struct h_node *e = it_entry_by_port(l, port);
	const char *rid = e ? it_fget(e, "runid") : NULL;
	bool ok = l != NULL && l->nkids == IT_NSENT - 1 && rid != NULL && strcmp(rid, runid) == 0;

	if (!ok && last) {
		h_diag("SENTINEL SENTINELS at port %d, expected 2 with %s on port %d:",
		    s->port, runid, port);
		it_diag_node("  ", l);
	}
	h_node_free(l);
	return ok;
}

static bool
newid(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *old = NULL, *nid = NULL;
	int64_t end;
	bool ok = false, last;

	(void)arg;
	it_scn_init(&sc, t, "snewid", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_sents_start(&sc, 2, NULL) ||
	    !converged(&sc, 0, H_DEADLINE_MS))
		goto out;
	old = myid(sc.s[0].c);
	it_sent_stop(&sc.s[0]);
	if (!drop_lines(sc.s[0].conf, "sentinel myid ")) {
		h_diag("no sentinel myid line in %s", sc.s[0].conf);
		goto out;
	}
	if (!it_sent_spawn(&sc.s[0]) || !it_sent_tune(&sc.s[0]))
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
	it_scn_free(&sc);
	return ok;
}

/* --- 6. auth-pass ----------------------------------------------------------------------- */

static bool
authpass(const struct h_target *t, void *arg)
{
	static const char *const margs[] = { "--requirepass", "secret", NULL };
	static const char *const rargs[] = { "--requirepass", "secret", "--masterauth", "secret",
	    NULL };
	struct it_scn sc;
	struct h_node *l = NULL;
	char *f = NULL;
	int64_t end;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "sauth", NULL);
	if (!it_master_start(&sc, NULL, margs) || !it_replica_start(&sc, rargs) ||
	    !it_sent_start(&sc, 0, 2, "sentinel auth-pass mymaster secret\n") ||
	    !it_sent_start(&sc, 1, 2, "sentinel auth-pass mymaster secret\n") ||
	    !it_sent_start(&sc, 2, 2, "sentinel auth-pass mymaster wrong\n"))
		goto out;
	if (!wait_replicas(&sc.s[0], 1, H_DEADLINE_MS) || !wait_replicas(&sc.s[1], 1, H_DEADLINE_MS))
		goto out;
	f = it_mfield(sc.s[0].c, "flags");
	ok = it_expect(f ? f : "(none)", "master", "master flags with the right auth-pass");
	free(f);
	f = NULL;
	/* The wrong password: no valid PING reply, so SDOWN, and nothing learned. */
	ok = wait_flag(&sc.s[2], "s_down", true, H_DEADLINE_MS) && ok;
	/* Long enough for the good ones to have talked to each other. */
	end = util_mono_ms() + H_DEADLINE_MS;
	for (;;) {
		f = it_mfield(sc.s[0].c, "num-other-sentinels");
		if ((f != NULL && strcmp(f, "1") == 0) || util_mono_ms() >= end)
			break;
		free(f);
		usleep(POLL_US);
	}
	ok = it_expect(f ? f : "(none)", "1", "num-other-sentinels with the right auth-pass") && ok;
	free(f);
	f = it_mfield(sc.s[2].c, "num-slaves");
	ok = it_expect(f ? f : "(none)", "0", "num-slaves with a wrong auth-pass") && ok;
	free(f);
	f = it_mfield(sc.s[2].c, "num-other-sentinels");
	ok = it_expect(f ? f : "(none)", "0", "num-other-sentinels with a wrong auth-pass") && ok;
	free(f);
	f = NULL;
	l = it_node(sc.s[2].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	if (l == NULL || strcmp(l->line, "*0") != 0) {
		h_diag("replicas discovered with a wrong auth-pass:");
		it_diag_node("  ", l);
		ok = false;
	}
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	it_scn_free(&sc);
	return ok;
}

/* --- 7. rename-command ---------------------------------------------------------------- */

static bool
rename_cmd(const struct h_target *t, void *arg)
{
	struct it_scn sc;
	char *conf, *desc = NULL, *r, *f;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "srename", NULL);
	conf = xasprintf("%s/master.conf", sc.dir);
	if (h_write_file(conf, "rename-command PING PONG2\n") == -1)
		goto out;
	if (!it_master_start(&sc, conf, NULL))
		goto out;
	/* The rename is in effect. */
	{
		struct h_conn *c = it_conn(sc.m.port);

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
	if (!it_sents_start(&sc, 2, "sentinel rename-command mymaster PING PONG2\n") ||
	    !converged(&sc, 0, H_DEADLINE_MS) || !subscribe(&sc)) {
		ok = false;
		goto out;
	}
	desc = mdesc(&sc);
	if (ev_wait(&sc, "+sdown", desc, 3 * IT_DOWN_AFTER, NULL)) {
		h_diag("+sdown although PONG2 answers");
		ok = false;
	}
	f = it_mfield(sc.s[0].c, "flags");
	ok = it_expect(f ? f : "(none)", "master", "master flags with rename-command") && ok;
	free(f);
out:
	if (!ok)
		scn_diag(&sc);
	free(conf);
	free(desc);
	it_scn_free(&sc);
	return ok;
}

/* --- 8. replica-announced no ---------------------------------------------------------- */

static bool
unannounced(const struct h_target *t, void *arg)
{
	static const char *const hidden[] = { "--replica-announced", "no", NULL };
	struct it_scn sc;
	struct h_node *l = NULL;
	char *v = NULL, *want = NULL;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "sannounce", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_replica_start(&sc, NULL) ||
	    !it_replica_start(&sc, hidden) || !it_sents_start(&sc, 2, NULL))
		goto out;
	/* Redis counts it (num-slaves, INFO) but does not list it. */
	if (!converged(&sc, 2, H_DEADLINE_MS) || !wait_replicas(&sc.s[0], 1, H_DEADLINE_MS))
		goto out;
	l = it_node(sc.s[0].c, "SENTINEL", "REPLICAS", "mymaster", NULL);
	ok = it_entry_by_port(l, sc.r[0].port) != NULL && it_entry_by_port(l, sc.r[1].port) == NULL;
	if (!ok) {
		h_diag("SENTINEL REPLICAS should list only port %d:", sc.r[0].port);
		it_diag_node("  ", l);
	}
	v = h_info_get(sc.s[0].c, "sentinel", "master0");
	want = xasprintf("name=mymaster,status=ok,address=127.0.0.1:%d,slaves=2,sentinels=3",
	    sc.mport);
	ok = it_expect(v ? v : "(none)", want, "INFO sentinel master0") && ok;
out:
	if (!ok)
		scn_diag(&sc);
	h_node_free(l);
	free(v);
	free(want);
	it_scn_free(&sc);
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
	struct it_scn sc;
	char *sdir, *script, *out, *text, *extra = NULL, *line = NULL, *fds = NULL;
	char *got = NULL;
	int64_t end;
	bool ok = false;

	(void)arg;
	it_scn_init(&sc, t, "snotify", NULL);
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
	if (!it_master_start(&sc, NULL, NULL))
		goto out;
	extra = xasprintf("sentinel notification-script mymaster %s\n", script);
	/* Nothing of ours leaks into the sentinel, so what the script has is its doing. */
	cloexec_all();
	if (!it_sent_start(&sc, 0, 2, extra) || !it_sent_start(&sc, 1, 2, NULL) ||
	    !it_sent_start(&sc, 2, 2, NULL) || !converged(&sc, 0, H_DEADLINE_MS))
		goto out;
	it_master_freeze(&sc);
	line = xasprintf("+sdown master mymaster 127.0.0.1 %d", sc.mport);
	if (!wait_file_line(out, line, H_DEADLINE_MS))
		goto out;
	it_master_thaw(&sc);
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
	ok = it_expect(fds, "0\n1\n2\n3\n", "descriptors of the script (3 is ls's own)");
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
	it_scn_free(&sc);
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
	struct it_scn sc;
	pid_t rp;
	int64_t start, end;
	char *r, *f = NULL;
	bool ok = true, down = false;
	int st, rounds = 0;

	(void)arg;
	it_scn_init(&sc, t, "srogue", NULL);
	if ((rp = rogue_start(&sc.mport)) == -1) {
		h_diag("cannot start the rogue server");
		it_scn_free(&sc);
		return false;
	}
	if (!it_sents_start(&sc, 2, NULL)) {
		ok = false;
		goto out;
	}
	/* A few seconds of abuse, the sentinels answering all along. */
	start = util_mono_ms();
	end = start + H_DEADLINE_MS;
	while (ok) {
		for (int i = 0; i < IT_NSENT && ok; i++) {
			r = h_cmd(sc.s[i].c, "PING", NULL);
			ok = it_expect(r, "+PONG", "PING to a sentinel");
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
		f = it_mfield(sc.s[0].c, "flags");
		down = f != NULL && (it_has_flag(f, "s_down") || it_has_flag(f, "disconnected"));
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
	if (ok && !it_has_flag(f, "s_down")) {
		ok = wait_flag(&sc.s[0], "s_down", true, H_DEADLINE_MS);
	}
	for (int i = 0; i < IT_NSENT; i++) {
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
	it_scn_free(&sc);
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
	struct it_scn sc;
	struct h_conn *deaf = NULL, *pub = NULL, *other = NULL;
	const char **argv = NULL;
	struct buf req = BUF_INIT;
	char *r;
	int argc = 0, sent = 0;
	bool ok = false, gone = false;
	int64_t start;

	(void)arg;
	it_scn_init(&sc, t, "sobuf", NULL);
	if (!it_master_start(&sc, NULL, NULL) || !it_sents_start(&sc, 2, NULL))
		goto out;
	deaf = it_conn(sc.s[0].port);
	pub = it_conn(sc.s[0].port);
	if (deaf == NULL || pub == NULL)
		goto out;
	r = h_cmd(deaf, "CLIENT", "SETNAME", "deaf", NULL);
	free(r);
	r = h_cmd(deaf, "PSUBSCRIBE", "*", NULL);
	ok = it_expect(r, "*3\n  \"psubscribe\"\n  \"*\"\n  :1\n", "PSUBSCRIBE *");
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
	ok = it_expect(r, "+PONG", "PING from the publisher") && ok;
	free(r);
	other = it_conn(sc.s[0].port);
	r = other ? h_cmd(other, "SENTINEL", "CKQUORUM", "mymaster", NULL) : xstrdup("(no conn)");
	ok = it_expect(r, "+OK 3 usable Sentinels. Quorum and failover authorization can be reached",
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
	it_scn_free(&sc);
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
	if (it_sentinel_bin != NULL && kv_skip == NULL && body != NULL) {
		h_run(desc, body, NULL);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		bool avail = h_target_get(kinds[i], &t);

		if (!selected(t.name))
			continue;
		if (body == NULL)
			h_skip("not in IT_ONLY", "%s [%s]", desc, t.name);
		else if (it_sentinel_bin == NULL)
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
