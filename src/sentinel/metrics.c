/*
 * metrics.c - Prometheus metrics over HTTP, with libevent's evhttp.
 *
 * The endpoint shares the sentinel's one event loop: a scrape is rendered
 * in one go from the in-memory state (no I/O), a few hundred microseconds
 * for a hundred masters. Requests are bounded: headers at 8 KiB, no body,
 * 10 s to send a request; anything else gets evhttp's error and is closed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "buf.h"
#include "history.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "monitor.h"
#include "sock.h"
#include "stats.h"
#include "util.h"

#define METRICS_MAX_HEADERS	8192
#define METRICS_TIMEOUT_S	10

static struct evhttp	*http;

/* A label value: backslash, double quote and newline escaped. */
static void
label(struct buf *b, const char *name, const char *v)
{
	buf_appendf(b, "%s=\"", name);
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_appends(b, "\\\\");
		else if (*v == '"')
			buf_appends(b, "\\\"");
		else if (*v == '\n')
			buf_appends(b, "\\n");
		else
			buf_appendc(b, *v);
	}
	buf_appendc(b, '"');
}

/* A number as the exposition format reads it: "0.00025", "10", "180". */
static void
num(char *dst, size_t cap, double v)
{
	snprintf(dst, cap, "%.9g", v);
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample: name{labels} value; labels is "" or 'k="v",...' without braces. */
static void
sample(struct buf *b, const char *name, const char *labels, double v)
{
	char text[64];

	num(text, sizeof text, v);
	if (labels != NULL && *labels != '\0')
		buf_appendf(b, "%s{%s} %s\n", name, labels, text);
	else
		buf_appendf(b, "%s %s\n", name, text);
}

static void
sample_ull(struct buf *b, const char *name, const char *labels, unsigned long long v)
{
	if (labels != NULL && *labels != '\0')
		buf_appendf(b, "%s{%s} %llu\n", name, labels, v);
	else
		buf_appendf(b, "%s %llu\n", name, v);
}

/* A histogram's series: cumulative buckets, +Inf, sum, count. */
static void
histogram(struct buf *b, const char *name, const char *labels, const struct hist *h)
{
	const char *sep = labels != NULL && *labels != '\0' ? "," : "";
	unsigned long long cum = 0;
	char le[64];

	if (labels == NULL)
		labels = "";
	for (unsigned i = 0; h != NULL && i < h->n; i++) {
		cum += h->b[i];
		num(le, sizeof le, h->le[i]);
		buf_appendf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep, le, cum);
	}
	buf_appendf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
	    h ? h->count : 0ULL);
	num(le, sizeof le, h ? h->sum : 0.0);
	if (*labels != '\0') {
		buf_appendf(b, "%s_sum{%s} %s\n", name, labels, le);
		buf_appendf(b, "%s_count{%s} %llu\n", name, labels, h ? h->count : 0ULL);
	} else {
		buf_appendf(b, "%s_sum %s\n", name, le);
		buf_appendf(b, "%s_count %llu\n", name, h ? h->count : 0ULL);
	}
}

static const char *
master_state(const struct instance *m)
{
	if ((m->flags & INST_FAILOVER_IN_PROGRESS) || m->failover_state != FO_NONE)
		return "failover";
	if (m->flags & INST_O_DOWN)
		return "odown";
	if (m->flags & INST_S_DOWN)
		return "sdown";
	return "ok";
}

/* The per-master families, one after the other (a family's samples stay together). */
enum mfam {
	MF_STATE, MF_EPOCH, MF_REPLICAS, MF_REPLICAS_UP, MF_SENTINELS, MF_SENTINELS_UP,
	MF_FAILOVERS, MF_SWITCHES, MF_DURATION, MF_N
};

static const struct {
	const char *name, *type, *help;
} mfams[MF_N] = {
	{ "sentinel_master_state", "gauge",
	  "1 for the state the master is in (ok, sdown, odown, failover), 0 for the others." },
	{ "sentinel_master_config_epoch", "gauge",
	  "The configuration epoch of the master." },
	{ "sentinel_master_replicas", "gauge", "Replicas known." },
	{ "sentinel_master_replicas_reachable", "gauge",
	  "Replicas connected and not subjectively down." },
	{ "sentinel_master_sentinels", "gauge", "Other sentinels known." },
	{ "sentinel_master_sentinels_reachable", "gauge",
	  "Other sentinels connected and not subjectively down." },
	{ "sentinel_master_failovers_total", "counter",
	  "Failovers this sentinel attempted, by result." },
	{ "sentinel_master_switches_total", "counter",
	  "Switches to a new master (+switch-master), led here or followed." },
	{ "sentinel_master_failover_duration_seconds", "histogram",
	  "Failovers led here, from +try-failover to +failover-end." },
};

static void
master_family(struct buf *b, enum mfam f, struct instance *m, const char *ml)
{
	static const char *states[] = { "ok", "sdown", "odown", "failover" };
	const struct history *h = m->history;
	struct buf l = BUF_INIT;

	switch (f) {
	case MF_STATE:
		for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
			buf_clear(&l);
			buf_appendf(&l, "%s,", ml);
			label(&l, "state", states[i]);
			sample_ull(b, mfams[f].name, l.data,
			    strcmp(master_state(m), states[i]) == 0);
		}
		break;
	case MF_EPOCH:
		sample_ull(b, mfams[f].name, ml, (unsigned long long)m->config_epoch);
		break;
	case MF_REPLICAS:
		sample_ull(b, mfams[f].name, ml, m->nreplicas);
		break;
	case MF_REPLICAS_UP:
		sample_ull(b, mfams[f].name, ml, monitor_reachable(m->replicas, m->nreplicas));
		break;
	case MF_SENTINELS:
		sample_ull(b, mfams[f].name, ml, m->nsentinels);
		break;
	case MF_SENTINELS_UP:
		sample_ull(b, mfams[f].name, ml, monitor_reachable(m->sentinels, m->nsentinels));
		break;
	case MF_FAILOVERS:
		for (int o = OUT_OK; o < OUT_N; o++) {
			if (o == OUT_INTERRUPTED)	/* only ever read back from the file */
				continue;
			buf_clear(&l);
			buf_appendf(&l, "%s,", ml);
			label(&l, "result", history_outcome_label((enum fo_outcome)o));
			sample_ull(b, mfams[f].name, l.data, h ? h->results[o] : 0);
		}
		break;
	case MF_SWITCHES:
		sample_ull(b, mfams[f].name, ml, h ? h->switches : 0);
		break;
	case MF_DURATION:
		histogram(b, mfams[f].name, ml, h ? &h->duration : NULL);
		break;
	case MF_N:
		break;
	}
	buf_free(&l);
}

static void
rtt_series(struct buf *b, const struct instance *ri, const char *ml)
{
	static const char *roles[] = { "?", "master", "replica", "?", "sentinel" };
	struct buf l = BUF_INIT;
	char *addr;

	if (ri->ping_rtt == NULL)
		return;
	addr = instance_addr_name(ri->ip ? ri->ip : "?", ri->port);
	buf_appendf(&l, "%s,", ml);
	label(&l, "role", roles[ri->type <= INST_SENTINEL ? ri->type : 0]);
	buf_appendc(&l, ',');
	label(&l, "addr", addr);
	histogram(b, "sentinel_ping_rtt_seconds", l.data, ri->ping_rtt);
	free(addr);
	buf_free(&l);
}

void
metrics_render(struct buf *b, int64_t now)
{
	struct buf l = BUF_INIT;
	char **mls = xcalloc(sentinel.nmasters + 1, sizeof *mls);

	family(b, "sentinel_info", "gauge", "Version and run id of this sentinel.");
	label(&l, "version", PACKAGE_VERSION);
	buf_appendc(&l, ',');
	label(&l, "redis_version", "7.0.15");
	buf_appendc(&l, ',');
	label(&l, "myid", sentinel.myid);
	sample_ull(b, "sentinel_info", l.data, 1);

	family(b, "sentinel_masters", "gauge", "Masters monitored.");
	sample_ull(b, "sentinel_masters", NULL, sentinel.nmasters);
	family(b, "sentinel_current_epoch", "gauge", "The current epoch.");
	sample_ull(b, "sentinel_current_epoch", NULL, (unsigned long long)sentinel.current_epoch);
	family(b, "sentinel_tilt", "gauge", "1 while in TILT mode.");
	sample_ull(b, "sentinel_tilt", NULL, sentinel.tilt ? 1 : 0);
	family(b, "sentinel_tilt_entered_total", "counter", "Times TILT mode was entered.");
	sample_ull(b, "sentinel_tilt_entered_total", NULL, stats.tilt_entered);
	family(b, "sentinel_tilt_seconds_total", "counter", "Time spent in TILT mode.");
	sample(b, "sentinel_tilt_seconds_total", NULL, (double)stats_tilt_ms(now) / 1000.0);
	family(b, "sentinel_config_flushes_total", "counter", "Config file rewrites.");
	sample_ull(b, "sentinel_config_flushes_total", NULL, stats.config_flushes);
	family(b, "sentinel_config_flush_duration_seconds", "histogram",
	    "Time a config rewrite took (write, fsync, rename).");
	histogram(b, "sentinel_config_flush_duration_seconds", NULL, &stats.config_flush);
	family(b, "sentinel_events_total", "counter", "Events published, by type.");
	for (size_t i = 0; i < stats.nevents; i++) {
		buf_clear(&l);
		label(&l, "type", stats.events[i].type);
		sample_ull(b, "sentinel_events_total", l.data, stats.events[i].n);
	}
	family(b, "sentinel_event_loop_lag_seconds", "histogram",
	    "How late the periodic timer ran: time the event loop was busy or stalled.");
	histogram(b, "sentinel_event_loop_lag_seconds", NULL, &stats.loop_lag);

	for (size_t i = 0; i < sentinel.nmasters; i++) {
		buf_clear(&l);
		label(&l, "master", sentinel.masters[i]->name);
		mls[i] = xstrdup(l.data);
	}
	for (int f = 0; f < MF_N; f++) {
		family(b, mfams[f].name, mfams[f].type, mfams[f].help);
		for (size_t i = 0; i < sentinel.nmasters; i++)
			master_family(b, (enum mfam)f, sentinel.masters[i], mls[i]);
	}
	family(b, "sentinel_ping_rtt_seconds", "histogram",
	    "PING round trips to each monitored instance.");
	for (size_t i = 0; i < sentinel.nmasters; i++) {
		const struct instance *m = sentinel.masters[i];

		rtt_series(b, m, mls[i]);
		for (size_t k = 0; k < m->nreplicas; k++)
			rtt_series(b, m->replicas[k], mls[i]);
		for (size_t k = 0; k < m->nsentinels; k++)
			rtt_series(b, m->sentinels[k], mls[i]);
	}
	for (size_t i = 0; i < sentinel.nmasters; i++)
		free(mls[i]);
	free(mls);
	buf_free(&l);
}

/* --- HTTP ------------------------------------------------------------------------ */

static void
reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; charset=utf-8");
	evbuffer_add(out, text, strlen(text));
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	const char *uri = evhttp_request_get_uri(req);
	struct evhttp_uri *parsed;
	struct evbuffer *out;
	struct buf b = BUF_INIT;
	const char *p;

	UNUSED(arg);
	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "Only GET and HEAD are served.\n");
		return;
	}
	parsed = uri ? evhttp_uri_parse(uri) : NULL;
	p = parsed ? evhttp_uri_get_path(parsed) : NULL;
	if (p == NULL || strcmp(p, "/metrics") != 0) {
		if (parsed)
			evhttp_uri_free(parsed);
		reply_text(req, 404, "Not Found", "Metrics are at /metrics.\n");
		return;
	}
	evhttp_uri_free(parsed);
	loop_update_time();
	metrics_render(&b, loop_now_ms());
	out = evbuffer_new();
	evbuffer_add(out, b.data, b.len);
	buf_free(&b);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

int
metrics_start(const char *ip, int port, char **err)
{
	struct evconnlistener *lev;
	char *e = NULL;
	int fd;

	if ((fd = sock_listen_fd(ip, port, 128, &e)) < 0) {
		*err = e ? xasprintf("metrics-bind: %s", e) :
		    xasprintf("metrics-bind %s:%d: cannot listen: %s", ip, port, strerror(errno));
		free(e);
		return -1;
	}
	/* Accepted connections are close-on-exec too (scripts must not inherit them). */
	lev = evconnlistener_new(loop_base(), NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	http = lev ? evhttp_new(loop_base()) : NULL;
	if (http == NULL || evhttp_bind_listener(http, lev) == NULL) {
		if (http != NULL)
			evhttp_free(http);
		http = NULL;
		if (lev != NULL)
			evconnlistener_free(lev);
		else
			close(fd);
		*err = xasprintf("metrics-bind %s:%d: cannot serve HTTP", ip, port);
		return -1;
	}
	evhttp_set_max_headers_size(http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(http, 0);
	evhttp_set_timeout(http, METRICS_TIMEOUT_S);
	/* Every method reaches on_request, which answers 405 to all but GET and HEAD. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	    EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, on_request, NULL);
	log_notice("Metrics served at http://%s%s%s:%d/metrics", strchr(ip, ':') ? "[" : "", ip,
	    strchr(ip, ':') ? "]" : "", port);
	return 0;
}

void
metrics_stop(void)
{
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
}
