/*
 * sentinel_targets.c - fuzz targets for what the sentinel reads from others:
 * INFO replies of the instances it monitors, hello messages of its peers,
 * and requests of its own clients.
 *
 * The command target runs the real command layer (commands.c,
 * cmd_sentinel.c, instance.c) with the stand-ins of tests/unit/stub_sentinel.c
 * for monitor, sconf, emit and script, so that no request does any I/O. The
 * state is rebuilt for every input, so that an input means the same thing
 * whatever ran before it.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "buf.h"
#include "client.h"
#include "commands.h"
#include "conf.h"
#include "hello.h"
#include "info.h"
#include "instance.h"
#include "log.h"
#include "loop.h"
#include "util.h"
#include "sentinel_targets.h"

/* Requests run per input at most, and words per request. */
#define FUZZ_CMD_MAX		64
#define FUZZ_CMD_ARGS		32
/* Nesting of aggregates accepted in a reply. */
#define FUZZ_RESP_DEPTH		16

/* ---------------------------------------------------------------- INFO */

/* True if s holds a NUL within its cap bytes. */
static bool
fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Check one report against what info.h promises. */
static int
fuzz_info_check(const struct info_report *r)
{
	size_t	i, n;

	if (r->role != INFO_ROLE_UNKNOWN && r->role != INFO_ROLE_MASTER &&
	    r->role != INFO_ROLE_SLAVE) {
		fprintf(stderr, "info: role %d\n", (int)r->role);
		return -1;
	}
	if (!fuzz_terminated(r->run_id, sizeof r->run_id)) {
		fprintf(stderr, "info: run_id not terminated\n");
		return -1;
	}
	n = strlen(r->run_id);
	if (n != 0 && n != INFO_RUNID_LEN) {
		fprintf(stderr, "info: run_id of %zu bytes\n", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (r->run_id[i] <= ' ' || r->run_id[i] >= 0x7f) {
			fprintf(stderr, "info: run_id byte %zu is 0x%02x\n", i,
			    (unsigned char)r->run_id[i]);
			return -1;
		}
	}
	if (r->master_link_down_since_seconds > LLONG_MAX / 1000 ||
	    r->master_link_down_since_seconds < LLONG_MIN / 1000) {
		fprintf(stderr, "info: master_link_down_since_seconds %lld\n",
		    r->master_link_down_since_seconds);
		return -1;
	}
	if (!fuzz_terminated(r->master_host, sizeof r->master_host)) {
		fprintf(stderr, "info: master_host not terminated\n");
		return -1;
	}
	if (r->master_port < 0 || r->master_port > 65535) {
		fprintf(stderr, "info: master_port %d\n", r->master_port);
		return -1;
	}
	if (r->nreplicas > INFO_MAX_REPLICAS) {
		fprintf(stderr, "info: %zu replicas kept\n", r->nreplicas);
		return -1;
	}
	if (r->nreplicas > 0 && r->replicas == NULL) {
		fprintf(stderr, "info: %zu replicas and no list\n", r->nreplicas);
		return -1;
	}
	if (r->ndropped > 0 && r->nreplicas != INFO_MAX_REPLICAS) {
		fprintf(stderr, "info: %zu dropped with %zu kept\n", r->ndropped,
		    r->nreplicas);
		return -1;
	}
	for (i = 0; i < r->nreplicas; i++) {
		const struct info_replica *rep = &r->replicas[i];

		if (!fuzz_terminated(rep->ip, sizeof rep->ip) ||
		    !fuzz_terminated(rep->state, sizeof rep->state)) {
			fprintf(stderr, "info: replica %zu not terminated\n", i);
			return -1;
		}
		if (rep->ip[0] == '\0') {
			fprintf(stderr, "info: replica %zu without ip\n", i);
			return -1;
		}
		if (rep->port < 0 || rep->port > 65535) {
			fprintf(stderr, "info: replica %zu port %d\n", i, rep->port);
			return -1;
		}
	}
	return 0;
}

/* Two reports of the same text must be the same. */
static int
fuzz_info_same(const struct info_report *a, const struct info_report *b)
{
	if (a->role != b->role || strcmp(a->run_id, b->run_id) != 0 ||
	    a->master_link_down_since_seconds != b->master_link_down_since_seconds ||
	    strcmp(a->master_host, b->master_host) != 0 ||
	    a->master_port != b->master_port ||
	    a->master_link_up != b->master_link_up ||
	    a->slave_priority != b->slave_priority ||
	    a->slave_repl_offset != b->slave_repl_offset ||
	    a->replica_announced != b->replica_announced ||
	    a->nreplicas != b->nreplicas || a->nskipped != b->nskipped ||
	    a->ndropped != b->ndropped)
		return -1;
	for (size_t i = 0; i < a->nreplicas; i++) {
		const struct info_replica *x = &a->replicas[i], *y = &b->replicas[i];

		if (strcmp(x->ip, y->ip) != 0 || x->port != y->port ||
		    strcmp(x->state, y->state) != 0 || x->offset != y->offset ||
		    x->lag != y->lag)
			return -1;
	}
	return 0;
}

/* info_field() with a small and a large buffer: terminated, and "" on false. */
static int
fuzz_info_field(const char *text, size_t len, const char *field,
    char *big, size_t biglen, bool *found)
{
	char	small[8];
	bool	ok_small, ok_big;

	memset(small, 'x', sizeof small);
	memset(big, 'x', biglen);
	ok_small = info_field(text, len, field, small, sizeof small);
	ok_big = info_field(text, len, field, big, biglen);
	if (!fuzz_terminated(small, sizeof small) || !fuzz_terminated(big, biglen)) {
		fprintf(stderr, "info_field %s: not terminated\n", field);
		return -1;
	}
	if ((!ok_small && small[0] != '\0') || (!ok_big && big[0] != '\0')) {
		fprintf(stderr, "info_field %s: false but not empty\n", field);
		return -1;
	}
	if (ok_small && (!ok_big || strcmp(small, big) != 0)) {
		fprintf(stderr, "info_field %s: fits in 8 bytes, not in %zu\n",
		    field, biglen);
		return -1;
	}
	*found = ok_big;
	return 0;
}

int
fuzz_info_one(const uint8_t *data, size_t size)
{
	static const char *const fields[] = {
		"run_id", "master_host", "master_port", "slave0", "connected_slaves",
		"master_link_status", "slave_priority", "redis_version",
	};
	struct info_report	 a, b;
	const char		*text = (const char *)data;
	char			 val[512], name[64];
	bool			 found;
	size_t			 i;
	int			 rv = -1;

	memset(&b, 0, sizeof b);
	if (info_parse(text, size, &a) != 0) {
		fprintf(stderr, "info: info_parse failed\n");
		return -1;
	}
	if (fuzz_info_check(&a) != 0)
		goto out;
	if (info_parse(text, size, &b) != 0 || fuzz_info_same(&a, &b) != 0) {
		fprintf(stderr, "info: a second parse differs\n");
		goto out;
	}
	/* Parsing into a freed report works too. */
	info_report_free(&b);
	if (info_parse(text, size, &b) != 0 || fuzz_info_same(&a, &b) != 0) {
		fprintf(stderr, "info: a parse after info_report_free differs\n");
		goto out;
	}

	/* The role line info_field sees last is the one info_parse used. */
	if (fuzz_info_field(text, size, "role", val, sizeof val, &found) != 0)
		goto out;
	if (found && strcmp(val, "master") == 0 && a.role != INFO_ROLE_MASTER) {
		fprintf(stderr, "info: role:master read as %d\n", (int)a.role);
		goto out;
	}
	if (found && strcmp(val, "slave") == 0 && a.role != INFO_ROLE_SLAVE) {
		fprintf(stderr, "info: role:slave read as %d\n", (int)a.role);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (fuzz_info_field(text, size, fields[i], val, sizeof val,
		    &found) != 0)
			goto out;
	}
	/* And a field named by the input: its first word before ':'. */
	for (i = 0; i < size && i < sizeof name - 1; i++) {
		if (text[i] == ':' || text[i] == '\r' || text[i] == '\0')
			break;
		name[i] = text[i];
	}
	name[i] = '\0';
	if (fuzz_info_field(text, size, name, val, sizeof val, &found) != 0)
		goto out;
	rv = 0;
out:
	info_report_free(&a);
	info_report_free(&b);
	return rv;
}

/* --------------------------------------------------------------- hello */

/* Check one parsed hello against what hello.h promises. */
static int
fuzz_hello_check(const struct hello *h)
{
	if (!fuzz_terminated(h->ip, sizeof h->ip) || h->ip[0] == '\0' ||
	    !fuzz_terminated(h->master_ip, sizeof h->master_ip) ||
	    h->master_ip[0] == '\0' ||
	    !fuzz_terminated(h->master_name, sizeof h->master_name) ||
	    !fuzz_terminated(h->runid, sizeof h->runid) ||
	    strlen(h->runid) != HELLO_RUNID_LEN) {
		fprintf(stderr, "hello: a string field is bad\n");
		return -1;
	}
	if (h->port < 0 || h->port > 65535 || h->master_port < 0 ||
	    h->master_port > 65535) {
		fprintf(stderr, "hello: port %d or master port %d\n", h->port,
		    h->master_port);
		return -1;
	}
	if (strchr(h->master_name, ',') != NULL) {
		fprintf(stderr, "hello: master name with a comma\n");
		return -1;
	}
	return 0;
}

static bool
fuzz_hello_same(const struct hello *a, const struct hello *b)
{
	return strcmp(a->ip, b->ip) == 0 && a->port == b->port &&
	    strcmp(a->runid, b->runid) == 0 &&
	    a->current_epoch == b->current_epoch &&
	    strcmp(a->master_name, b->master_name) == 0 &&
	    strcmp(a->master_ip, b->master_ip) == 0 &&
	    a->master_port == b->master_port &&
	    a->master_config_epoch == b->master_config_epoch;
}

int
fuzz_hello_one(const uint8_t *data, size_t size)
{
	struct hello	*h, *h2;
	struct buf	 b1 = BUF_INIT, b2 = BUF_INIT;
	int		 rv = -1;

	h = xcalloc(1, sizeof *h);
	h2 = xcalloc(1, sizeof *h2);
	if (hello_parse((const char *)data, size, h) != 0) {
		rv = 0;
		goto out;
	}
	if (fuzz_hello_check(h) != 0)
		goto out;
	hello_format(&b1, h);
	if (hello_parse(b1.data, b1.len, h2) != 0) {
		fprintf(stderr, "hello: formatted hello refused: %s\n", b1.data);
		goto out;
	}
	if (!fuzz_hello_same(h, h2)) {
		fprintf(stderr, "hello: formatted hello reads differently: %s\n",
		    b1.data);
		goto out;
	}
	hello_format(&b2, h2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0) {
		fprintf(stderr, "hello: format is not stable: %s / %s\n",
		    b1.data, b2.data);
		goto out;
	}
	rv = 0;
out:
	buf_free(&b1);
	buf_free(&b2);
	free(h);
	free(h2);
	return rv;
}

/* ------------------------------------------------------------ commands */

/* A RESP reader for checking replies: where *pos starts one value. */
struct fuzz_resp {
	const char	*p;
	size_t		 len;
	size_t		 pos;
	int		 proto;
	const char	*why;
};

/* One line from pos up to CRLF, with no CR or LF inside; -1 if none. */
static int
fuzz_resp_line(struct fuzz_resp *r, const char **s, size_t *n)
{
	size_t	i;

	for (i = r->pos; i < r->len; i++) {
		if (r->p[i] == '\n') {
			r->why = "bare LF in a line";
			return -1;
		}
		if (r->p[i] == '\r')
			break;
	}
	if (i + 1 >= r->len || r->p[i + 1] != '\n') {
		r->why = "line without CRLF";
		return -1;
	}
	*s = r->p + r->pos;
	*n = i - r->pos;
	r->pos = i + 2;
	return 0;
}

/* A line that is a decimal number (optionally negative). */
static int
fuzz_resp_number(struct fuzz_resp *r, long long *v)
{
	const char	*s;
	size_t		 n;

	if (fuzz_resp_line(r, &s, &n) != 0)
		return -1;
	if (!util_parse_ll(s, n, v)) {
		r->why = "bad number";
		return -1;
	}
	return 0;
}

/* Bytes of a bulk body and its CRLF. */
static int
fuzz_resp_body(struct fuzz_resp *r, long long n)
{
	if (n < 0 || (unsigned long long)n > r->len - r->pos ||
	    r->len - r->pos - (size_t)n < 2) {
		r->why = "bulk longer than the reply";
		return -1;
	}
	r->pos += (size_t)n;
	if (r->p[r->pos] != '\r' || r->p[r->pos + 1] != '\n') {
		r->why = "bulk without CRLF";
		return -1;
	}
	r->pos += 2;
	return 0;
}

static int
fuzz_resp_value(struct fuzz_resp *r, int depth)
{
	const char	*s;
	size_t		 n;
	long long	 v, i;
	char		 type;

	if (depth > FUZZ_RESP_DEPTH) {
		r->why = "nested too deep";
		return -1;
	}
	if (r->pos >= r->len) {
		r->why = "value missing";
		return -1;
	}
	type = r->p[r->pos++];
	if (r->proto == 2 && strchr("+-:$*", type) == NULL) {
		r->why = "RESP3 type in a RESP2 reply";
		return -1;
	}
	switch (type) {
	case '+':
	case '-':
		return fuzz_resp_line(r, &s, &n);
	case ':':
	case '(':
		return fuzz_resp_number(r, &v);
	case '_':
		if (fuzz_resp_line(r, &s, &n) != 0)
			return -1;
		if (n != 0) {
			r->why = "null with a body";
			return -1;
		}
		return 0;
	case '#':
		if (fuzz_resp_line(r, &s, &n) != 0)
			return -1;
		if (n != 1 || (s[0] != 't' && s[0] != 'f')) {
			r->why = "bad boolean";
			return -1;
		}
		return 0;
	case ',':
		if (fuzz_resp_line(r, &s, &n) != 0)
			return -1;
		if (n == 0) {
			r->why = "empty double";
			return -1;
		}
		return 0;
	case '$':
	case '!':
	case '=':
		if (fuzz_resp_number(r, &v) != 0)
			return -1;
		if (v == -1 && type == '$' && r->proto == 2)
			return 0;
		if (v < 0) {
			r->why = "negative length";
			return -1;
		}
		if (type == '=' && (v < 4 || r->len - r->pos < 4 ||
		    r->p[r->pos + 3] != ':')) {
			r->why = "verbatim without its format";
			return -1;
		}
		return fuzz_resp_body(r, v);
	case '*':
	case '~':
	case '>':
	case '%':
	case '|':
		if (fuzz_resp_number(r, &v) != 0)
			return -1;
		if (v == -1 && type == '*' && r->proto == 2)
			return 0;
		if (v < 0) {
			r->why = "negative count";
			return -1;
		}
		if (v > (long long)(r->len - r->pos)) {
			r->why = "count larger than the reply";
			return -1;
		}
		if (type == '%' || type == '|')
			v *= 2;
		for (i = 0; i < v; i++)
			if (fuzz_resp_value(r, depth + 1) != 0)
				return -1;
		/* An attribute is followed by the value it describes. */
		if (type == '|')
			return fuzz_resp_value(r, depth + 1);
		return 0;
	default:
		r->why = "unknown type byte";
		return -1;
	}
}

/* The whole buffer is zero or more complete values; -1 with a reason if not. */
static int
fuzz_resp_valid(const char *p, size_t len, int proto, const char **why)
{
	struct fuzz_resp	r = { p, len, 0, proto, NULL };

	while (r.pos < r.len) {
		if (fuzz_resp_value(&r, 0) != 0) {
			*why = r.why;
			return -1;
		}
	}
	return 0;
}

static int	fuzz_cmd_ready;

/* The stand-in for SHUTDOWN: stay up. */
static void
fuzz_cmd_noshutdown(void)
{
}

/* Run by loop_run() before it would sleep: go no further. */
static void
fuzz_cmd_stop(void *arg)
{
	(void)arg;
	loop_stop();
}

/* Once per process: the loop, the client layer and the command table. */
static void
fuzz_cmd_init(void)
{
	static struct client_limits	lim;

	if (fuzz_cmd_ready)
		return;
	fuzz_cmd_ready = 1;
	log_set_level(LOG_NOTHING);
	loop_init();
	lim.qbuf_max = 1024LL * 1024 * 1024;
	lim.max_bulk = 512LL * 1024 * 1024;
	lim.max_multibulk = 1024 * 1024;
	lim.maxclients = 10000;
	client_module_init(commands_client_ops(), &lim);
	loop_before_sleep(fuzz_cmd_stop, NULL);
	commands_init();
	commands_set_shutdown(fuzz_cmd_noshutdown);
}

/* A fresh state: m2 with a replica and a peer, mymaster down, no users. */
static void
fuzz_cmd_state(void)
{
	struct instance	*m2, *mymaster, *rep, *peer;
	int64_t		 now = loop_now_ms();

	acl_init(NULL);
	sentinel_state_init();
	memcpy(sentinel.myid, "0123456789012345678901234567890123456789",
	    RUNID_LEN + 1);
	m2 = instance_master_new("m2", "127.0.0.1", "127.0.0.1", 33053, 1);
	memcpy(m2->runid, "0cb2370c4f17d05cdfcd01f696e6c5fa49dd4163",
	    RUNID_LEN + 1);
	m2->down_after_ms = 3000;
	m2->last_avail_time = m2->last_pong_time = now - 260;
	m2->info_refresh = now - 2271;
	m2->role_reported_time = now - 2361;
	m2->info = xstrdup("# Server\r\nrun_id:0cb2370c4f17d05cdfcd01f696e6c5fa49dd4163"
	    "\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
	    "slave0:ip=127.0.0.1,port=33054,state=online,offset=1,lag=0\r\n");
	rep = instance_replica_add(m2, "127.0.0.1", 33054);
	memcpy(rep->runid, "3ecf2d29c4854c266f6e18056b62c726fe231f23",
	    RUNID_LEN + 1);
	rep->down_after_ms = 3000;
	rep->last_avail_time = rep->last_pong_time = now - 330;
	rep->info_refresh = now - 330;
	rep->role_reported = ROLE_SLAVE;
	rep->role_reported_time = now - 3485;
	rep->master_link_down_since_ms = -1000;
	rep->slave_master_host = xstrdup("127.0.0.1");
	rep->slave_master_port = 33053;
	rep->slave_priority = 50;
	rep->slave_repl_offset = 1;
	rep->replica_announced = true;
	peer = instance_sentinel_add(m2, "127.0.0.1", 33055,
	    "62788ed0ec0e92a588c0bf88d0b2bacdd35a33d5");
	if (peer != NULL) {
		peer->down_after_ms = 3000;
		peer->last_avail_time = peer->last_pong_time = now - 90;
		peer->last_hello_time = now - 165;
	}
	mymaster = instance_master_new("mymaster", "127.0.0.1", "127.0.0.1", 1, 2);
	mymaster->down_after_ms = 3000;
	mymaster->flags = INST_S_DOWN | INST_DISCONNECTED;
	mymaster->s_down_since = now - 5376;
}

/* Run one request on c and check its reply; -1 if the reply is not RESP. */
static int
fuzz_cmd_run(struct client *c, int argc, char **argv, size_t *argvlen)
{
	const char	*why = NULL;

	buf_clear(&c->reply);
	c->argc = argc;
	c->argv = argv;
	c->argvlen = argvlen;
	commands_dispatch(c);
	c->argc = 0;
	c->argv = NULL;
	c->argvlen = NULL;
	if (fuzz_resp_valid(c->reply.data, c->reply.len, c->proto, &why) != 0) {
		fprintf(stderr, "command %.*s: reply is not RESP%d (%s):\n%.*s\n",
		    (int)argvlen[0], argv[0], c->proto, why,
		    (int)(c->reply.len > 2048 ? 2048 : c->reply.len),
		    c->reply.data);
		return -1;
	}
	buf_clear(&c->reply);
	return 0;
}

int
fuzz_sentinel_cmd_one(const uint8_t *data, size_t size)
{
	const char	*text = (const char *)data, *end = text + size, *nl;
	struct client	*c;
	char		**argv;
	size_t		*argvlen;
	int		 argc, ncmd = 0, rv = 0;

	fuzz_cmd_init();
	fuzz_cmd_state();
	c = client_create(-1, 0);

	while (text < end && ncmd < FUZZ_CMD_MAX && rv == 0) {
		if ((nl = memchr(text, '\n', (size_t)(end - text))) == NULL)
			nl = end;
		if (conf_split(text, (size_t)(nl - text), &argc, &argv,
		    &argvlen) == 0) {
			if (argc > 0 && argc <= FUZZ_CMD_ARGS) {
				ncmd++;
				rv = fuzz_cmd_run(c, argc, argv, argvlen);
			}
			conf_free_args(argc, argv, argvlen);
		}
		text = nl + 1;
		/* A closed connection runs nothing more, as with a socket. */
		if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY))
			break;
	}

	/* Free the client and whatever the requests deferred. */
	client_close(c, NULL);
	loop_run();
	return rv;
}
