/*
 * targets.c - fuzz targets for the request parser and the config splitter.
 *
 * Each input is a byte stream as a client would send it (or a config line),
 * so that corpus files stay readable. How the stream is cut into reads comes
 * from a hash of the input: the fuzzer changes it with every mutation, and
 * the results are always compared with the stream read in one piece.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "resp.h"
#include "util.h"
#include "targets.h"

/* Streams made longer than this reach the "too big" errors. */
#define FUZZ_AMPLIFIED	(RESP_INLINE_MAX + 512)
/* Above this, byte-sized reads make the run quadratic: use larger ones. */
#define FUZZ_SMALL	4096

/* What one run of the parser over a stream gave. */
struct fuzz_run {
	uint64_t	 hash;		/* of every request and error, in order */
	size_t		 nreq;
	size_t		 pending;	/* bytes left in the query buffer */
	enum resp_status last;
};

/* FNV-1a: the run's results in a few bytes, compared between runs. */
static uint64_t
fuzz_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The cuts between reads come from here, seeded by the input. */
static uint64_t
fuzz_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The parser's state must stay within what the bytes so far justify. */
static const char *
fuzz_resp_state(const struct resp_parser *p, const struct resp_limits *lim)
{
	size_t	bcap;

	if (p->argc < 0 || p->argc > p->argv_cap)
		return "argc outside argv";
	if (p->argv_cap > 1024 && p->argv_cap > 2 * p->argc)
		return "argv larger than the arguments justify";
	if (p->mb_left < 0 || p->bulk_len < -1 || p->bulk_len > lim->max_bulk)
		return "progress out of range";
	if (p->bulk != NULL) {
		if (p->bulk_len < 0 || p->kind != '*')
			return "bulk buffer outside a bulk";
		if (p->bulk_cap > (size_t)p->bulk_len + 1)
			return "bulk buffer larger than the bulk";
		bcap = 2 * p->bulk_have + 2;
		if (bcap < 16384)
			bcap = 16384;
		if (p->bulk_len >= RESP_MBULK_BIG_ARG && p->bulk_cap > bcap)
			return "bulk buffer larger than the data received";
	}
	if (p->bulk_have > 0 && p->bulk_len >= 0 &&
	    p->bulk_have >= (size_t)p->bulk_len + 2)
		return "finished bulk left pending";
	return NULL;
}

/* A request must read back the same after resp_command(). */
static const char *
fuzz_resp_roundtrip(const struct resp_parser *p)
{
	struct resp_parser	 q;
	struct buf		 b = BUF_INIT;
	const char		*why = NULL;
	size_t			 used;
	int			 i;

	resp_command(&b, p->argc, p->argv, p->argvlen);
	resp_parser_init(&q);
	if (resp_parse(&q, b.data, b.len, &used, NULL) != RESP_DONE ||
	    used != b.len)
		why = "resp_command output does not parse";
	else if (q.argc != p->argc)
		why = "resp_command output has another argc";
	for (i = 0; why == NULL && i < p->argc; i++) {
		if (q.argvlen[i] != p->argvlen[i] ||
		    memcmp(q.argv[i], p->argv[i], p->argvlen[i]) != 0)
			why = "resp_command output has other arguments";
	}
	resp_parser_free(&q);
	buf_free(&b);
	return why;
}

/* Checks on a finished request against the limits it was read with. */
static const char *
fuzz_resp_request(const struct resp_parser *p, const struct resp_limits *lim,
    bool mbulk)
{
	int	i;

	for (i = 0; i < p->argc; i++) {
		if (p->argv[i][p->argvlen[i]] != '\0')
			return "argument not NUL-terminated";
		if (mbulk && (long long)p->argvlen[i] > lim->max_bulk)
			return "bulk longer than max_bulk";
		if (mbulk && !lim->authenticated && p->argvlen[i] > 16384)
			return "unauthenticated bulk over 16384";
		if (!mbulk && p->argvlen[i] > RESP_INLINE_MAX)
			return "inline argument over the inline limit";
	}
	if (mbulk && !lim->authenticated && p->argc > 10)
		return "unauthenticated multibulk over 10";
	return NULL;
}

/*
 * Read the stream as a client would send it: reads of 1..maxchunk bytes (all
 * at once when maxchunk is 0), a query buffer that drops what was consumed.
 */
static const char *
fuzz_resp_run(const char *in, size_t len, const struct resp_limits *lim,
    uint64_t seed, size_t maxchunk, bool roundtrip, struct fuzz_run *r)
{
	struct resp_parser	 p;
	struct buf		 q = BUF_INIT;
	const char		*why = NULL;
	enum resp_status	 st = RESP_MORE;
	size_t			 from = 0, qpos = 0, n, used;
	bool			 mbulk = false;
	uint64_t		 h = 0xcbf29ce484222325ULL;
	int			 i;

	memset(r, 0, sizeof *r);
	resp_parser_init(&p);
	while (st != RESP_ERR && why == NULL && (from < len || from == 0)) {
		n = len - from;
		if (maxchunk > 0 && n > 0)
			n = 1 + fuzz_rand(&seed) % (n < maxchunk ? n : maxchunk);
		/* Like Redis's qb_pos: one move per read, not per request. */
		buf_consume(&q, qpos);
		qpos = 0;
		buf_append(&q, in + from, n);
		from += n;
		for (;;) {
			if (p.kind == 0 && qpos < q.len)
				mbulk = q.data[qpos] == '*';
			st = resp_parse(&p, q.data + qpos, q.len - qpos, &used,
			    lim);
			if (used > q.len - qpos) {
				why = "consumed more than given";
				break;
			}
			if ((why = fuzz_resp_state(&p, lim)) != NULL)
				break;
			if (st == RESP_ERR) {
				if (p.error == NULL || strncmp(p.error,
				    "ERR Protocol error: ", 20) != 0 ||
				    strpbrk(p.error, "\r\n") != NULL) {
					why = "bad error text";
					break;
				}
				h = fuzz_hash(h, "E", 1);
				h = fuzz_hash(h, p.error, strlen(p.error));
				break;
			}
			qpos += used;
			if (st == RESP_MORE)
				break;
			if (used == 0) {
				why = "request done without consuming a byte";
				break;
			}
			if ((why = fuzz_resp_request(&p, lim, mbulk)) != NULL)
				break;
			if (roundtrip && (why = fuzz_resp_roundtrip(&p)) != NULL)
				break;
			r->nreq++;
			h = fuzz_hash(h, "D", 1);
			h = fuzz_hash(h, &p.argc, sizeof p.argc);
			for (i = 0; i < p.argc; i++) {
				h = fuzz_hash(h, &p.argvlen[i], sizeof p.argvlen[i]);
				h = fuzz_hash(h, p.argv[i], p.argvlen[i]);
			}
		}
		if (len == 0)
			break;
	}
	if (why == NULL && st == RESP_ERR &&
	    resp_parse(&p, "PING\r\n", 6, &used, lim) != RESP_ERR)
		why = "error did not stick";
	r->hash = h;
	r->pending = st == RESP_ERR ? 0 : q.len - qpos;
	r->last = st;
	resp_parser_free(&p);
	buf_free(&q);
	return why;
}

/* See targets.h. */
int
fuzz_resp_one(const uint8_t *data, size_t size)
{
	static const struct resp_limits	 lims[2] = {
		{ 512LL * 1024 * 1024, INT_MAX, true },
		{ 100, 1000, false },
	};
	static const size_t		 chunks[4] = { 1, 7, 64, 4096 };
	struct fuzz_run			 whole, cut;
	const char			*in = (const char *)data, *why = NULL;
	char				*amp = NULL;
	uint64_t			 h, seed;
	size_t				 len = size, maxchunk, k;
	int				 l;

	h = fuzz_hash(0xcbf29ce484222325ULL, data, size);
	seed = h | 1;
	maxchunk = chunks[h & 3];
	if (size > 0 && ((h >> 8) & 63) == 0) {
		/* Now and then the stream repeated past the inline limit. */
		amp = xmalloc(FUZZ_AMPLIFIED + size);
		for (len = 0; len < FUZZ_AMPLIFIED; len += size)
			memcpy(amp + len, data, size);
		in = amp;
	}
	if (len > FUZZ_SMALL && maxchunk < 1024)
		maxchunk = 1024 + maxchunk * 256;

	for (l = 0; l < 2 && why == NULL; l++) {
		/* Long streams are costly: fewer runs, no round trips. */
		why = fuzz_resp_run(in, len, &lims[l], seed, 0,
		    l == 0 && amp == NULL, &whole);
		if (why != NULL)
			break;
		for (k = 0; k < (amp == NULL ? 2 : 1) && why == NULL; k++) {
			why = fuzz_resp_run(in, len, &lims[l], seed + k, maxchunk,
			    false, &cut);
			if (why == NULL && (cut.hash != whole.hash ||
			    cut.nreq != whole.nreq || cut.last != whole.last ||
			    cut.pending != whole.pending))
				why = "reads in pieces differ from one read";
		}
	}
	if (why != NULL)
		fprintf(stderr, "fuzz_resp: %s (%zu bytes%s, limits %d, "
		    "reads of up to %zu)\n", why, size,
		    amp != NULL ? ", amplified" : "", l, maxchunk);
	free(amp);
	return why == NULL ? 0 : -1;
}

/* Do the words of (line, len) split as want, wantlen, n? */
static const char *
fuzz_conf_same(const char *line, size_t len, int n, char **want,
    const size_t *wantlen)
{
	const char	*why = NULL;
	char		**v;
	size_t		*vl;
	int		 c, i;

	if (conf_split(line, len, &c, &v, &vl) != 0)
		return "quoted words do not split";
	if (c != n)
		why = "quoted words split to another count";
	for (i = 0; why == NULL && i < c; i++) {
		if (vl[i] != wantlen[i] || memcmp(v[i], want[i], vl[i]) != 0)
			why = "quoted words split to other bytes";
	}
	conf_free_args(c, v, vl);
	return why;
}

/* An inline request is the same line split the same way. */
static const char *
fuzz_conf_inline(const char *line, size_t len, int n, char **want,
    const size_t *wantlen)
{
	struct resp_parser	 p;
	struct buf		 b = BUF_INIT;
	const char		*why = NULL;
	size_t			 used;
	int			 i;

	if (len == 0 || line[0] == '*' || len > RESP_INLINE_MAX ||
	    memchr(line, '\n', len) != NULL || memchr(line, '\0', len) != NULL)
		return NULL;
	buf_append(&b, line, len);
	buf_append(&b, "\r\n", 2);
	resp_parser_init(&p);
	if (resp_parse(&p, b.data, b.len, &used, NULL) != RESP_DONE ||
	    used != b.len)
		why = "inline request does not parse as its line";
	else if (p.argc != n)
		why = "inline request has another argc than its line";
	for (i = 0; why == NULL && i < n; i++) {
		if (p.argvlen[i] != wantlen[i] ||
		    memcmp(p.argv[i], want[i], wantlen[i]) != 0)
			why = "inline request has other words than its line";
	}
	resp_parser_free(&p);
	buf_free(&b);
	return why;
}

/* See targets.h. */
int
fuzz_conf_one(const uint8_t *data, size_t size)
{
	const char	*line = (const char *)data, *why = NULL;
	struct buf	 all = BUF_INIT, one = BUF_INIT;
	char		**v;
	size_t		*vl;
	bool		 comment;
	int		 n, i;

	comment = conf_is_comment(line, size);
	if (conf_split(line, size, &n, &v, &vl) != 0)
		return 0;
	if (comment && n > 0 && v[0][0] != '#')
		why = "comment line whose first word is not a comment";
	if (!comment && n == 0)
		why = "blank line that is not a comment";
	for (i = 0; why == NULL && i < n; i++) {
		if (v[i][vl[i]] != '\0') {
			why = "word not NUL-terminated";
			break;
		}
		/* Each word alone, and all of them on one line. */
		buf_clear(&one);
		conf_quote(&one, v[i], vl[i]);
		why = fuzz_conf_same(one.data, one.len, 1, &v[i], &vl[i]);
		if (i > 0)
			buf_appendc(&all, ' ');
		conf_quote(&all, v[i], vl[i]);
	}
	if (why == NULL)
		why = fuzz_conf_same(all.data != NULL ? all.data : "", all.len,
		    n, v, vl);
	if (why == NULL)
		why = fuzz_conf_inline(line, size, n, v, vl);
	if (why != NULL)
		fprintf(stderr, "fuzz_conf: %s (%zu bytes, %d words)\n", why,
		    size, n);
	conf_free_args(n, v, vl);
	buf_free(&all);
	buf_free(&one);
	return why == NULL ? 0 : -1;
}
