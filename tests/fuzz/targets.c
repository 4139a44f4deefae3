/*
 * targets.c - fuzz targets for the request parser, the config splitter, the
 * RDB reader and what a replica receives from its master.
 *
 * Each input is a byte stream as a client would send it (or a config line,
 * an RDB image, a master's replies and stream), so that corpus files stay
 * readable. How a stream is cut into reads comes from a hash of the input:
 * the fuzzer changes it with every mutation, and the results are always
 * compared with the stream read in one piece.
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
#include "db.h"
#include "rdb.h"
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

/* --- RDB images ------------------------------------------------------------ */

/*
 * What the reader may deliver per input byte: LZF expands at most 88 times
 * and an int16 of an intset prints as up to 6 characters from 2 bytes.
 */
#define FUZZ_RDB_BYTES	300
#define FUZZ_RDB_ITEMS	100

/* The state of one pass of the reader over an image, seen by callbacks. */
struct fuzz_rdb {
	const char		*why;		/* the first broken invariant */
	const struct rdb_reader	*r;
	uint64_t		 hash;		/* of the keys and values delivered */
	size_t			 bytes;		/* delivered so far */
	size_t			 items;
	size_t			 nkeys;
	int			 db;
	int			 maxdb;		/* SELECTDB above fails, as persist.c does */
	int			 agg;		/* type of the open aggregate, -1 none */
	size_t			 agg_n;		/* its items (pairs for a hash) */
	char			*key;		/* its key, copied as persist.c does */
	size_t			 klen;
	long long		 exp;
	struct buf		 pend;		/* its items: size_t length, bytes */
	struct rdb_writer	*w;		/* NULL: no copy of the keys */
	int			 wdb;		/* db of the copy, -1 before any */
};

/* Sets the first broken invariant; the callback then stops the reader. */
static int
fuzz_rdb_fail(struct fuzz_rdb *f, const char *why)
{
	if (f->why == NULL)
		f->why = why;
	return -1;
}

/* A string the reader hands out must lie in the image or in its scratch. */
static bool
fuzz_rdb_inside(const struct fuzz_rdb *f, const char *p, size_t n)
{
	const char	*img = (const char *)f->r->p;
	size_t		 i;

	if (p >= img && p <= img + f->r->len)
		return n <= (size_t)(img + f->r->len - p);
	for (i = 0; i < ARRAY_SIZE(f->r->tmp); i++) {
		const struct buf *t = &f->r->tmp[i];

		if (t->data != NULL && p >= t->data && p <= t->data + t->len)
			return n <= (size_t)(t->data + t->len - p);
	}
	return false;
}

/* Counts delivered bytes against what the image can hold, and hashes them. */
static int
fuzz_rdb_take(struct fuzz_rdb *f, char tag, const char *p, size_t n)
{
	f->bytes += n + 1;
	if (f->bytes > FUZZ_RDB_BYTES * f->r->len + 64)
		return fuzz_rdb_fail(f,
		    "more bytes delivered than the image holds");
	f->hash = fuzz_hash(f->hash, &tag, 1);
	f->hash = fuzz_hash(f->hash, &n, sizeof n);
	f->hash = fuzz_hash(f->hash, p, n);
	return 0;
}

/* Keys go to the copy in the db they were read in. */
static void
fuzz_rdb_copy_db(struct fuzz_rdb *f)
{
	if (f->w != NULL && f->wdb != f->db) {
		rdb_write_select_db(f->w, f->db, 0, 0);
		f->wdb = f->db;
	}
}

/* Aux fields are not compared (the copy has none): only checked. */
static int
fuzz_rdb_aux(void *ctx, const char *name, size_t nlen, const char *val,
    size_t vlen)
{
	struct fuzz_rdb	*f = ctx;

	if (f->agg != -1)
		return fuzz_rdb_fail(f, "aux field inside a key");
	if (!fuzz_rdb_inside(f, name, nlen) || !fuzz_rdb_inside(f, val, vlen))
		return fuzz_rdb_fail(f, "aux string outside the image");
	return 0;
}

/* SELECTDB: a database number persist.c would accept, or a failure. */
static int
fuzz_rdb_select(void *ctx, int db)
{
	struct fuzz_rdb	*f = ctx;

	if (f->agg != -1)
		return fuzz_rdb_fail(f, "SELECTDB inside a key");
	if (db < 0)
		return fuzz_rdb_fail(f, "negative database number");
	if (db > f->maxdb)
		return -1;	/* as persist.c's cb_select: not a broken invariant */
	f->db = db;
	return 0;
}

/* A size hint: only where a key may start. */
static int
fuzz_rdb_resize(void *ctx, uint64_t dbsize, uint64_t expires)
{
	struct fuzz_rdb	*f = ctx;

	UNUSED(dbsize);
	UNUSED(expires);
	if (f->agg != -1)
		return fuzz_rdb_fail(f, "RESIZEDB inside a key");
	return 0;
}

/* A string key: copied as persist.c copies it, hashed, and copied out. */
static int
fuzz_rdb_string(void *ctx, const char *key, size_t klen, const char *val,
    size_t vlen, long long exp)
{
	struct fuzz_rdb	*f = ctx;
	char		*k, *v;

	if (f->agg != -1)
		return fuzz_rdb_fail(f, "string key inside an aggregate");
	if (exp < -1)
		return fuzz_rdb_fail(f, "expire time below -1");
	if (!fuzz_rdb_inside(f, key, klen) || !fuzz_rdb_inside(f, val, vlen))
		return fuzz_rdb_fail(f, "string outside the image and scratch");
	k = xmemdup(key, klen);
	v = xmemdup(val, vlen);
	f->nkeys++;
	f->hash = fuzz_hash(f->hash, "S", 1);
	f->hash = fuzz_hash(f->hash, &f->db, sizeof f->db);
	f->hash = fuzz_hash(f->hash, &exp, sizeof exp);
	if (fuzz_rdb_take(f, 'K', k, klen) == 0 &&
	    fuzz_rdb_take(f, 'V', v, vlen) == 0 && f->w != NULL) {
		fuzz_rdb_copy_db(f);
		rdb_write_string(f->w, k, klen, v, vlen, exp);
	}
	free(k);
	free(v);
	return f->why == NULL ? 0 : -1;
}

/* The begin of a list, set or hash: one at a time, and with a key. */
static int
fuzz_rdb_begin(struct fuzz_rdb *f, int type, const char *key, size_t klen,
    long long exp)
{
	if (f->agg != -1)
		return fuzz_rdb_fail(f, "aggregate begun inside another");
	if (exp < -1)
		return fuzz_rdb_fail(f, "expire time below -1");
	if (!fuzz_rdb_inside(f, key, klen))
		return fuzz_rdb_fail(f, "aggregate key outside the image");
	f->agg = type;
	f->agg_n = 0;
	free(f->key);
	f->key = xmemdup(key, klen);
	f->klen = klen;
	f->exp = exp;
	buf_clear(&f->pend);
	f->hash = fuzz_hash(f->hash, "B", 1);
	f->hash = fuzz_hash(f->hash, &type, sizeof type);
	f->hash = fuzz_hash(f->hash, &f->db, sizeof f->db);
	f->hash = fuzz_hash(f->hash, &exp, sizeof exp);
	return fuzz_rdb_take(f, 'K', key, klen);
}

/* See fuzz_rdb_begin. */
static int
fuzz_rdb_list_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return fuzz_rdb_begin(ctx, RDB_TYPE_LIST, key, klen, exp);
}

/* See fuzz_rdb_begin. */
static int
fuzz_rdb_set_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return fuzz_rdb_begin(ctx, RDB_TYPE_SET, key, klen, exp);
}

/* See fuzz_rdb_begin. */
static int
fuzz_rdb_hash_begin(void *ctx, const char *key, size_t klen, long long exp)
{
	return fuzz_rdb_begin(ctx, RDB_TYPE_HASH, key, klen, exp);
}

/* Kept for the copy, which needs the count before the items. */
static void
fuzz_rdb_keep(struct fuzz_rdb *f, const char *p, size_t n)
{
	buf_append(&f->pend, &n, sizeof n);
	buf_append(&f->pend, p, n);
}

/* A list element or set member: only inside a list or a set. */
static int
fuzz_rdb_item(void *ctx, const char *p, size_t n)
{
	struct fuzz_rdb	*f = ctx;

	if (f->agg != RDB_TYPE_LIST && f->agg != RDB_TYPE_SET)
		return fuzz_rdb_fail(f, "item outside a list or set");
	if (++f->items > FUZZ_RDB_ITEMS * f->r->len + 16)
		return fuzz_rdb_fail(f, "more items than the image holds");
	f->agg_n++;
	if (f->w != NULL)
		fuzz_rdb_keep(f, p, n);
	return fuzz_rdb_take(f, 'I', p, n);
}

/* A hash field and value: only inside a hash. */
static int
fuzz_rdb_field(void *ctx, const char *fl, size_t flen, const char *v,
    size_t vlen)
{
	struct fuzz_rdb	*f = ctx;

	if (f->agg != RDB_TYPE_HASH)
		return fuzz_rdb_fail(f, "field outside a hash");
	if (++f->items > FUZZ_RDB_ITEMS * f->r->len + 16)
		return fuzz_rdb_fail(f, "more fields than the image holds");
	f->agg_n++;
	if (f->w != NULL) {
		fuzz_rdb_keep(f, fl, flen);
		fuzz_rdb_keep(f, v, vlen);
	}
	if (fuzz_rdb_take(f, 'F', fl, flen) != 0)
		return -1;
	return fuzz_rdb_take(f, 'V', v, vlen);
}

/* The end of a non-empty aggregate; the copy gets it whole. */
static int
fuzz_rdb_end_key(void *ctx)
{
	struct fuzz_rdb	*f = ctx;
	const char	*p, *end, *fl;
	size_t		 n, flen;

	if (f->agg == -1)
		return fuzz_rdb_fail(f, "end of a key never begun");
	if (f->agg_n == 0)
		return fuzz_rdb_fail(f, "empty aggregate delivered");
	f->hash = fuzz_hash(f->hash, "E", 1);
	f->hash = fuzz_hash(f->hash, &f->agg_n, sizeof f->agg_n);
	f->nkeys++;
	if (f->w != NULL) {
		fuzz_rdb_copy_db(f);
		if (f->agg == RDB_TYPE_LIST)
			rdb_write_list_begin(f->w, f->key, f->klen, f->agg_n,
			    f->exp);
		else if (f->agg == RDB_TYPE_SET)
			rdb_write_set_begin(f->w, f->key, f->klen, f->agg_n,
			    f->exp);
		else
			rdb_write_hash_begin(f->w, f->key, f->klen, f->agg_n,
			    f->exp);
		p = f->pend.data;
		end = p + f->pend.len;
		fl = NULL;
		flen = 0;
		while (p != NULL && p < end) {
			memcpy(&n, p, sizeof n);
			p += sizeof n;
			if (f->agg != RDB_TYPE_HASH)
				rdb_write_item(f->w, p, n);
			else if (fl == NULL) {
				fl = p;
				flen = n;
			} else {
				rdb_write_field(f->w, fl, flen, p, n);
				fl = NULL;
			}
			p += n;
		}
	}
	f->agg = -1;
	buf_clear(&f->pend);
	return 0;
}

static const struct rdb_callbacks fuzz_rdb_cbs = {
	.aux = fuzz_rdb_aux,
	.select_db = fuzz_rdb_select,
	.resize_db = fuzz_rdb_resize,
	.string = fuzz_rdb_string,
	.list_begin = fuzz_rdb_list_begin,
	.set_begin = fuzz_rdb_set_begin,
	.hash_begin = fuzz_rdb_hash_begin,
	.item = fuzz_rdb_item,
	.field = fuzz_rdb_field,
	.end_key = fuzz_rdb_end_key,
};

/* What one pass of the reader ended with. */
struct fuzz_rdb_pass {
	int		 rc;		/* 0 at a good end, -1 on error */
	size_t		 pos;		/* where it stopped */
	size_t		 calls;		/* rdb_reader_next() returning 1 */
	char		 error[256];
	uint64_t	 hash;
	size_t		 nkeys;
};

/*
 * Read the whole image, with the callbacks (cbs true) or with none (the
 * check that repl.c makes before loading). Every item must move the reader
 * on, an error or the end must stick, and the position stay in the image.
 */
static const char *
fuzz_rdb_pass(const void *img, size_t len, bool cbs, int maxdb,
    struct rdb_writer *w, struct fuzz_rdb_pass *out)
{
	struct rdb_reader	 r;
	struct rdb_callbacks	 cb = fuzz_rdb_cbs;
	struct fuzz_rdb		 f;
	const char		*why = NULL;
	size_t			 before;
	int			 rc;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	f.r = &r;
	f.hash = 0xcbf29ce484222325ULL;
	f.maxdb = maxdb;
	f.agg = -1;
	f.w = w;
	f.wdb = -1;
	buf_init(&f.pend);
	cb.ctx = &f;
	if (rdb_reader_init(&r, img, len) != 0) {
		if (r.error[0] == '\0')
			why = "init failed without an error";
		out->rc = -1;
		snprintf(out->error, sizeof out->error, "%s", r.error);
		rdb_reader_free(&r);
		return why;
	}
	for (;;) {
		before = r.pos;
		rc = rdb_reader_next(&r, cbs ? &cb : NULL);
		if (f.why != NULL) {
			why = f.why;
			break;
		}
		if (r.pos > r.len) {
			why = "reader position past the image";
			break;
		}
		if (rc != 1)
			break;
		if (r.pos <= before) {
			why = "item delivered without reading a byte";
			break;
		}
		out->calls++;
	}
	if (why == NULL && rc != 0 && rc != -1)
		why = "rdb_reader_next returned something else";
	if (why == NULL && rc == -1 && r.error[0] == '\0')
		why = "error without a message";
	if (why == NULL && rc == 0 && r.error[0] != '\0')
		why = "good end with an error message";
	if (why == NULL && rc == 0 && f.agg != -1)
		why = "good end inside an aggregate";
	if (why == NULL && rdb_reader_next(&r, cbs ? &cb : NULL) != rc)
		why = "the end or the error did not stick";
	out->rc = rc;
	out->pos = r.pos;
	snprintf(out->error, sizeof out->error, "%s", r.error);
	out->hash = f.hash;
	out->nkeys = f.nkeys;
	free(f.key);
	buf_free(&f.pend);
	rdb_reader_free(&r);
	return why;
}

/*
 * The check (no callbacks) and the load (callbacks) must agree; a good
 * image copied through the writer must read back to the same keys.
 */
static const char *
fuzz_rdb_check(const void *img, size_t len, int maxdb, int *loaded)
{
	static const char *const	 noaux[] = { NULL };
	struct fuzz_rdb_pass		 check, load, again;
	struct rdb_writer		 w;
	const char			*why;

	*loaded = -1;
	/* With a db limit, the check refuses what the load would (as repl.c's check does). */
	if ((why = fuzz_rdb_pass(img, len, maxdb != INT_MAX, maxdb, NULL, &check)) != NULL)
		return why;
	rdb_writer_init(&w);
	rdb_write_header(&w, noaux);
	why = fuzz_rdb_pass(img, len, true, maxdb, &w, &load);
	if (why == NULL && load.rc == 0 && check.rc != 0)
		why = "loads but fails the check";
	if (why == NULL && maxdb == INT_MAX && (load.rc != check.rc ||
	    load.pos != check.pos || load.calls != check.calls ||
	    strcmp(load.error, check.error) != 0))
		why = "callbacks change where or how the reader stops";
	if (why == NULL && load.rc == 0) {
		rdb_write_end(&w);
		why = fuzz_rdb_pass(w.out.data, w.out.len, true, INT_MAX, NULL,
		    &again);
		if (why == NULL && again.rc != 0)
			why = "the writer's copy does not read back";
		else if (why == NULL && (again.hash != load.hash ||
		    again.nkeys != load.nkeys))
			why = "the writer's copy reads back other keys";
	}
	rdb_writer_free(&w);
	if (why == NULL)
		*loaded = check.rc == 0 ? load.rc : -2;
	return why;
}

/* See targets.h. */
int
fuzz_rdb_one(const uint8_t *data, size_t size)
{
	const char	*why;
	int		 loaded;

	why = fuzz_rdb_check(data, size, INT_MAX, &loaded);
	if (why != NULL)
		fprintf(stderr, "fuzz_rdb: %s (%zu bytes)\n", why, size);
	return why == NULL ? 0 : -1;
}

/* --- what a replica receives ------------------------------------------------- */

/* As repl.c: longest handshake line, and the replies before PSYNC's. */
#define FUZZ_HANDSHAKE_LINE	(64 * 1024)
#define FUZZ_HANDSHAKE_REPLIES	3

/*
 * One handshake line at *pos, without its CR LF, NUL-terminated; NULL when
 * none is complete (the link would wait) or it is too long (dropped).
 */
static char *
fuzz_line(const char *p, size_t len, size_t *pos)
{
	const char	*start = p + *pos, *nl;
	size_t		 n;

	if ((nl = memchr(start, '\n', len - *pos)) == NULL)
		return NULL;
	n = (size_t)(nl - start);
	if (n > FUZZ_HANDSHAKE_LINE)
		return NULL;
	*pos += n + 1;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	return xmemdup(start, n);
}

/* memmem, which C11 lacks: the first (needle, nlen) in (hay, hlen). */
static const char *
fuzz_memmem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char	*p = hay, *end = hay + hlen;

	if (nlen == 0)
		return hay;
	while ((size_t)(end - p) >= nlen &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - nlen + 1)) != NULL) {
		if (memcmp(p, needle, nlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

/*
 * The master's stream as the CLIENT_MASTER client reads it (authenticated
 * limits, reads cut by seed, the query buffer moved once per read): the
 * offsets must add up, the same requests come out of any cuts, memory
 * follows the bytes. *nreq, *hash: what came out.
 */
static const char *
fuzz_stream_run(const char *in, size_t len, uint64_t seed, size_t maxchunk,
    size_t *nreq, uint64_t *hash, size_t *counted)
{
	static const struct resp_limits	 lim = {
		RESP_DEFAULT_MAX_BULK, INT_MAX, true
	};
	struct resp_parser		 p;
	struct buf			 q = BUF_INIT;
	const char			*why = NULL;
	enum resp_status		 st = RESP_MORE;
	size_t				 from = 0, qpos = 0, n, used, partial = 0;
	uint64_t			 h = 0xcbf29ce484222325ULL;
	bool				 mbulk = false;
	int				 i;

	*nreq = 0;
	*counted = 0;
	resp_parser_init(&p);
	while (st != RESP_ERR && why == NULL && from < len) {
		n = len - from;
		if (maxchunk > 0)
			n = 1 + fuzz_rand(&seed) % (n < maxchunk ? n : maxchunk);
		buf_consume(&q, qpos);
		qpos = 0;
		buf_append(&q, in + from, n);
		from += n;
		while (qpos < q.len) {
			if (p.kind == 0)
				mbulk = q.data[qpos] == '*';
			st = resp_parse(&p, q.data + qpos, q.len - qpos, &used,
			    &lim);
			if (used > q.len - qpos) {
				why = "consumed more than given";
				break;
			}
			if ((why = fuzz_resp_state(&p, &lim)) != NULL)
				break;
			qpos += used;
			partial += used;
			if (st != RESP_DONE)
				break;
			if (partial == 0) {
				why = "request done without consuming a byte";
				break;
			}
			/* client.c's cmd_bytes: what the offset moves by. */
			*counted += partial;
			partial = 0;
			if (p.argc == 0) {
				resp_parser_reset(&p);
				continue;
			}
			if ((why = fuzz_resp_request(&p, &lim, mbulk)) != NULL)
				break;
			(*nreq)++;
			h = fuzz_hash(h, &p.argc, sizeof p.argc);
			for (i = 0; i < p.argc; i++) {
				h = fuzz_hash(h, &p.argvlen[i],
				    sizeof p.argvlen[i]);
				h = fuzz_hash(h, p.argv[i], p.argvlen[i]);
			}
			resp_parser_reset(&p);
		}
	}
	if (why == NULL && st != RESP_ERR &&
	    *counted + partial + (q.len - qpos) != len)
		why = "stream bytes lost between requests";
	if (st == RESP_ERR)
		h = fuzz_hash(h, p.error, strlen(p.error));
	*hash = h;
	resp_parser_free(&p);
	buf_free(&q);
	return why;
}

/* The stream in one read and in cuts must give the same requests. */
static const char *
fuzz_stream(const char *in, size_t len, uint64_t seed)
{
	static const size_t	 chunks[4] = { 1, 3, 64, 4096 };
	const char		*why;
	uint64_t		 h1, h2;
	size_t			 n1, n2, c1, c2, maxchunk;

	if ((why = fuzz_stream_run(in, len, seed, 0, &n1, &h1, &c1)) != NULL)
		return why;
	maxchunk = chunks[seed & 3];
	if (len > FUZZ_SMALL && maxchunk < 1024)
		maxchunk = 1024;
	why = fuzz_stream_run(in, len, seed, maxchunk, &n2, &h2, &c2);
	if (why != NULL)
		return why;
	if (n1 != n2 || h1 != h2 || c1 != c2)
		return "reads in pieces differ from one read";
	return NULL;
}

/*
 * The payload: checked, and loaded only when the check passed. Anything
 * the check lets through must load with persist.c's limits (DB_COUNT).
 */
static const char *
fuzz_payload(const char *p, size_t n)
{
	const char	*why;
	int		 loaded;

	why = fuzz_rdb_check(p, n, DB_COUNT - 1, &loaded);
	if (why == NULL && loaded == -1 &&
	    getenv("FUZZ_REPL_ALLOW_SELECTDB") == NULL)
		why = "payload passed the check but failed to load";
	return why;
}

/* The handshake replies, the payload header and the payload, then the stream. */
static const char *
fuzz_replstream(const char *in, size_t len, uint64_t seed)
{
	const char	*why = NULL;
	char		*line, id[41];
	size_t		 pos = 0, plen;
	long long	 off, sz;
	int		 replies = 0;
	bool		 full = false;
	const char	*mark;

	/* The pipelined replies; errors other than auth/REPLCONF ones end it. */
	for (;;) {
		if ((line = fuzz_line(in, len, &pos)) == NULL)
			return NULL;	/* the link would wait, then time out */
		if (line[0] == '\0') {
			free(line);
			continue;
		}
		if (replies++ < FUZZ_HANDSHAKE_REPLIES) {
			/* As repl.c: only auth and REPLCONF errors are let go. */
			if (line[0] == '-' && strncmp(line, "-NOAUTH", 7) != 0 &&
			    strncmp(line, "-NOPERM", 7) != 0 &&
			    strstr(line, "REPLCONF") == NULL) {
				free(line);
				return NULL;
			}
			free(line);
			continue;
		}
		if (strncmp(line, "+FULLRESYNC ", 12) == 0) {
			if (sscanf(line + 12, "%40s %lld", id, &off) != 2 ||
			    strlen(id) != 40) {
				free(line);
				return NULL;
			}
			full = true;
		} else if (strncmp(line, "+CONTINUE", 9) != 0) {
			free(line);
			return NULL;
		}
		free(line);
		break;
	}
	if (full) {
		/* "$<len>" or "$EOF:<mark>", bare newlines before it. */
		for (;;) {
			if ((line = fuzz_line(in, len, &pos)) == NULL)
				return NULL;
			if (line[0] != '\0')
				break;
			free(line);
		}
		if (line[0] != '$') {
			free(line);
			return NULL;
		}
		if (strncmp(line, "$EOF:", 5) == 0 && strlen(line) == 45) {
			mark = fuzz_memmem(in + pos, len - pos, line + 5, 40);
			if (mark == NULL) {
				free(line);
				return NULL;
			}
			plen = (size_t)(mark - (in + pos));
			why = fuzz_payload(in + pos, plen);
			pos += plen + 40;
		} else {
			if (!util_parse_ll(line + 1, strlen(line + 1), &sz) ||
			    sz < 0 || (unsigned long long)sz > len - pos) {
				free(line);
				return NULL;
			}
			why = fuzz_payload(in + pos, (size_t)sz);
			pos += (size_t)sz;
		}
		free(line);
	}
	if (why == NULL)
		why = fuzz_stream(in + pos, len - pos, seed);
	return why;
}

/* See targets.h. */
int
fuzz_replstream_one(const uint8_t *data, size_t size)
{
	const char	*why;

	why = fuzz_replstream((const char *)data, size,
	    fuzz_hash(0xcbf29ce484222325ULL, data, size) | 1);
	if (why != NULL)
		fprintf(stderr, "fuzz_replstream: %s (%zu bytes)\n", why, size);
	return why == NULL ? 0 : -1;
}
