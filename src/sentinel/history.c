/*
 * history.c - the failover history of every master, from the events.
 *
 * A failover tried here opens a record at +try-failover (with the +sdown
 * and +odown that led to it); +elected-leader, +selected-slave,
 * +promoted-slave, +switch-master and +failover-end stamp their steps, an
 * abort ends it. A failover done by another sentinel is recorded when its
 * configuration arrives (+switch-master from a hello): an attempt of ours
 * that lost the election becomes that record, else a new one is opened.
 *
 * The file has one line per record, oldest first, in the config's quoting:
 *   failover <master> <epoch> <role> <leader> <reason> <outcome> <old-ip>
 *            <old-port> <new-ip> <new-port> <replicas-reconfigured>
 *            <sdown> <odown> <try> <elected> <selected> <promoted> <switch> <end>
 * (step times in Unix ms, 0 when not reached).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "history.h"
#include "instance.h"
#include "log.h"
#include "util.h"

#define HISTORY_ARGC	(12 + STEP_N)

static const char *const outcome_names[OUT_N] = {
	"in-progress", "ok", "timeout", "aborted-not-elected", "aborted-no-good-slave",
	"aborted-slave-timeout", "aborted-master-back", "aborted-reset", "superseded",
	"interrupted",
};
static const char *const outcome_labels[OUT_N] = {
	"in_progress", "ok", "timeout", "aborted_not_elected", "aborted_no_good_slave",
	"aborted_slave_timeout", "aborted_master_back", "aborted_reset", "superseded",
	"interrupted",
};
static const char *const step_names[STEP_N] = {
	"sdown", "odown", "try-failover", "elected-leader", "selected-slave", "promoted-slave",
	"switch-master", "failover-end",
};
static const char *const role_names[] = { "candidate", "leader", "observer" };

/* The aborts, by event. */
static const struct {
	const char	*event;
	enum fo_outcome	 outcome;
} aborts[] = {
	{ "-failover-abort-not-elected", OUT_NOT_ELECTED },
	{ "-failover-abort-no-good-slave", OUT_NO_GOOD_SLAVE },
	{ "-failover-abort-slave-timeout", OUT_SLAVE_TIMEOUT },
	{ "-failover-abort-master-back", OUT_MASTER_BACK },
};

static char	*path;
static bool	 dirty;
static void	(*dirty_hook)(void);

const char *
history_outcome_name(enum fo_outcome o)
{
	return o < OUT_N ? outcome_names[o] : "?";
}

const char *
history_outcome_label(enum fo_outcome o)
{
	return o < OUT_N ? outcome_labels[o] : "?";
}

const char *
history_step_name(enum fo_step s)
{
	return s < STEP_N ? step_names[s] : "?";
}

const char *
history_role_name(enum fo_role r)
{
	return (size_t)r < ARRAY_SIZE(role_names) ? role_names[r] : "?";
}

unsigned long long
history_aborted(const struct history *h)
{
	unsigned long long n = 0;

	for (int o = OUT_NOT_ELECTED; o <= OUT_SUPERSEDED; o++)
		n += h->results[o];
	return n;
}

static void
mark_dirty(void)
{
	if (!dirty && dirty_hook != NULL)
		dirty_hook();
	dirty = true;
}

void
history_set_dirty_hook(void (*fn)(void))
{
	dirty_hook = fn;
}

struct history *
history_of(struct instance *m)
{
	if (m->history == NULL) {
		m->history = xcalloc(1, sizeof *m->history);
		hist_init(&m->history->duration, stats_le_failover, STATS_N_FAILOVER);
	}
	return m->history;
}

static void
record_clear(struct fo_record *r)
{
	free(r->old_ip);
	free(r->new_ip);
	memset(r, 0, sizeof *r);
}

void
history_free(struct history *h)
{
	if (h == NULL)
		return;
	for (unsigned i = 0; i < h->n; i++)
		record_clear(&h->rec[i]);
	free(h);
}

/* A new record, the oldest one dropped when full. */
static struct fo_record *
record_new(struct history *h)
{
	if (h->n == HISTORY_MAX) {
		record_clear(&h->rec[0]);
		memmove(&h->rec[0], &h->rec[1], (HISTORY_MAX - 1) * sizeof h->rec[0]);
		memset(&h->rec[HISTORY_MAX - 1], 0, sizeof h->rec[0]);
		h->n--;
	}
	mark_dirty();
	return &h->rec[h->n++];
}

static struct fo_record *
newest(struct history *h)
{
	return h->n > 0 ? &h->rec[h->n - 1] : NULL;
}

/* The record of the failover under way here, if any. */
static struct fo_record *
current(struct instance *m)
{
	struct fo_record *r = m->history ? newest(m->history) : NULL;

	return r != NULL && r->outcome == OUT_IN_PROGRESS ? r : NULL;
}

static void
set_addr(char **ip, int *port, const char *nip, int nport)
{
	free(*ip);
	*ip = nip != NULL ? xstrdup(nip) : NULL;
	*port = nport;
}

/* Our attempt ends with outcome o (counted). */
static void
finish(struct instance *m, struct fo_record *r, enum fo_outcome o, int64_t wall)
{
	r->outcome = o;
	if (r->t[STEP_END] == 0)
		r->t[STEP_END] = wall;
	history_of(m)->results[o]++;
	mark_dirty();
}

static void
master_event(const char *type, struct instance *m, int64_t wall, int64_t mono)
{
	struct history *h = history_of(m);
	struct fo_record *r = current(m);

	if (strcmp(type, "+sdown") == 0) {
		h->sdown_at = wall;
		h->odown_at = 0;
	} else if (strcmp(type, "-sdown") == 0) {
		if (r == NULL)
			h->sdown_at = h->odown_at = 0;
	} else if (strcmp(type, "+odown") == 0) {
		h->odown_at = wall;
	} else if (strcmp(type, "+try-failover") == 0) {
		/* A new attempt: an older one still open was overtaken by it. */
		if (r != NULL)
			finish(m, r, OUT_SUPERSEDED, wall);
		r = record_new(h);
		r->epoch = m->failover_epoch;
		r->role = ROLE_CANDIDATE;
		r->manual = (m->flags & INST_FORCE_FAILOVER) != 0;
		r->outcome = OUT_IN_PROGRESS;
		set_addr(&r->old_ip, &r->old_port, m->ip, m->port);
		r->t[STEP_SDOWN] = h->sdown_at;
		r->t[STEP_ODOWN] = h->odown_at;
		r->t[STEP_TRY] = wall;
		r->try_mono = mono;
	} else if (r == NULL) {
		return;
	} else if (strcmp(type, "+elected-leader") == 0) {
		r->role = ROLE_LEADER;
		snprintf(r->leader, sizeof r->leader, "%s", sentinel.myid);
		r->t[STEP_ELECTED] = wall;
		mark_dirty();
	} else if (strcmp(type, "+failover-end-for-timeout") == 0) {
		r->timed_out = true;	/* +failover-end follows */
	} else if (strcmp(type, "+failover-end") == 0) {
		hist_add(&h->duration, (double)(mono - r->try_mono) / 1000.0);
		finish(m, r, r->timed_out ? OUT_TIMEOUT : OUT_OK, wall);
	} else if (strcmp(type, "+reset-master") == 0) {
		finish(m, r, OUT_RESET, wall);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(aborts); i++)
			if (strcmp(type, aborts[i].event) == 0)
				finish(m, r, aborts[i].outcome, wall);
	}
}

void
history_event(const char *type, struct instance *ri, int64_t wall, int64_t mono)
{
	struct fo_record *r;

	if (ri == NULL)
		return;
	if (ri->type == INST_MASTER) {
		master_event(type, ri, wall, mono);
		return;
	}
	if (ri->type != INST_REPLICA || ri->master == NULL ||
	    (r = current(ri->master)) == NULL)
		return;
	if (strcmp(type, "+selected-slave") == 0) {
		set_addr(&r->new_ip, &r->new_port, ri->ip, ri->port);
		r->t[STEP_SELECTED] = wall;
	} else if (strcmp(type, "+promoted-slave") == 0) {
		r->t[STEP_PROMOTED] = wall;
	} else if (strcmp(type, "+slave-reconf-done") == 0) {
		r->reconfigured++;
	} else {
		return;
	}
	mark_dirty();
}

void
history_switch(struct instance *m, const char *old_ip, int old_port, const char *new_ip,
    int new_port, int64_t wall, bool master_down)
{
	struct history *h = history_of(m);
	struct fo_record *r = newest(h);

	h->switches++;
	if (r != NULL && r->role == ROLE_LEADER && r->t[STEP_SWITCH] == 0 &&
	    (r->outcome == OUT_OK || r->outcome == OUT_TIMEOUT || r->outcome == OUT_IN_PROGRESS)) {
		/* Ours, at its end (update_config). */
		r->t[STEP_SWITCH] = wall;
	} else {
		/*
		 * Led elsewhere. Our own attempt at it, lost or still electing,
		 * becomes the record of what happened; else a new one.
		 */
		if (r == NULL || r->role != ROLE_CANDIDATE || r->t[STEP_SWITCH] != 0 ||
		    !(r->outcome == OUT_IN_PROGRESS || r->outcome == OUT_NOT_ELECTED ||
		    r->outcome == OUT_SUPERSEDED)) {
			r = record_new(h);
			r->manual = !master_down && h->sdown_at == 0;
			r->t[STEP_SDOWN] = h->sdown_at;
			r->t[STEP_ODOWN] = h->odown_at;
		}
		if (r->outcome == OUT_IN_PROGRESS)
			history_of(m)->results[OUT_SUPERSEDED]++;
		r->role = ROLE_OBSERVER;
		r->epoch = m->config_epoch;
		r->outcome = OUT_OK;
		/* Who we voted for in that epoch won it (a majority did too). */
		if (m->leader != NULL && m->leader_epoch == m->config_epoch)
			snprintf(r->leader, sizeof r->leader, "%s", m->leader);
		else
			r->leader[0] = '\0';
		r->t[STEP_SWITCH] = wall;
	}
	set_addr(&r->old_ip, &r->old_port, old_ip, old_port);
	set_addr(&r->new_ip, &r->new_port, new_ip, new_port);
	h->sdown_at = h->odown_at = 0;
	mark_dirty();
}

void
history_superseded(struct instance *m, int64_t wall)
{
	struct fo_record *r = current(m);

	if (r != NULL)
		finish(m, r, OUT_SUPERSEDED, wall);
}

/* --- the file ------------------------------------------------------------------- */

void
history_set_path(const char *config_path)
{
	free(path);
	path = config_path != NULL ? xasprintf("%s.history", config_path) : NULL;
}

static void
render_record(struct buf *out, const char *master, const struct fo_record *r)
{
	const char *words[5];

	buf_appends(out, "failover ");
	conf_quote(out, master, strlen(master));
	buf_appendf(out, " %llu %s ", (unsigned long long)r->epoch, history_role_name(r->role));
	words[0] = r->leader;
	words[1] = r->manual ? "manual" : "odown";
	words[2] = history_outcome_name(r->outcome);
	words[3] = r->old_ip ? r->old_ip : "";
	for (size_t i = 0; i < 4; i++) {
		conf_quote(out, words[i], strlen(words[i]));
		buf_appendc(out, ' ');
	}
	buf_appendf(out, "%d ", r->old_port);
	conf_quote(out, r->new_ip ? r->new_ip : "", r->new_ip ? strlen(r->new_ip) : 0);
	buf_appendf(out, " %d %u", r->new_port, r->reconfigured);
	for (int s = 0; s < STEP_N; s++)
		buf_appendf(out, " %lld", (long long)r->t[s]);
	buf_appendc(out, '\n');
}

void
history_render(struct buf *out)
{
	buf_appends(out, "# Failover history of the sentinel whose config is beside this file\n"
	    "# (SENTINEL HISTORY). Rewritten by the sentinel: do not edit.\n");
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		const struct instance *m = sentinel.masters[i];

		if (m->history == NULL)
			continue;
		for (unsigned k = 0; k < m->history->n; k++)
			render_record(out, m->name, &m->history->rec[k]);
	}
}

static int
lookup_name(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static bool
parse_i64(const char *s, long long lo, long long hi, long long *out)
{
	return util_parse_ll(s, strlen(s), out) && *out >= lo && *out <= hi;
}

/* One line of the file (already split): 0, or -1 when it is not a record of a known master. */
int
history_parse_line(int argc, char **argv)
{
	struct fo_record rec, *r;
	struct instance *m;
	long long v;
	unsigned long long epoch;
	int role, outcome;

	if (argc != HISTORY_ARGC || strcmp(argv[0], "failover") != 0)
		return -1;
	if ((m = instance_master_find(argv[1])) == NULL)
		return -1;
	memset(&rec, 0, sizeof rec);
	if (!util_parse_ull(argv[2], strlen(argv[2]), &epoch))
		return -1;
	rec.epoch = epoch;
	if ((role = lookup_name(argv[3], role_names, ARRAY_SIZE(role_names))) < 0)
		return -1;
	rec.role = (enum fo_role)role;
	if (strlen(argv[4]) > RUNID_LEN)
		return -1;
	snprintf(rec.leader, sizeof rec.leader, "%s", argv[4]);
	if (strcmp(argv[5], "manual") != 0 && strcmp(argv[5], "odown") != 0)
		return -1;
	rec.manual = strcmp(argv[5], "manual") == 0;
	if ((outcome = lookup_name(argv[6], outcome_names, OUT_N)) < 0)
		return -1;
	/* It stopped with the sentinel: failovers do not resume after a restart. */
	rec.outcome = outcome == OUT_IN_PROGRESS ? OUT_INTERRUPTED : (enum fo_outcome)outcome;
	if (!parse_i64(argv[8], 0, 65535, &v))
		return -1;
	rec.old_port = (int)v;
	if (!parse_i64(argv[10], 0, 65535, &v))
		return -1;
	rec.new_port = (int)v;
	if (!parse_i64(argv[11], 0, 1000000, &v))
		return -1;
	rec.reconfigured = (unsigned)v;
	for (int s = 0; s < STEP_N; s++) {
		if (!parse_i64(argv[12 + s], 0, INT64_MAX, &v))
			return -1;
		rec.t[s] = v;
	}
	r = record_new(history_of(m));
	*r = rec;
	r->old_ip = argv[7][0] ? xstrdup(argv[7]) : NULL;
	r->new_ip = argv[9][0] ? xstrdup(argv[9]) : NULL;
	return 0;
}

void
history_load(void)
{
	struct conf_file *cf;
	char *err = NULL;

	if (path == NULL)
		return;
	cf = conf_file_new(path);
	if (conf_file_read(cf, true, &err) < 0) {
		log_warning("Failover history not loaded: %s", err);
		free(err);
		conf_file_free(cf);
		return;
	}
	for (size_t i = 0; i < cf->nlines; i++) {
		const struct conf_line *l = &cf->lines[i];

		if (l->argc == 0)
			continue;
		if (history_parse_line(l->argc, l->argv) < 0)
			log_warning("%s:%d: not a failover record of a monitored master, skipped",
			    path, l->lineno);
	}
	conf_file_free(cf);
	dirty = false;
}

bool
history_is_dirty(void)
{
	return dirty;
}

int
history_flush(void)
{
	struct buf b = BUF_INIT;
	char *err = NULL;
	int rc = 0;

	if (!dirty || path == NULL)
		return 0;
	dirty = false;
	history_render(&b);
	if (conf_write_text(path, b.data, b.len, NULL, &err) < 0) {
		log_warning("Cannot save the failover history: %s", err ? err : "unknown error");
		free(err);
		rc = -1;
	}
	buf_free(&b);
	return rc;
}
